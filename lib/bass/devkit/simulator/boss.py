"""BOSS acting on BASS's lists: the simulator's side of the closed loop (`bass generate --advance`).

Treatment model (the ground truth the campaign evaluation must find). BOSS reads the lists BASS
delivered for month M (the newest resend, checked against its .verf) and acts on them in month
M+1:

- retention list (boss_retention_m): an agent reaches the user with probability 0.8; a reached
  user accepts the retention offer with probability 0.55. Acceptance lowers the churn logit by
  1.8 (GoTone), 1.3 (M-Zone) or 0.7 (Easy-Own) in months M+1..M+3, except for two kinds of
  lost cause, for whom acceptance changes nothing:
  - users whose contract ends within three months of M (what BASS reads as contract_ends_3m):
    they are shopping for a new handset deal, which a bill credit does not match;
  - users whose service has been stopped for arrears (the balance file's stop_count of M is
    above 0): they are on the way to involuntary churn, for not paying, which an offer to stay
    does not change.
  Both are among the riskiest and BASS sees both, so an uplift model can learn to skip them
  where risk ranking cannot (compare Ascarza 2018, "Retention futility: targeting high-risk
  customers might be ineffective").
- care list (boss_care_m): executed with probability 0.85 (the user is reachable) and then done
  unless refused (10 %); a care action done lowers the churn logit by 0.5 (priority service)
  or 0.3 (other actions) in months M+1..M+2. Every reached user, the control group's
  SURVEY_ONLY rows too, answers the satisfaction survey (1-5): a latent 2.6-4.4 per user and
  month, raised by SATISFACTION_EFFECT[action] when the care was done (DATA_GIFT by
  YOUNG_DATA_GIFT more in a segment described as young), rounded and held to 1-5. The planted
  effect per list month, action and segment (truth/care_satisfaction.csv) is the mean over the
  surveyed treated users of their own two answers, with the care and without.
- marketing list (boss_campaign_m): contacted with probability 0.8; a contacted user takes the
  offer with probability 0.35: the plan changes to the offered plan on the first day of M+1
  (bills follow) and the churn logit falls by 0.2 in months M+1..M+3.

Draws are hashes of (seed, interface, user, month), so the same outbox gives the same actions.
The effects go to truth/ (treatments.csv, boss_actions.csv, campaign_effect.csv), never read by
jobs. The campaign_effect rows give, per list and brand, the share of the listed users who left
in month M+1 without the list's treatment and with it, both from each user's own churn draw
(the simulator knows both outcomes), and their difference: the planted effect of sending the
list, which a treated-versus-control comparison estimates. (The listed are not a random draw of
the hazard: the model picked them because their leaving already shows, so the effect is measured
on their own draws, not on the mean hazard.)
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.boss.delivery import DeliveryError, find_delivery
from bass.boss.writer import write_delivery
from bass.core.grain import add_months
from bass.core.interfaces import interface
from bass.devkit.simulator import monthly as mo
from bass.devkit.simulator.population import TREATMENT_SCHEMA, drawn_logit
from bass.devkit.simulator.rand import pick, sigmoid, uniform

RETENTION_SHIFT = {"GOTONE": 1.8, "MZONE": 1.3, "EASYOWN": 0.7}
SATISFACTION_EFFECT = {"PRIORITY_SERVICE": 0.8, "DATA_GIFT": 0.5, "VOICE_BONUS": 0.4, "TOPUP_REMINDER": 0.2}
OTHER_CARE_EFFECT, YOUNG_DATA_GIFT = 0.3, 0.4
SURVEY_ONLY = "SURVEY_ONLY"
# interface -> (what BOSS does, P(reached), P(accepts | reached), months the effect lasts)
LISTS = {"boss_retention_m": ("retention", 0.80, 0.55, 3),
         "boss_care_m": ("care", 0.85, 0.90, 2),
         "boss_campaign_m": ("marketing", 0.80, 0.35, 3)}
TREATMENTS, ACTIONS, EFFECTS = "treatments.csv", "boss_actions.csv", "campaign_effect.csv"
SATISFACTION = "care_satisfaction.csv"
ACTION_COLUMNS = ["interface", "kind", "campaign_id", "list_month", "id", "msisdn", "brand", "reached", "accepted",
                  "action", "act_day", "shift", "m_from", "m_to", "offer_plan", "segment_desc", "care_lift"]


def read_list(spark: SparkSession, outbox: str, province: str, code: str, month: str) -> DataFrame | None:
    """The newest delivery of list `code` for `month` as BOSS receives it (None when none was sent)."""
    spec = interface(code)
    try:
        delivery = find_delivery(outbox, code, province, spec.grain, month)
    except DeliveryError:
        return None
    lines = spark.read.text(delivery.data_paths()).where(F.length("value") > 0)
    parts = F.split("value", "\\" + spec.delimiter, -1)
    return lines.select(*[parts[i].alias(f.name) for i, f in enumerate(spec.fields)])


def listed_users(pop: DataFrame, listed: DataFrame, month: str) -> DataFrame:
    """The users behind the listed MSISDNs: whoever held the number at the month's end."""
    last = mo.month_bounds(month)[1]
    holders = pop.where((F.col("open_date") <= F.lit(last)) &
                        (F.col("churn_date").isNull() | (F.col("churn_date") > F.lit(last))))
    return listed.join(holders, "msisdn")


def act(pop: DataFrame, listed: DataFrame, code: str, seed: int, month: str, month_index: int) -> DataFrame:
    """What BOSS did with each listed user in the month after `month` (ACTION_COLUMNS)."""
    kind, p_reach, p_accept, months = LISTS[code]
    first = mo.month_bounds(add_months(month, 1))[0]
    u = lambda purpose: uniform(seed, f"boss_{code}_{purpose}", "id", F.lit(month))  # noqa: E731
    reached = u("reach") < p_reach
    accepted = reached & (u("accept") < p_accept)
    segment, lift = F.lit(None).cast("string"), F.lit(None).cast("double")
    if kind == "retention":
        shift = retention_shift(seed, month)
        action, campaign, offer = F.lit("RET_OFFER"), F.lit(None).cast("string"), F.lit(None).cast("string")
    elif kind == "care":
        accepted = accepted & (F.col("care_action") != SURVEY_ONLY)     # the control group: the survey alone
        shift = F.when(F.col("care_action") == "PRIORITY_SERVICE", 0.5).otherwise(0.3)
        action, campaign, offer = F.col("care_action"), F.col("campaign_id"), F.lit(None).cast("string")
        segment, lift = F.col("segment_desc"), care_lift()
    else:
        shift = F.lit(0.2)
        action, campaign, offer = F.col("offer_code"), F.col("campaign_id"), F.col("offer_code")
    day = F.date_add(F.lit(first), F.floor(u("day") * 20).cast("int"))
    return listed_users(pop, listed, month).select(
        F.lit(code).alias("interface"), F.lit(kind).alias("kind"), campaign.alias("campaign_id"),
        F.lit(month).alias("list_month"), "id", "msisdn", "brand", reached.alias("reached"),
        accepted.alias("accepted"), action.alias("action"), day.alias("act_day"),
        F.when(accepted, shift).otherwise(0.0).cast("double").alias("shift"),
        F.lit(month_index + 1).alias("m_from"), F.lit(month_index + 1 + months).alias("m_to"),
        F.when(accepted, offer).alias("offer_plan"), segment.alias("segment_desc"), lift.alias("care_lift"))


def care_lift() -> F.Column:
    """The rise of a cared-for user's latent satisfaction: by action, and for a data gift more in a
    segment described as young (their own words for a data-heavy, price-minded group)."""
    by_action = F.element_at(F.create_map(*[x for kv in SATISFACTION_EFFECT.items() for x in map(F.lit, kv)]),
                             F.col("care_action"))
    young_gift = (F.col("care_action") == "DATA_GIFT") & F.lower(F.coalesce(F.col("segment_desc"), F.lit(""))).startswith("young")
    return (F.when(F.col("care_action") == SURVEY_ONLY, 0.0).otherwise(F.coalesce(by_action, F.lit(OTHER_CARE_EFFECT)))
            + F.when(young_gift, YOUNG_DATA_GIFT).otherwise(0.0))


def satisfaction(seed: int, cared: F.Column) -> F.Column:
    """A reached care-list user's survey answer (1-5), with the care done (`cared`) or not."""
    latent = 2.6 + 1.8 * uniform(seed, "fb_sat", "id", F.col("list_month")) + F.when(cared, F.col("care_lift")).otherwise(0.0)
    return F.least(F.greatest(F.round(latent), F.lit(1.0)), F.lit(5.0)).cast("int")


def care_satisfaction(actions: DataFrame, seed: int) -> DataFrame:
    """The planted satisfaction effect per care list month, action and segment: over the surveyed
    (reached) treated users, the mean of their answer with the care done less without it."""
    treated = actions.where((F.col("kind") == "care") & F.col("reached") & (F.col("action") != SURVEY_ONLY))
    return (treated.groupBy("campaign_id", "list_month", "action", "segment_desc")
            .agg(F.count(F.lit(1)).alias("surveyed"),
                 F.avg(satisfaction(seed, F.col("accepted")) - satisfaction(seed, F.lit(False))).alias("effect")))


def retention_shift(seed: int, month: str) -> F.Column:
    """What an accepted retention offer on month `month`'s list takes off a user's churn logit:
    the brand's RETENTION_SHIFT, nothing for the lost causes (a contract ending within three
    months, a stop for arrears by the end of `month`)."""
    by_brand = F.element_at(F.create_map(*[x for kv in RETENTION_SHIFT.items() for x in map(F.lit, kv)]), F.col("brand"))
    first, last = mo.month_bounds(month)
    ends_soon = F.col("has_contract") & (F.col("contract_end") >= F.lit(first)) \
        & (F.col("contract_end") <= F.add_months(F.lit(first), 3))
    return F.when(ends_soon | (mo.arrears_stops(seed, last) > 0), F.lit(0.0)).otherwise(by_brand)


def act_on_lists(spark: SparkSession, pop: DataFrame, outbox: str, province: str, seed: int, month: str,
                 month_index: int) -> DataFrame:
    """What BOSS did with every list BASS delivered for `month` (ACTION_SCHEMA), collected: the
    lists are small, and the rows are written to truth/ and reused several times."""
    acted = [act(pop, listed, code, seed, month, month_index) for code in LISTS
             if (listed := read_list(spark, outbox, province, code, month)) is not None]
    if not acted:
        return spark.createDataFrame([], ACTION_SCHEMA)
    out = acted[0]
    for a in acted[1:]:
        out = out.unionByName(a)
    return spark.createDataFrame(out.toPandas(), ACTION_SCHEMA)


def treatments_of(actions: DataFrame) -> DataFrame:
    """The population's treatment rows (TREATMENT_SCHEMA) of the accepted actions."""
    return actions.where(F.col("accepted")).select(
        "id", "m_from", "m_to", "shift", "offer_plan",
        F.when(F.col("offer_plan").isNotNull(), F.to_date(F.concat(F.substring(F.col("act_day").cast("string"), 1, 7),
                                                                    F.lit("-01")))).alias("offer_day"))


def read_truth_table(spark: SparkSession, truth: str, name: str, schema: str) -> DataFrame:
    """truth/<name> (a small CSV) as a DataFrame of `schema`, read now (the file may be rewritten)."""
    typed = spark.createDataFrame([], schema)
    path = Path(truth) / name
    if not path.exists():
        return typed
    text = pd.read_csv(path, dtype=str, keep_default_na=False)[typed.columns]
    raw = spark.createDataFrame(text.values.tolist(), ", ".join(f"`{c}` string" for c in typed.columns))
    return raw.select(*[F.when(F.col(f.name) != "", F.col(f.name)).cast(f.dataType).alias(f.name)
                        for f in typed.schema.fields])


def append_truth_table(df: DataFrame, truth: str, name: str, key: list[str]) -> None:
    """Append the (small) rows to truth/<name>, replacing rows with the same key (an advance rerun)."""
    path = Path(truth) / name
    new = df.toPandas().astype(str).replace({"None": "", "NaT": "", "nan": ""})
    old = pd.read_csv(path, dtype=str, keep_default_na=False) if path.exists() else new.iloc[0:0]
    if len(old) and len(new):
        keys = set(map(tuple, new[key].astype(str).values))
        old = old[[tuple(r) not in keys for r in old[key].astype(str).values]]
    pd.concat([old, new]).sort_values(key).to_csv(path, index=False)


ACTION_SCHEMA = ("interface string, kind string, campaign_id string, list_month string, id long, msisdn string, "
                 "brand string, reached boolean, accepted boolean, action string, act_day date, shift double, "
                 "m_from int, m_to int, offer_plan string, segment_desc string, care_lift double")


def effects(pop: DataFrame, actions: DataFrame, seed: int, month_index: int) -> DataFrame:
    """Per list and brand, over the listed users: the share who left in the month after the list
    without its treatment and with it (both outcomes of each user's own churn draw, all other
    treatments as they were) and their difference, the list's planted effect on churn."""
    m = F.lit(month_index + 1)
    logit = drawn_logit(m)
    draw = uniform(seed, "churn", "id", m)
    per_user = (actions.where(F.coalesce(F.col("action"), F.lit("")) != SURVEY_ONLY)      # the listed, not the control
                .select("interface", "kind", "list_month", "id", "brand", F.col("shift").alias("own_shift"))
                .join(pop.drop("msisdn", "brand"), "id")
                .select("*", logit.alias("logit"), draw.alias("u"))
                .withColumn("with", (F.col("u") < sigmoid(F.col("logit"))).cast("int"))
                .withColumn("without", (F.col("u") < sigmoid(F.col("logit") + F.col("own_shift"))).cast("int")))
    return (per_user.groupBy("interface", "kind", "list_month", "brand")
            .agg(F.count(F.lit(1)).alias("listed"), F.avg("without").alias("churn_without"),
                 F.avg("with").alias("churn_with"), (F.avg("without") - F.avg("with")).alias("effect")))


def feedback(actions: DataFrame, pop: DataFrame, earlier: DataFrame, seed: int, month: str) -> dict[str, DataFrame]:
    """The feedback deliveries for the lists of `month`: interface code -> rows of its fields.
    Retention feedback also repeats the rows of the list three months before (`earlier`, with
    the users' churn dates in `pop`) with whether each user is still in the network."""
    u = lambda purpose: uniform(seed, f"fb_{purpose}", "id", F.col("list_month"))  # noqa: E731
    ret = actions.where(F.col("kind") == "retention")
    intention = F.when(F.col("accepted"), "STAY").when(F.col("reached"), pick(u("int"), [("UNDECIDED", 60), ("LEAVE", 40)]))
    reason = F.when(F.col("accepted"), "接受挽留优惠").when(F.col("reached"), pick(u("why"), [
        ("资费太贵", 40), ("网络信号差", 25), ("转网到其他运营商", 20), ("不需要", 15)]))

    def retention_rows(df: DataFrame, in_net: F.Column) -> DataFrame:
        return df.select(F.col("list_month").alias("analysis_month"), "msisdn",
                         F.when(F.col("reached"), "Y").otherwise("N").alias("handled"),
                         F.when(F.col("accepted"), "12个月话费返还").alias("plan_taken"),
                         F.when(F.col("reached"), F.col("act_day")).alias("handle_date"),
                         intention.alias("intention"), reason.alias("feedback"), in_net.alias("in_net_3m"))

    later = mo.month_bounds(add_months(month, 1))[1]       # the list of month-2 has had 3 months by then
    follow = earlier.join(pop.select("id", "churn_date"), "id")
    in_net = F.when(F.col("churn_date").isNull() | (F.col("churn_date") > F.lit(later)), "Y").otherwise("N")
    care = actions.where(F.col("kind") == "care")
    result = (F.when(~F.col("reached"), "UNREACHABLE").when(F.col("accepted") | (F.col("action") == SURVEY_ONLY), "DONE")
              .otherwise("REFUSED"))
    mkt = actions.where(F.col("kind") == "marketing")
    return {
        "fb_retention": retention_rows(ret, F.lit(None).cast("string")).unionByName(retention_rows(follow, in_net)),
        "fb_care": care.select("campaign_id", F.col("list_month").alias("analysis_month"), "msisdn",
                               F.when(F.col("reached"), "Y").otherwise("N").alias("executed"),
                               F.when(F.col("reached"), F.col("act_day")).alias("exec_date"), result.alias("result"),
                               F.when(F.col("reached"), satisfaction(seed, F.col("accepted"))).alias("satisfaction")),
        "fb_campaign": mkt.select("campaign_id", F.col("list_month").alias("analysis_month"), "msisdn",
                                  F.when(F.col("reached"), "Y").otherwise("N").alias("contacted"),
                                  F.when(F.col("accepted"), "Y").otherwise("N").alias("responded"),
                                  F.col("offer_plan").alias("offer_taken"),
                                  F.when(F.col("accepted"), F.col("act_day")).alias("response_date")),
    }


def deliver_feedback(rows: dict[str, DataFrame], landing: str, province: str, month: str) -> dict[str, int]:
    out = {}
    for code, df in rows.items():
        spec = interface(code)
        recs = write_delivery(df.select(*spec.field_names()), spec, month, landing, province)
        out[code] = sum(r.records for r in recs)
    return out


def retention_gain(spark: SparkSession, truth: str, month: str, scored: DataFrame) -> DataFrame:
    """`scored` (user_id, ...) of month `month` with `gain`, the planted truth of contacting each
    user with the retention offer: the churner it would prevent (1 for a user who leaves next
    month unless an offer is accepted) times the chance the user is reached and accepts."""
    from bass.devkit.simulator.generate import Simulation, month_index
    from bass.devkit.simulator.population import population
    sim = Simulation.load(truth)
    index = month_index(sim, month)
    before = read_truth_table(spark, truth, TREATMENTS, TREATMENT_SCHEMA).where(F.col("m_from") <= index)
    pop = population(spark, sim.users, sim.seed, sim.start_date, sim.end, before)
    _, p_reach, p_accept, _ = LISTS["boss_retention_m"]
    logit = drawn_logit(F.lit(index + 1))
    draw = uniform(sim.seed, "churn", "id", F.lit(index + 1))
    kept = (draw < sigmoid(logit)) & (draw >= sigmoid(logit - retention_shift(sim.seed, month)))
    return scored.join(pop.select("user_id", (p_reach * p_accept * kept.cast("double")).alias("gain")), "user_id")
