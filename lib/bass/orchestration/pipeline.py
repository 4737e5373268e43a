"""Daily and monthly batches from conf/pipelines.yml.

A pipeline runs for one date/month or a range (backfill). Each step runs once over the range
(one pass; SQL steps replace exactly the range's partitions). A step is skipped for the values it
already built after its dependencies last changed (make-style, from meta.job_run), so a rerun
resumes after a failure and a reloaded day recomputes what depends on it. Inbound steps always
ask the loader, which loads only deliveries not yet loaded. A failed step blocks its dependents;
the other steps still run.
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
from bass.orchestration.runs import batch_kind, run_step
from bass.warehouse import bookkeeping

log = logging.getLogger("bass")


def step_value(node: Node, value: str) -> str:
    """The step's own batch value for a pipeline value (a month's last day for `month_end`)."""
    return month_end(value) if node.at == MONTH_END else value


class BuildLog:
    """When each step last succeeded for each batch value (meta.job_run plus this pipeline run)."""

    def __init__(self, rows: list):
        self.rows = defaultdict(list)   # (step, kind) -> [(first, last, ended_at)]
        for r in rows:
            self.rows[(r.job, r.batch_kind)].append((r.batch_from, r.batch_to, r.ended_at))

    def last_success(self, name: str, kind: str, value: str) -> dt.datetime | None:
        times = [t for first, last, t in self.rows[(name, kind)] if first <= value <= last]
        return max(times) if times else None

    def last_overlap(self, name: str, kind: str, lo: str, hi: str) -> dt.datetime | None:
        """Newest success of a run that covered any value in lo..hi."""
        times = [t for first, last, t in self.rows[(name, kind)] if first <= hi and last >= lo]
        return max(times) if times else None

    def mark(self, name: str, batch: Batch) -> None:
        self.rows[(name, batch.kind)].append((batch.first, batch.last, dt.datetime.now()))


def load_build_log(ctx: Context) -> BuildLog:
    return BuildLog(bookkeeping.successful_runs(ctx))


def stale_values(node: Node, values: list[str], steps: dict[str, Node], built: BuildLog, force: bool) -> list[str]:
    """Pipeline values the step must (re)build: never built, or built before a dependency changed."""
    if force or always_run(node.step):
        return list(values)
    kind = batch_kind(node.step)
    out = []
    for v in values:
        own = built.last_success(node.step, kind, step_value(node, v))
        deps = [built.last_success(d, batch_kind(d), step_value(steps[d], v)) for d in node.after]
        deps += [built.last_overlap(d, "date", v + "-01", month_end(v)) if batch_kind(d) == "date"
                 else built.last_success(d, batch_kind(d), v) for d in node.inputs]
        if own is None or any(t is not None and t > own for t in deps):
            out.append(v)
    return out


def run_pipeline(ctx: Context, name: str, values: list[str] | str, force: bool = False,
                 serving: tuple[str, ...] = ()) -> dict[str, str]:
    """Run every step of the pipeline once over `values` (one date/month or a range); with
    `serving` (pipeline names), only the steps those pipelines read (bass.orchestration.graph.feeding).

    Returns step -> SUCCESS | SKIPPED (nothing new to load) | UP_TO_DATE (not run) | FAILED |
    BLOCKED (a dependency failed). Up to batch.parallel_jobs independent steps run at once."""
    values = [values] if isinstance(values, str) else sorted(values)
    steps = list(load_pipeline(name).nodes)
    if serving:
        keep = feeding(name, serving)
        steps = [s for s in steps if s.step in keep]
    by_name = {s.step: s for s in steps}
    parallel = max(1, int(ctx.cfg.get("batch.parallel_jobs", 1)))
    bookkeeping.ensure_tables(ctx)
    built = load_build_log(ctx)
    status: dict[str, str] = {}
    pending, running = list(steps), {}
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="bass-step") as pool:
        while pending or running:
            for node in list(pending):
                deps = [status.get(d) for d in node.after]
                if any(d in (Status.FAILED, Status.BLOCKED) for d in deps):
                    pending.remove(node)
                    status[node.step] = Status.BLOCKED
                    log.error("%s not run: a dependency did not succeed (%s)", node.step, ", ".join(node.after))
                elif all(d is not None for d in deps) and len(running) < parallel:
                    pending.remove(node)
                    todo = stale_values(node, values, by_name, built, force)
                    if not todo:
                        status[node.step] = Status.UP_TO_DATE
                        continue
                    batch = Batch(batch_kind(node.step), tuple(step_value(node, v) for v in todo))
                    running[pool.submit(run_step, ctx, node.step, batch, force)] = (node, batch)
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                node, batch = running.pop(fut)
                try:
                    run = fut.result()
                    status[node.step] = run.status
                    if run.status == Status.SUCCESS:
                        built.mark(node.step, run.batch)
                except Exception as exc:  # recorded in meta.job_run by run_step; the batch goes on
                    status[node.step] = Status.FAILED
                    log.error("%s %s failed: %s", node.step, batch.label(), exc)
    return {s.step: status[s.step] for s in steps}


def always_run(name: str) -> bool:
    from bass.orchestration.steps import step
    return step(name).always_run
