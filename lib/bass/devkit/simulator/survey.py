"""BOSS answering a tariff-plan survey (`bass generate --answer-survey MONTH`): the simulator
reads the survey list BASS delivered for the month (boss_tariff_survey_m, the newest resend) and
answers it as BOSS's agents would.

Planted acceptance model (the truth dm.survey_eval_m and the fitted adoption model must find):
an agent reaches a listed user with probability 0.8; a reached user says yes with probability
sigmoid(-2.2 + 7.0 * relative saving + 0.8 * [a 4G plan offered to a 2G/3G user]), where the
relative saving is (current - new charge) / max(current, 1) from the list's own figures and the
user's current network is the current plan's (catalog.PLANS). Draws are hashes of (seed,
survey, MSISDN), so the same list gets the same answers. The planted parameters and what they
imply for the sampled users go to truth/survey_<survey_id>.json, never read by jobs."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bass.boss.writer import write_delivery
from bass.core.interfaces import interface
from bass.devkit.simulator import catalog as cat
from bass.devkit.simulator.boss import read_list
from bass.devkit.simulator.rand import pick, sigmoid, uniform

TRUE_ADOPTION = {"intercept": -2.2, "saving": 7.0, "upgrade": 0.8}
P_REACHED = 0.8
SUGGESTIONS = [("流量再多一些", 35), ("月租太高", 30), ("不想换套餐", 25), ("希望送通话分钟", 10)]


def answer(spark: SparkSession, outbox: str, landing: str, truth: str, province: str, month: str, seed: int = 42) -> dict:
    from bass.marts.tariff.catalogue import load_proposals
    listed = read_list(spark, outbox, province, "boss_tariff_survey_m", month)
    if listed is None:
        raise ValueError(f"no tariff survey was delivered for {month} (bass tariff survey --month {month})")
    gen_of_name = F.create_map(*[x for p in cat.PLANS for x in (F.lit(p[1]), F.lit(p[12]))])
    new_4g = F.create_map(*[x for p in load_proposals().values()
                            for x in (F.lit(p.id), F.lit(p.plan["net_gen"] == "4G"))])
    current, new = F.col("current_fee").cast("double"), F.col("new_fee").cast("double")
    utility = (F.lit(TRUE_ADOPTION["intercept"]) + F.lit(TRUE_ADOPTION["saving"]) * (current - new) / F.greatest(current, F.lit(1.0))
               + F.lit(TRUE_ADOPTION["upgrade"]) * (F.coalesce(new_4g[F.regexp_extract("survey_id", r"^(.*)_\d{4}-\d{2}$", 1)], F.lit(False))
                                                   & F.element_at(gen_of_name, F.split("current_plan_desc", " \\(")[0]).isin("2G", "3G")).cast("double"))
    reached = uniform(seed, "survey_reach", "survey_id", "msisdn") < P_REACHED
    accepted = reached & (uniform(seed, "survey_accept", "survey_id", "msisdn") < sigmoid(utility))
    first = dt.date.fromisoformat(month + "-01")
    next_month = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    rows = listed.select(
        "survey_id", F.lit(month).alias("analysis_month"), "msisdn",
        F.when(reached, "Y").otherwise("N").alias("reached"), F.when(accepted, "Y").otherwise("N").alias("accepted"),
        F.when(reached & ~accepted, pick(uniform(seed, "survey_says", "msisdn"), SUGGESTIONS)).alias("suggestion"),
        F.when(reached, F.date_add(F.lit(next_month), F.floor(uniform(seed, "survey_day", "msisdn") * 10).cast("int"))).alias("answer_date"),
        sigmoid(utility).alias("_p")).cache()
    spec = interface("fb_survey")
    recs = write_delivery(rows.select(*spec.field_names()), spec, month, landing, province)
    facts = rows.groupBy("survey_id").agg(F.count(F.lit(1)).alias("listed"), F.count(F.when(F.col("reached") == "Y", 1)).alias("reached"),
                                          F.count(F.when(F.col("accepted") == "Y", 1)).alias("accepted"),
                                          F.avg("_p").alias("planted_acceptance_of_listed")).collect()
    rows.unpersist()
    Path(truth).mkdir(parents=True, exist_ok=True)
    for f in facts:
        (Path(truth) / f"survey_{f.survey_id}.json").write_text(json.dumps({**TRUE_ADOPTION, "p_reached": P_REACHED, **f.asDict()}, indent=1))
    return {"fb_survey": sum(r.records for r in recs), "surveys": [f.survey_id for f in facts]}
