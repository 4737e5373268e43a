"""Jobs: one declared step run for one batch (a value or a range), recorded in meta.job_run.
What the job does is its step's business (bass.orchestration.steps); this module only checks the batch and
keeps the record."""
from __future__ import annotations

from bass.core.batch import Batch
from bass.core.session import Context
from bass.orchestration.steps import step
from bass.warehouse import bookkeeping


def batch_kind(job: str) -> str:
    """'date' or 'month': the batch a job runs for."""
    return step(job).grain.kind


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


def run_job(ctx: Context, job: str, batch: Batch | str, force: bool = False) -> bookkeeping.Run:
    the_step = step(job)
    batch = as_batch(job, batch)
    bookkeeping.ensure_tables(ctx)
    with bookkeeping.job_run(ctx, job, batch) as run:
        the_step.run(ctx, batch, run, force)
    return run
