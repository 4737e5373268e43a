"""Jobs: one per table, named after it. ODS jobs load every delivery of the batch in one pass;
data-quality jobs (dq.<stage>) run their checks; the others run their SQL file (or a Python
builder such as model scoring) once over the whole batch range and replace exactly its
partitions. Every run is in meta.job_run.
"""
from __future__ import annotations

import importlib

from bass import delta_io, ods_loader, outbox, quality, sql_runner
from bass.batch import Batch, add_months
from bass.interfaces import load_interfaces
from bass.registry import table
from bass.runlog import Run, job_run
from bass.session import Context


def batch_kind(job: str) -> str:
    """'date' or 'month': the batch a job runs for."""
    layer, short = job.split(".", 1)
    if layer == "ods" and short in load_interfaces():
        return "date" if load_interfaces()[short].grain == "daily" else "month"
    if layer == "dq":
        return quality.stage(short).kind
    return table(job).batch_kind


def as_batch(job: str, batch: Batch | str) -> Batch:
    """A Batch of the job's kind; a plain string is one value, checked."""
    kind = batch_kind(job)
    if isinstance(batch, str):
        try:
            return Batch.of(kind, batch)
        except ValueError as exc:
            raise ValueError(f"{job}: {exc}") from None
    if batch.kind != kind:
        raise ValueError(f"{job} runs for a {kind}, got a {batch.kind} batch {batch.label()}")
    return batch


def run_job(ctx: Context, job: str, batch: Batch | str, force: bool = False) -> Run:
    batch = as_batch(job, batch)
    delta_io.ensure_meta_tables(ctx)
    with job_run(ctx, job, batch) as run:
        layer, short = job.split(".", 1)
        if layer == "ods" and short in load_interfaces():
            loaded = ods_loader.load(ctx, short, list(batch.values), run, force=force)
            if not loaded:
                run.status, run.message = "SKIPPED", "deliveries already loaded"
            else:   # the run covers what changed, so only that is rebuilt downstream
                run.message = f"loaded {len(loaded)} of {len(batch.values)} deliveries"
                run.batch = Batch(batch.kind, tuple(loaded))
        elif layer == "dq":
            quality.run_stage(ctx, short, batch, run)
        else:
            run_table_job(ctx, job, batch, run)
    return run


def run_table_job(ctx: Context, job: str, batch: Batch, run: Run) -> None:
    tbl = table(job)
    if tbl.restate_months:
        batch = Batch.of("month", add_months(batch.first, -tbl.restate_months), batch.last)
    if tbl.builder:   # a Python step (e.g. model scoring) instead of a SQL file
        module, func = tbl.builder.split(":")
        rows = getattr(importlib.import_module(module), func)(ctx, batch)
    else:
        params = {**batch.params(), **{p: ctx.cfg.get(key) for p, key in tbl.params.items()}}
        rows = sql_runner.select(ctx.spark, job, params)
    run.rows_written = delta_io.write(ctx, job, rows, batch.partition() if tbl.partition_by else None)
    if tbl.updates:
        target, columns = tbl.updates["table"], tbl.updates["columns"]
        delta_io.update_columns(ctx, target, ctx.spark.table(job).where(delta_io.partition_predicate(batch.partition())),
                                columns, batch.partition())
        run.message = f"{batch.label()}; {', '.join(columns)} copied into {target}"
    if tbl.deliver:
        sent = outbox.deliver(ctx, job, tbl.deliver, batch)
        run.message = "delivered " + ", ".join(f"{recs[0].file_name} ({sum(r.records for r in recs)} records)"
                                               for recs in sent.values())
