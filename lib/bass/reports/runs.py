"""`bass report runs`: the run dashboard, one self-contained HTML page (no server).

What an operator opens in the morning: every batch of the last weeks with its jobs (status,
duration, rows read, written and rejected, the error of a failed job) and its data-quality
results, the batches with a failure or a failed check on top; and the trends (time per day,
rows written and rejected per day, the slowest jobs). Read from meta.job_run and
meta.dq_result through the bookkeeping module; only a few weeks of runs reach the driver.
"""
from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict

from bass.core.status import Status
from bass.reports.html import bar_chart, line_chart, save, table
from bass.warehouse import bookkeeping

FAILED = (Status.FAILED, Status.FAIL)


def _secs(r) -> float:
    return max(0.0, (r.ended_at - r.started_at).total_seconds()) if r.ended_at and r.started_at else 0.0


def batches(runs: list, checks: list) -> list[dict]:
    """One entry per batch (kind, value): its runs newest first and its checks, failures first;
    batches with a failed job or check come first, then the newest."""
    by_batch = defaultdict(lambda: {"runs": [], "checks": []})
    for r in runs:
        by_batch[(r.batch_kind, r.batch)]["runs"].append(r)
    for c in checks:
        for b in by_batch.values():
            if b["runs"][0].batch_from <= c.batch <= b["runs"][0].batch_to:
                b["checks"].append(c)
    out = []
    for (kind, value), b in by_batch.items():
        latest = {}
        for r in sorted(b["runs"], key=lambda r: r.started_at):
            latest[r.job] = r               # a job's newest run decides the batch's state
        failed = sorted(j for j, r in latest.items() if r.status == Status.FAILED)
        bad_checks = [c for c in b["checks"] if c.status in FAILED]
        out.append(dict(kind=kind, batch=value, runs=sorted(b["runs"], key=lambda r: (r.status != Status.FAILED, -r.started_at.timestamp())),
                        checks=sorted(b["checks"], key=lambda c: (c.status not in FAILED, c.check_name, c.subject or "")),
                        failed=failed, failed_checks=len(bad_checks),
                        started=min(r.started_at for r in b["runs"]), seconds=sum(_secs(r) for r in b["runs"])))
    return sorted(out, key=lambda b: (not (b["failed"] or b["failed_checks"]), -b["started"].timestamp()))


def daily_trends(runs: list) -> list[tuple]:
    """(day, seconds of job time, rows written, rows rejected, failed runs) per day the jobs ran."""
    days = defaultdict(lambda: [0.0, 0, 0, 0])
    for r in runs:
        d = days[r.started_at.date()]
        d[0] += _secs(r)
        d[1] += r.rows_written or 0
        d[2] += r.rows_rejected or 0
        d[3] += r.status == Status.FAILED
    return [(day, *v) for day, v in sorted(days.items())]


def slowest_jobs(runs: list, n: int = 15) -> list[tuple]:
    """(job, runs, median seconds, longest seconds) of the jobs with the longest median."""
    times = defaultdict(list)
    for r in runs:
        if r.status == Status.SUCCESS:
            times[r.job].append(_secs(r))
    stats = [(job, len(t), sorted(t)[len(t) // 2], max(t)) for job, t in times.items()]
    return sorted(stats, key=lambda s: -s[2])[:n]


def _trend_charts(trend: list) -> list[str]:
    if len(trend) < 2:
        return []
    n = len(trend) - 1
    top = max(t[1] for t in trend) * 1.1 or 1.0
    charts = [line_chart(f"Job time per day (seconds), {trend[0][0]}..{trend[-1][0]}", "day", "seconds",
                         [("job time", [(i / n, t[1]) for i, t in enumerate(trend)], "#2e86c1", False)],
                         xr=(0, 1), yr=(0, top)),
              bar_chart("Rows written per day", "day", "rows", [(str(t[0]), [float(t[2])]) for t in trend],
                        colours=("#27ae60",)),
              bar_chart("Rows rejected (quarantined) per day", "day", "rows", [(str(t[0]), [float(t[3])]) for t in trend])]
    return charts


def _batch_html(b: dict) -> str:
    state = (f"<b style='color:#c0392b'>FAILED: {html.escape(', '.join(b['failed']))}</b>" if b["failed"]
             else "<b style='color:#c0392b'>checks failed</b>" if b["failed_checks"] else "ok")
    jobs = table(["job", "status", "started", "seconds", "read", "written", "rejected", "message"],
                  [[r.job, r.status, r.started_at.strftime("%Y-%m-%d %H:%M:%S"), f"{_secs(r):.1f}", r.rows_read or 0,
                    r.rows_written or 0, r.rows_rejected or 0, (r.message or "")[:300]] for r in b["runs"]])
    checks = table(["check", "subject", "batch", "severity", "status", "checked", "failed"],
                    [[c.check_name, c.subject or "", c.batch, c.severity, c.status, c.checked, c.failed] for c in b["checks"]]) \
        if b["checks"] else "<p>No data-quality results for this batch.</p>"
    return (f"<details{' open' if b['failed'] or b['failed_checks'] else ''}><summary>{html.escape(b['kind'])} "
            f"<b>{html.escape(b['batch'])}</b> — {len(b['runs'])} runs, {b['seconds']:.0f} s — {state}</summary>"
            f"{jobs}{checks}</details>")


def runs_report(ctx, days: int = 28) -> tuple[str, list[dict]]:
    """Write reports/runs.html for the jobs of the last `days` days (before the newest run)."""
    runs = bookkeeping.recent_runs(ctx, days)
    if not runs:
        raise LookupError("nothing has run yet (meta.job_run is empty)")
    first = min(r.batch_from for r in runs)
    last = max(r.batch_to for r in runs)
    found = batches(runs, bookkeeping.dq_results(ctx.spark, first, last))
    trend = daily_trends(runs)
    slow = table(["job", "successful runs", "median seconds", "longest seconds"],
                  [[j, n, f"{m:.1f}", f"{x:.1f}"] for j, n, m, x in slowest_jobs(runs)])
    bad = [b for b in found if b["failed"] or b["failed_checks"]]
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>BASS runs</title>"
            "<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:12px;margin:6px 0}"
            "td,th{border:1px solid #ccc;padding:2px 6px}figure{display:inline-block;margin:8px}"
            "details{margin:4px 0}summary{cursor:pointer}</style></head><body>"
            f"<h1>BASS runs, {trend[0][0]} to {trend[-1][0]}</h1>"
            f"<p>{len(runs)} job runs in {len(found)} batches; {len(bad)} batch(es) with a failed job or check "
            f"(listed first). Generated {dt.datetime.now():%Y-%m-%d %H:%M}.</p>"
            f"<div>{''.join(_trend_charts(trend))}</div><h2>Slowest jobs</h2>{slow}"
            f"<h2>Batches</h2>{''.join(_batch_html(b) for b in found)}</body></html>")
    return save(ctx.cfg.path("reports"), "runs.html", page), found
