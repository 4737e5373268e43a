"""Staged Parquet files committed as a Delta table's partition without rewriting them: the
one module that drives Delta's transaction through the JVM, checked against what Delta shows."""
import datetime as dt

from pyspark.sql import functions as F

from bass.core.interfaces import interface
from bass.core.registry import ods_table
from bass.warehouse import delta_commit, delta_io

SPEC = interface("cdr_sms")


def rows(spark, day: dt.date, n: int, offset: int = 0):
    tbl = ods_table(SPEC)
    cols = [F.lit(None).cast(c.type).alias(c.name) for c in tbl.columns if c.name not in ("msisdn", "batch_date")]
    return spark.range(offset, offset + n).select(F.format_string("138%08d", "id").alias("msisdn"), *cols,
                                                  F.lit(day).alias("batch_date"))


def test_staged_files_replace_one_partition_in_one_commit_and_the_history_says_write(ctx):
    spark, name = ctx.spark, SPEC.table
    d1, d2 = dt.date(2026, 1, 1), dt.date(2026, 1, 2)
    delta_io.write(ctx, name, rows(spark, d1, 5).unionByName(rows(spark, d2, 7)), {"batch_date": [d1, d2]})
    folder = ctx.location(name) + "/staged-test"
    staged = rows(spark, d2, 3, offset=100).unionByName(rows(spark, d1, 4, offset=200))
    staged.withColumn("extra", F.lit("ignored")).write.partitionBy("batch_date").parquet(folder)
    before = {f for f in spark.read.format("delta").load(ctx.location(name)).inputFiles()}

    delta_commit.replace_partitions(ctx, name, folder, {"batch_date": [d2]})

    got = spark.table(name)
    assert got.where(F.col("batch_date") == d1).count() == 5                      # the other partition as it was
    assert sorted(r.msisdn for r in got.where(F.col("batch_date") == d2).collect()) == [
        f"138{i:08d}" for i in (100, 101, 102)]                                   # the staged files, not a copy
    assert all(f.split("/")[-3] == "staged-test" for f in set(got.where(F.col("batch_date") == d2).inputFiles()) - before)
    last = spark.sql(f"describe history {name} limit 1").first()
    assert last.operation == "WRITE" and last.operationParameters["mode"] == "Overwrite"
    assert "batch_date" in last.operationParameters["predicate"]


def test_nothing_staged_empties_the_partition(ctx):
    spark, name = ctx.spark, SPEC.table
    d1 = dt.date(2026, 1, 1)
    delta_io.write(ctx, name, rows(spark, d1, 5), {"batch_date": [d1]})
    delta_commit.replace_partitions(ctx, name, ctx.location(name) + "/staged-none", {"batch_date": [d1]})
    assert spark.table(name).count() == 0
