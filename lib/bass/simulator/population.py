"""Subscribers, their latent traits and the documented churn model.

Churn model (the ground truth the models must find). Each user has a monthly churn hazard
    p = sigmoid(-5.0 + 0.9·[EASYOWN] + 0.3·[MZONE] + 2.2·(offnet_pref − 0.25)
                + 1.0·[complaint-prone] + 1.0·[arrears-prone] + 1.3·[contract ends in window]
                + 1.2·[second SIM in the same handset] + 0.6·[tenure < 6 months]
                − 0.8·[VIP] − 0.4·ln(activity) + 0.5·noise)
and leaves after a geometric number of months with that hazard. In the 60 days before leaving
its usage declines to 15 %, its off-net share and calls forwarded to other networks rise, and
its complaints grow (see usage.py / monthly.py), so the signal shows in the BOSS files the way
it does in an operator's data. The truth is written outside the BOSS deliveries.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.simulator import catalog as cat
from bass.simulator.rand import element, exponential, normal, pick, sigmoid, uniform

CHURN_WINDOW_DAYS = 60


def plans_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(cat.PLANS, "plan_id string, plan_name string, brand string, monthly_fee double, "
                                 "incl_minutes int, incl_sms int, incl_data_mb int, price_local_min double, "
                                 "price_ld_6s double, price_roam_min double, price_sms double, price_data_mb double, "
                                 "net_gen string, scope string")


def terminals_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(cat.TERMINALS, "tac string, maker string, model string, lte_capable int")


def population(spark: SparkSession, users: int, seed: int, start: dt.date, end: dt.date) -> DataFrame:
    """One row per subscriber with profile, latent traits, churn date and life-cycle events."""
    s = seed
    window = (end - start).days + 1
    u = lambda purpose: uniform(s, purpose, "id")  # noqa: E731
    tacs_4g = [t[0] for t in cat.TERMINALS if t[3] == 1]
    tacs_old = [t[0] for t in cat.TERMINALS if t[3] == 0]
    df = (spark.range(users, numPartitions=max(2, users // 200_000))
          .withColumn("user_id", F.concat(F.lit("U"), F.lpad(F.col("id").cast("string"), 9, "0")))
          .withColumn("msisdn", F.concat(F.lit("138"), F.lpad(F.col("id").cast("string"), 8, "0")))
          .withColumn("cust_no", F.when(F.col("id") % 10 == 9, F.col("id") - 1).otherwise(F.col("id")))
          .withColumn("cust_id", F.concat(F.lit("C"), F.lpad(F.col("cust_no").cast("string"), 9, "0")))
          .withColumn("region_code", pick(u("region"), [(c, w) for c, _n, w in cat.REGIONS]))
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
          .withColumn("new_user", u("new") < 0.04)
          .withColumn("open_date", F.when(F.col("new_user"), F.date_add(F.lit(start), F.floor(u("open") * window).cast("int")))
                      .otherwise(F.date_sub(F.lit(start), (exponential(u("open"), 900) + 1).cast("int"))))
          .withColumn("channel_id", F.concat(F.lit("CH"), F.col("region_code"), F.lpad(F.floor(u("ch") * 8).cast("string"), 2, "0")))
          .withColumn("activity", F.exp(normal(u("act1"), u("act2")) * 0.6) *
                      F.when(F.col("brand") == "GOTONE", 1.3).when(F.col("brand") == "EASYOWN", 0.8).otherwise(1.0))
          .withColumn("data_factor", F.when(F.col("brand") == "MZONE", 2.0).otherwise(1.0) *
                      F.when(F.col("net_gen") == "4G", 1.5).otherwise(0.6))
          .withColumn("offnet_pref", F.least(F.lit(0.8), 0.08 + 0.3 * u("offnet") ** 1.5))
          .withColumn("complaint_prone", u("cmp") < 0.10)
          .withColumn("arrears_prone", u("arr") < F.when(F.col("brand") == "GOTONE", 0.06).otherwise(0.10))
          .withColumn("vip", (F.col("brand") == "GOTONE") & (F.col("tier") == 2))
          .withColumn("has_contract", u("ctr") < 0.25)
          .withColumn("contract_start", F.add_months(F.trunc(F.lit(start), "month"), -F.floor(u("ctrs") * 24).cast("int")))
          .withColumn("contract_end", F.add_months(F.col("contract_start"), F.when(u("ctrl") < 0.5, 12).otherwise(24) - 1))
          .withColumn("contract_ends_in_window", F.col("has_contract") & (F.col("contract_end") >= F.trunc(F.lit(start), "month"))
                      & (F.col("contract_end") <= F.lit(end)))
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
          .withColumn("imei_change_day", F.when(u("imc") < 0.08, F.date_add(F.lit(start), F.floor(u("imcd") * window).cast("int"))))
          .withColumn("plan_change_day", F.when(u("plc") < 0.05, F.date_add(F.lit(start), F.floor(u("plcd") * window).cast("int"))))
          .withColumn("plan_id_new", F.element_at(F.element_at(F.create_map(*[x for b, ps in cat.PLANS_BY_BRAND.items() for x in
                                                                 (F.lit(b), F.array(*[F.lit(p) for p in ps]))]),
                                                  F.col("brand")), F.least(F.col("tier") + 2, F.lit(3))))
          .withColumn("stop_start", F.when(F.col("arrears_prone"), F.date_add(F.lit(start), F.floor(u("stp") * window).cast("int"))))
          .withColumn("stop_days", F.when(F.col("arrears_prone"), 3 + F.floor(u("stpd") * 12).cast("int")))
          )
    tenure_months = F.months_between(F.lit(start), F.col("open_date"))
    logit = (F.lit(-5.0) + F.when(F.col("brand") == "EASYOWN", 0.9).when(F.col("brand") == "MZONE", 0.3).otherwise(0.0)
             + 2.2 * (F.col("offnet_pref") - 0.25)
             + F.col("complaint_prone").cast("double") * 1.0 + F.col("arrears_prone").cast("double") * 1.0
             + F.col("contract_ends_in_window").cast("double") * 1.3 + F.col("multi_sim").cast("double") * 1.2
             + F.when(tenure_months < 6, 0.6).otherwise(0.0) - F.col("vip").cast("double") * 0.8
             - 0.4 * F.log(F.col("activity")) + 0.5 * normal(u("n1"), u("n2")))
    months_to_churn = F.floor(F.log(F.lit(1.0) - u("churn")) / F.log(F.lit(1.0) - F.col("churn_p_month")))
    churn_day = F.date_add(F.add_months(F.trunc(F.lit(start), "month"), months_to_churn.cast("int")),
                           F.floor(u("churnd") * 28).cast("int"))
    df = (df.withColumn("churn_logit", logit).withColumn("churn_p_month", sigmoid(F.col("churn_logit")))
          .withColumn("churn_candidate", churn_day)
          .withColumn("churn_date", F.when((F.col("churn_candidate") <= F.lit(end)) & (F.col("churn_candidate") >= F.lit(start))
                                           & (F.col("churn_candidate") > F.date_add(F.col("open_date"), 30)),
                                           F.col("churn_candidate")))
          .drop("churn_candidate"))
    return df


def decline(day: str = "day") -> F.Column:
    """Usage multiplier: 1 normally, falling to 0.15 over the 60 days before a user leaves."""
    to_churn = F.datediff(F.col("churn_date"), F.col(day))
    return F.when(F.col("churn_date").isNull(), F.lit(1.0)).otherwise(
        F.greatest(F.lit(0.15), F.least(F.lit(1.0), to_churn / float(CHURN_WINDOW_DAYS))))


def state_on(day: F.Column) -> dict:
    """Status, plan and handset of a subscriber on a day (columns of the population)."""
    stopped = (F.col("stop_start").isNotNull() & (day >= F.col("stop_start"))
               & (day < F.date_add(F.col("stop_start"), F.col("stop_days"))))
    closed = F.col("churn_date").isNotNull() & (day >= F.col("churn_date"))
    status = F.when(closed, "CLOSED").when(stopped, "ARREARS_STOP").otherwise("NORMAL")
    status_date = (F.when(closed, F.col("churn_date")).when(stopped, F.col("stop_start"))
                   .when(F.col("stop_start").isNotNull() & (day >= F.col("stop_start")),
                         F.date_add(F.col("stop_start"), F.col("stop_days")))
                   .otherwise(F.col("open_date")))
    plan = F.when(F.col("plan_change_day").isNotNull() & (day >= F.col("plan_change_day")), F.col("plan_id_new")) \
        .otherwise(F.col("plan_id"))
    tac = F.when(F.col("imei_change_day").isNotNull() & (day >= F.col("imei_change_day")), F.col("tac_new")) \
        .otherwise(F.col("tac"))
    serial = F.when(F.col("multi_sim"), F.col("pair")).otherwise(F.col("id")) % 1_000_000
    imei = F.concat(tac, F.lpad(serial.cast("string"), 6, "0"), F.lit("0"))
    return {"status": status, "status_date": status_date, "plan_id": plan, "imei": imei,
            "exists": F.col("open_date") <= day, "usable": (F.col("open_date") <= day) & ~closed & ~stopped}
