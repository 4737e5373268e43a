"""Runs: one step run for one batch (a value or a range), recorded in meta.job_run.
What the run does is its step's business (bass.orchestration.steps); this module only checks the
batch and keeps the record."""
from __future__ import annotations

import gc
import time

from bass.core.batch import Batch
from bass.core.session import Context
from bass.orchestration.steps import step
from bass.warehouse import bookkeeping


def batch_kind(name: str) -> str:
    """'date' or 'month': the batch a step runs for."""
    return step(name).grain.kind


def as_batch(name: str, batch: Batch | str) -> Batch:
    """A Batch of the step's kind; a plain string is one value, checked."""
    kind = batch_kind(name)
    if isinstance(batch, str):
        try:
            return Batch.of(kind, batch)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    if batch.kind != kind:
        raise ValueError(f"{name} runs for a {kind}, got a {batch.kind} batch {batch.label()}")
    return batch


def run_step(ctx: Context, name: str, batch: Batch | str, force: bool = False) -> bookkeeping.Run:
    the_step = step(name)
    batch = as_batch(name, batch)
    bookkeeping.ensure_tables(ctx)
    release_plans()
    with bookkeeping.job_run(ctx, name, batch) as run:
        the_step.run(ctx, batch, run, force)
    return run


def release_plans() -> None:
    """Collect Python's garbage before a step. DataFrames that went out of use sit in reference
    cycles that Python's collector reaches late in a process this size, and each holds its
    query's plans in the JVM, so a process running batch after batch (the closed loop, a
    scheduler's worker, training between batches) grew until the JVM ran out of heap (a
    3,000-user loop held about a million plan nodes of 255 queries after its first loop month's daily batch).
    Measured: a monthly batch left 248-392 Python proxies of JVM objects behind, 8 after a
    collection. A full collection takes about 0.1 s, so it runs at most once every
    RELEASE_SECONDS: rarely on a run of short steps, often enough for a batch."""
    global _released
    if time.monotonic() - _released >= RELEASE_SECONDS:
        _released = time.monotonic()
        gc.collect()


RELEASE_SECONDS = 30.0
_released = 0.0
