"""The run dashboard puts failed batches first and sums what ran, per batch and per day."""
import datetime as dt
from pathlib import Path
from types import SimpleNamespace as Row

from bass.core.batch import Batch
from bass.reports.runs import batches, daily_trends, runs_report, slowest_jobs
from bass.warehouse import bookkeeping, delta_io

T0 = dt.datetime(2026, 3, 2, 1, 0, 0)


def run(job, batch, status="SUCCESS", start=0, secs=10, written=100, rejected=0, kind="date", message=""):
    return Row(job=job, batch=batch, batch_kind=kind, batch_from=batch, batch_to=batch, status=status,
               started_at=T0 + dt.timedelta(minutes=start), ended_at=T0 + dt.timedelta(minutes=start, seconds=secs),
               rows_read=0, rows_written=written, rows_rejected=rejected, message=message)


def check(name, batch, status):
    return Row(check_name=name, subject="ods.cdr_voice", batch=batch, severity="critical", status=status, checked=5,
               failed=int(status == "FAIL"))


def test_failed_batches_come_first_and_a_rerun_that_succeeded_clears_the_failure():
    runs = [run("ods.cdr_voice", "2026-03-01", start=0), run("mid.user_usage_d", "2026-03-01", start=1),
            run("ods.cdr_voice", "2026-03-02", "FAILED", start=60, message="bad .verf"),
            run("ods.cdr_sms", "2026-03-03", "FAILED", start=120), run("ods.cdr_sms", "2026-03-03", start=130),
            run("ods.cdr_data", "2026-03-04", start=180)]
    checks = [check("verf_counts", "2026-03-04", "FAIL"), check("verf_counts", "2026-03-01", "PASS")]
    found = batches(runs, checks)
    assert [(b["batch"], b["failed"], b["failed_checks"]) for b in found] == [
        ("2026-03-04", [], 1), ("2026-03-02", ["ods.cdr_voice"], 0),     # failures first, newest first
        ("2026-03-03", [], 0), ("2026-03-01", [], 0)]
    assert found[3]["seconds"] == 20 and [c.status for c in found[3]["checks"]] == ["PASS"]
    assert found[2]["runs"][0].status == "FAILED"                       # the failed run leads its batch's list


def test_daily_trends_and_slowest_jobs():
    runs = [run("a", "2026-03-01", secs=10, written=5), run("b", "2026-03-01", secs=30, written=7, rejected=2),
            run("a", "2026-03-02", start=24 * 60, secs=20, written=1), run("b", "2026-03-02", "FAILED", start=24 * 60)]
    assert daily_trends(runs) == [(dt.date(2026, 3, 2), 40.0, 12, 2, 0), (dt.date(2026, 3, 3), 30.0, 101, 0, 1)]
    assert slowest_jobs(runs) == [("b", 1, 30.0, 30.0), ("a", 2, 20.0, 20.0)]


def test_the_page_from_the_bookkeeping_tables(ctx):
    bookkeeping.ensure_tables(ctx)
    ok = bookkeeping.Run(job="ods.cdr_voice", batch=Batch.of("date", "2026-03-01"), rows_written=42)
    bad = bookkeeping.Run(job="ods.cdr_sms", batch=Batch.of("date", "2026-03-02"), status="FAILED",
                          message="DeliveryError: the .verf says 10 records, the file has 9")
    delta_io.append_rows(ctx, bookkeeping.JOB_RUN, [ok.row(), bad.row()])
    path, found = runs_report(ctx, 28)
    page = Path(path).read_text(encoding="utf-8")
    assert [b["batch"] for b in found] == ["2026-03-02", "2026-03-01"]
    assert page.index("2026-03-02") < page.index("2026-03-01")
    assert "the .verf says 10 records" in page and "ods.cdr_voice" in page
