"""The tariff-plan survey (资费计划调查, docs/domain.md §6.2): before a plan is launched, BOSS asks a
stratified random sample of its target users whether they would take it.

`sample` draws the sample (strata: tariff.survey.strata; proportional allocation, at least one
user per stratum; within a stratum by a hash of (seed, proposal, user), so a rerun draws the same
users) into out.tariff_survey_m and the BOSS file boss_tariff_survey_m. BOSS's answers come back
as fb_survey (pipeline `survey`), dm.survey_eval_m projects them to the whole target population
with the survey weights, and `fit_adoption` estimates the what-if's adoption model from them."""
from __future__ import annotations

import math

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.boss import outbound
from bass.core.batch import Batch
from bass.marts.tariff.catalogue import Proposal
from bass.marts.tariff.whatif import targets
from bass.warehouse import delta_io

SURVEY_TABLE = "out.tariff_survey_m"
SURVEY_INTERFACE = "boss_tariff_survey_m"
# usage items that can differ between two plans: (rerate fee column, quantity column, words, unit)
ITEMS = [("local_call_fee", "local_min", "本地通话", "分钟"), ("ld_call_fee", "ld_units", "长途", "6秒"),
         ("roam_fee", "roam_min", "漫游", "分钟"), ("sms_fee", "sms_n", "短信", "条"), ("data_fee", "data_mb", "流量", "MB")]


def survey_id(p: Proposal, month: str) -> str:
    return f"{p.id}_{month}"


def arpu_band(edges: list) -> F.Column:
    fee, band = F.col("current_fee").cast("double"), F.lit(f">={edges[-1]}")
    for lo, hi in reversed(list(zip([0] + edges[:-1], edges))):
        band = F.when(fee < hi, F.lit(f"{lo}-{hi}")).otherwise(band)
    return band


def frame(ctx, p: Proposal, month: str) -> DataFrame:
    """The survey's sampling frame: the proposal's target users with their stratum."""
    conf = ctx.cfg.get("tariff.survey")
    users = targets(ctx, p, month).withColumn("arpu_band", arpu_band(list(conf["arpu_bands"])))
    return users.withColumn("stratum", F.concat_ws("/", *[F.coalesce(F.col(s).cast("string"), F.lit("?")) for s in conf["strata"]]))


def draw_sample(users: DataFrame, p: Proposal, size: int, seed: int) -> DataFrame:
    """`size` users (about) in proportion to the strata, each with its stratum size and weight."""
    n_all = users.count()
    if n_all == 0:
        raise ValueError(f"proposal {p.id} has no target users ({p.target})")
    stratum = Window.partitionBy("stratum")
    u = F.abs(F.xxhash64(F.lit(seed), F.lit(p.id), F.col("user_id")) % 1_000_000_007)
    ranked = (users.withColumn("stratum_users", F.count(F.lit(1)).over(stratum))
              .withColumn("_k", F.row_number().over(stratum.orderBy(u, "user_id"))))
    take = F.least(F.col("stratum_users"), F.greatest(F.lit(1), F.round(F.lit(size / n_all) * F.col("stratum_users"))))
    return (ranked.where(F.col("_k") <= take).withColumn("sampled", take.cast("int"))
            .withColumn("weight", F.col("stratum_users") / F.col("sampled")).drop("_k"))


def usage_words(ctx, month: str, p: Proposal) -> DataFrame:
    """Per target user: the month's usage and spend on the items where the current plan's and the
    proposal's charges differ, in words (e.g. `流量 1532 MB: 当前 30.64元 / 新 0.00元`)."""
    spark = ctx.spark
    rr = spark.table("dm.rerate_m").where(F.col("batch_month") == month)
    cur = rr.where("is_current").select("user_id", *[F.col(c).alias(f"cur_{c}") for c, *_ in ITEMS])
    new = rr.where(F.col("proposal_id") == p.id).select("user_id", *[F.col(c).alias(f"new_{c}") for c, *_ in ITEMS])
    qty = spark.table("mid.user_rating_usage_m").where(F.col("batch_month") == month).select("user_id", *[q for _, q, *_ in ITEMS])
    parts = [F.when(F.col(f"cur_{c}") != F.col(f"new_{c}"),
                    F.format_string(f"{words} %.0f {unit}: 当前 %.2f元 / 新 %.2f元", F.col(q).cast("double"),
                                    F.col(f"cur_{c}").cast("double"), F.col(f"new_{c}").cast("double")))
             for c, q, words, unit in ITEMS]
    return cur.join(new, "user_id").join(qty, "user_id").select("user_id", F.concat_ws("; ", *parts).alias("usage_desc"))


def plan_desc(plan_name: F.Column, fee: F.Column) -> F.Column:
    return F.format_string("%s (月租 %.0f元)", plan_name, fee.cast("double"))


def sample(ctx, p: Proposal, month: str, size: int) -> dict:
    """Draw, store and deliver the survey of `p` among the month's targets; returns its figures."""
    if size < 1:
        raise ValueError(f"--size must be at least 1, got {size}")
    spark, seed = ctx.spark, int(ctx.cfg.get("tariff.survey.seed"))
    drawn = draw_sample(frame(ctx, p, month), p, size, seed)
    plans = spark.table("mid.tariff_plan_m").where(F.col("batch_month") == month).select("plan_id", "plan_name", "monthly_fee")
    profile = spark.table("mid.user_profile_m").where(F.col("batch_month") == month).select("user_id", "msisdn", "cust_id")
    names = spark.table("mid.customer_m").where(F.col("batch_month") == month).select("cust_id", "cust_name")
    new_plan = p.plan
    rows = (drawn.join(profile, "user_id").join(names, "cust_id", "left")
            .join(plans.withColumnRenamed("plan_name", "cur_name").withColumnRenamed("monthly_fee", "cur_rent"), "plan_id", "left")
            .join(usage_words(ctx, month, p), "user_id", "left")
            .select(F.lit(survey_id(p, month)).alias("survey_id"), F.lit(p.id).alias("proposal_id"), "user_id", "cust_id",
                    "cust_name", "msisdn", "stratum", F.col("stratum_users").cast("bigint"), F.col("sampled").cast("int"),
                    F.col("weight").cast("double"), plan_desc(F.col("cur_name"), F.col("cur_rent")).alias("current_plan_desc"),
                    plan_desc(F.lit(new_plan["plan_name"]), F.lit(new_plan["monthly_fee"])).alias("new_plan_desc"),
                    F.coalesce(F.col("usage_desc"), F.lit("")).alias("usage_desc"),
                    F.col("current_fee").cast("decimal(12,2)"), F.col("new_fee").cast("decimal(12,2)"),
                    F.lit(month).alias("analysis_month"), F.lit(month).alias("batch_month")))
    if spark.catalog.tableExists(SURVEY_TABLE):   # a rerun replaces the proposal's survey of the month
        spark.sql(f"delete from {SURVEY_TABLE} where batch_month = '{month}' and proposal_id = '{p.id}'")
    written = delta_io.write(ctx, SURVEY_TABLE, rows, mode="append")
    sent = outbound.deliver(ctx, SURVEY_TABLE, SURVEY_INTERFACE, Batch.of("month", month))
    strata = spark.table(SURVEY_TABLE).where((F.col("batch_month") == month) & (F.col("proposal_id") == p.id)) \
        .select("stratum").distinct().count()
    return {"survey_id": survey_id(p, month), "sampled": written, "strata": strata,
            "file": ", ".join(r.file_name for recs in sent.values() for r in recs)}


def fit_adoption(ctx, p: Proposal, min_answers: int = 30) -> dict | None:
    """The adoption logit's intercept and saving coefficient fitted to the newest answered survey
    of `p` (weighted, with the conf's upgrade term as an offset); None with fewer answers. The
    sample is small (a survey), so it is fitted on the driver by Newton's method."""
    spark = ctx.spark
    if not (spark.catalog.tableExists(SURVEY_TABLE) and spark.catalog.tableExists("ods.fb_survey")):
        return None
    answered = (spark.table(SURVEY_TABLE).where(F.col("proposal_id") == p.id).alias("s")
                .join(spark.table("ods.fb_survey").alias("f"), ["survey_id", "msisdn"])
                .where(F.col("f.reached") == "Y"))
    newest = answered.agg(F.max("s.batch_month")).first()[0]
    if newest is None:
        return None
    rows = (answered.where(F.col("s.batch_month") == newest)
            .join(spark.table("mid.user_profile_m").where(F.col("batch_month") == newest)
                  .select(F.col("user_id").alias("p_user"), "net_gen"), F.col("p_user") == F.col("s.user_id"), "left")
            .select((F.col("current_fee").cast("double") - F.col("new_fee").cast("double")) / F.greatest(F.col("current_fee").cast("double"), F.lit(1.0)),
                    F.col("net_gen").isin("2G", "3G").cast("double"), F.col("weight"), (F.col("accepted") == "Y").cast("double"))
            .collect())
    if len(rows) < min_answers:
        return None
    upgrade = float({**ctx.cfg.get("tariff.adoption"), **p.adoption}["upgrade"]) if p.plan["net_gen"] == "4G" else 0.0
    a, b = logit_fit([(x, upgrade * (up or 0.0), w, y) for x, up, w, y in rows])
    return {"intercept": round(a, 4), "saving": round(b, 4), "survey": f"{p.id}_{newest}", "answers": len(rows)}


def logit_fit(rows: list[tuple]) -> tuple[float, float]:
    """Weighted logistic regression y ~ a + b x + offset by Newton's method; rows are
    (x, offset, weight, y)."""
    a = b = 0.0
    for _ in range(50):
        g0 = g1 = h00 = h01 = h11 = 0.0
        for x, off, w, y in rows:
            q = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, a + b * x + off))))
            g0, g1 = g0 + w * (y - q), g1 + w * (y - q) * x
            v = w * q * (1 - q)
            h00, h01, h11 = h00 + v, h01 + v * x, h11 + v * x * x
        det = h00 * h11 - h01 * h01
        if det <= 1e-12:
            break
        da, db = (h11 * g0 - h01 * g1) / det, (h00 * g1 - h01 * g0) / det
        a, b = a + da, b + db
        if abs(da) + abs(db) < 1e-8:
            break
    return a, b
