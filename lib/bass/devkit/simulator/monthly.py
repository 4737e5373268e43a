"""Monthly BOSS deliveries (bills, payments, balances, complaints) and the reference snapshots."""
from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.devkit.simulator import catalog as cat
from bass.devkit.simulator.population import complaint_base_rate, decline, plans_df, state_on, terminals_df
from bass.devkit.simulator.rand import element, pick, uniform
from bass.devkit.simulator.usage import free_ld


def item_of_call() -> F.Column:
    """The bill item of a call: roaming (漫游费: roaming calls and roaming long distance), long
    distance, or local."""
    return (F.when(F.col("roam_type") != "HOME", "ROAM").when(F.col("call_type") == "LD", "LD_CALL")
            .otherwise("LOCAL_CALL"))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(month + "-01")
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def personal_account() -> F.Column:
    return F.concat(F.lit("A"), F.lpad(F.col("cust_no").cast("string"), 9, "0"))


def group_no(seed: int, users: int) -> F.Column:
    groups = max(3, int(users * 0.06 // 30))
    return F.floor(uniform(seed, "grpno", "id") ** 2.5 * groups).cast("int")


def group_account() -> F.Column:
    return F.concat(F.lit("AG"), F.lpad(F.col("group_no").cast("string"), 6, "0"))


def with_groups(pop: DataFrame, seed: int, users: int) -> DataFrame:
    return pop.withColumn("group_no", F.when(F.col("group_member"), group_no(seed, users)))


USAGE_ITEMS = ["LOCAL_CALL", "LD_CALL", "ROAM", "SMS", "DATA", "VAS"]
SIM_CARD_FEE = 20.0
PAYEES = ["WATER", "POWER", "GAS"]   # utilities whose bills the halls also take (代收)


def usage_items(voice: DataFrame, sms: DataFrame, data: DataFrame, vas: DataFrame) -> DataFrame:
    """One row per (id, month) from the daily usage records of the month: for each usage item its
    records (n_*), the list fees of the records (std_*) and the quantity the plan rates (qty_*;
    catalog.py says which), the outgoing MMS, and the MMS records and their list fees (n_mms,
    std_mms; part of the SMS item)."""
    month = F.date_format("day", "yyyy-MM")
    mo = F.col("direction") == "MO"
    voice_qty = (F.when(free_ld(), 0)
                 .when(F.col("roam_type") != "HOME", F.ceil(F.col("duration") / 60))
                 .when(F.col("call_type") == "LD", F.when(mo, F.ceil(F.col("duration") / 6)).otherwise(0))
                 .when(mo, F.ceil(F.col("duration") / 60)).otherwise(0))
    sms_mo = mo & (F.col("sms_type") == "SMS")
    parts = [
        voice.select("id", month.alias("month"), item_of_call().alias("item_code"), "std_fee", voice_qty.alias("qty"), F.lit(0).alias("mms"),
                     F.lit(False).alias("mms_rec")),
        sms.select("id", month.alias("month"), F.lit("SMS").alias("item_code"), F.col("fee").alias("std_fee"),
                   sms_mo.cast("int").alias("qty"), (mo & ~sms_mo).cast("int").alias("mms"),
                   (F.col("sms_type") != "SMS").alias("mms_rec")),
        data.select("id", month.alias("month"), F.lit("DATA").alias("item_code"), F.col("fee").alias("std_fee"),
                    ((F.col("up_kb") + F.col("down_kb")) / 1024.0).alias("qty"), F.lit(0).alias("mms"), F.lit(False).alias("mms_rec")),
        vas.select("id", month.alias("month"), F.lit("VAS").alias("item_code"), F.col("fee").alias("std_fee"),
                   F.col("fee").alias("qty"), F.lit(0).alias("mms"), F.lit(False).alias("mms_rec")),
    ]
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    per_item = [agg for item in USAGE_ITEMS for agg in (
        F.count(F.when(F.col("item_code") == item, 1)).alias(f"n_{item}"),
        F.round(F.sum(F.when(F.col("item_code") == item, F.col("std_fee"))), 2).alias(f"std_{item}"),
        F.sum(F.when(F.col("item_code") == item, F.col("qty"))).alias(f"qty_{item}"))]
    is_mms = F.col("mms_rec")
    return out.groupBy("id", "month").agg(*per_item, F.sum("mms").alias("mms"), F.count(F.when(is_mms, 1)).alias("n_mms"),
                                          F.round(F.sum(F.when(is_mms, F.col("std_fee"))), 2).alias("std_mms"))


SUMMARY_ITEMS = [  # usage_m rows: item, unit, records, quantity, list fee (SMS and MMS share the bill's SMS item)
    ("LOCAL_CALL", "MIN", "n_LOCAL_CALL", "qty_LOCAL_CALL", "std_LOCAL_CALL"),
    ("LD_CALL", "6S", "n_LD_CALL", "qty_LD_CALL", "std_LD_CALL"),
    ("ROAM", "MIN", "n_ROAM", "qty_ROAM", "std_ROAM"),
    ("SMS", "MSG", "n_SMS - n_mms", "qty_SMS", "std_SMS - coalesce(std_mms, 0)"),
    ("MMS", "MSG", "n_mms", "mms", "coalesce(std_mms, 0)"),
    ("DATA", "MB", "n_DATA", "qty_DATA", "std_DATA"),
    ("VAS", "YUAN", "n_VAS", "qty_VAS", "std_VAS"),
]


def usage_summary(pop: DataFrame, items: DataFrame, month: str) -> DataFrame:
    """BOSS's monthly usage summary (用户月使用量汇总) from the month's usage items: per user and
    item the records, the quantity the plan rates (unit as catalog.py says) and the list fee; the
    rating input for months whose CDR days are not all delivered."""
    rows = F.array(*[F.struct(F.lit(item).alias("item_code"), F.lit(unit).alias("unit"), F.expr(n).cast("int").alias("records"),
                              F.coalesce(F.expr(q), F.lit(0)).cast("decimal(14,3)").alias("quantity"),
                              F.coalesce(F.expr(std), F.lit(0)).cast("decimal(12,2)").alias("std_fee"))
                     for item, unit, n, q, std in SUMMARY_ITEMS])
    return (items.where(F.col("month") == month).join(pop.select("id", "user_id"), "id")
            .select(F.lit(month).alias("bill_month"), "user_id", F.explode(rows).alias("r"))
            .where(F.col("r.records") > 0).select("bill_month", "user_id", "r.*"))


def rated(usage: DataFrame, plans: DataFrame) -> DataFrame:
    """Bill lines (id, item_code, std_fee, act_fee) of a month's usage under the user's plan: the
    plan's included minutes, SMS and MB first, then its prices (catalog.py), never more than the
    list fee. One line per item the user used."""
    q = lambda item: F.coalesce(F.col(f"qty_{item}"), F.lit(0.0))  # noqa: E731
    over = lambda item, incl: F.greatest(F.lit(0.0), q(item) - F.col(incl))  # noqa: E731
    free_min = F.greatest(F.lit(0.0), F.col("incl_minutes") - q("LOCAL_CALL"))
    ld_units = F.when(F.col("scope") == "NATIONAL", F.greatest(F.lit(0.0), q("LD_CALL") - 10 * free_min)).otherwise(q("LD_CALL"))
    voice_rate = F.col("voice_rate")
    act = {
        "LOCAL_CALL": over("LOCAL_CALL", "incl_minutes") * F.col("price_local_min") * voice_rate,
        "LD_CALL": ld_units * F.col("price_ld_6s") * voice_rate,
        "ROAM": q("ROAM") * F.col("price_roam_min") * voice_rate,
        "SMS": over("SMS", "incl_sms") * F.col("price_sms") + F.col("mms") * F.col("price_mms"),
        "DATA": over("DATA", "incl_data_mb") * F.col("price_data_mb"),
        "VAS": q("VAS"),
    }
    lines = F.array(*[F.struct(F.lit(item).alias("item_code"), F.col(f"n_{item}").alias("n"), F.col(f"std_{item}").alias("std_fee"),
                               F.least(F.col(f"std_{item}"), F.round(act[item], 2)).alias("act_fee")) for item in USAGE_ITEMS])
    return (usage.join(F.broadcast(plans), "plan_id").select("id", F.explode(lines).alias("line"))
            .where(F.col("line.n") > 0).select("id", "line.item_code", "line.std_fee", "line.act_fee"))


def bills(spark: SparkSession, pop: DataFrame, items: DataFrame, month: str) -> DataFrame:
    """Bill lines for one month, rated under the plan held at month end; group members' rent is
    paid by the group account."""
    first, last = month_bounds(month)
    st = state_on(F.lit(last))
    live = (pop.where((F.col("open_date") <= F.lit(last)) &
                      (F.col("churn_date").isNull() | (F.col("churn_date") >= F.lit(first))))
            .withColumn("plan_id", st["plan_id"]))
    plans = plans_df(spark)
    rent = (live.join(F.broadcast(plans.select("plan_id", "monthly_fee")), "plan_id")
            .select("id", F.lit("RENT").alias("item_code"), F.col("monthly_fee").alias("std_fee"),
                    F.col("monthly_fee").alias("act_fee")))
    usage = rated(items.where(F.col("month") == month).join(live.select("id", "plan_id", "brand"), "id"), plans.drop("brand"))
    # a SIM card sold with a new number (卡费), and a late fee (滞纳金) on an arrears-prone user's
    # unpaid charges of last month: 3 per mille a day for 30 days of its rent
    card = live.where(F.col("open_date") >= F.lit(first)).select(
        "id", F.lit("CARD_FEE").alias("item_code"), F.lit(SIM_CARD_FEE).alias("std_fee"), F.lit(SIM_CARD_FEE).alias("act_fee"))
    late = (live.where(F.col("arrears_prone") & (F.col("open_date") < F.lit(first)))
            .join(F.broadcast(plans.select("plan_id", "monthly_fee")), "plan_id")
            .select("id", F.lit("LATE_FEE").alias("item_code"), F.round(F.col("monthly_fee") * 0.09, 2).alias("std_fee"))
            .withColumn("act_fee", F.col("std_fee")))
    lines = (rent.unionByName(usage).unionByName(card).unionByName(late)
             .join(live.select("id", "user_id", "cust_no", "group_member", "group_no"), "id"))
    acct = F.when((F.col("item_code") == "RENT") & F.col("group_member"), group_account()).otherwise(personal_account())
    return lines.select(F.lit(month).alias("bill_month"), acct.alias("acct_id"), "user_id", "item_code",
                        F.col("std_fee").cast("decimal(12,2)").alias("std_fee"),
                        (F.col("std_fee") - F.col("act_fee")).cast("decimal(12,2)").alias("discount"),
                        F.col("act_fee").cast("decimal(12,2)").alias("act_fee"), "id")


def payments_and_balance(pop: DataFrame, bill: DataFrame, seed: int, month: str) -> tuple[DataFrame, DataFrame, DataFrame]:
    """The month's payments, month-end balances and write-offs: a user who leaves owing has the
    arrears written off at the month's end (坏帐核销), and they leave the balance."""
    first, last = month_bounds(month)
    days = (last - first).days + 1
    totals = bill.groupBy("id").agg(F.sum("act_fee").cast("double").alias("billed"))
    p = pop.join(totals, "id")
    u = lambda purpose: uniform(seed, purpose, "id", F.lit(month))  # noqa: E731
    ratio = F.when(F.col("arrears_prone"), 0.5 + 0.3 * u("ratio")).otherwise(1.0 + 0.25 * u("ratio"))
    postpaid = F.col("brand") == "GOTONE"
    paid = F.round(F.col("billed") * ratio, 0)
    # within the month: a user who leaves on its first day pays on that day, not the day before
    pay_day = F.greatest(F.least(F.date_add(F.lit(first), F.floor(u("payday") * days).cast("int")),
                                 F.coalesce(F.date_sub(F.col("churn_date"), 1), F.lit(last))), F.lit(first))
    p = (p.withColumn("paid", paid)
         .withColumn("channel", F.when(postpaid, pick(u("ch"), [("BANK", 45), ("HALL", 25), ("E_TOPUP", 15), ("ENTRUSTED", 15)]))
                     .otherwise(pick(u("ch"), [("E_TOPUP", 45), ("AGENT", 35), ("HALL", 20)])))
         .withColumn("method", F.when(F.col("channel") == "BANK", "BANK_COLLECT")
                     .when(F.col("channel") == "E_TOPUP", F.when(postpaid, "BANK_COLLECT").otherwise("TOPUP_CARD"))
                     .otherwise("CASH"))
         .withColumn("pay_time", F.timestamp_seconds(F.unix_timestamp(pay_day.cast("timestamp")) + 9 * 3600
                                                     + F.floor(u("paysec") * 10 * 3600))))
    # one payment in 20 is made in another city (异地代收); paid at a counter, the city is recorded
    away = u("away") < 0.05
    region = F.when(away, element(u("awayr"), [c for c, _n, _w in cat.REGIONS])).otherwise(F.col("region_code"))
    pay_id = F.concat(F.lit("P"), F.regexp_replace(F.lit(month), "-", ""), F.lpad(F.col("id").cast("string"), 9, "0"))
    payments = p.where(F.col("paid") > 0).select(
        pay_id.alias("pay_id"), "user_id", personal_account().alias("acct_id"), "pay_time",
        F.col("paid").cast("decimal(12,2)").alias("amount"), "channel", "method",
        F.when(F.col("channel").isin("HALL", "AGENT", "ENTRUSTED"), region).alias("collect_region"),
        F.lit(None).cast("string").alias("payee"))
    # a hall also takes utility bills (代收): BOSS records them, they are not our fees
    utility = p.where(u("util") < 0.03).select(
        F.concat(pay_id, F.lit("U")).alias("pay_id"), "user_id", personal_account().alias("acct_id"), "pay_time",
        F.round(20 + u("utilamt") * 180, 0).cast("decimal(12,2)").alias("amount"), F.lit("HALL").alias("channel"),
        F.lit("CASH").alias("method"), F.col("region_code").alias("collect_region"), element(u("payee"), PAYEES).alias("payee"))
    payments = payments.unionByName(utility)
    diff = F.col("paid") - F.col("billed")
    owed = F.greatest(-diff, F.lit(0.0))
    gone_owing = F.coalesce(F.col("churn_date") <= F.lit(last), F.lit(False)) & (owed > 0)
    balance = p.select(
        "user_id", personal_account().alias("acct_id"),
        F.greatest(diff, F.lit(0.0)).cast("decimal(12,2)").alias("balance"),
        F.when(gone_owing, 0.0).otherwise(owed).cast("decimal(12,2)").alias("arrears_amt"),
        F.when((diff < 0) & ~gone_owing, 10 + F.floor(u("arrdays") * 120)).otherwise(0).cast("int").alias("arrears_days"),
        arrears_stops(seed, last).alias("stop_count"))
    writeoffs = p.where(gone_owing).select(
        F.concat(F.lit("W"), F.regexp_replace(F.lit(month), "-", ""), F.lpad(F.col("id").cast("string"), 9, "0")).alias("writeoff_id"),
        "user_id", personal_account().alias("acct_id"), F.lit(last).alias("writeoff_date"),
        owed.cast("decimal(12,2)").alias("amount"), F.lit(month).alias("arrears_since"),
        F.concat(F.lit("BS"), F.regexp_replace(F.lit(month), "-", ""), F.lit("-001")).alias("approval_no"))
    return payments, balance, writeoffs


def arrears_stops(seed: int, last: dt.date) -> F.Column:
    """The balance file's stop_count on day `last`: an arrears-prone user's stops before the
    simulation (a fixed 0-2 per user), plus the simulated one once it has started."""
    return F.when(F.col("arrears_prone"), F.floor(uniform(seed, "stops", "id") * 3).cast("int")
                  + F.when(F.col("stop_start") <= F.lit(last), 1).otherwise(0)).otherwise(0)


def complaints(pop: DataFrame, seed: int, month: str) -> DataFrame:
    first, last = month_bounds(month)
    mid = first + dt.timedelta(days=14)
    live = pop.where((F.col("open_date") <= F.lit(last)) &
                     (F.col("churn_date").isNull() | (F.col("churn_date") >= F.lit(first))))
    live = live.withColumn("day", F.lit(mid)).withColumn("decline", decline())
    rate = complaint_base_rate() + 0.5 * (1 - F.col("decline"))
    u = lambda purpose: uniform(seed, purpose, "id", F.lit(month), "k")  # noqa: E731
    n = ((uniform(seed, "cmp1", "id", F.lit(month)) < rate).cast("int")
         + (uniform(seed, "cmp2", "id", F.lit(month)) < rate / 3).cast("int"))
    rows = live.withColumn("n", n).where(F.col("n") > 0).withColumn("k", F.explode(F.sequence(F.lit(1), F.col("n"))))
    unhappy = F.col("decline") < 1
    created = F.timestamp_seconds(F.unix_timestamp(F.lit(first).cast("timestamp"))
                                  + F.floor(u("t") * ((last - first).days + 1) * 86400))
    category = F.when(unhappy & (u("cat0") < 0.5), "NETWORK").otherwise(
        pick(u("cat"), [("BILLING", 35), ("NETWORK", 25), ("SERVICE", 20), ("VAS", 15), ("OTHER", 5)]))
    text = F.element_at(F.create_map(*[x for k, v in cat.COMPLAINT_TEXT.items() for x in (F.lit(k), F.lit(v))]), category)
    result = pick(u("res"), [("RESOLVED", 75), ("UNRESOLVED", 15), ("PENDING", 10)])
    return rows.select(
        F.concat(F.lit("Q"), F.regexp_replace(F.lit(month), "-", ""), F.lpad(F.col("id").cast("string"), 9, "0"),
                 F.col("k").cast("string")).alias("complaint_id"),
        "msisdn", pick(u("ch"), [("HOTLINE", 60), ("HALL", 20), ("WEB", 12), ("ACCT_MGR", 5), ("LETTER", 3)]).alias("channel"),
        created.alias("create_time"), (1 + F.floor(u("lvl") ** 2 * 3)).cast("int").alias("level"),
        category.alias("category"), text.alias("content"),
        F.timestamp_seconds(F.unix_timestamp(created) + 600 + F.floor(u("reply") * 48 * 3600)).alias("first_reply_time"),
        result.alias("result"),
        F.when(result == "PENDING", None).otherwise(
            F.when(unhappy, 1 + F.floor(u("sat") * 3)).otherwise(2 + F.floor(u("sat") * 4))).cast("int").alias("satisfaction"))


def user_snapshot(pop: DataFrame, day: dt.date) -> DataFrame:
    st = state_on(F.lit(day))
    return pop.where(st["exists"]).select(
        "user_id", "msisdn", "cust_id", "brand", st["plan_id"].alias("plan_id"), "open_date",
        st["status"].alias("status"), st["status_date"].alias("status_date"), "net_gen", "sim_type",
        "channel_id", "region_code")


def customers(pop: DataFrame, seed: int, start: dt.date, users: int) -> DataFrame:
    u = lambda purpose: uniform(seed, purpose, "cust_no")  # noqa: E731
    people = pop.where(F.col("id") == F.col("cust_no")).withColumn("group_no", F.when(F.col("group_member"), group_no(seed, users)))
    birth = F.add_months(F.lit(start), -12 * F.col("age") - F.floor(u("bm") * 12).cast("int"))
    persons = people.select(
        "cust_id", F.concat(element(u("sn"), cat.SURNAMES), element(u("gn"), cat.GIVEN)).alias("cust_name"),
        F.lit("P").alias("cust_type"), F.lit("ID_CARD").alias("id_type"),
        F.concat(F.lit("33"), F.col("region_code").substr(2, 2), F.lit("01"), F.date_format(birth, "yyyyMMdd"),
                 F.lpad((F.col("cust_no") % 10000).cast("string"), 4, "0")).alias("id_no"),
        "gender", birth.alias("birth_date"), "region_code",
        F.when(F.col("age") >= 22, element(u("wu"), cat.WORK_UNITS)).alias("work_unit"),
        F.when(F.col("age") >= 22, element(u("jt"), cat.JOB_TITLES)).otherwise(F.lit("学生")).alias("job_title"),
        F.when(F.col("vip"), pick(u("vip"), [("DIAMOND", 10), ("GOLD", 30), ("SILVER", 60)])).otherwise("NONE").alias("vip_tier"),
        F.when(F.col("group_no").isNotNull(), F.concat(F.lit("G"), F.lpad(F.col("group_no").cast("string"), 6, "0"))).alias("group_id"))
    groups = group_customers(pop, seed, users).select(
        F.concat(F.lit("CG"), F.col("group_id").substr(2, 6)).alias("cust_id"), F.col("group_name").alias("cust_name"),
        F.lit("G").alias("cust_type"), F.lit("BIZ_LICENSE").alias("id_type"),
        F.concat(F.lit("91330"), F.col("group_id").substr(2, 6)).alias("id_no"), F.lit(None).cast("string").alias("gender"),
        F.lit(None).cast("date").alias("birth_date"), "region_code", F.col("group_name").alias("work_unit"),
        F.lit(None).cast("string").alias("job_title"), F.lit("NONE").alias("vip_tier"), "group_id")
    return persons.unionByName(groups)


def group_customers(pop: DataFrame, seed: int, users: int) -> DataFrame:
    members = with_groups(pop, seed, users).where(F.col("group_member"))
    g = members.groupBy("group_no").agg(F.count(F.lit(1)).alias("member_count"), F.first("region_code").alias("region_code"))
    rank = F.percent_rank().over(Window.orderBy(F.desc("member_count"), "group_no"))
    u = lambda purpose: uniform(seed, purpose, "group_no")  # noqa: E731
    return g.select(
        F.concat(F.lit("G"), F.lpad(F.col("group_no").cast("string"), 6, "0")).alias("group_id"),
        F.concat(element(u("gn"), cat.WORK_UNITS), F.lit("(集团"), F.col("group_no").cast("string"), F.lit(")")).alias("group_name"),
        element(u("ind"), cat.INDUSTRIES).alias("industry"), "region_code", F.col("member_count").cast("int"),
        F.when(rank < 0.05, "A").when(rank < 0.30, "B").otherwise("C").alias("group_class"))


def accounts(pop: DataFrame, seed: int, users: int) -> tuple[DataFrame, DataFrame]:
    p = with_groups(pop, seed, users)
    personal = p.where(F.col("id") == F.col("cust_no")).select(
        personal_account().alias("acct_id"), "cust_id", F.lit(None).cast("string").alias("acct_name"),
        F.when(F.col("brand") == "GOTONE", pick(uniform(seed, "pm", "id"), [("BANK_COLLECT", 60), ("CASH", 40)]))
        .otherwise("TOPUP_CARD").alias("pay_method"))
    grp = p.where(F.col("group_member")).select("group_no").distinct().select(
        group_account().alias("acct_id"), F.concat(F.lit("CG"), F.lpad(F.col("group_no").cast("string"), 6, "0")).alias("cust_id"),
        F.lit("集团统付帐户").alias("acct_name"), F.lit("BANK_COLLECT").alias("pay_method"))
    rel_personal = p.select("user_id", personal_account().alias("acct_id"),
                            F.when(F.col("group_member"), "USAGE").otherwise("ALL").alias("item_group"),
                            F.lit(100).alias("share_pct"))
    rel_group = p.where(F.col("group_member")).select("user_id", group_account().alias("acct_id"),
                                                      F.lit("RENT").alias("item_group"), F.lit(100).alias("share_pct"))
    return personal.unionByName(grp), rel_personal.unionByName(rel_group)


def contracts(pop: DataFrame, seed: int) -> DataFrame:
    return pop.where(F.col("has_contract")).select(
        F.concat(F.lit("K"), F.lpad(F.col("id").cast("string"), 9, "0")).alias("contract_id"), "user_id",
        pick(uniform(seed, "ctype", "id"), [("DEPOSIT_PHONE", 40), ("PHONE_CREDIT", 35), ("DEPOSIT_CREDIT", 25)]).alias("contract_type"),
        F.date_format("contract_start", "yyyy-MM").alias("start_month"), F.date_format("contract_end", "yyyy-MM").alias("end_month"))


def reference(spark: SparkSession) -> dict[str, DataFrame]:
    """Catalogue snapshots: product, terminal, channel, sp."""
    channels = [(f"CH{code}{i:02d}", f"{name}{cat.CHANNEL_TYPES[t][1]}{i:02d}", cat.CHANNEL_TYPES[t][0], code, cat.CHANNEL_TYPES[t][2])
                for code, name, _w in cat.REGIONS for i in range(cat.CHANNELS_PER_REGION) for t in [cat.channel_type(i)]]
    return {
        "product": plans_df(spark),
        "terminal": terminals_df(spark),
        "channel": spark.createDataFrame(channels, "channel_id string, channel_name string, channel_type string, "
                                         "region_code string, commission_rate double"),
        "sp": spark.createDataFrame(cat.SPS, "sp_code string, sp_name string, service_code string, service_name string, price double"),
    }
