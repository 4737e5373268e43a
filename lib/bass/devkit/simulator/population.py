"""Subscribers, their latent traits and the documented churn model.

Churn model (the ground truth the models must find). In month m a user leaves with hazard
    p_m = sigmoid(-5.3 + 0.9·[EASYOWN] + 0.3·[MZONE] + 2.2·(offnet_pref − 0.25)
                  + 0.5·[complaint-prone] + 1.0·[complained in month m−1]
                  + 0.6·[arrears-prone] + 1.0·[service stopped for arrears in months m−2..m]
                  + 1.6·[contract ends in months m..m+2] + 1.2·[second SIM in the same handset]
                  + 0.6·[tenure < 6 months at m] − 0.8·[VIP]
                  − 0.4·ln(activity · drift^m) + 0.5·noise − treatment effects active in m
                  + 0.8·[took a competitor's SIM before month m]
                  + 2.5·[started disengaging before month m]
                  + 0.4·min(3, members of the user's calling circle who left in months m−3..m−1))
and the leaving month is the first whose draw falls under p_m. 12 % of users drift: their usage
falls by 5–15 % a month, which both shows in their CDRs and raises their hazard.

Two kinds of leavers, as in an operator's data. Some disengage first: a user starts disengaging in
the first month whose own draw falls under sigmoid(the month's churn logit without its last
two terms), on a day of it; from then usage falls to a floor of 15–50 % over 30–90 days (both
drawn per user), the off-net share and calls forwarded to other networks rise and complaints
grow (see usage.py / monthly.py), and the hazard of every later month carries the 2.5 above. The
others leave abruptly (a competitor's offer, a move): nothing in their usage announces it, only a
few days of pre-closure status for some. Every signal comes before the leaving draw and is in the
hazard, so scoring each user by p (truth/churn_truth's hazard_by_month) is the best ranking there
is: its ROC-AUC is the Bayes-optimal one a model is judged against (bass.devkit.churn_truth).

Half the users who open in the window get a number re-issued from a user who left at least 14
days before. The truth is written outside the BOSS deliveries.

The calling circle (usage.py) is the 8 users a user calls on-net and the 8 who call the user; the
circle term is social contagion, one round of it: the circle's leaving months are drawn without it
first, then every user's hazards are drawn again with it, from the same draws, so it only brings
leaving forward.

4 % of the users take a competitor's SIM on a day of the window and keep ours in the same
handset: from that day their traffic on our number falls to 30 %, their calls go to 3 of their 8
on-net contacts and 20 points more of them off-net.

A few agent channels are dishonest: 1 % of the users are fake openings, in blocks of 5 numbers on
one customer ID, opened at one of those channels in the first weeks, barely used, and closed
90–135 days after opening, when the channel's commission period is over.
"""
from __future__ import annotations

import datetime as dt
import random

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.devkit.simulator import catalog as cat
from bass.devkit.simulator.rand import element, exponential, normal, pick, sigmoid, uniform

DISENGAGE_OFFSET = 0.0      # a month's chance to start disengaging: sigmoid(the month's churn logit + this)
DISENGAGED_LOGIT = 2.5      # churn logit of a user who started disengaging before the month
DECLINE_FLOOR = (0.15, 0.5) # a disengaging user's usage falls to a floor drawn in this range ...
DECLINE_DAYS = (30, 90)     # ... over a number of days drawn in this range
PRE_CLOSURE_TENTHS = 3      # leavers (by id) who pass through pre-closure before closure
PENDING_CLOSE_DAYS = 4      # stopped pending closure (待销停机) ...
PRE_CLOSED_DAYS = 6         # ... then pre-closed (预销号), the days before churn_date
DRIFTING_SHARE = 0.12       # users whose usage falls month by month
RECYCLE_SHARE = 0.5         # newcomers who get a re-issued number when one is free
RECYCLE_AFTER_DAYS = 14     # a closed number rests this long before it is re-issued
CIRCLE_SIZE = 8             # on-net contacts a user calls: ids id + 1 + k·CIRCLE_STEP (k < CIRCLE_SIZE)
CIRCLE_STEP = 7919
CONTAGION = 0.4             # churn logit per circle member who left in the months before
CONTAGION_MONTHS = 3
CONTAGION_CAP = 3
# Dishonest agent channels (代理渠道): blocks of FAKE_BLOCK consecutive users opened on one ID at
# one of them early in the window, barely used, gone right after the commission period
DISHONEST_CHANNELS = 3
FAKE_SHARE = 0.01
FAKE_BLOCK = 5
COMMISSION_DAYS = 90        # BOSS pays agents on a new number's first 3 months
RIVAL_SIM_SHARE = 0.04      # users who take a competitor's SIM in the window
RIVAL_ACTIVITY = 0.3        # their traffic on our number from then on
RIVAL_CONTACTS = 3          # the on-net contacts they still call
RIVAL_OFFNET = 0.2          # the rise of their off-net share


def plans_df(spark: SparkSession) -> DataFrame:
    """The tariff catalogue: catalog.PLANS with the MMS price and the brand's voice discount."""
    voice_rate = F.element_at(F.create_map(*[x for b, r in cat.ACTUAL_FEE_RATE.items() for x in (F.lit(b), F.lit(r))]),
                              F.col("brand"))
    return (spark.createDataFrame(cat.PLANS, "plan_id string, plan_name string, brand string, monthly_fee double, "
                                  "incl_minutes int, incl_sms int, incl_data_mb int, price_local_min double, "
                                  "price_ld_6s double, price_roam_min double, price_sms double, price_data_mb double, "
                                  "net_gen string, scope string")
            .withColumn("price_mms", F.lit(cat.MMS_PRICE)).withColumn("voice_rate", voice_rate))


def terminals_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(cat.TERMINALS, "tac string, maker string, model string, lte_capable int")


TREATMENT_SCHEMA = "id long, m_from int, m_to int, shift double, offer_plan string, offer_day date"


def population(spark: SparkSession, users: int, seed: int, start: dt.date, end: dt.date,
               treatments: DataFrame | None = None) -> DataFrame:
    """One row per subscriber with profile, latent traits, churn date and life-cycle events.

    `treatments` (TREATMENT_SCHEMA, bass.devkit.simulator.boss) are what BOSS did for users: each
    lowers the churn logit by `shift` in months m_from <= m < m_to (0 = the month of `start`) and
    may move the user to `offer_plan` from `offer_day`. Months before a treatment are unchanged,
    so the months already delivered stay as they were."""
    s = seed
    window = (end - start).days + 1
    u = lambda purpose: uniform(s, purpose, "id")  # noqa: E731
    tacs_4g = [t[0] for t in cat.TERMINALS if t[3] == 1]
    tacs_old = [t[0] for t in cat.TERMINALS if t[3] == 0]
    dishonest = dishonest_channels(s)
    block = F.floor(F.col("id") / FAKE_BLOCK)
    parts = max(2, users // 200_000)
    df = (spark.range(users, numPartitions=parts)
          .withColumn("user_id", F.concat(F.lit("U"), F.lpad(F.col("id").cast("string"), 9, "0")))
          .withColumn("msisdn", F.concat(F.lit("138"), F.lpad(F.col("id").cast("string"), 8, "0")))
          .withColumn("fake", uniform(s, "fake", block) < FAKE_SHARE)
          .withColumn("cust_no", F.when(F.col("fake"), block * FAKE_BLOCK)
                      .when(F.col("id") % 10 == 9, F.col("id") - 1).otherwise(F.col("id")))
          .withColumn("cust_id", F.concat(F.lit("C"), F.lpad(F.col("cust_no").cast("string"), 9, "0")))
          .withColumn("fake_channel", F.when(F.col("fake"), element(uniform(s, "fakech", block), dishonest)))
          .withColumn("region_code", F.coalesce(F.col("fake_channel").substr(3, 3),
                                                pick(u("region"), [(c, w) for c, _n, w in cat.REGIONS])))
          .withColumn("brand", pick(u("brand"), cat.BRANDS))
          .withColumn("age", F.when(F.col("brand") == "MZONE", 16 + F.floor(u("age") * 13))
                      .otherwise(20 + F.floor(u("age") * 50)).cast("int"))
          .withColumn("gender", F.when(u("gender") < 0.52, "M").otherwise("F"))
          .withColumn("tier", F.floor(u("tier") ** 1.6 * 3).cast("int"))
          .withColumn("plan_id", F.element_at(F.element_at(F.create_map(*[x for b, ps in cat.PLANS_BY_BRAND.items() for x in
                                                             (F.lit(b), F.array(*[F.lit(p) for p in ps]))]),
                                              F.col("brand")), F.col("tier") + 1))
          .withColumn("net_gen", pick(u("gen"), [("2G", 20), ("3G", 20), ("4G", 60)]))
          .withColumn("sim_type", F.when((F.col("net_gen") == "4G") | (u("usim") < 0.3), "USIM").otherwise("SIM"))
          .withColumn("new_user", F.col("fake") | (u("new") < 0.04))
          .withColumn("open_date", F.when(F.col("fake"), F.date_add(F.lit(start), F.floor(uniform(s, "fakeopen", block) * 28).cast("int")))
                      .when(F.col("new_user"), F.date_add(F.lit(start), F.floor(u("open") * window).cast("int")))
                      .otherwise(F.date_sub(F.lit(start), (exponential(u("open"), 900) + 1).cast("int"))))
          .withColumn("channel_id", F.coalesce("fake_channel", F.concat(F.lit("CH"), F.col("region_code"),
                                                                         F.lpad(F.floor(u("ch") * cat.CHANNELS_PER_REGION).cast("string"), 2, "0"))))
          .withColumn("activity", F.exp(normal(u("act1"), u("act2")) * 0.6) *
                      F.when(F.col("brand") == "GOTONE", 1.3).when(F.col("brand") == "EASYOWN", 0.8).otherwise(1.0) *
                      F.when(F.col("fake"), 0.15).otherwise(1.0))
          .withColumn("data_factor", F.when(F.col("brand") == "MZONE", 2.0).otherwise(1.0) *
                      F.when(F.col("net_gen") == "4G", 1.5).otherwise(0.6))
          .withColumn("offnet_pref", F.least(F.lit(0.8), 0.08 + 0.3 * u("offnet") ** 1.5))
          .withColumn("complaint_prone", u("cmp") < 0.10)
          .withColumn("arrears_prone", u("arr") < F.when(F.col("brand") == "GOTONE", 0.06).otherwise(0.10))
          .withColumn("vip", (F.col("brand") == "GOTONE") & (F.col("tier") == 2))
          .withColumn("has_contract", u("ctr") < 0.25)
          .withColumn("contract_start", F.add_months(F.trunc(F.lit(start), "month"), -F.floor(u("ctrs") * 24).cast("int")))
          .withColumn("contract_end", F.add_months(F.col("contract_start"), F.when(u("ctrl") < 0.5, 12).otherwise(24) - 1))
          # two of our numbers in one handset: users 2k and 2k+1 share it
          .withColumn("pair", F.floor(F.col("id") / 2))
          .withColumn("multi_sim", uniform(s, "msim", "pair") < 0.03)
          .withColumn("sp_user", u("sp") < 0.15)
          .withColumn("sp_idx", F.floor(u("spi") * len(cat.SPS)).cast("int"))
          .withColumn("group_member", u("grp") < 0.06)
          .withColumn("tac", F.when(F.col("multi_sim"), element(uniform(s, "pairtac", "pair"), tacs_4g))
                      .when((F.col("net_gen") == "4G") | (u("tac4") < 0.5), element(u("tac"), tacs_4g))
                      .otherwise(element(u("tac"), tacs_old)))
          .withColumn("tac_new", element(u("tacn"), tacs_4g))
          .withColumn("rival_sim_day", F.when(~F.col("fake") & (u("rival") < RIVAL_SIM_SHARE),
                                              F.date_add(F.lit(start), F.floor(u("rivald") * window).cast("int"))))
          .withColumn("imei_change_day", F.when(u("imc") < 0.08, F.date_add(F.lit(start), F.floor(u("imcd") * window).cast("int"))))
          .withColumn("plan_change_day", F.when(u("plc") < 0.05, F.date_add(F.lit(start), F.floor(u("plcd") * window).cast("int"))))
          .withColumn("plan_id_new", F.element_at(F.element_at(F.create_map(*[x for b, ps in cat.PLANS_BY_BRAND.items() for x in
                                                                 (F.lit(b), F.array(*[F.lit(p) for p in ps]))]),
                                                  F.col("brand")), F.least(F.col("tier") + 2, F.lit(3))))
          .withColumn("stop_start", F.when(F.col("arrears_prone"), F.date_add(F.lit(start), F.floor(u("stp") * window).cast("int"))))
          .withColumn("stop_days", F.when(F.col("arrears_prone"), 3 + F.floor(u("stpd") * 12).cast("int")))
          )
    df = with_treatments(spark, df.withColumn("drift", F.when(u("drift") < DRIFTING_SHARE, 0.85 + 0.1 * u("driftr"))
                                              .otherwise(1.0)), treatments)
    months = F.sequence(F.lit(0), F.lit(_months_between(start, end)))
    df = df.withColumn("logits", F.transform(months, lambda m: F.struct(m.alias("m"), monthly_logit(s, start, m).alias("z"))))
    first_of = lambda m: F.add_months(F.trunc(F.lit(start), "month"), m)  # noqa: E731
    day = F.floor(u("churnd") * 28).cast("int")
    # disengaging: the first month whose draw falls under sigmoid(logit + DISENGAGE_OFFSET), on a day of it
    started = F.filter("logits", lambda h: uniform(s, "diseng", "id", h["m"]) < sigmoid(h["z"] + DISENGAGE_OFFSET))
    df = (df.withColumn("disengage_day", F.when(~F.col("fake"), F.date_add(first_of(F.try_element_at(started, F.lit(1))["m"]),
                                                                          F.floor(u("disengd") * 28).cast("int"))))
          .withColumn("decline_floor", DECLINE_FLOOR[0] + (DECLINE_FLOOR[1] - DECLINE_FLOOR[0]) * u("dfloor"))
          .withColumn("decline_days", DECLINE_DAYS[0] + (DECLINE_DAYS[1] - DECLINE_DAYS[0]) * u("ddays")))
    disengaged = lambda m: F.coalesce(F.col("disengage_day") < first_of(m), F.lit(False)).cast("double") * DISENGAGED_LOGIT  # noqa: E731

    def leaving_month(hazards: F.Column) -> F.Column:
        """The first month whose draw falls under its hazard (and 30 days after opening)."""
        hit = F.filter(hazards, lambda h: (uniform(s, "churn", "id", h["m"]) < h["p"])
                       & (F.date_add(first_of(h["m"]), day) > F.date_add(F.col("open_date"), 30)))
        return F.try_element_at(hit, F.lit(1))["m"]

    df = df.withColumn("first_round", leaving_month(F.transform("logits", lambda h: F.struct(
        h["m"].alias("m"), sigmoid(h["z"] + disengaged(h["m"])).alias("p")))))
    df = (with_circle_departures(df, users)
          .withColumn("hazards", F.transform("logits", lambda h: F.struct(
              h["m"].alias("m"), sigmoid(h["z"] + disengaged(h["m"]) + CONTAGION * circle_left(h["m"])).alias("p"))))
          .withColumn("leave_m", leaving_month(F.col("hazards"))))
    churn_day = F.date_add(first_of(F.col("leave_m")), day)
    df = (df.withColumn("churn_p_month", F.aggregate("hazards", F.lit(0.0), lambda acc, h: acc + h["p"]) / F.size("hazards"))
          .withColumn("churn_date", F.when(F.col("fake"), F.date_add("open_date", COMMISSION_DAYS + F.floor(u("fakeleave") * 46).cast("int")))
                      .otherwise(churn_day))
          .withColumn("churn_date", F.when((F.col("churn_date") >= F.lit(start)) & (F.col("churn_date") <= F.lit(end)), F.col("churn_date")))
          # left in a month the first round (without the circle term) did not draw
          .withColumn("contagion", F.col("churn_date").isNotNull() & ~F.col("fake") & ~F.coalesce(F.col("first_round") == F.col("leave_m"), F.lit(False)))
          .withColumn("hazard_p", F.transform("hazards", lambda h: h["p"]))      # by month from the start's: the truth
          .drop("logits", "hazards", "first_round", "leave_m", "circle_months"))
    # the circle join shuffles; fixed partitions in id order keep every later file's row order reproducible
    return recycle_numbers(df, s).repartition(parts, "id").sortWithinPartitions("id")


def dishonest_channels(seed: int) -> list[str]:
    """The planted dishonest agent channels: DISHONEST_CHANNELS of the AGENT channels (monthly.reference)."""
    agents = [f"CH{code}{i:02d}" for code, _n, _w in cat.REGIONS for i in range(cat.CHANNELS_PER_REGION)
              if cat.CHANNEL_TYPES[cat.channel_type(i)][0] == "AGENT"]
    return sorted(random.Random(seed).sample(agents, DISHONEST_CHANNELS))


def with_circle_departures(df: DataFrame, users: int) -> DataFrame:
    """`circle_months`: the first-round leaving months of the user's calling circle (both ways)."""
    offsets = [d * (1 + k * CIRCLE_STEP) for k in range(CIRCLE_SIZE) for d in (1, -1)]
    left = (df.where(F.col("first_round").isNotNull())
            .select(F.explode(F.array(*[F.pmod(F.col("id") + o, F.lit(users)) for o in offsets])).alias("id"),
                    F.col("first_round").alias("m"))
            .groupBy("id").agg(F.collect_list("m").alias("circle_months")))
    return (df.join(left, "id", "left")
            .withColumn("circle_months", F.coalesce("circle_months", F.array().cast("array<int>"))))


def drawn_logit(m: F.Column) -> F.Column:
    """The churn logit month m's leaving draw was compared with (0 = the month of `start`): the
    month's logit with the treatments, plus disengaging and the calling circle's departures, read
    back from `hazard_p`. What a planted effect is measured against: `monthly_logit` alone leaves
    out the disengaging and circle terms."""
    p = F.element_at("hazard_p", m + 1)
    return F.log(p / (1 - p))


def circle_left(m: F.Column) -> F.Column:
    """Members of the calling circle who left in the CONTAGION_MONTHS before month m, capped."""
    n = F.size(F.filter("circle_months", lambda x: (x < m) & (x >= m - CONTAGION_MONTHS)))
    return F.least(n, F.lit(CONTAGION_CAP)).cast("double")


def with_treatments(spark: SparkSession, pop: DataFrame, treatments: DataFrame | None) -> DataFrame:
    """`treat` (the user's churn-logit shifts by month range), `offer_plan` and `offer_day`."""
    if treatments is None:
        treatments = spark.createDataFrame([], TREATMENT_SCHEMA)
    per_user = treatments.groupBy("id").agg(
        F.collect_list(F.struct("m_from", "m_to", "shift")).alias("treat"),
        F.max_by("offer_plan", F.when(F.col("offer_plan").isNotNull(), F.col("offer_day"))).alias("offer_plan"),
        F.max(F.when(F.col("offer_plan").isNotNull(), F.col("offer_day"))).alias("offer_day"))
    empty = F.array().cast("array<struct<m_from:int,m_to:int,shift:double>>")
    return (pop.join(F.broadcast(per_user), "id", "left")
            .withColumn("treat", F.coalesce("treat", empty)))


def treatment_shift(m: F.Column) -> F.Column:
    """The sum of the treatment shifts active in month m."""
    active = F.filter(F.col("treat"), lambda t: (t["m_from"] <= m) & (m < t["m_to"]))
    return F.aggregate(active, F.lit(0.0), lambda acc, t: acc + t["shift"])


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def monthly_logit(s: int, start: dt.date, m: F.Column) -> F.Column:
    """The churn logit in month m (0 = the month of `start`): static traits plus what happens."""
    first = F.add_months(F.trunc(F.lit(start), "month"), m)
    last = F.last_day(first)
    complained = complained_in(s, F.add_months(first, -1))
    stopped_recently = F.col("stop_start").isNotNull() & (F.col("stop_start") <= last) \
        & (F.col("stop_start") > F.add_months(first, -2))
    contract_near_end = F.col("has_contract") & (F.col("contract_end") >= first) \
        & (F.col("contract_end") < F.add_months(first, 3))
    tenure_months = F.months_between(first, F.col("open_date"))
    return (F.lit(-5.3) + F.when(F.col("brand") == "EASYOWN", 0.9).when(F.col("brand") == "MZONE", 0.3).otherwise(0.0)
            + 2.2 * (F.col("offnet_pref") - 0.25)
            + F.col("complaint_prone").cast("double") * 0.5 + complained.cast("double") * 1.0
            + F.col("arrears_prone").cast("double") * 0.6 + stopped_recently.cast("double") * 1.0
            + contract_near_end.cast("double") * 1.6 + F.col("multi_sim").cast("double") * 1.2
            + F.when(tenure_months < 6, 0.6).otherwise(0.0) - F.col("vip").cast("double") * 0.8
            + F.coalesce(F.col("rival_sim_day") < first, F.lit(False)).cast("double") * 0.8
            - 0.4 * F.log(F.col("activity") * F.pow(F.col("drift"), m)) + 0.5 * normal(uniform(s, "n1", "id"), uniform(s, "n2", "id"))
            - treatment_shift(m))


def complained_in(s: int, month_first: F.Column) -> F.Column:
    """Whether the user made a complaint unrelated to leaving in that month (monthly.complaints
    delivers it: its first draw uses the same key)."""
    return uniform(s, "cmp1", "id", F.date_format(month_first, "yyyy-MM")) < complaint_base_rate()


def complaint_base_rate() -> F.Column:
    """Monthly chance of a complaint that has nothing to do with leaving (monthly.complaints)."""
    return 0.03 + 0.25 * F.col("complaint_prone").cast("double")


def recycle_numbers(pop: DataFrame, s: int) -> DataFrame:
    """Operators re-issue numbers: about half the users opened in the window get the MSISDN of a
    user who left at least RECYCLE_AFTER_DAYS before, paired in date order (the k-th freed number
    goes to the k-th such newcomer if it was free by then). The newcomer's own number is unused."""
    freed = (pop.where(F.col("churn_date").isNotNull())
             .select(F.col("msisdn").alias("freed_msisdn"), F.date_add("churn_date", RECYCLE_AFTER_DAYS).alias("free_from"), "id")
             .withColumn("k", F.row_number().over(Window.orderBy("free_from", "id"))).drop("id"))
    takers = (pop.where(F.col("new_user") & (uniform(s, "recycle", "id") < RECYCLE_SHARE)).select("id", "open_date")
              .withColumn("k", F.row_number().over(Window.orderBy("open_date", "id"))))
    pairs = (takers.join(freed, "k").where(F.col("free_from") <= F.col("open_date"))
             .select("id", "freed_msisdn"))
    # broadcast: a shuffle would re-partition the whole population for every later job
    return (pop.join(F.broadcast(pairs), "id", "left")
            .withColumn("recycled", F.col("freed_msisdn").isNotNull())
            .withColumn("msisdn", F.coalesce("freed_msisdn", "msisdn")).drop("freed_msisdn"))


def decline(day: str = "day") -> F.Column:
    """Usage multiplier: 1 normally; from the day a user starts disengaging it falls to the user's
    floor over the user's decline days (leaving follows it through the hazard, not the reverse)."""
    since = F.datediff(F.col(day), F.col("disengage_day"))
    return F.when(F.col("disengage_day").isNull() | (since < 0), F.lit(1.0)).otherwise(
        F.greatest(F.col("decline_floor"), 1 - since / F.col("decline_days")))


def state_on(day: F.Column) -> dict:
    """Status, plan and handset of a subscriber on a day (columns of the population)."""
    stopped = (F.col("stop_start").isNotNull() & (day >= F.col("stop_start"))
               & (day < F.date_add(F.col("stop_start"), F.col("stop_days"))))
    closed = F.col("churn_date").isNotNull() & (day >= F.col("churn_date"))
    # some leavers pass through BOSS's pre-closure statuses first: stopped pending closure
    # (待销停机), then pre-closed (预销号), before closure on churn_date
    before = F.datediff(F.col("churn_date"), day)
    staged = F.col("churn_date").isNotNull() & (F.col("id") % 10 < PRE_CLOSURE_TENTHS) \
        & (F.date_sub(F.col("churn_date"), PENDING_CLOSE_DAYS + PRE_CLOSED_DAYS) > F.col("open_date"))
    pre_closed = staged & (before > 0) & (before <= PRE_CLOSED_DAYS)
    pending = staged & (before > PRE_CLOSED_DAYS) & (before <= PRE_CLOSED_DAYS + PENDING_CLOSE_DAYS)
    status = (F.when(closed, "CLOSED").when(pre_closed, "PRE_CLOSED").when(pending, "PENDING_CLOSE")
              .when(stopped, "ARREARS_STOP").otherwise("NORMAL"))
    status_date = (F.when(closed, F.col("churn_date"))
                   .when(pre_closed, F.date_sub(F.col("churn_date"), PRE_CLOSED_DAYS))
                   .when(pending, F.date_sub(F.col("churn_date"), PRE_CLOSED_DAYS + PENDING_CLOSE_DAYS))
                   .when(stopped, F.col("stop_start"))
                   .when(F.col("stop_start").isNotNull() & (day >= F.col("stop_start")),
                         F.date_add(F.col("stop_start"), F.col("stop_days")))
                   .otherwise(F.col("open_date")))
    plan = (F.when(F.col("offer_day").isNotNull() & (day >= F.col("offer_day")), F.col("offer_plan"))
            .when(F.col("plan_change_day").isNotNull() & (day >= F.col("plan_change_day")), F.col("plan_id_new"))
            .otherwise(F.col("plan_id")))
    tac = F.when(F.col("imei_change_day").isNotNull() & (day >= F.col("imei_change_day")), F.col("tac_new")) \
        .otherwise(F.col("tac"))
    serial = F.when(F.col("multi_sim"), F.col("pair")).otherwise(F.col("id")) % 1_000_000
    imei = F.concat(tac, F.lpad(serial.cast("string"), 6, "0"), F.lit("0"))
    return {"status": status, "status_date": status_date, "plan_id": plan, "imei": imei,
            "exists": F.col("open_date") <= day, "usable": (F.col("open_date") <= day) & ~closed & ~stopped & ~pre_closed & ~pending}
