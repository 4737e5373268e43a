"""`bass bench`: BASS's ODS load + mid.user_usage_d against a minimal hand-written Spark job and
against DuckDB doing the same work on the same voice CDR files, in one run, at one or more sizes.
The last line is JSON.

(a) BASS: verify the .verf, parse/check every field once into staging, quarantine, replace the
    ODS partition (Delta), log the files and the run; then mid.user_usage_d (SQL, Delta).
(b) hand-written Spark: typed CSV read of the same files, write Parquet, group by user and day,
    write Parquet.
(c) DuckDB (2 threads, the `bench` extra): the same typed read -> zstd Parquet -> group by.

Both Spark sides first run once on a small warm-up day, so that neither pays the JVM's JIT
warm-up inside its timing (as in `bass run`, where one process runs a whole batch of jobs). Then
each size runs `repeat` times, the sides in turn, and each side's median time counts: one run
varies by about 10 % on a 2-core machine. Sizes are compared by cost per row (the largest over
the smallest): a loader that grows faster than its input shows there. Peak memory: the driver
JVM's heap after garbage collection (in local mode the executors run in it) and the Python
driver's resident set.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import resource
import shutil
import statistics
import threading
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


def duckdb_job(ctx: Context, out: str, day: dt.date, threads: int = 2) -> None:
    """The hand-written job's work in DuckDB: typed read of the same files, zstd Parquet, group by."""
    import duckdb
    spec = interface("cdr_voice")
    files = str(Path(ctx.cfg.path("landing")) / "cdr_voice" / f"*_{day:%Y%m%d}_*.dat")
    types = {"string": "VARCHAR", "int": "INTEGER", "long": "BIGINT", "double": "DOUBLE"}
    columns = {f.name: ("VARCHAR" if f.type in ("timestamp", "date", "month") else
                        types.get(f.type, f.spark_type.upper())) for f in spec.fields}
    shutil.rmtree(out, ignore_errors=True)
    Path(out).mkdir(parents=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET threads = {threads}")
        con.execute(f"""COPY (SELECT * REPLACE (strptime(start_time, '%Y%m%d%H%M%S') AS start_time),
                                     DATE '{day}' AS batch_date
                              FROM read_csv('{files}', delim = '|', header = false, quote = '', columns = {columns!r}))
                        TO '{out}/cdr_voice.parquet' (FORMAT parquet, COMPRESSION zstd)""")
        con.execute(f"""COPY (SELECT msisdn, batch_date, count(*) AS calls, sum(duration) AS seconds,
                                     sum(act_fee) AS fee
                              FROM read_parquet('{out}/cdr_voice.parquet') GROUP BY msisdn, batch_date)
                        TO '{out}/usage.parquet' (FORMAT parquet, COMPRESSION zstd)""")
    finally:
        con.close()


class PeakMemory:
    """Peak memory of the driver since the last reset, sampled every second on a daemon thread.

    The JVM figure is the heap still in use after each garbage collection (the sum over the heap
    pools of their usage after their last collection): what the driver needs to hold, where the
    heap in use between collections only says how lazily the collector ran. In local mode the
    executors run in this JVM. The Python figure is the driver's peak resident set over its whole
    life (the simulation included)."""

    def __init__(self, spark, every: float = 1.0):
        jvm = spark.sparkContext._jvm
        self.max_heap = jvm.java.lang.Runtime.getRuntime().maxMemory()
        self.pools = [p for p in jvm.java.lang.management.ManagementFactory.getMemoryPoolMXBeans()
                      if str(p.getType().toString()) == "Heap memory" and p.isCollectionUsageThresholdSupported()]
        self.peak, self._stop = 0, threading.Event()
        threading.Thread(target=self._sample, args=(every,), daemon=True).start()

    def _live(self) -> int:
        return sum(u.getUsed() for u in (p.getCollectionUsage() for p in self.pools) if u is not None)

    def _sample(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.peak = max(self.peak, self._live())
            except Exception:          # the gateway closed under the thread at exit
                return

    def reset(self) -> None:
        self.peak = 0

    def stop(self) -> None:
        self._stop.set()

    def figures(self) -> dict:
        self.peak = max(self.peak, self._live())
        return {"driver_jvm_heap_after_gc_peak": round(self.peak / 2 ** 20),
                "driver_jvm_heap_max": round(self.max_heap / 2 ** 20),
                "python_driver_rss_lifetime_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "executors": "in the driver JVM (local mode)"}


def summarize(rows: int, runs: list[tuple], cores: int, memory: dict | None = None) -> dict:
    """Medians over the runs of (ODS s, MID s, hand-written Spark s[, DuckDB s]), as rows/s and ratios."""
    ods = statistics.median(r[0] for r in runs)
    bass = statistics.median(r[0] + r[1] for r in runs)
    base = statistics.median(r[2] for r in runs)
    out = {"rows": rows, "repeat": len(runs), "ods_seconds": round(ods, 1), "bass_seconds": round(bass, 1),
           "baseline_seconds": round(base, 1), "ods_rows_per_s": round(rows / ods),
           "bass_rows_per_s": round(rows / bass), "baseline_rows_per_s": round(rows / base),
           "ratio": round(bass / base, 2), "ods_ratio": round(ods / base, 2), "cores": cores,
           "runs": [{"ods_seconds": round(r[0], 1), "bass_seconds": round(r[0] + r[1], 1),
                     "baseline_seconds": round(r[2], 1)} for r in runs]}
    if all(len(r) > 3 for r in runs):
        duck = statistics.median(r[3] for r in runs)
        out.update(duckdb_seconds=round(duck, 1), duckdb_rows_per_s=round(rows / duck),
                   duckdb_ratio=round(bass / duck, 2))
        for run, r in zip(out["runs"], runs):
            run["duckdb_seconds"] = round(r[3], 1)
    if memory:
        out["memory_mb"] = memory
    return out


def curve(results: list[dict]) -> dict:
    """Per-row cost of the largest size over the smallest, for each side."""
    small, large = min(results, key=lambda r: r["rows"]), max(results, key=lambda r: r["rows"])
    sides = [k for k in ("ods", "bass", "baseline", "duckdb") if f"{k}_rows_per_s" in large]
    return {k: round(small[f"{k}_rows_per_s"] / large[f"{k}_rows_per_s"], 2) for k in sides}


def has_duckdb() -> bool:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def run_bench(ctx: Context, sizes: list[int] | int, home: str, seed: int = 1, repeat: int = 3) -> dict:
    sizes = [sizes] if isinstance(sizes, int) else sorted(sizes)
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    if not sizes or min(sizes) < 1:
        raise ValueError(f"sizes must be positive row counts, got {sizes}")
    shutil.rmtree(home, ignore_errors=True)
    bctx = bench_context(ctx, home)
    duck = has_duckdb()
    if not duck:
        print("DuckDB is not installed (pip install -e '.[bench]', or `make bench`): its side is left out")
    memory = PeakMemory(bctx.spark)
    t = time.time()
    prepare(bctx, WARMUP_ROWS, seed + 1, WARMUP_DAY)
    days = {n: DAY + dt.timedelta(days=i) for i, n in enumerate(sizes)}
    counts = {n: prepare(bctx, n, seed + i, days[n]) for i, n in enumerate(sizes)}
    print(f"simulated {', '.join(f'{c:,}' for c in counts.values())} voice CDRs (and a warm-up day) "
          f"in {time.time() - t:.0f}s")
    run_bass(bctx, WARMUP_DAY)
    baseline(bctx, f"{home}/baseline_warmup", WARMUP_DAY)
    results = []
    for n in sizes:
        day, runs = days[n], []
        memory.reset()
        for i in range(repeat):
            ods, mid = run_bass(bctx, day)
            t = time.time()
            baseline(bctx, f"{home}/baseline", day)
            run = (ods, mid, time.time() - t)
            if duck:
                t = time.time()
                duckdb_job(bctx, f"{home}/duckdb", day)
                run += (time.time() - t,)
            runs.append(run)
            print(f"{counts[n]:,} rows, run {i + 1} of {repeat}: BASS ODS {ods:.1f}s, ODS + MID {ods + mid:.1f}s, "
                  f"hand-written {run[2]:.1f}s" + (f", DuckDB {run[3]:.1f}s" if duck else ""))
        results.append(summarize(counts[n], runs, bctx.spark.sparkContext.defaultParallelism, memory.figures()))
    label = f"median of {repeat}" if repeat > 1 else "one run"
    for r in results:
        print(f"{r['rows']:>12,} rows ({label}): BASS ODS {r['ods_seconds']}s {r['ods_rows_per_s']:,}/s, "
              f"ODS + MID {r['bass_seconds']}s {r['bass_rows_per_s']:,}/s, hand-written {r['baseline_seconds']}s "
              f"{r['baseline_rows_per_s']:,}/s" + (f", DuckDB {r['duckdb_seconds']}s {r['duckdb_rows_per_s']:,}/s" if duck else ""))
        print(f"{'':>12}  ODS / hand-written {r['ods_ratio']}, ODS + MID / hand-written {r['ratio']}"
              + (f", ODS + MID / DuckDB {r['duckdb_ratio']}" if duck else "")
              + f"; driver JVM heap after GC peak {r['memory_mb']['driver_jvm_heap_after_gc_peak']} MB "
              f"of {r['memory_mb']['driver_jvm_heap_max']} MB")
    result = {"sizes": results}
    if len(results) > 1:
        result["per_row_cost_largest_over_smallest"] = curve(results)
        print(f"per-row cost, {results[-1]['rows']:,} over {results[0]['rows']:,} rows: "
              + ", ".join(f"{k} {v}" for k, v in result["per_row_cost_largest_over_smallest"].items()))
    print(json.dumps(result))
    memory.stop()
    return result
