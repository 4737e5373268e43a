"""Reconciliation checks: disagreeing bills and unknown users are caught; critical stops, warn goes on."""
import datetime as dt
from decimal import Decimal as D

import pytest

from bass.core.batch import Batch
from bass.warehouse import quality
from bass.warehouse.bookkeeping import Run
from bass.warehouse.quality import Check, QualityError, Stage
from tests.unit.frames import put

FEB = Batch.of("month", "2026-02")
DAY = dt.date(2026, 1, 5)


def check(name):
    return next(c for s in quality.stages().values() for c in s.checks if c.name == name)


def usage_and_bills(ctx, cdr_days):
    # the CDRs' list fees against the bill's standard fees; actual fees differ by the plan's allowances
    fees = dict(batch_month="2026-02", sms_fee=D("1.00"), data_fee=D("2.00"), vas_fee=D("3.00"), cdr_days=cdr_days)
    put(ctx, "mid.user_usage_m", [
        dict(fees, msisdn="m1", user_id="U1", voice_std_fee=D("44.00"), total_fee=D("40.00")),
        dict(fees, msisdn="m2", user_id="U2", voice_std_fee=D("4.00"), total_fee=D("4.00")),
    ])
    put(ctx, "mid.user_bill_m", [
        dict(user_id="U1", batch_month="2026-02", usage_std_fee=D("50.20"), usage_fee=D("12.00")),   # within 0.50 + 1 %
        dict(user_id="U2", batch_month="2026-02", usage_std_fee=D("30.00"), usage_fee=D("30.00")),   # 20 more billed
    ])


def test_bill_disagreeing_with_cdrs_fails(ctx):
    usage_and_bills(ctx, cdr_days=28)
    [r] = quality.evaluate(ctx.spark, check("cdr_fee_vs_bill"), FEB).collect()
    assert (r.batch, r.status, r.checked, r.failed) == ("2026-02", "FAIL", 2, 1)
    assert "U2: CDRs 10.00 vs bill 30.00" in r.detail


def test_bill_check_skips_a_month_without_all_cdr_days(ctx):
    usage_and_bills(ctx, cdr_days=27)
    [r] = quality.evaluate(ctx.spark, check("cdr_fee_vs_bill"), FEB).collect()
    assert (r.status, r.checked, r.detail) == ("SKIPPED", 0, "not compared: CDRs cover 27 of 28 days")


def cdrs_with_an_unknown_user(ctx):
    cdr = dict(other_party="x", start_time=dt.datetime(2026, 1, 5, 9), duration=10, direction="MO", call_type="LOCAL",
               roam_type="HOME", other_net="ONNET", fwd_flag=0, std_fee=D(0), act_fee=D(0), batch_date=DAY)
    put(ctx, "ods.cdr_voice", [dict(cdr, msisdn="13800000001"), dict(cdr, msisdn="13999999999")])
    for name in ["ods.cdr_sms", "ods.cdr_data", "ods.vas_usage"]:
        put(ctx, name, [])
    put(ctx, "ods.user", [dict(user_id="U1", msisdn="13800000001", batch_date=DAY)])


def test_missing_user_reference_is_caught(ctx):
    cdrs_with_an_unknown_user(ctx)
    [r] = quality.evaluate(ctx.spark, check("cdr_msisdn_known"), Batch.of("date", "2026-01-05")).collect()
    assert (r.status, r.checked, r.failed) == ("FAIL", 2, 1)
    assert "13999999999" in r.detail


@pytest.mark.parametrize("severity", ["critical", "warn"])
def test_critical_failure_stops_the_job_a_warning_does_not(ctx, monkeypatch, severity):
    cdrs_with_an_unknown_user(ctx)
    stage = Stage("t", "date", (Check("cdr_msisdn_known", "sql/dq/cdr_msisdn_known.sql", severity),))
    monkeypatch.setattr(quality, "stages", lambda: {"t": stage})
    batch = Batch.of("date", "2026-01-05")
    run = Run("dq.t", batch)
    if severity == "critical":
        with pytest.raises(QualityError, match="cdr_msisdn_known 2026-01-05: 1 of 2 failed"):
            quality.run_stage(ctx, "t", batch, run)
    else:
        quality.run_stage(ctx, "t", batch, run)
        assert run.message.startswith("1 warning(s)")
    stored = ctx.spark.table("meta.dq_result").collect()
    assert [(r.check_name, r.batch, r.severity, r.status) for r in stored] == [("cdr_msisdn_known", "2026-01-05", severity, "FAIL")]


def test_two_stages_checking_other_interfaces_of_one_month_keep_each_others_results(ctx, monkeypatch, tmp_path):
    # the monthly and the feedback batches both run ods_counts_vs_verf for the same month, on
    # their own interfaces; the second must not replace the first's results
    sql = tmp_path / "same_check.sql"
    sql.write_text("select :month_from as batch, 1 as checked, 0 as failed, :interface as observed, "
                   "'' as expected, '' as detail", encoding="utf-8")
    same = Check("same_check", str(sql), "critical", for_each_interface="monthly")
    stages = {"m": Stage("m", "month", (same,), "monthly"), "fb": Stage("fb", "month", (same,), "feedback")}
    monkeypatch.setattr(quality, "stages", lambda: stages)
    for name in ("m", "fb", "m"):          # a rerun replaces its own rows only
        quality.run_stage(ctx, name, FEB, Run(f"dq.{name}", FEB))
    stored = {r.subject for r in ctx.spark.table("meta.dq_result").where("batch = '2026-02'").collect()}
    assert {"ods.bill", "ods.fb_retention"} <= stored
    assert len(stored) == len(quality.subjects(same, "monthly")) + len(quality.subjects(same, "feedback"))
