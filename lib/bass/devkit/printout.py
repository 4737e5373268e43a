"""What the demos print: a batch's status line, the warehouse's summary after a demo, and the
profiles checked against the simulator's planted truth."""
from __future__ import annotations

from pathlib import Path

from pyspark.sql import functions as F

from bass.core.registry import load_registry
from bass.core.session import Context, register_all
from bass.core.status import NOT_RUN, Status
from bass.devkit import planted


def share(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def batch_line(label: str, status: dict) -> bool:
    bad = {j: s for j, s in status.items() if s not in (Status.SUCCESS, *NOT_RUN)}
    print(f"   {label:<22} {len(status) - len(bad)}/{len(status)} jobs ok" + (f"  FAILED: {bad}" if bad else ""))
    return not bad


def delivered(status: dict, registry: dict) -> list[str]:
    """The steps of a pipeline's status that deliver a file to BOSS (not its checks)."""
    return [name for name in status if name in registry and registry[name].deliver]


def planted_profile_lines(ctx: Context, month: str) -> list[str]:
    """The month's multi-SIM, competitor-SIM and channel warnings against what the simulator planted
    (nothing without a truth folder)."""
    out: list[str] = []
    shared = planted.multi_sim_check(ctx, month)
    if shared:
        out.append(f"   multi-SIM flag against the {shared['planted']} users in the profile planted with a handset shared with "
                   f"another of our numbers: {shared['flagged']} flagged, precision {share(shared['precision'])}, "
                   f"recall {share(shared['recall'])}")
    sims = planted.second_sim_check(ctx, month)
    if sims:
        out.append(f"   competitor-SIM score >= 2 against the {sims['holders']} users in the profile who hold one: "
                   f"{sims['flagged']} flagged, precision {share(sims['precision'])}, recall {share(sims['recall'])} "
                   f"({share(sims['recall_settled'])} of those who took it before last month)")
    check = planted.channel_check(ctx, month)
    if check:
        out.append(f"   against the planted dishonest channels {', '.join(check['planted'])}: precision {share(check['precision'])}, "
                   f"recall {share(check['recall'])}, their risk ranks {check['planted_risk_ranks']}")
    return out


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
                F.try_divide(F.sum("churned_users"), F.sum("users_at_start") + F.sum("new_users")).alias("churn"))
           .orderBy("batch_month", "brand").collect())
    for r in kpi:
        lines.append(f"     {r.batch_month} {r.brand:<8} users {r.users:>7,d}  revenue {float(r.revenue):>12,.2f}  "
                     f"ARPU {float(r.arpu or 0):>7.2f}  churn {float(r.churn or 0):.2%}")
    dq = spark.table("meta.dq_result").groupBy("status").count().orderBy("status").collect()
    lines.append(f"   data-quality checks (meta.dq_result): {', '.join(f'{r.status} {r[1]}' for r in dq)}")
    lines.append('   try: bass sql "select batch_month, brand, sum(revenue), sum(churned_users) from dm.kpi_m group by 1, 2 order by 1, 2"')
    return "\n".join(lines)
