"""`bass demo`: simulate a small province, run every daily and monthly batch, show the result."""
from __future__ import annotations

import datetime as dt
import time

from pyspark.sql import functions as F

from bass.pipeline import run_pipeline
from bass.registry import load_registry
from bass.session import Context, register_all
from bass.simulator.generate import generate, timeline


def run_demo(ctx: Context, users: int, start: dt.date, days: int, months: int, seed: int) -> bool:
    t0 = time.time()
    landing = ctx.cfg.path("landing")
    print(f"== 1/3 simulating {users:,} users, {days} CDR days from {start}, {months} billing months -> {landing}")
    generate(ctx.spark, landing, users, start, days, months, seed, ctx.cfg.province, ctx.cfg.path("truth"))
    print(f"   done in {time.time() - t0:.0f}s")
    cdr_days, bill_months = timeline(start, days, months)
    ok = True
    print("== 2/3 running the batches")
    ok &= _report(f"daily {cdr_days[0]}..{cdr_days[-1]}", run_pipeline(ctx, "daily", [d.isoformat() for d in cdr_days]))
    ok &= _report(f"monthly {bill_months[0]}..{bill_months[-1]}", run_pipeline(ctx, "monthly", bill_months))
    print(f"== 3/3 what it produced (after {time.time() - t0:.0f}s)")
    print(summary(ctx))
    return ok


def _report(label: str, status: dict) -> bool:
    bad = {j: s for j, s in status.items() if s not in ("SUCCESS", "SKIPPED", "UP_TO_DATE")}
    print(f"   {label:<22} {len(status) - len(bad)}/{len(status)} jobs ok" + (f"  FAILED: {bad}" if bad else ""))
    return not bad


def summary(ctx: Context) -> str:
    spark = ctx.spark
    register_all(spark, ctx.cfg)
    lines = [f"   {'table':<22} {'rows':>12}  {'batches':>7}  location"]
    for name, tbl in sorted(load_registry().items()):
        if not spark.catalog.tableExists(name):
            continue
        df = spark.table(name)
        batches = df.select(*tbl.partition_by).distinct().count() if tbl.partition_by else 1
        lines.append(f"   {name:<22} {df.count():>12,d}  {batches:>7}  {ctx.location(name)}")
    rejects = spark.table("meta.ods_reject").count() if spark.catalog.tableExists("meta.ods_reject") else 0
    runs = spark.table("meta.job_run").groupBy("status").count().collect()
    lines.append(f"   job runs: {', '.join(f'{r.status} {r[1]}' for r in runs)}; quarantined rows: {rejects}")
    lines.append(f"   outbox: {ctx.cfg.path('outbox')}   reports: {ctx.cfg.path('reports')}")
    lines.append("   daily KPIs by brand (first CDR day):")
    kpi = (spark.table("dm.kpi_d").where(F.col("batch_date") == spark.table("dm.kpi_d").agg(F.min("batch_date")).first()[0])
           .groupBy("brand").agg(F.sum("active_users").alias("active_users"), F.sum("voice_calls").alias("calls"),
                                 F.sum("billed_minutes").alias("billed_min"), F.sum("revenue").alias("revenue"))
           .orderBy("brand").collect())
    for r in kpi:
        lines.append(f"     {r.brand:<8} active {r.active_users:>7,d}  calls {r.calls:>8,d}  "
                     f"billed min {float(r.billed_min):>10,.1f}  revenue {float(r.revenue):>10,.2f}")
    lines.append('   try: bass sql "select region_code, brand, active_users, revenue from dm.kpi_d order by revenue desc limit 5"')
    return "\n".join(lines)
