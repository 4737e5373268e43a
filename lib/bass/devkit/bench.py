"""`bass bench`: BASS's ODS load + mid.user_usage_d against a minimal hand-written Spark job
doing the same work on the same voice CDR file, in one run. The last line is JSON.

(a) BASS: verify the .verf, count, parse/check every field, quarantine, replace the ODS
    partition (Delta), log the files and the run; then mid.user_usage_d (SQL, Delta).
(b) baseline: typed CSV read of the same files, write Parquet, group by user and day, write Parquet.

Both sides first run once on a small warm-up day, so that neither pays the JVM's JIT warm-up
inside its timing (as in `bass run`, where one process runs a whole batch of jobs). Then the
pair runs `repeat` times on the big day, in turn, and each side's median time counts: one run
varies by about 10 % on a 2-core machine, and the first big run of a job still compiles code
that the warm-up day did not make hot.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import statistics
import time
from pathlib import Path

from pyspark.sql import functions as F

from bass.boss.writer import write_delivery
from bass.core.interfaces import interface
from bass.core.registry import LAYERS
from bass.core.session import Context, register_all
from bass.devkit.simulator import monthly, population, usage
from bass.orchestration.runs import run_step

DAY = dt.date(2026, 1, 5)
WARMUP_DAY = dt.date(2026, 1, 4)
WARMUP_ROWS = 200_000
CALLS_PER_USER_DAY = 4.3      # the simulator's mean; used only to size the population


def bench_context(ctx: Context, home: str) -> Context:
    paths = {k: (f"{home}/{k}" if k != "home" else home) for k in ctx.cfg.paths}
    cfg = dataclasses.replace(ctx.cfg, paths=paths)
    for layer in LAYERS:
        ctx.spark.sql(f"drop database if exists {layer} cascade")
    register_all(ctx.spark, cfg)
    return Context(cfg, ctx.spark)


def prepare(ctx: Context, rows: int, seed: int, day: dt.date) -> int:
    """Simulate one day's voice CDRs (about `rows`), the user file, and empty SMS/data/VAS files."""
    landing = ctx.cfg.path("landing")
    users = max(100, int(rows / CALLS_PER_USER_DAY))
    pop = population.population(ctx.spark, users, seed, day, day)
    ud = usage.user_days(ctx.spark, pop, [day], origin=day)
    files = max(2, rows // 2_000_000)
    spec = interface("cdr_voice")
    recs = write_delivery(usage.voice(ud, seed, users).select(*spec.field_names()), spec, day.isoformat(),
                          landing, ctx.cfg.province, files=files, sort=False)
    write_delivery(monthly.user_snapshot(pop, day), interface("user"), day.isoformat(), landing, ctx.cfg.province)
    for code in ("cdr_sms", "cdr_data", "vas_usage"):
        spec = interface(code)
        empty = ctx.spark.createDataFrame([], ", ".join(f"{f.name} {f.spark_type}" for f in spec.fields))
        write_delivery(empty, spec, day.isoformat(), landing, ctx.cfg.province)
    return sum(r.records for r in recs)


def run_bass(ctx: Context, day: dt.date) -> tuple[float, float]:
    """Seconds for the ODS voice load and for mid.user_usage_d (the other sources load untimed).
    The voice load is forced, so a repeat loads the delivery again instead of skipping it."""
    for job in ("ods.user", "ods.cdr_sms", "ods.cdr_data", "ods.vas_usage"):
        run_step(ctx, job, day.isoformat())
    t0 = time.time()
    run_step(ctx, "ods.cdr_voice", day.isoformat(), force=True)
    t1 = time.time()
    run_step(ctx, "mid.user_usage_d", day.isoformat())
    return t1 - t0, time.time() - t1


def baseline(ctx: Context, out: str, day: dt.date) -> None:
    """What a data engineer would write by hand for the same result, without BASS's guarantees."""
    spec = interface("cdr_voice")
    files = str(Path(ctx.cfg.path("landing")) / "cdr_voice" / f"*_{day:%Y%m%d}_*.dat")
    schema = ", ".join(f"{f.name} {'string' if f.type in ('timestamp', 'date', 'month') else f.spark_type}"
                       for f in spec.fields)
    raw = ctx.spark.read.csv(files, sep="|", schema=schema)
    typed = raw.withColumn("start_time", F.to_timestamp("start_time", "yyyyMMddHHmmss")).withColumn("batch_date", F.lit(day))
    typed.write.mode("overwrite").parquet(f"{out}/cdr_voice")
    (ctx.spark.read.parquet(f"{out}/cdr_voice").groupBy("msisdn", "batch_date")
     .agg(F.count(F.lit(1)).alias("calls"), F.sum("duration").alias("seconds"), F.sum("act_fee").alias("fee"))
     .write.mode("overwrite").parquet(f"{out}/usage"))


def summarize(rows: int, runs: list[tuple[float, float, float]], cores: int) -> dict:
    """Medians over the runs of (ODS seconds, MID seconds, baseline seconds), as rows/s and the ratio."""
    ods = statistics.median(r[0] for r in runs)
    bass = statistics.median(r[0] + r[1] for r in runs)
    base = statistics.median(r[2] for r in runs)
    return {"rows": rows, "repeat": len(runs), "ods_seconds": round(ods, 1), "bass_seconds": round(bass, 1),
            "baseline_seconds": round(base, 1), "ods_rows_per_s": round(rows / ods),
            "bass_rows_per_s": round(rows / bass), "baseline_rows_per_s": round(rows / base),
            "ratio": round(bass / base, 2), "cores": cores,
            "runs": [{"ods_seconds": round(o, 1), "bass_seconds": round(o + m, 1), "baseline_seconds": round(b, 1)}
                     for o, m, b in runs]}


def run_bench(ctx: Context, rows: int, home: str, seed: int = 1, repeat: int = 3) -> dict:
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    shutil.rmtree(home, ignore_errors=True)
    bctx = bench_context(ctx, home)
    t = time.time()
    prepare(bctx, WARMUP_ROWS, seed + 1, WARMUP_DAY)
    n = prepare(bctx, rows, seed, DAY)
    print(f"simulated {n:,} voice CDRs (and a warm-up day) in {time.time() - t:.0f}s")
    run_bass(bctx, WARMUP_DAY)
    baseline(bctx, f"{home}/baseline_warmup", WARMUP_DAY)
    runs = []
    for i in range(repeat):
        ods, mid = run_bass(bctx, DAY)
        t = time.time()
        baseline(bctx, f"{home}/baseline", DAY)
        runs.append((ods, mid, time.time() - t))
        print(f"run {i + 1} of {repeat}: BASS ODS {ods:.1f}s, ODS + MID {ods + mid:.1f}s, hand-written {runs[-1][2]:.1f}s")
    result = summarize(n, runs, ctx.spark.sparkContext.defaultParallelism)
    label = f"median of {repeat}" if repeat > 1 else "one run"
    print(f"BASS ODS load       {result['ods_seconds']:>7}s  {result['ods_rows_per_s']:>12,} rows/s  ({label})")
    print(f"BASS ODS + MID      {result['bass_seconds']:>7}s  {result['bass_rows_per_s']:>12,} rows/s")
    print(f"hand-written Spark  {result['baseline_seconds']:>7}s  {result['baseline_rows_per_s']:>12,} rows/s")
    print(f"ratio (a)/(b)       {result['ratio']}")
    print(json.dumps(result))
    return result
