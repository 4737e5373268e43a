"""Daily and monthly batches from conf/pipelines.yml.

A pipeline runs for one date/month or a range (backfill). Each job runs once over the range
(one pass; SQL jobs replace exactly the range's partitions). A job is skipped for the values it
already built after its dependencies last changed (make-style, from meta.job_run), so a rerun
resumes after a failure and a reloaded day recomputes what depends on it. ODS jobs always ask
the loader, which loads only deliveries not yet loaded. A failed job blocks its dependents; the
other jobs still run.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from bass.core.batch import Batch
from bass.core.grain import month_end
from bass.core.session import Context
from bass.core.status import Status
from bass.orchestration.graph import MONTH_END, Node, feeding, load_pipeline
from bass.orchestration.jobs import batch_kind, run_job
from bass.warehouse import bookkeeping

log = logging.getLogger("bass")


def step_value(node: Node, value: str) -> str:
    """The job's own batch value for a pipeline value (a month's last day for `month_end`)."""
    return month_end(value) if node.at == MONTH_END else value


class History:
    """When each job last succeeded for each batch value (meta.job_run plus this run)."""

    def __init__(self, rows: list):
        self.rows = defaultdict(list)   # (job, kind) -> [(first, last, ended_at)]
        for r in rows:
            self.rows[(r.job, r.batch_kind)].append((r.batch_from, r.batch_to, r.ended_at))

    def last_success(self, job: str, kind: str, value: str) -> dt.datetime | None:
        times = [t for first, last, t in self.rows[(job, kind)] if first <= value <= last]
        return max(times) if times else None

    def last_overlap(self, job: str, kind: str, lo: str, hi: str) -> dt.datetime | None:
        """Newest success of a run that covered any value in lo..hi."""
        times = [t for first, last, t in self.rows[(job, kind)] if first <= hi and last >= lo]
        return max(times) if times else None

    def mark(self, job: str, batch: Batch) -> None:
        self.rows[(job, batch.kind)].append((batch.first, batch.last, dt.datetime.now()))


def load_history(ctx: Context) -> History:
    return History(bookkeeping.successful_runs(ctx))


def stale_values(step: Node, values: list[str], steps: dict[str, Node], history: History, force: bool) -> list[str]:
    """Pipeline values the step must (re)build: never built, or built before a dependency changed."""
    if force or always_run(step.job):
        return list(values)
    kind = batch_kind(step.job)
    out = []
    for v in values:
        own = history.last_success(step.job, kind, step_value(step, v))
        deps = [history.last_success(d, batch_kind(d), step_value(steps[d], v)) for d in step.after]
        deps += [history.last_overlap(d, "date", v + "-01", month_end(v)) if batch_kind(d) == "date"
                 else history.last_success(d, batch_kind(d), v) for d in step.inputs]
        if own is None or any(t is not None and t > own for t in deps):
            out.append(v)
    return out


def run_pipeline(ctx: Context, name: str, values: list[str] | str, force: bool = False,
                 serving: tuple[str, ...] = ()) -> dict[str, str]:
    """Run every job of the pipeline once over `values` (one date/month or a range); with
    `serving` (pipeline names), only the jobs those pipelines read (bass.orchestration.graph.feeding).

    Returns job -> SUCCESS | SKIPPED (nothing new to load) | UP_TO_DATE (not run) | FAILED |
    BLOCKED (a dependency failed). Up to batch.parallel_jobs independent jobs run at once."""
    values = [values] if isinstance(values, str) else sorted(values)
    steps = list(load_pipeline(name).nodes)
    if serving:
        keep = feeding(name, serving)
        steps = [s for s in steps if s.job in keep]
    by_name = {s.job: s for s in steps}
    parallel = max(1, int(ctx.cfg.get("batch.parallel_jobs", 1)))
    bookkeeping.ensure_tables(ctx)
    history = load_history(ctx)
    status: dict[str, str] = {}
    pending, running = list(steps), {}
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="bass-job") as pool:
        while pending or running:
            for step in list(pending):
                deps = [status.get(d) for d in step.after]
                if any(d in (Status.FAILED, Status.BLOCKED) for d in deps):
                    pending.remove(step)
                    status[step.job] = Status.BLOCKED
                    log.error("%s not run: a dependency did not succeed (%s)", step.job, ", ".join(step.after))
                elif all(d is not None for d in deps) and len(running) < parallel:
                    pending.remove(step)
                    todo = stale_values(step, values, by_name, history, force)
                    if not todo:
                        status[step.job] = Status.UP_TO_DATE
                        continue
                    batch = Batch(batch_kind(step.job), tuple(step_value(step, v) for v in todo))
                    running[pool.submit(run_job, ctx, step.job, batch, force)] = (step, batch)
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                step, batch = running.pop(fut)
                try:
                    run = fut.result()
                    status[step.job] = run.status
                    if run.status == Status.SUCCESS:
                        history.mark(step.job, run.batch)
                except Exception as exc:  # recorded in meta.job_run by run_job; the batch goes on
                    status[step.job] = Status.FAILED
                    log.error("%s %s failed: %s", step.job, batch.label(), exc)
    return {s.job: status[s.job] for s in steps}


def always_run(job: str) -> bool:
    from bass.orchestration.steps import step
    return step(job).always_run
