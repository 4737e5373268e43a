"""The rating engine, plan fit, its check against the bills, the what-if's adoption and the
survey sample, on tiny hand-built tables; every expected number is worked out by hand here."""
import math
from decimal import Decimal as D

import pytest
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.core.registry import table
from bass.marts.tariff import survey, whatif
from bass.marts.tariff.catalogue import PLAN_FIELDS, parse_proposal
from bass.warehouse import delta_io, quality, sql_runner
from tests.unit.frames import put

FEB = Batch.of("month", "2026-02")
M = "2026-02"
# a 4G national plan and a 2G local card (prices as in the simulated catalogue)
NAT = dict(plan_id="NAT", plan_name="全国58", brand="GOTONE", monthly_fee=D(58), incl_minutes=150, incl_sms=50,
           incl_data_mb=500, price_local_min=D("0.19"), price_ld_6s=D("0.07"), price_roam_min=D("0.39"),
           price_sms=D("0.10"), price_data_mb=D("0.029"), price_mms=D("0.30"), voice_rate=D("0.9"), net_gen="4G",
           scope="NATIONAL", origin="CATALOGUE", batch_month=M)
LOC = dict(NAT, plan_id="LOC", plan_name="本地8", brand="EASYOWN", monthly_fee=D(8), incl_minutes=0, incl_sms=0,
           incl_data_mb=0, price_local_min=D("0.15"), price_roam_min=D("0.49"), price_data_mb=D("0.05"),
           voice_rate=D("1.0"), net_gen="2G", scope="LOCAL")
HIGH = D(100)   # list fees high enough not to cap


def usage(user_id, plan_id, **q):
    base = dict(user_id=user_id, plan_id=plan_id, brand="GOTONE", net_gen="4G", region_code="571", local_min=D(0),
                local_std=HIGH, ld_units=D(0), ld_std=HIGH, roam_min=D(0), roam_std=HIGH, sms_n=D(0), mms_n=D(0),
                sms_std=HIGH, data_mb=D(0), data_std=HIGH, vas_yuan=D(0), vas_std=HIGH, batch_month=M)
    return {**base, **q}


def rated(ctx, name="dm.rerate_m"):
    df = delta_io.conform(sql_runner.select(ctx.spark, name, FEB.params()), table(name))
    delta_io.write(ctx, name, df, {"batch_month": [M]})
    return df


@pytest.fixture
def two_users(ctx):
    put(ctx, "mid.tariff_plan_m", [NAT, LOC])
    put(ctx, "mid.user_rating_usage_m", [
        # over every allowance of NAT
        usage("U1", "NAT", local_min=D(200), ld_units=D(100), roam_min=D(10), sms_n=D(60), mms_n=D(2), data_mb=D(600),
              vas_yuan=D(5), vas_std=D(5), bill_act_fee=D("85.86")),
        # exactly at NAT's allowances; the local minutes left cover long distance; capped by the list fee on LOC
        usage("U2", "LOC", brand="EASYOWN", net_gen="2G", local_min=D(100), ld_units=D(400), ld_std=D(20), sms_n=D(50),
              data_mb=D(500), vas_std=D(0), bill_act_fee=D("80.00")),
    ])
    return ctx


def test_rating_by_hand(two_users):
    got = {(r.user_id, r.plan_id): r for r in rated(two_users).collect()}
    u1 = got[("U1", "NAT")]
    # local (200-150)*0.19*0.9, ld 100*0.07*0.9 (no minutes left), roam 10*0.39*0.9, sms 10*0.10 + 2 MMS*0.30, data 100*0.029
    assert [u1.rent_fee, u1.local_call_fee, u1.ld_call_fee, u1.roam_fee, u1.sms_fee, u1.data_fee, u1.vas_fee] == \
        [D("58.00"), D("8.55"), D("6.30"), D("3.51"), D("1.60"), D("2.90"), D("5.00")]
    assert u1.total_fee == D("85.86") and u1.is_current
    assert got[("U1", "LOC")].total_fee == D("91.50")      # 8 + 30 + 7 + 4.90 + 6.60 + 30 + 5
    u2 = got[("U2", "NAT")]
    assert (u2.local_call_fee, u2.ld_call_fee, u2.sms_fee, u2.data_fee, u2.total_fee) == (D(0), D(0), D(0), D(0), D("58.00"))
    u2_loc = got[("U2", "LOC")]
    assert u2_loc.ld_call_fee == D("20.00")                 # 400*0.07 = 28, capped at the records' list fee
    assert u2_loc.total_fee == D("73.00") and u2_loc.is_current   # 8 + 15 + 20 + 5 + 25


def test_plan_fit_picks_the_cheapest(two_users):
    rated(two_users)
    got = {r.user_id: r for r in sql_runner.select(two_users.spark, "dm.plan_fit_m", FEB.params()).collect()}
    assert (got["U2"].best_plan_id, got["U2"].current_fee, got["U2"].best_fee, got["U2"].saving) == ("NAT", D("73.00"), D("58.00"), D("15.00"))
    assert (got["U2"].best_4g_national_plan_id, got["U2"].best_4g_local_plan_id) == ("NAT", None)
    assert (got["U1"].best_plan_id, got["U1"].saving) == ("NAT", D("0.00"))


def test_current_plan_check_fails_a_bill_the_engine_cannot_reproduce(two_users):
    rated(two_users)
    # the items a plan rates (rent and usage) are compared; a late fee is no plan's
    put(two_users, "mid.user_bill_m", [
        dict(user_id="U1", batch_month=M, rent_fee=D("50.00"), usage_fee=D("35.86"), late_fee=D("4.50"), bill_act_fee=D("90.36")),
        dict(user_id="U2", batch_month=M, rent_fee=D("50.00"), usage_fee=D("30.00"), bill_act_fee=D("80.00")),  # re-rated 73.00
        dict(user_id="U3", batch_month=M, rent_fee=D("10.00"), usage_fee=D("0.00"), bill_act_fee=D("10.00"))])  # no plan
    check = next(c for c in quality.stage("tariff_m").checks if c.name == "rerate_current_vs_bill")
    [r] = quality.evaluate(two_users.spark, check, FEB).collect()
    assert (r.status, r.checked, r.failed) == ("FAIL", 3, 2)
    assert r.observed.startswith("33.33 % of users within 1.0 %")
    assert r.detail.startswith("U3 re-rated none vs bill 10.0; U2 re-rated 73.0 vs bill 80.0")


def test_current_plan_rerating_reproduces_the_simulated_bill(ctx):
    """The simulator rates its bills itself (simulator.monthly.rated); BASS re-rates the usage
    summary it delivers and must land on the same totals."""
    from bass.devkit.simulator import monthly as mo
    from bass.devkit.simulator.population import plans_df
    spark = ctx.spark
    plans = plans_df(spark)
    rng = spark.range(60).select(F.col("id"), F.concat(F.lit("U"), F.col("id")).alias("user_id"), F.lit(M).alias("month"))
    h = lambda salt, mod: (F.abs(F.xxhash64(F.lit(salt), "id")) % mod).cast("double")  # noqa: E731
    items = rng.select("id", "user_id", "month", *[c for item in mo.USAGE_ITEMS for c in (
        (h(item + "n", 5) + 1).cast("long").alias(f"n_{item}"), (h(item + "s", 9000) / 100).alias(f"std_{item}"),
        (h(item + "q", 700) if item != "DATA" else h(item + "q", 400000) / 97).alias(f"qty_{item}"))],
        h("nm", 2).cast("long").alias("n_mms"), (h("sm", 90) / 100).alias("std_mms"))
    # as in the simulator: MMS records are some of the SMS item's records, outgoing MMS are MMS records
    items = (items.withColumn("n_mms", F.least("n_mms", F.col("n_SMS") - 1)).withColumn("mms", F.least(h("mms", 4), F.col("n_mms").cast("double")))
             .withColumn("std_mms", F.when(F.col("n_mms") > 0, F.least("std_mms", "std_SMS")).otherwise(0.0)))
    plan_ids = [r.plan_id for r in plans.collect()]
    items = items.withColumn("plan_id", F.element_at(F.array(*[F.lit(p) for p in plan_ids]), (F.col("id") % len(plan_ids) + 1).cast("int")))
    lines = mo.rated(items, plans.drop("brand"))
    bills = (lines.groupBy("id").agg(F.sum("act_fee").alias("usage_fee")).join(items.select("id", "user_id", "plan_id"), "id", "right")
             .join(plans.select("plan_id", "monthly_fee"), "plan_id")
             .select("user_id", (F.coalesce("usage_fee", F.lit(0.0)) + F.col("monthly_fee")).cast("decimal(14,2)").alias("bill_act_fee")))
    def write(name, df):   # the declared columns, those the frame lacks null
        df = df.withColumn("batch_month", F.lit(M))
        cols = [F.col(c.name) if c.name in df.columns else F.lit(None).alias(c.name) for c in table(name).columns]
        delta_io.write(ctx, name, df.select(*cols), {"batch_month": [M]})
    write("mid.tariff_plan_m", plans.withColumn("origin", F.lit("CATALOGUE")))
    write("ods.usage_m", mo.usage_summary(items.select("id", "user_id"), items.drop("user_id"), M))
    write("mid.user_bill_m", bills)
    write("mid.user_profile_m", items.select("user_id", "plan_id"))
    rated(ctx, "mid.user_rating_usage_m")
    rr = rated(ctx)
    current = {r.user_id: r.total_fee for r in rr.where("is_current").collect()}
    billed = {r.user_id: r.bill_act_fee for r in bills.collect()}
    assert len(current) == len(billed) == 60
    assert all(abs(current[u] - billed[u]) <= D("0.01") for u in billed), \
        [(u, current[u], billed[u]) for u in billed if abs(current[u] - billed[u]) > D("0.01")][:5]


def test_rerating_twice_gives_the_same_rows(two_users):
    first = sorted(map(tuple, rated(two_users).collect()))
    assert sorted(map(tuple, rated(two_users).collect())) == first


def test_a_proposal_names_what_is_wrong():
    good = {"id": "p", "plan": {k: ("4G" if k == "net_gen" else "LOCAL" if k == "scope" else "x" if t == "string" else 1)
                               for k, t in PLAN_FIELDS.items()}}
    assert parse_proposal(good, "p.yml").plan_id == "P"
    with pytest.raises(ValueError, match="p.yml: plan lacks price_mms"):
        parse_proposal({"id": "p", "plan": {k: v for k, v in good["plan"].items() if k != "price_mms"}}, "p.yml")
    with pytest.raises(ValueError, match="scope must be one of LOCAL, NATIONAL"):
        parse_proposal({"id": "p", "plan": {**good["plan"], "scope": "WORLD"}}, "p.yml")
    with pytest.raises(ValueError, match="monthly_fee must be a number >= 0"):
        parse_proposal({"id": "p", "plan": {**good["plan"], "monthly_fee": -5}}, "p.yml")


def test_adoption_is_the_configured_logit(spark):
    p = parse_proposal({"id": "p", "plan": {k: ("4G" if k == "net_gen" else "LOCAL" if k == "scope" else "x" if t == "string" else 1)
                                            for k, t in PLAN_FIELDS.items()}}, "p.yml")
    params = {"intercept": -3.0, "saving": 6.0, "upgrade": 0.8, "churn_reduction": 0.5, "source": "conf"}
    df = spark.createDataFrame([("A", 100.0, 70.0, "2G", 0.2, "s", "GOTONE", "571"), ("B", 50.0, 60.0, "4G", 0.0, "s", "GOTONE", "571")],
                               "user_id string, current_fee double, new_fee double, net_gen string, churn_prob double, "
                               "segment string, brand string, region_code string")
    got = {r.user_id: r for r in whatif.with_adoption(df, p, params).collect()}
    pa = 1 / (1 + math.exp(-(-3.0 + 6.0 * 0.3 + 0.8)))        # saves 30 %, a 2G user offered 4G
    pb = 1 / (1 + math.exp(-(-3.0 + 6.0 * -0.2)))             # pays 20 % more
    assert got["A"].p_adopt == pytest.approx(pa) and got["B"].p_adopt == pytest.approx(pb)
    assert got["A"].revenue_change == pytest.approx(pa * -30.0)
    assert got["A"].retained_users == pytest.approx(pa * 0.2 * 0.5)
    [overall] = [r for r in whatif.effects(whatif.with_adoption(df, p, params), p, M, params).collect() if r.dimension == "all"]
    assert (overall.target_users, overall.better_off_users) == (2, 1)
    assert float(overall.net_revenue_change) == pytest.approx(pa * -30 + pb * 10 + pa * 0.1 * 70, abs=0.01)


def test_survey_sample_is_stratified_and_reproducible(spark):
    p = parse_proposal({"id": "p", "plan": {k: ("4G" if k == "net_gen" else "LOCAL" if k == "scope" else "x" if t == "string" else 1)
                                            for k, t in PLAN_FIELDS.items()}}, "p.yml")
    users = spark.range(1000).select(F.concat(F.lit("U"), F.col("id")).alias("user_id"),
                                     F.when(F.col("id") < 600, "a").when(F.col("id") < 900, "b").otherwise("c").alias("stratum"))
    s1 = survey.draw_sample(users, p, 100, seed=5)
    by = {r.stratum: (r.n, r.w) for r in s1.groupBy("stratum").agg(F.count(F.lit(1)).alias("n"), F.max("weight").alias("w")).collect()}
    assert by == {"a": (60, 10.0), "b": (30, 10.0), "c": (10, 10.0)}
    ids = lambda df: sorted(r.user_id for r in df.collect())  # noqa: E731
    assert ids(survey.draw_sample(users, p, 100, seed=5)) == ids(s1)
    assert ids(survey.draw_sample(users, p, 100, seed=6)) != ids(s1)


def test_adoption_fit_recovers_a_known_logit():
    import random
    rnd = random.Random(3)
    rows = []
    for _ in range(4000):
        x = rnd.uniform(-0.5, 0.6)
        rows.append((x, 0.8, 1.0, 1.0 if rnd.random() < 1 / (1 + math.exp(-(-2.2 + 7.0 * x + 0.8))) else 0.0))
    a, b = survey.logit_fit(rows)
    assert a == pytest.approx(-2.2, abs=0.25) and b == pytest.approx(7.0, abs=0.8)


def test_each_sales_task_rule_on_a_hand_built_user(ctx):
    """Each rule of seed 003's task model (docs/domain.md §6.6) on users built for it; figures by hand."""
    import datetime as dt
    day, next_day, src = dt.date(2026, 6, 29), dt.date(2026, 6, 30), "2026-05"
    users = {   # user -> (snapshot, profile, terminal, usage)
        "C3": {"end": "2026-09"}, "C1": {"end": "2026-07"}, "C0": {"end": "2026-06"}, "CM1": {"end": "2026-05"},
        "CM2": {"end": "2026-04"}, "S": {"sim": "SIM"}, "H": {"gen": "3G", "lte": 1}, "G2": {"gen": "2G"},
        "V": {}, "W": {}, "F": {"fwd_s": 600}, "FC": {"fwd_calls": 9, "fwd_s": 100}, "N": {},
    }
    snap = lambda u, o, d: dict(user_id=u, msisdn="m" + u, plan_id="GT88", net_gen=o.get("gen", "4G"),  # noqa: E731
                                sim_type=o.get("sim", "USIM"), status="NORMAL", batch_date=d)
    put(ctx, "ods.user", [snap(u, o, day) for u, o in users.items()]
        + [snap(u, {**o, "sim": "USIM"} if u == "S" else o, next_day) for u, o in users.items()])   # S changed the SIM
    put(ctx, "mid.user_profile_m", [dict(user_id=u, brand="GOTONE", contract_type="PHONE_CREDIT" if "end" in o else None,
                                         contract_end_month=o.get("end"), batch_month=src) for u, o in users.items()])
    put(ctx, "mid.user_terminal_m", [dict(user_id=u, lte_capable=o.get("lte", 0), model="X1", batch_month=src) for u, o in users.items()])
    put(ctx, "dm.plan_fit_m", [dict(user_id=u, batch_month=src) for u in users])    # marks the closed month
    # the charges of the last three closed months (and one before them, which must not count): the current
    # plan GT88 50 a month; the 4G local plan EO38 36/38/40 (mean 38), for G2 30/30/60 (mean 40, though the
    # dearest plan in the last month alone); the 4G national plan GT58 45; OLD is no longer in the catalogue
    fees = {"2026-02": {"GT88": 50, "EO38": 1, "GT58": 45}, "2026-03": {"GT88": 50, "EO38": 36, "GT58": 45, "OLD": 2},
            "2026-04": {"GT88": 50, "EO38": 38, "GT58": 45}, "2026-05": {"GT88": 50, "EO38": 40, "GT58": 45}}
    g2_local = {"2026-02": 1, "2026-03": 30, "2026-04": 30, "2026-05": 60}
    put(ctx, "dm.rerate_m", [dict(user_id=u, plan_id=plan, origin="CATALOGUE", is_current=plan == "GT88",
                                  total_fee=D(g2_local[m] if (u, plan) == ("G2", "EO38") else fee), batch_month=m)
                             for u in users for m, plans in fees.items() for plan, fee in plans.items()])
    put(ctx, "mid.tariff_plan_m", [dict(NAT, plan_id=p, plan_name=n, net_gen=g, scope=sc, batch_month=src)
                                   for p, n, g, sc in [("GT88", "全球通88", "3G", "NATIONAL"), ("EO38", "神州行38", "4G", "LOCAL"),
                                                       ("GT58", "全球通58", "4G", "NATIONAL")]])
    # the year-end snapshot (2025-12): V of tier A and G2 with ARPU 60; W reached tier A only in May
    put(ctx, "dm.user_value_m", [dict(user_id="V", arpu=D(200), value_tier="A", batch_month="2025-12"),
                                 dict(user_id="G2", arpu=D(60), value_tier="C", batch_month="2025-12"),
                                 dict(user_id="W", arpu=D(40), value_tier="C", batch_month="2025-12"),
                                 dict(user_id="W", arpu=D(300), value_tier="A", batch_month=src),
                                 dict(user_id="V", arpu=D(30), value_tier="C", batch_month=src)])
    put(ctx, "mid.user_usage_m", [dict(user_id=u, voice_calls=10, voice_seconds=1000, fwd_offnet_calls=o.get("fwd_calls", 0),
                                       fwd_offnet_seconds=o.get("fwd_s", 0), batch_month=src) for u, o in users.items()])
    put(ctx, "mid.campaign_response_m", [dict(campaign_id="retention", user_id=u, grp="treated", contacted=True, responded=True,
                                              offer_taken="RET_OFFER", intention="STAY", has_feedback=True, batch_month="2026-04")
                                         for u in ("V", "C3")])

    def tasks_of(day: str, **overrides):
        params = {**Batch.of("date", day).params(), **sql_runner.configured(ctx.cfg, "out.sales_task_d"),
                  "high_value_tier": "A", "high_value_arpu": 50, "fwd_offnet_share": 0.5, "fit_months": 3,
                  "snapshot_month_of_year": 12, **overrides}
        return delta_io.conform(sql_runner.select(ctx.spark, "out.sales_task_d", params), table("out.sales_task_d")).collect()
    got = {(r.msisdn[1:], r.task_type, r.task_subtype): r for r in tasks_of("2026-06-29")}
    assert set(got) == {
        ("C3", "CONTRACT", "ENDS_IN_3M"), ("C1", "CONTRACT", "ENDS_IN_1M"), ("C0", "CONTRACT", "ENDS_THIS_MONTH"),
        ("CM1", "CONTRACT", "ENDED_LAST_MONTH"), ("CM2", "CONTRACT", "PLAIN_SIM"), ("S", "MIGRATE_4G", "CHANGE_SIM"),
        ("H", "MIGRATE_4G", "LTE_HANDSET_NO_4G"), ("H", "MIGRATE_4G", "3G_TO_4G_NATIONAL"),
        ("G2", "MIGRATE_4G", "2G_TO_4G_LOCAL"), ("G2", "MIGRATE_4G", "2G_TO_4G_NATIONAL"),
        ("G2", "HIGH_VALUE", "2G_HIGH_ARPU"), ("V", "HIGH_VALUE", "3G4G_HIGH_VALUE"), ("F", "CHURN_WARN", "FORWARD_OFFNET")}
    # contract tasks carry the contract, the plan advice and the last retention result
    c3 = got[("C3", "CONTRACT", "ENDS_IN_3M")]
    assert c3.reason == "合约(购机送费)3个月后到期，未续约，推荐 EO38 每月可省 12.00元"
    assert (c3.recommended_plan_id, c3.recommended_plan_name, c3.plan_saving, c3.last_retention_result) == (
        "EO38", "神州行38", D("12.00"), "2026-04 RET_OFFER / STAY")
    h = got[("H", "MIGRATE_4G", "3G_TO_4G_NATIONAL")]
    assert (h.recommended_plan_id, h.recommended_plan_name, h.plan_saving, h.source_month) == ("GT58", "全球通58", D("5.00"), src)
    # 2G users: the best 4G local plan by the three months' mean (40), and the best 4G national plan
    assert (got[("G2", "MIGRATE_4G", "2G_TO_4G_LOCAL")].recommended_plan_id, got[("G2", "MIGRATE_4G", "2G_TO_4G_LOCAL")].plan_saving) == (
        "EO38", D("10.00"))
    assert (got[("G2", "MIGRATE_4G", "2G_TO_4G_NATIONAL")].recommended_plan_id,
            got[("G2", "MIGRATE_4G", "2G_TO_4G_NATIONAL")].plan_saving) == ("GT58", D("5.00"))
    # a plan fit of the last month alone would pick GT58 for G2 (60 > 45); of two months EO38 at 45 = GT58 at 45
    one = {(r.msisdn[1:], r.task_subtype): r for r in tasks_of("2026-06-29", fit_months=1)}
    assert one[("G2", "2G_TO_4G_LOCAL")].plan_saving == D("-10.00")
    assert one[("C3", "ENDS_IN_3M")].plan_saving == D("10.00")
    # the high-value list is the year-end snapshot's, not the last month's
    v = got[("V", "HIGH_VALUE", "3G4G_HIGH_VALUE")]
    assert v.reason == "2025-12拍照高价值用户(价值等级 A)，推荐 EO38 每月可省 12.00元"
    assert v.last_retention_result == "2026-04 RET_OFFER / STAY"
    assert got[("G2", "HIGH_VALUE", "2G_HIGH_ARPU")].reason.startswith("2025-12拍照高价值用户(ARPU 60.00元)")
    may = {(r.msisdn[1:], r.task_type) for r in tasks_of("2026-06-29", snapshot_month_of_year=5)}
    assert ("W", "HIGH_VALUE") in may and ("V", "HIGH_VALUE") not in may
    # forwarded traffic, not forwarded calls: F forwards 60 % of its minutes, FC 9 of 10 calls but 10 % of its minutes
    f = got[("F", "CHURN_WARN", "FORWARD_OFFNET")]
    assert f.reason == "呼转异网话务量占总话务量 60%，疑似使用他网号码，推荐 EO38 每月可省 12.00元"
    # the next day: the SIM is changed, its task is gone
    assert {(r.msisdn[1:], r.task_subtype) for r in tasks_of("2026-06-30")} == {(u, s) for u, _, s in got} - {("S", "CHANGE_SIM")}
