"""`bass demo`: simulate a small province, backfill the daily and monthly batches, train the
churn, value and segmentation models (MLflow champions), run the scoring batch for the last
month (scores, value, segments, the BOSS retention list and its file), show the result."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from pyspark.sql import functions as F

from bass.business_report import business_report
from bass.ml.families import family
from bass.ml.train import train
from bass.pipeline import run_pipeline
from bass.registry import load_registry
from bass.session import Context, register_all
from bass.simulator.generate import generate, timeline


def run_demo(ctx: Context, users: int, start: dt.date, days: int, months: int, seed: int) -> bool:
    t0 = time.time()
    landing = ctx.cfg.path("landing")
    print(f"== 1/4 simulating {users:,} users, {days} CDR days from {start}, {months} billing months -> {landing}")
    generate(ctx.spark, landing, users, start, days, months, seed, ctx.cfg.province, ctx.cfg.path("truth"))
    print(f"   done in {time.time() - t0:.0f}s")
    cdr_days, bill_months = timeline(start, days, months)
    ok = True
    print("== 2/4 running the batches (one backfill per pipeline)")
    ok &= _report(f"daily {cdr_days[0]}..{cdr_days[-1]}", run_pipeline(ctx, "daily", [d.isoformat() for d in cdr_days]))
    ok &= _report(f"monthly {bill_months[0]}..{bill_months[-1]}", run_pipeline(ctx, "monthly", bill_months))
    if ok:
        print(f"== 3/4 mining models (after {time.time() - t0:.0f}s)")
        ok &= _models(ctx, bill_months[-1])
    if ok:
        print(f"   business report {bill_months[-1]}: {business_report(ctx, bill_months[-1]).resolve().as_uri()}")
    print(f"== 4/4 what it produced (after {time.time() - t0:.0f}s)")
    print(summary(ctx))
    return ok


def _models(ctx: Context, month: str) -> bool:
    """Train every model family (champion if better), then the scoring batch for `month`."""
    ctx.cfg.raw["ml"]["churn"]["candidates"] = ctx.cfg.get("demo.churn_candidates")
    try:
        runs = train(ctx)
    except ValueError as exc:       # too few months with known labels
        print(f"   not trained: {exc}")
        return True
    for name, run in runs.items():
        facts = family(name).describe(run)
        lists = {k: v for k, v in facts.items() if isinstance(v, list)}
        print(f"   {name}: " + ", ".join(f"{k} {v}" for k, v in facts.items() if k not in lists)
              + f" ({'new champion' if run.promoted else 'champion kept'})")
        for k, items in lists.items():
            print(f"     {k}:" + "".join(f"\n       {x}" for x in items))
    ok = _report(f"scoring {month}", run_pipeline(ctx, "scoring", month))
    if ok:
        print(f"   retention list {month} (out.boss_retention_m, largest expected loss first):")
        for r in (ctx.spark.table("out.boss_retention_m").where(F.col("batch_month") == month)
                  .orderBy("list_rank").limit(3).collect()):
            print(f"     {r.list_rank:>3} {r.msisdn} {r.value_tier} ARPU {float(r.arpu or 0):.1f} "
                  f"p={float(r.churn_prob):.2f} [{r.segment_desc}] {r.churn_reason}")
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
    lines.append(f"   outbox (files for BOSS): {ctx.cfg.path('outbox')}")
    for f in sorted(Path(ctx.cfg.path("outbox")).glob("*/*")):
        lines.append(f"     {f.relative_to(ctx.cfg.path('outbox'))}  {f.stat().st_size:,d} bytes")
    lines.append(f"   reports: {ctx.cfg.path('reports')}")
    for f in sorted(Path(ctx.cfg.path("reports")).glob("**/*.html")):
        lines.append(f"     {f.resolve().as_uri()}")
    lines.append("   monthly KPIs by brand (dm.kpi_m):")
    kpi = (spark.table("dm.kpi_m").groupBy("batch_month", "brand")
           .agg(F.sum("users_in_net").alias("users"), F.sum("revenue").alias("revenue"),
                F.try_divide(F.sum("revenue"), F.sum("billed_users")).alias("arpu"),
                F.try_divide(F.sum("churned_users"), F.sum("users_at_start")).alias("churn"))
           .orderBy("batch_month", "brand").collect())
    for r in kpi:
        lines.append(f"     {r.batch_month} {r.brand:<8} users {r.users:>7,d}  revenue {float(r.revenue):>12,.2f}  "
                     f"ARPU {float(r.arpu or 0):>7.2f}  churn {float(r.churn or 0):.2%}")
    dq = spark.table("meta.dq_result").groupBy("status").count().orderBy("status").collect()
    lines.append(f"   data-quality checks (meta.dq_result): {', '.join(f'{r.status} {r[1]}' for r in dq)}")
    lines.append('   try: bass sql "select batch_month, brand, sum(revenue), sum(churned_users) from dm.kpi_m group by 1, 2 order by 1, 2"')
    return "\n".join(lines)
