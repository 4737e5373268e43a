"""The warehouse end to end on a tiny simulated province: a daily backfill in one pass per job,
the monthly batch through every layer, labels filled once the next month is loaded, the
reconciliation results stored, GBK deliveries intact, and KPIs that agree with a hand computation from the raw files."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from math import ceil
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.core.interfaces import interface
from bass.devkit.simulator.generate import generate
from bass.orchestration.graph import ancestors, dependencies, load_pipeline
from bass.orchestration.pipeline import run_pipeline, step_value
from bass.orchestration.runs import batch_kind, run_step
from tests.conftest import context_for

START = dt.date(2026, 1, 1)
DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"]


@pytest.fixture(scope="module")
def province(spark, tmp_path_factory):
    ctx = context_for(spark, tmp_path_factory.mktemp("warehouse"))
    generate(spark, ctx.cfg.path("landing"), 400, START, 3, 2, 5, ctx.cfg.province, ctx.cfg.path("truth"))
    return ctx


def raw(ctx, code: str, token: str) -> list[dict]:
    """A delivery's records parsed by hand from its .dat files."""
    spec = interface(code)
    files = sorted(Path(ctx.cfg.path("landing"), code).glob(f"{code}_571_{token}_00_00_*.dat"))
    assert files, f"no {code} delivery {token}"
    lines = [ln for f in files for ln in f.read_bytes().decode(spec.encoding).splitlines()]
    return [dict(zip(spec.field_names(), ln.split("|"))) for ln in lines]


def test_daily_backfill_runs_each_job_once_over_the_range(province):
    status = run_pipeline(province, "daily", DAYS)
    assert set(status.values()) == {"SUCCESS"}, status
    runs = province.spark.table("meta.job_run").where("batch_kind = 'date'").collect()
    assert Counter(r.job for r in runs) == Counter(list(status)), "one run per job, not one per day"
    assert {(r.batch_from, r.batch_to) for r in runs} == {(DAYS[0], DAYS[-1])}
    days = {r[0].isoformat() for r in province.spark.table("dm.kpi_d").select("batch_date").distinct().collect()}
    assert days == set(DAYS)
    again = run_pipeline(province, "daily", DAYS)
    assert set(again.values()) == {"SKIPPED", "UP_TO_DATE"}, again


def test_daily_kpis_agree_with_the_raw_cdr_files(province):
    for d in DAYS:
        calls = raw(province, "cdr_voice", d.replace("-", ""))
        # 6-second units for long distance (free under 3 s), minutes otherwise
        billed = sum(0 if c["call_type"] == "LD" and int(c["duration"]) < 3 else
                     ceil(int(c["duration"]) / (6 if c["call_type"] == "LD" else 60)) * (6 if c["call_type"] == "LD" else 60)
                     for c in calls)
        got = province.spark.table("dm.kpi_d").where(F.col("batch_date") == d).agg(
            F.sum("voice_calls"), F.sum("voice_seconds"), F.sum("billed_minutes")).first()
        assert (got[0], got[1], float(got[2])) == (len(calls), sum(int(c["duration"]) for c in calls),
                                                   pytest.approx(billed / 60, abs=0.05 * len(calls) / 60 + 0.01))


def test_monthly_batch_runs_every_layer_and_labels_fill_later(province):
    jan = run_pipeline(province, "monthly", "2026-01")
    assert set(jan.values()) == {"SUCCESS"}, jan
    wide = province.spark.table("dm.user_wide_m")
    assert wide.where("batch_month = '2026-01'").count() > 0
    assert wide.where("batch_month = '2026-01' and churn_1m is not null").count() == 0, "February is not loaded yet"
    jan_features = features_of(province, "2026-01")

    feb = run_pipeline(province, "monthly", "2026-02")
    assert set(feb.values()) == {"SUCCESS"}, feb
    # churn_1m of January by hand: in the network at the end of January, closed by the end of February
    jan_end = {u["user_id"]: u for u in raw(province, "user", "20260131")}
    feb_end = {u["user_id"]: u for u in raw(province, "user", "20260228")}
    expected = {uid for uid, u in jan_end.items() if u["status"] != "CLOSED" and feb_end[uid]["status"] == "CLOSED"}
    labelled = {r.user_id: r.churn_1m for r in wide.where("batch_month = '2026-01'").collect()}
    assert set(labelled) == {uid for uid, u in jan_end.items() if u["status"] != "CLOSED"}
    assert {uid for uid, churned in labelled.items() if churned} == expected and expected

    # no leakage: rebuilding January's MID and DM under the wide table with February loaded gives
    # the same features (only labels differ); the ODS deliveries are the same files, so they are not reloaded
    feeding_wide = ancestors({k: set(v) for k, v in dependencies().items()}, "dm.user_wide_m") | {"dm.user_wide_m"}
    for node in load_pipeline("monthly").nodes:
        if node.step.split(".")[0] in ("mid", "dm") and node.step in feeding_wide:
            run = run_step(province, node.step, Batch(batch_kind(node.step), (step_value(node, "2026-01"),)), True)
            assert run.status == "SUCCESS", node.step
    assert features_of(province, "2026-01") == jan_features


def test_gbk_deliveries_load_intact(province):
    """The customer file comes in GBK (as BOSS sends it); the Chinese names arrive unchanged."""
    [dat] = Path(province.cfg.path("landing"), "customer").glob("customer_571_202601_00_00_*.dat")
    in_file = sorted(line.split("|")[1] for line in dat.read_bytes().decode("gbk").splitlines())
    loaded = sorted(r.cust_name for r in province.spark.table("ods.customer").where("batch_month = '2026-01'").collect())
    assert loaded == in_file and any("\u4e00" <= ch <= "\u9fff" for ch in loaded[0])
    assert province.spark.table("ods.user").where(F.col("batch_date") == "2026-01-31").count() > 0


def features_of(ctx, month: str) -> list:
    cols = [c for c in ctx.spark.table("dm.user_wide_m").columns if c not in ("churn_1m", "churn_3m")]
    return sorted(tuple(r) for r in ctx.spark.table("dm.user_wide_m").where(F.col("batch_month") == month).select(*cols).collect())


def test_monthly_kpis_agree_with_the_raw_files(province):
    users = {u["user_id"]: u for u in raw(province, "user", "20260228")}
    revenue, in_net, churned = defaultdict(Decimal), Counter(), Counter()
    for line in raw(province, "bill", "202602"):
        revenue[users[line["user_id"]]["brand"]] += Decimal(line["act_fee"])
    for u in users.values():
        if u["status"] != "CLOSED":
            in_net[u["brand"]] += 1
        elif u["status_date"].startswith("202602"):
            churned[u["brand"]] += 1
    got = {r.brand: r for r in province.spark.table("dm.kpi_m").where("batch_month = '2026-02'").groupBy("brand")
           .agg(F.sum("revenue").alias("revenue"), F.sum("users_in_net").alias("in_net"),
                F.sum("churned_users").alias("churned")).collect()}
    assert {b: r.revenue for b, r in got.items()} == dict(revenue)
    assert {b: r.in_net for b, r in got.items()} == dict(in_net)
    assert {b: r.churned for b, r in got.items()} == {b: churned.get(b, 0) for b in got}
    # churn rate: the month's closures over the users it served (in the network on Feb 1, or opened in February)
    at_start = [u for u in raw(province, "user", "20260131") if u["status"] != "CLOSED"]
    opened = [u for u in users.values() if u["open_date"].startswith("202602")]
    served = len(at_start) + len(opened)
    rate = province.spark.table("dm.kpi_cube_m").where("batch_month = '2026-02' and rollup_level = 4").first().churn_rate
    assert rate == (Decimal(sum(churned.values())) / served).quantize(Decimal("0.00001")) and served > 0


def test_revenue_structure_and_payment_kinds_agree_with_the_raw_files(province):
    """Revenue by reporting group (统计帐目) and item, late and card fees, and the payments BOSS took
    elsewhere (异地代收 / 代收异地) or for other parties (代收), from the raw files by hand."""
    groups = province.cfg.get("revenue.item_groups")
    by_group, by_item = defaultdict(Decimal), defaultdict(Decimal)
    for line in raw(province, "bill", "202602"):
        by_group[groups.get(line["item_code"], "other")] += Decimal(line["act_fee"])
        by_item[line["item_code"]] += Decimal(line["act_fee"])
    kpi = province.spark.table("dm.kpi_m").where("batch_month = '2026-02'").agg(
        *[F.sum(c).alias(c) for c in ["voice_revenue", "sms_revenue", "data_revenue", "vas_revenue", "late_fee", "card_fee",
                                      "pay_for_others", "pay_remote", "collected_for_remote", "pay_entrusted"]]).first()
    assert {g: kpi[f"{g}_revenue"] for g in ("voice", "sms", "data", "vas")} == {g: by_group[g] for g in ("voice", "sms", "data", "vas")}
    assert (kpi.late_fee, kpi.card_fee) == (by_item["LATE_FEE"], by_item["CARD_FEE"]) and kpi.late_fee > 0 and kpi.card_fee > 0
    items = {r.item_code: r.revenue for r in province.spark.table("dm.revenue_m").where("batch_month = '2026-02'")
             .groupBy("item_code").agg(F.sum("revenue").alias("revenue")).collect()}
    assert items == dict(by_item)
    home = {u["user_id"]: u["region_code"] for u in raw(province, "user", "20260228")}
    pays = raw(province, "payment", "202602")
    for_others = sum(Decimal(p["amount"]) for p in pays if p["payee"])
    remote = sum(Decimal(p["amount"]) for p in pays if not p["payee"] and p["collect_region"] not in ("", home[p["user_id"]]))
    entrusted = sum(Decimal(p["amount"]) for p in pays if not p["payee"] and p["channel"] == "ENTRUSTED")
    assert (kpi.pay_for_others, kpi.pay_remote, kpi.collected_for_remote, kpi.pay_entrusted) == (
        for_others, remote, remote, entrusted)
    assert for_others > 0 and remote > 0 and entrusted > 0


def test_roaming_agrees_with_the_raw_cdr_files(province):
    """漫游费 = 漫游通话费 + 漫游长途费 for our users roaming; visitors domestic and from abroad apart."""
    calls = [c for d in DAYS for c in raw(province, "cdr_voice", d.replace("-", ""))]
    fee = lambda keep: sum((Decimal(c["act_fee"]) for c in calls if keep(c)), Decimal("0.00"))  # noqa: E731
    ours = ("PROV", "NATIONAL", "INTL")
    want = dict(roam_call_fee=fee(lambda c: c["roam_type"] in ours and c["call_type"] == "LOCAL"),
                roam_ld_fee=fee(lambda c: c["roam_type"] in ours and c["call_type"] == "LD"),
                roam_intl_fee=fee(lambda c: c["roam_type"] == "INTL"),
                visit_fee=fee(lambda c: c["roam_type"] in ("VISIT", "VISIT_INTL")),
                visit_intl_fee=fee(lambda c: c["roam_type"] == "VISIT_INTL"))
    got = province.spark.table("dm.kpi_m").where("batch_month = '2026-01'").agg(
        *[F.sum(k).alias(k) for k in want]).first().asDict()
    assert got == want and all(v > 0 for v in want.values())


def test_bad_and_doubtful_debt_agree_with_the_raw_files(province):
    """Bad debt (坏帐) is what BOSS wrote off in the month; doubtful debt (呆帐) the month-end
    arrears older than 90 days, which never include written-off arrears."""
    written_off = sum(Decimal(w["amount"]) for w in raw(province, "writeoff", "202602"))
    aged = sum(Decimal(b["arrears_amt"]) for b in raw(province, "balance", "202602") if int(b["arrears_days"]) > 90)
    kpi = province.spark.table("dm.kpi_m").where("batch_month = '2026-02'").agg(
        F.sum("bad_debt").alias("bad"), F.sum("doubtful_debt").alias("doubtful")).first()
    assert (kpi.bad, kpi.doubtful) == (written_off, aged) and written_off > 0 and aged > 0


def test_reissued_numbers_are_counted_once_per_holder(province):
    """The simulator re-issues closed numbers; each user of February has one wide-table row and
    the month's KPIs count every user once (no fan-out through the shared MSISDN)."""
    feb_end = raw(province, "user", "20260228")
    holders = Counter(u["msisdn"] for u in feb_end)
    reissued = {m for m, n in holders.items() if n > 1}
    assert reissued, "the simulator re-issued no number"
    assert all(sorted(u["status"] == "CLOSED" for u in feb_end if u["msisdn"] == m) == [False, True] for m in reissued)
    wide = province.spark.table("dm.user_wide_m").where("batch_month = '2026-02'")
    assert wide.count() == wide.select("user_id").distinct().count() == sum(u["status"] != "CLOSED" for u in feb_end)
    assert wide.where(F.col("msisdn").isin(*reissued)).count() == len(reissued)
    users = province.spark.table("dm.kpi_m").where("batch_month = '2026-02'").agg(F.sum("users_in_net")).first()[0]
    assert users == sum(u["status"] != "CLOSED" for u in feb_end)


def test_daily_kpis_add_up_to_the_month(province):
    """dm.kpi_d and dm.kpi_m count the same CDRs (unknown MSISDNs kept in both) with the same names."""
    measures = ["voice_calls", "voice_seconds", "billed_minutes", "sms_count", "data_kb", "data_up_kb", "data_down_kb",
                "visit_calls", "visit_fee", "offnet_fee", "cdr_fee"]
    daily = (province.spark.table("dm.kpi_d").where(F.col("batch_date").between(DAYS[0], DAYS[-1]))
             .agg(*[F.sum(m).alias(m) for m in measures]).first())
    monthly = province.spark.table("dm.kpi_m").where("batch_month = '2026-01'").agg(*[F.sum(m).alias(m) for m in measures]).first()
    assert daily.asDict() == monthly.asDict() and daily.cdr_fee > 0


def test_reconciliation_results_are_stored_and_pass(province):
    results = province.spark.table("meta.dq_result").collect()
    by_check = defaultdict(set)
    for r in results:
        by_check[r.check_name].add(r.status)
    assert set(by_check) == {"ods_counts_vs_verf", "cdr_msisdn_known", "bill_user_known", "payment_user_known",
                             "cdr_fee_vs_bill", "user_count_layers", "delivery_volume", "keys"}
    assert all(statuses <= {"PASS", "SKIPPED"} for statuses in by_check.values()), dict(by_check)
    assert by_check["cdr_fee_vs_bill"] == {"SKIPPED"}, "no month here has all its CDR days"


def test_tariffs_rerate_every_bill_and_a_survey_goes_round_trip(province):
    """The rating engine reproduces the simulated bills; a survey sample goes to BOSS, the
    simulator answers it, the answers load and the evaluation counts them."""
    from bass.devkit.simulator.survey import answer
    from bass.marts.tariff import survey
    from bass.marts.tariff.catalogue import proposal
    status = run_pipeline(province, "tariff", ["2026-01", "2026-02"])
    assert set(status.values()) == {"SUCCESS"}, status
    spark = province.spark
    check = spark.table("meta.dq_result").where("check_name = 'rerate_current_vs_bill'").collect()
    billed = spark.table("mid.user_bill_m").groupBy("batch_month").count().collect()
    assert {(r.batch, r.checked, r.failed) for r in check} == {(r.batch_month, r["count"], 0) for r in billed}
    plans = spark.table("mid.tariff_plan_m").where("batch_month = '2026-02'")
    feb_bills = spark.table("mid.user_bill_m").where("batch_month = '2026-02'").count()
    assert spark.table("dm.rerate_m").where("batch_month = '2026-02'").count() == feb_bills * plans.count()

    p = proposal("mz38_national")
    done = survey.sample(province, p, "2026-02", 40)
    sent = spark.table("out.tariff_survey_m").where("batch_month = '2026-02'")
    assert done["sampled"] == sent.count() > 0
    outfile = next(Path(province.cfg.path("outbox"), "boss_tariff_survey_m").glob("*.dat"))
    first = outfile.read_text(encoding="utf-8").splitlines()[0].split("|")
    assert len(first) == len(interface("boss_tariff_survey_m").fields)   # exactly the interface's fields leave
    answer(spark, province.cfg.path("outbox"), province.cfg.path("landing"), province.cfg.path("truth"),
           province.cfg.province, "2026-02", seed=5)
    assert set(run_pipeline(province, "survey", "2026-02").values()) == {"SUCCESS"}
    fb = raw(province, "fb_survey", "202602")
    [ev] = spark.table("dm.survey_eval_m").where("stratum = 'ALL'").collect()
    assert (ev.sampled, ev.reached, ev.accepted) == (
        len(fb), sum(r["reached"] == "Y" for r in fb), sum(r["accepted"] == "Y" for r in fb))
    assert ev.acceptance_lo <= ev.acceptance <= ev.acceptance_hi
    before = sorted(map(tuple, spark.table("dm.survey_eval_m").collect()))
    run_pipeline(province, "survey", "2026-02", force=True)
    assert sorted(map(tuple, spark.table("dm.survey_eval_m").collect())) == before
