"""`bass bench monthly`: one month of a province at growing sizes, step by step. The last line is JSON.

For each size (users): simulate three billing months (CDRs on the last `cdr_days` of each) in a
warehouse of its own, run every daily batch and the first two months' monthly batches as warm-up
(they also give the churn model its labelled months), then time the third month's `monthly`,
`tariff`, `scoring` and `profiles` batches and one churn training (`bass ml train --models churn`,
the configured candidate search). The segment model is trained untimed in between, for scoring;
the value model needs three billed months after its training months, so the value scores come
from its baseline (3 x ARPU), as they would in a province's first months.

Each step's seconds come from meta.job_run (its start and end; steps of a batch may overlap when
`batch.parallel_jobs` > 1, so a batch's wall time is timed on its own). Sizes are compared by cost
per user, the largest size over the smallest: a step above 1 grows faster than its users (a window
over all users, a skewed join, an iteration count that grows with the graph).
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import time

from pyspark.sql import functions as F

from bass.core.session import Context
from bass.devkit.bench import PeakMemory, bench_context
from bass.devkit.simulator.generate import generate, timeline
from bass.ml.training import train
from bass.orchestration.pipeline import run_pipeline

START = dt.date(2026, 1, 1)
MONTHS = 3
TIMED = ("monthly", "tariff", "scoring", "profiles")
SPARSE = 1        # steps under this many seconds at every size are left out of the cost-per-user ratios


def step_seconds(ctx: Context, since: dt.datetime) -> dict[str, float]:
    """Seconds of each successful step run since `since` (the driver's local clock, as the runs log it)."""
    rows = (ctx.spark.table("meta.job_run")
            .where((F.col("started_at") >= F.lit(since)) & (F.col("status") == "SUCCESS"))
            .groupBy("job")
            .agg(F.sum(F.unix_micros("ended_at") - F.unix_micros("started_at")).alias("us"))
            .collect())      # one row per step: tens of rows
    return {r.job: round(r.us / 1e6, 1) for r in rows}


def one_size(ctx: Context, users: int, home: str, seed: int, cdr_days: int) -> dict:
    bctx = bench_context(ctx, home)
    landing, truth = bctx.cfg.path("landing"), bctx.cfg.path("truth")
    memory = PeakMemory(bctx.spark)
    out: dict = {"users": users}
    t = time.time()
    generate(bctx.spark, landing, users, START, 0, MONTHS, seed, bctx.cfg.province, truth, days_per_month=cdr_days)
    out["generate_seconds"] = round(time.time() - t)
    days, months = timeline(START, 0, MONTHS, cdr_days)
    t = time.time()
    _check(run_pipeline(bctx, "daily", [d.isoformat() for d in days]), "daily")
    out["daily_seconds_all_days"] = round(time.time() - t)
    month = months[-1]
    _check(run_pipeline(bctx, "monthly", months[:-1]), "monthly (warm-up)")
    memory.reset()
    batches, steps = {}, {}
    for batch in TIMED:
        if batch == "scoring":
            t = time.time()
            train(bctx, ("churn",))
            batches["train_churn"] = round(time.time() - t, 1)
            steps["train_churn"] = batches["train_churn"]
            train(bctx, ("segment",))
        since, t = dt.datetime.now(), time.time()
        _check(run_pipeline(bctx, batch, month), batch)
        batches[batch] = round(time.time() - t, 1)
        steps.update(step_seconds(bctx, since))
    out["month"] = month
    out["month_seconds"] = round(sum(batches[b] for b in TIMED), 1)
    out["batch_seconds"] = batches
    out["step_seconds"] = dict(sorted(steps.items()))
    out["memory_mb"] = memory.figures()
    memory.stop()
    return out


def _check(status: dict, what: str) -> None:
    failed = sorted(s for s, v in status.items() if v in ("FAILED", "BLOCKED"))
    if failed:
        raise RuntimeError(f"bench monthly: the {what} batch did not succeed: {', '.join(failed)}")


def growth(small: dict, large: dict) -> dict:
    """Cost per user at the larger size over the smaller, for each batch, the month and each step."""
    scale = large["users"] / small["users"]

    def ratio(a: float, b: float) -> float:
        return round(b / max(a, 1e-9) / scale, 2)

    out = {"month": ratio(small["month_seconds"], large["month_seconds"])}
    out.update({b: ratio(small["batch_seconds"][b], large["batch_seconds"][b]) for b in large["batch_seconds"]})
    out["steps"] = {s: ratio(small["step_seconds"].get(s, 0.0), v) for s, v in large["step_seconds"].items()
                    if max(v, small["step_seconds"].get(s, 0.0)) >= SPARSE and s in small["step_seconds"]}
    return out


def run_monthly_bench(ctx: Context, sizes: list[int], home: str, seed: int = 1, cdr_days: int = 1) -> dict:
    sizes = sorted(sizes)
    if not sizes or min(sizes) < 100:
        raise ValueError(f"sizes must be user counts of at least 100, got {sizes}")
    shutil.rmtree(home, ignore_errors=True)
    results = []
    for n in sizes:
        r = one_size(ctx, n, f"{home}/{n}", seed, cdr_days)
        results.append(r)
        print(f"{n:,} users, month {r['month']}: {r['month_seconds']}s for monthly + tariff + scoring + profiles "
              f"({', '.join(f'{b} {s}s' for b, s in r['batch_seconds'].items())}); "
              f"generated in {r['generate_seconds']}s, daily batches {r['daily_seconds_all_days']}s; "
              f"driver JVM heap after GC peak {r['memory_mb']['driver_jvm_heap_after_gc_peak']} MB "
              f"of {r['memory_mb']['driver_jvm_heap_max']} MB", flush=True)
    result = {"sizes": results}
    if len(results) > 1:
        small, large = results[0], results[-1]
        g = result["cost_per_user_largest_over_smallest"] = growth(small, large)
        print(f"\nseconds per step and cost per user, {large['users']:,} over {small['users']:,} users "
              f"(above 1: grows faster than its users):")
        width = max(len(s) for s in large["step_seconds"])
        for s, v in sorted(large["step_seconds"].items(), key=lambda kv: -kv[1]):
            print(f"  {s:<{width}} {small['step_seconds'].get(s, 0.0):>8.1f}s {v:>8.1f}s  "
                  + (f"{g['steps'][s]:.2f}" if s in g["steps"] else "-"))
        print(f"  the month {g['month']:.2f}, " + ", ".join(f"{b} {g[b]:.2f}" for b in large["batch_seconds"]))
    print(json.dumps(result))
    return result
