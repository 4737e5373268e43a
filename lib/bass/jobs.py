"""Jobs: one per table, named after it. ODS jobs run the generic loader; the others run their
SQL file and write the batch's partition. Every run is recorded in meta.job_run.
"""
from __future__ import annotations

import datetime as dt

from bass import delta_io, ods_loader, sql_runner
from bass.interfaces import load_interfaces
from bass.registry import table
from bass.runlog import Run, job_run
from bass.session import Context


def batch_kind(job: str) -> str:
    """'date' or 'month': what batch the job's table is partitioned by."""
    tbl = table(job)
    return "date" if "batch_date" in tbl.partition_by else "month"


def check_batch(job: str, batch: str) -> None:
    kind = batch_kind(job)
    try:
        if kind == "date":
            dt.date.fromisoformat(batch)
        else:
            dt.datetime.strptime(batch, "%Y-%m")
    except ValueError:
        raise ValueError(f"{job} runs for a {'date YYYY-MM-DD' if kind == 'date' else 'month YYYY-MM'}, got {batch!r}")


def run_job(ctx: Context, job: str, batch: str, force: bool = False) -> Run:
    check_batch(job, batch)
    delta_io.ensure_meta_tables(ctx)
    with job_run(ctx, job, batch) as run:
        layer, short = job.split(".")
        if layer == "ods" and short in load_interfaces():
            ods_loader.load(ctx, short, batch, run, force=force)
        else:
            kind = batch_kind(job)
            value = dt.date.fromisoformat(batch) if kind == "date" else batch
            key = "batch_date" if kind == "date" else "batch_month"
            rows = sql_runner.select(ctx.spark, job, {key: value})
            run.rows_written = delta_io.write(ctx, job, rows, {key: value})
    return run
