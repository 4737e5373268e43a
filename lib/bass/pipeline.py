"""Daily and monthly batches from conf/pipelines.yml: jobs in dependency order; a failed job
stops the jobs that depend on it (the others still run) and the batch reports it.
"""
from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from bass import delta_io

from bass.config import conf_dir, read_yaml
from bass.jobs import run_job
from bass.session import Context
from bass.simulator.monthly import month_bounds

log = logging.getLogger("bass")


@dataclass(frozen=True)
class Step:
    job: str
    after: tuple
    at: str | None = None      # month_end: a daily-grain job run for the month's last day


def load_pipeline(name: str) -> list[Step]:
    raw = read_yaml(conf_dir() / "pipelines.yml")
    if name not in raw:
        raise KeyError(f"no pipeline {name!r} in conf/pipelines.yml; have {sorted(raw)}")
    steps = []
    for job, spec in raw[name].items():
        if isinstance(spec, dict):
            steps.append(Step(job, tuple(spec.get("after", ())), spec.get("at")))
        else:
            steps.append(Step(job, tuple(spec or ())))
    return order(steps)


def order(steps: list[Step]) -> list[Step]:
    """Topological order (stable: declaration order among ready jobs); cycles are an error."""
    by_name = {s.job: s for s in steps}
    for s in steps:
        unknown = [d for d in s.after if d not in by_name]
        if unknown:
            raise ValueError(f"pipeline job {s.job} depends on undeclared {unknown}")
    done, out = set(), []
    while len(out) < len(steps):
        ready = [s for s in steps if s.job not in done and all(d in done for d in s.after)]
        if not ready:
            raise ValueError(f"pipeline has a cycle among {[s.job for s in steps if s.job not in done]}")
        for s in ready:
            done.add(s.job)
            out.append(s)
    return out


def step_batch(step: Step, batch: str) -> str:
    if step.at == "month_end":
        return month_bounds(batch)[1].isoformat()
    return batch


def run_pipeline(ctx: Context, name: str, batch: str, force: bool = False) -> dict[str, str]:
    """Run every job of the pipeline for `batch`; returns job -> status (see run_batches)."""
    return run_batches(ctx, name, [batch], force)[batch]


def run_batches(ctx: Context, name: str, batches: list[str], force: bool = False) -> dict[str, dict[str, str]]:
    """Run the pipeline for several batches as one DAG: a job waits only for its dependencies in
    its own batch, and up to batch.parallel_jobs jobs run at once in this session.
    Returns batch -> job -> SUCCESS | SKIPPED | FAILED | BLOCKED (a dependency did not succeed)."""
    steps = load_pipeline(name)
    parallel = max(1, int(ctx.cfg.get("batch.parallel_jobs", 1)))
    delta_io.ensure_meta_tables(ctx)
    status: dict[tuple, str] = {}
    pending = [(b, s) for b in batches for s in steps]
    running: dict = {}
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="bass-job") as pool:
        while pending or running:
            for batch, step in list(pending):
                deps = [status.get((batch, d)) for d in step.after]
                if any(d in ("FAILED", "BLOCKED") for d in deps):
                    pending.remove((batch, step))
                    status[(batch, step.job)] = "BLOCKED"
                    log.error("%s %s not run: a dependency did not succeed (%s)", step.job, batch, ", ".join(step.after))
                elif all(d in ("SUCCESS", "SKIPPED") for d in deps) and len(running) < parallel:
                    pending.remove((batch, step))
                    running[pool.submit(run_job, ctx, step.job, step_batch(step, batch), force)] = (batch, step)
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                batch, step = running.pop(fut)
                try:
                    status[(batch, step.job)] = fut.result().status
                except Exception as exc:  # recorded in meta.job_run by run_job; the batch goes on
                    status[(batch, step.job)] = "FAILED"
                    log.error("%s %s failed: %s", step.job, batch, exc)
    return {b: {s.job: status[(b, s.job)] for s in steps} for b in batches}

