"""Daily usage: voice, SMS, data and SP records expanded from (user, day) with hashed draws.

The same expansion feeds the CDR files (on CDR days) and the monthly bills (every day of a
billing month), so bills agree with the CDRs. Cost is linear in users × days × records.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.devkit.simulator import catalog as cat
from bass.devkit.simulator.population import (
    CIRCLE_SIZE,
    CIRCLE_STEP,
    RIVAL_ACTIVITY,
    RIVAL_CONTACTS,
    RIVAL_OFFNET,
    decline,
    plans_df,
    state_on,
)
from bass.devkit.simulator.rand import element, exponential, pick, uniform

OFFNET_PREFIXES = ["133", "153", "189", "130", "131", "186"]   # China Telecom / Unicom
VISITOR_ID_BASE = 10**12          # keys the visitors' draws apart from our users'
VISIT_PRICE_MIN = 0.60            # roaming settlement per started minute for a visitor's call
VISIT_INTL_PRICE_MIN = 1.20       # ... for a visitor from abroad
FREE_LD_SECONDS = 3               # a long-distance call shorter than this is free (and billed no time)


def user_days(spark: SparkSession, pop: DataFrame, days: list[dt.date], origin: dt.date) -> DataFrame:
    """(user, day) pairs where the user can use the network, with the day's state and prices.

    `day_no` (days since `origin`) keys every draw, so a day's records are the same whichever
    set of days is generated together.
    """
    day_df = spark.createDataFrame([(d,) for d in days], "day date").withColumn(
        "day_no", F.datediff("day", F.lit(origin)))
    st = state_on(F.col("day"))
    plans = plans_df(spark).drop("brand", "net_gen", "plan_name")
    out = (pop.crossJoin(F.broadcast(day_df)).where(st["usable"])
           .withColumn("plan_id", st["plan_id"]).withColumn("imei", st["imei"])
           .withColumn("rival", F.coalesce(F.col("day") >= F.col("rival_sim_day"), F.lit(False)))
           .withColumn("activity", F.col("activity") * F.pow(F.col("drift"), F.months_between(F.trunc("day", "month"), F.trunc(F.lit(origin), "month")))
                       * F.when(F.col("rival"), RIVAL_ACTIVITY).otherwise(1.0))
           .withColumn("decline", decline())
           .withColumn("weekday_factor", F.when(F.dayofweek("day").isin(1, 7), 0.85).otherwise(1.05))
           .join(F.broadcast(plans), "plan_id"))
    return out


def _expand(ud: DataFrame, seed: int, kind: str, rate: F.Column, cap: int) -> DataFrame:
    """Explode each user-day into n records, n drawn around `rate` (mean) and capped."""
    n = F.least(F.lit(cap), F.floor(exponential(uniform(seed, f"n_{kind}", "id", "day_no"), rate) + 0.5)).cast("int")
    return (ud.withColumn("n", n).where(F.col("n") > 0)
            .withColumn("k", F.explode(F.sequence(F.lit(1), F.col("n")))))


def _other_party(seed: int, kind: str, net: F.Column, users: int) -> F.Column:
    """Each user calls a small circle of contacts per network (on-net: population's calling circle)."""
    circle = F.when(F.col("rival"), RIVAL_CONTACTS).otherwise(CIRCLE_SIZE)
    slot = F.floor(uniform(seed, f"slot_{kind}", "id", "day_no", "k") * circle)
    onnet = (F.col("id") + 1 + slot * CIRCLE_STEP) % F.lit(users)
    digits = F.lpad(((F.col("id") * 31 + slot * 977) % 100_000_000).cast("string"), 8, "0")
    prefix = element(uniform(seed, "pfx", "id", slot), OFFNET_PREFIXES)
    return (F.when(net == "ONNET", F.concat(F.lit("138"), F.lpad(onnet.cast("string"), 8, "0")))
            .when(net == "OFFNET", F.concat(prefix, digits))
            .otherwise(F.concat(F.lit("0"), F.col("region_code"), digits)))


def _network(seed: int, kind: str) -> F.Column:
    u = uniform(seed, f"net_{kind}", "id", "day_no", "k")
    offnet_share = F.col("offnet_pref") + 0.35 * (1 - F.col("decline")) + F.when(F.col("rival"), RIVAL_OFFNET).otherwise(0.0)
    return F.when(u < offnet_share, "OFFNET").when(u < offnet_share + 0.07, "FIXED").otherwise("ONNET")


def _time(seed: int, kind: str) -> F.Column:
    secs = 7 * 3600 + F.floor(uniform(seed, f"t_{kind}", "id", "day_no", "k") * 16 * 3600)
    return F.timestamp_seconds(F.unix_timestamp(F.col("day").cast("timestamp")) + secs)


def voice(ud: DataFrame, seed: int, users: int) -> DataFrame:
    v = lambda p: uniform(seed, f"v_{p}", "id", "day_no", "k")  # noqa: E731
    rows = _expand(ud, seed, "voice", F.col("activity") * 4.0 * F.col("decline") * F.col("weekday_factor"), 60)
    short = v("short") < 0.05
    duration = F.when(short, F.floor(v("dur") * 3)).otherwise(
        F.least(F.lit(3600), F.floor(exponential(v("dur"), 75)) + 3)).cast("int")
    rate = F.when(F.col("brand") == "GOTONE", cat.ACTUAL_FEE_RATE["GOTONE"]).when(
        F.col("brand") == "MZONE", cat.ACTUAL_FEE_RATE["MZONE"]).otherwise(cat.ACTUAL_FEE_RATE["EASYOWN"])
    churn_drift = 1 - F.col("decline")
    rows = (rows.withColumn("direction", F.when(v("dir") < 0.55, "MO").otherwise("MT"))
            .withColumn("call_type", pick(v("type"), [("LOCAL", 80), ("LD", 20)]))
            .withColumn("roam_type", pick(v("roam"), [("HOME", 90), ("PROV", 6), ("NATIONAL", 3), ("INTL", 1)]))
            .withColumn("other_net", _network(seed, "voice"))
            .withColumn("fwd_flag", ((F.col("direction") == "MT") & (v("fwd") < 0.03 + 0.45 * churn_drift)).cast("int"))
            .withColumn("fwd_net", F.when(F.col("fwd_flag") == 1,
                                          F.when(v("fwdn") < 0.3 + 0.65 * churn_drift, "OFFNET").otherwise("ONNET")))
            .withColumn("duration", duration)
            .withColumn("start_time", _time(seed, "voice"))
            .withColumn("other_party", _other_party(seed, "voice", F.col("other_net"), users))
            .withColumn("cell_id", F.concat(F.lit("C"), F.col("region_code"), F.lpad(F.floor(v("cell") * 200).cast("string"), 3, "0")))
            .withColumn("std_fee", F.round(
                F.when(free_ld(), 0.0)
                .when(F.col("roam_type") != "HOME", F.ceil(F.col("duration") / 60) * F.col("price_roam_min"))
                .when(F.col("call_type") == "LD", F.when(F.col("direction") == "MO",
                                                          F.ceil(F.col("duration") / 6) * F.col("price_ld_6s")).otherwise(0))
                .when(F.col("direction") == "MO", F.ceil(F.col("duration") / 60) * F.col("price_local_min"))
                .otherwise(0.0), 2))
            .withColumn("act_fee", F.round(F.col("std_fee") * rate, 2)))
    return rows


def free_ld() -> F.Column:
    """A long-distance call shorter than FREE_LD_SECONDS is free, roaming or not."""
    return (F.col("call_type") == "LD") & (F.col("duration") < FREE_LD_SECONDS)


def visitors(spark: SparkSession, day: dt.date, seed: int, users: int, origin: dt.date) -> DataFrame:
    """Voice CDRs of other networks' subscribers roaming in ours (漫游来访): about one visitor a day
    per hundred users, one in ten from abroad (roam type VISIT_INTL, the rest VISIT). They are no users of ours: BOSS bills their home
    operator (the settlement fee is the CDR's fee) and they appear in no user file. Their IMEIs
    end in 1, ours in 0, so no handset is shared with a user of ours."""
    ud = (spark.range(max(5, users // 100)).withColumn("id", F.col("id") + VISITOR_ID_BASE)
          .withColumn("day", F.lit(day)).withColumn("day_no", F.lit((day - origin).days))
          .withColumn("region_code", pick(uniform(seed, "visit_region", "id", "day_no"), [(c, w) for c, _n, w in cat.REGIONS]))
          .withColumn("offnet_pref", F.lit(0.3)).withColumn("decline", F.lit(1.0)).withColumn("rival", F.lit(False)))
    v = lambda p: uniform(seed, f"vis_{p}", "id", "day_no", "k")  # noqa: E731
    rows = _expand(ud, seed, "visit", F.lit(3.0), 20)
    msisdn = F.concat(F.lit("159"), F.lpad((uniform(seed, "vis_no", "id", "day_no") * 1e8).cast("long").cast("string"), 8, "0"))
    tac = element(uniform(seed, "vis_tac", "id", "day_no"), [t[0] for t in cat.TERMINALS])
    intl = uniform(seed, "vis_intl", "id", "day_no") < 0.1
    fee = F.round(F.ceil(F.col("duration") / 60) * F.when(intl, VISIT_INTL_PRICE_MIN).otherwise(VISIT_PRICE_MIN), 2)
    return (rows.withColumn("duration", F.least(F.lit(3600), F.floor(exponential(v("dur"), 90)) + 3).cast("int"))
            .withColumn("other_net", _network(seed, "visit"))
            .select(msisdn.alias("msisdn"), _other_party(seed, "visit", F.col("other_net"), users).alias("other_party"),
                    _time(seed, "visit").alias("start_time"), "duration",
                    F.when(v("dir") < 0.6, "MO").otherwise("MT").alias("direction"),
                    F.when(v("ld") < 0.2, "LD").otherwise("LOCAL").alias("call_type"),
                    F.when(intl, "VISIT_INTL").otherwise("VISIT").alias("roam_type"),
                    "other_net", F.lit(0).alias("fwd_flag"), F.lit(None).cast("string").alias("fwd_net"),
                    F.concat(F.lit("C"), F.col("region_code"), F.lpad(F.floor(v("cell") * 200).cast("string"), 3, "0")).alias("cell_id"),
                    F.concat(tac, F.lpad((F.col("id") % 1_000_000).cast("string"), 6, "0"), F.lit("1")).alias("imei"),
                    fee.alias("std_fee"), fee.alias("act_fee")))


def sms(ud: DataFrame, seed: int, users: int) -> DataFrame:
    v = lambda p: uniform(seed, f"s_{p}", "id", "day_no", "k")  # noqa: E731
    rows = _expand(ud, seed, "sms", F.col("activity") * 3.0 * F.col("decline"), 80)
    return (rows.withColumn("direction", F.when(v("dir") < 0.5, "MO").otherwise("MT"))
            .withColumn("other_net", _network(seed, "sms"))
            .withColumn("sms_type", F.when(v("mms") < 0.05, "MMS").otherwise("SMS"))
            .withColumn("send_time", _time(seed, "sms"))
            .withColumn("other_party", _other_party(seed, "sms", F.col("other_net"), users))
            .withColumn("fee", F.when(F.col("direction") == "MT", 0.0)
                        .when(F.col("sms_type") == "MMS", cat.MMS_PRICE).otherwise(F.col("price_sms"))))


def data(ud: DataFrame, seed: int) -> DataFrame:
    v = lambda p: uniform(seed, f"d_{p}", "id", "day_no", "k")  # noqa: E731
    rows = _expand(ud, seed, "data", F.col("activity") * F.col("data_factor") * 4.0 * F.col("decline"), 100)
    return (rows.withColumn("start_time", _time(seed, "data"))
            .withColumn("duration", F.floor(exponential(v("dur"), 600)).cast("int"))
            .withColumn("up_kb", F.floor(exponential(v("up"), 150) * F.col("data_factor")).cast("long"))
            .withColumn("down_kb", F.floor(exponential(v("down"), 1500) * F.col("data_factor")).cast("long"))
            .withColumn("apn", F.when(v("apn") < 0.85, "CMNET").otherwise("CMWAP"))
            .withColumn("rat", F.when((F.col("net_gen") == "4G") & (v("rat") < 0.9), "4G")
                        .when(F.col("net_gen") == "2G", "2G").otherwise("3G"))
            .withColumn("fee", F.round((F.col("up_kb") + F.col("down_kb")) / 1024.0 * F.col("price_data_mb"), 2)))


def vas(ud: DataFrame, seed: int) -> DataFrame:
    sp = F.array(*[F.struct(F.lit(c).alias("sp_code"), F.lit(sc).alias("service_code"), F.lit(p).alias("price"))
                   for c, _n, sc, _sn, p in cat.SPS])
    rows = ud.where(F.col("sp_user") & (uniform(seed, "vas", "id", "day_no") < 0.3 * F.col("decline"))) \
        .withColumn("k", F.lit(1))
    return (rows.withColumn("sp", F.element_at(sp, F.col("sp_idx") + 1))
            .withColumn("sp_code", F.col("sp.sp_code")).withColumn("service_code", F.col("sp.service_code"))
            .withColumn("use_time", _time(seed, "vas"))
            .withColumn("fee", F.round(F.col("sp.price") / 10, 2)))
