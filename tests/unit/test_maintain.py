"""bass maintain compacts the recent partitions and bookkeeping, VACUUM removes what no version
needs, and history/time travel show what a table said before."""
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.core.registry import table
from bass.warehouse import bookkeeping, delta_io
from bass.warehouse.maintain import history, maintain


def _write_month(ctx, name: str, month: str, files: int) -> None:
    tbl = table(name)
    rows = ctx.spark.range(30).repartition(files).select(
        *[(F.lit(month) if c.name == "batch_month" else F.lit(None).cast(c.type)).alias(c.name) for c in tbl.columns])
    delta_io.write(ctx, name, rows, {"batch_month": month})


def _files(ctx, name: str) -> dict:
    return {r.batch_month: r.n for r in ctx.spark.table(name).groupBy("batch_month")
            .agg(F.countDistinct("_metadata.file_path").alias("n")).collect()}


def test_maintain_compacts_recent_partitions_and_bookkeeping_then_vacuums(ctx):
    ctx = ctx.with_overrides({"maintain": {"optimize_days": 35, "vacuum_retention_hours": 0}})
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        _write_month(ctx, "dm.kpi_m", month, files=3)
    bookkeeping.ensure_tables(ctx)
    for i in range(4):
        delta_io.append_rows(ctx, bookkeeping.JOB_RUN, [bookkeeping.Run(job="x", batch=Batch.of("month", "2026-01")).row()])
    assert _files(ctx, "dm.kpi_m") == {"2026-01": 3, "2026-02": 3, "2026-03": 3, "2026-04": 3}

    done = {r.table: r for r in maintain(ctx, ["dm.kpi_m", bookkeeping.JOB_RUN])}

    # the newest month and the one within 35 days of it are compacted; the older ones untouched
    assert _files(ctx, "dm.kpi_m") == {"2026-01": 3, "2026-02": 3, "2026-03": 1, "2026-04": 1}
    kpi = done["dm.kpi_m"]
    assert (kpi.files_before, kpi.files_after, kpi.scope) == (12, 8, "batch_month >= 2026-03")
    assert kpi.vacuumed == 6                          # the six files OPTIMIZE replaced
    runs = done[bookkeeping.JOB_RUN]
    assert (runs.files_before, runs.files_after, runs.scope) == (4, 1, "whole table")
    assert ctx.spark.table(bookkeeping.JOB_RUN).count() == 4 and ctx.spark.table("dm.kpi_m").count() == 120
    assert {r.operation for r in history(ctx, "dm.kpi_m").collect()} >= {"WRITE", "OPTIMIZE", "VACUUM END"}


def test_time_travel_shows_what_a_table_held_at_a_version(ctx):
    _write_month(ctx, "dm.kpi_m", "2026-01", files=1)
    _write_month(ctx, "dm.kpi_m", "2026-02", files=1)
    writes = sorted(r.version for r in history(ctx, "dm.kpi_m").collect() if r.operation == "WRITE")
    first = ctx.spark.sql(f"select distinct batch_month from dm.kpi_m version as of {writes[0]}").collect()
    assert [r.batch_month for r in first] == ["2026-01"]
    assert ctx.spark.table("dm.kpi_m").select("batch_month").distinct().count() == 2
