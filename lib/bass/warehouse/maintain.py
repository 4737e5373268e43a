"""Table maintenance (`bass maintain`) and audit (`bass history`).

Daily loads leave many small files: every ODS batch, every bookkeeping row (meta.job_run gets
one commit per job). Reading a table costs a task per file, so the loader's registry lookups
and every small query slow down week by week. `maintain` bin-packs the recent partitions of
each partitioned table (the older ones were compacted by earlier runs and do not change) and
whole bookkeeping tables with Delta OPTIMIZE, then removes files no version within the
retention needs with VACUUM. Time travel reaches back as far as that retention.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import functions as F

from bass.core.grain import DAILY, MONTHLY, add_months
from bass.core.registry import Table, load_registry, table
from bass.core.session import Context


@dataclass
class Maintained:
    table: str
    files_before: int
    files_after: int
    bytes_after: int
    vacuumed: int          # files VACUUM deleted (no longer part of a version within the retention)
    scope: str             # which partitions OPTIMIZE compacted


def recent_predicate(ctx: Context, tbl: Table, days: int) -> tuple[str | None, str]:
    """(OPTIMIZE's WHERE on the table's date/month partition, its description): the partitions
    within `days` of the newest one. None: the whole table (unpartitioned, bookkeeping, or
    partitioned by something else)."""
    for g in (DAILY, MONTHLY):
        if g.column in tbl.partition_by:
            newest = ctx.spark.table(tbl.name).agg(F.max(g.column)).first()[0]
            if newest is None:
                return None, "empty"
            if g is DAILY:
                since = (dt.date.fromisoformat(str(newest)) - dt.timedelta(days=days)).isoformat()
            else:
                since = add_months(str(newest), -max(1, round(days / 30)))
            return f"{g.column} >= '{since}'", f"{g.column} >= {since}"
    return None, "whole table"


def file_count(ctx: Context, name: str) -> tuple[int, int]:
    """(files, bytes) of the table's current version."""
    d = ctx.spark.sql(f"describe detail {name}").select("numFiles", "sizeInBytes").first()
    return int(d.numFiles or 0), int(d.sizeInBytes or 0)


def maintain_table(ctx: Context, tbl: Table, days: int, retention_hours: float) -> Maintained:
    before, _ = file_count(ctx, tbl.name)
    where, scope = recent_predicate(ctx, tbl, days)
    delta = DeltaTable.forName(ctx.spark, tbl.name)
    opt = delta.optimize()
    if where:
        opt = opt.where(where)
    opt.executeCompaction()
    after, size = file_count(ctx, tbl.name)
    doomed = ctx.spark.sql(f"vacuum {tbl.name} retain {retention_hours} hours dry run").count()
    delta.vacuum(retention_hours)
    return Maintained(tbl.name, before, after, size, doomed, scope)


def maintain(ctx: Context, tables: list[str] | None = None) -> list[Maintained]:
    """OPTIMIZE and VACUUM every existing registry table (or the named ones)."""
    days = int(ctx.cfg.get("maintain.optimize_days", 35))
    hours = float(ctx.cfg.get("maintain.vacuum_retention_hours", 168))
    if hours < 168:   # Delta refuses a shorter retention unless told that no reader needs older files
        ctx.spark.conf.set("spark.databricks.delta.retentionDurationCheck.enabled", "false")
    # VACUUM lists the table's files in spark.sql.sources.parallelPartitionDiscovery.parallelism
    # tasks, 10,000 by default: 150 s for a four-partition table on 2 cores, 7 s with two tasks a core
    ctx.spark.conf.set("spark.sql.sources.parallelPartitionDiscovery.parallelism",
                       str(2 * ctx.spark.sparkContext.defaultParallelism))
    registry = load_registry()
    for name in tables or []:
        table(name)
    names = tables or sorted(registry)
    return [maintain_table(ctx, registry[n], days, hours) for n in names if ctx.spark.catalog.tableExists(n)]


def summary(rows: list[Maintained]) -> str:
    lines = [f"{'table':<28} {'files before':>12} {'after':>7} {'MB':>8} {'vacuumed':>9}  compacted"]
    for r in rows:
        lines.append(f"{r.table:<28} {r.files_before:>12,d} {r.files_after:>7,d} {r.bytes_after / 1e6:>8.1f} "
                     f"{r.vacuumed:>9,d}  {r.scope}")
    before, after = sum(r.files_before for r in rows), sum(r.files_after for r in rows)
    lines.append(f"{len(rows)} tables: {before:,d} files -> {after:,d}; {sum(r.vacuumed for r in rows):,d} "
                 "unreferenced files removed")
    return "\n".join(lines)


def check_written(ctx: Context, name: str) -> None:
    """A registry table that exists, or a clear error."""
    table(name)
    if not ctx.spark.catalog.tableExists(name):
        raise LookupError(f"{name} has not been written yet")


def history(ctx: Context, name: str, limit: int = 20):
    """The table's versions, newest first: when, what operation, with which parameters and metrics."""
    check_written(ctx, name)
    return (DeltaTable.forName(ctx.spark, name).history(limit)
            .select("version", "timestamp", "operation",
                    F.to_json("operationParameters").alias("parameters"),
                    F.to_json("operationMetrics").alias("metrics")))
