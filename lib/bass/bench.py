"""`bass bench`: BASS's ODS load + mid.user_usage_d against a minimal hand-written Spark job
doing the same work on the same voice CDR file, in one run. The last line is JSON.

(a) BASS: verify the .verf, count, parse/check every field, quarantine, replace the ODS
    partition (Delta), log the files and the run; then mid.user_usage_d (SQL, Delta).
(b) baseline: typed CSV read of the same files, write Parquet, group by user and day, write Parquet.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import time
from pathlib import Path

from pyspark.sql import functions as F

from bass.fileio.writer import write_delivery
from bass.interfaces import interface
from bass.jobs import run_job
from bass.registry import LAYERS
from bass.session import Context, register_all
from bass.simulator import monthly, population, usage

DAY = dt.date(2026, 1, 5)
CALLS_PER_USER_DAY = 4.3      # the simulator's mean; used only to size the population


def bench_context(ctx: Context, home: str) -> Context:
    paths = {k: (f"{home}/{k}" if k != "home" else home) for k in ctx.cfg.paths}
    cfg = dataclasses.replace(ctx.cfg, paths=paths)
    for layer in LAYERS:
        ctx.spark.sql(f"drop database if exists {layer} cascade")
    register_all(ctx.spark, cfg)
    return Context(cfg, ctx.spark)


def prepare(ctx: Context, rows: int, seed: int) -> int:
    """Simulate one day's voice CDRs (about `rows`), the user file, and empty SMS/data/VAS files."""
    landing = ctx.cfg.path("landing")
    users = max(100, int(rows / CALLS_PER_USER_DAY))
    pop = population.population(ctx.spark, users, seed, DAY, DAY)
    ud = usage.user_days(ctx.spark, pop, [DAY], origin=DAY)
    files = max(2, rows // 2_000_000)
    spec = interface("cdr_voice")
    recs = write_delivery(usage.voice(ud, seed, users).select(*spec.field_names()), spec, DAY.isoformat(),
                          landing, ctx.cfg.province, files=files, sort=False)
    write_delivery(monthly.user_snapshot(pop, DAY), interface("user"), DAY.isoformat(), landing, ctx.cfg.province)
    for code in ("cdr_sms", "cdr_data", "vas_usage"):
        spec = interface(code)
        empty = ctx.spark.createDataFrame([], ", ".join(f"{f.name} {f.spark_type}" for f in spec.fields))
        write_delivery(empty, spec, DAY.isoformat(), landing, ctx.cfg.province)
    return sum(r.records for r in recs)


def baseline(ctx: Context, out: str) -> None:
    """What a data engineer would write by hand for the same result, without BASS's guarantees."""
    spec = interface("cdr_voice")
    files = str(Path(ctx.cfg.path("landing")) / "cdr_voice" / "*.dat")
    schema = ", ".join(f"{f.name} {'string' if f.type in ('timestamp', 'date', 'month') else f.spark_type}"
                       for f in spec.fields)
    raw = ctx.spark.read.csv(files, sep="|", schema=schema)
    typed = raw.withColumn("start_time", F.to_timestamp("start_time", "yyyyMMddHHmmss")).withColumn("batch_date", F.lit(DAY))
    typed.write.mode("overwrite").parquet(f"{out}/cdr_voice")
    (ctx.spark.read.parquet(f"{out}/cdr_voice").groupBy("msisdn", "batch_date")
     .agg(F.count(F.lit(1)).alias("calls"), F.sum("duration").alias("seconds"), F.sum("act_fee").alias("fee"))
     .write.mode("overwrite").parquet(f"{out}/usage"))


def run_bench(ctx: Context, rows: int, home: str, seed: int = 1) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    bctx = bench_context(ctx, home)
    t = time.time()
    n = prepare(bctx, rows, seed)
    print(f"simulated {n:,} voice CDRs in {time.time() - t:.0f}s")
    for job in ("ods.user", "ods.cdr_sms", "ods.cdr_data", "ods.vas_usage"):
        run_job(bctx, job, DAY.isoformat())
    t0 = time.time()
    run_job(bctx, "ods.cdr_voice", DAY.isoformat())
    t1 = time.time()
    run_job(bctx, "mid.user_usage_d", DAY.isoformat())
    t2 = time.time()
    baseline(bctx, f"{home}/baseline")
    t3 = time.time()
    result = {"rows": n, "ods_seconds": round(t1 - t0, 1), "bass_seconds": round(t2 - t0, 1),
              "baseline_seconds": round(t3 - t2, 1), "ods_rows_per_s": round(n / (t1 - t0)),
              "bass_rows_per_s": round(n / (t2 - t0)), "baseline_rows_per_s": round(n / (t3 - t2)),
              "ratio": round((t2 - t0) / (t3 - t2), 2), "cores": ctx.spark.sparkContext.defaultParallelism}
    print(f"BASS ODS load       {result['ods_seconds']:>7}s  {result['ods_rows_per_s']:>12,} rows/s")
    print(f"BASS ODS + MID      {result['bass_seconds']:>7}s  {result['bass_rows_per_s']:>12,} rows/s")
    print(f"hand-written Spark  {result['baseline_seconds']:>7}s  {result['baseline_rows_per_s']:>12,} rows/s")
    print(f"ratio (a)/(b)       {result['ratio']}")
    print(json.dumps(result))
    return result
