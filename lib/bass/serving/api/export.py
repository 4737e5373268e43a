"""The serving snapshot: the month's scores, segments, value tiers, campaign memberships and open
sales-assist tasks joined in Spark, written as JSON lines and streamed into one SQLite file keyed
by MSISDN, replaced atomically (`bass api export`, after the monthly scoring)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

from pyspark.sql import functions as F

SNAPSHOT = "subscribers.sqlite"


def snapshot_path(cfg) -> Path:
    return Path(cfg.path("home")) / "serving" / SNAPSHOT


def profiles(spark, month: str):
    """One row per scored user of `month`: segment, value, churn and campaign memberships (JSON)."""
    month_of = lambda name: spark.table(name).where(F.col("batch_month") == month)  # noqa: E731
    score = month_of("dm.churn_score_m").select("msisdn", "user_id", "churn_prob", "risk_decile", "churn_reasons",
                                               F.col("model_version").alias("churn_model"))
    segment = month_of("dm.user_segment_m").select("user_id", "segment_id", "segment_desc")
    value = month_of("dm.user_value_m").select("user_id", "value_tier", "value_score", "arpu")
    campaigns = (month_of("out.campaign_target_m").where(F.col("grp") == "treated")
                 .groupBy("user_id").agg(F.sort_array(F.collect_list(F.struct(
                     "campaign_id", "campaign_kind", "target_rank", "action_desc", "channel"))).alias("campaigns")))
    return (score.join(segment, "user_id", "left").join(value, "user_id", "left").join(campaigns, "user_id", "left")
            .join(open_tasks(spark), "msisdn", "left")
            .select("msisdn", F.to_json(F.struct(
                F.lit(month).alias("month"), "msisdn", "user_id", "segment_id", "segment_desc", "value_tier",
                F.col("value_score").cast("double").alias("value_score"), F.col("arpu").cast("double").alias("arpu"),
                "churn_prob", "risk_decile", "churn_reasons", "churn_model",
                F.coalesce("campaigns", F.array()).alias("campaigns"),
                F.coalesce("sales_tasks", F.array()).alias("sales_tasks")), {"ignoreNullFields": "false"}).alias("profile")))


def open_tasks(spark):
    """Per user, the sales-assist tasks of the newest task day (out.sales_task_d); none before the first."""
    schema = "msisdn string, sales_tasks array<struct<task_date:string, task_type:string, task_subtype:string, " \
             "reason:string, recommended_plan_id:string, plan_saving:double>>"
    if not spark.catalog.tableExists("out.sales_task_d"):
        return spark.createDataFrame([], schema)
    tasks = spark.table("out.sales_task_d")
    newest = tasks.agg(F.max("batch_date")).first()[0]
    return (tasks.where(F.col("batch_date") == F.lit(newest)).groupBy("msisdn").agg(F.sort_array(F.collect_list(F.struct(
        F.col("task_date").cast("string").alias("task_date"), "task_type", "task_subtype", "reason", "recommended_plan_id",
        F.col("plan_saving").cast("double").alias("plan_saving")))).alias("sales_tasks")))


def export(ctx, month: str | None = None) -> tuple[Path, int]:
    """Write the serving snapshot for `month` (default: the newest scored month)."""
    spark = ctx.spark
    month = month or spark.table("dm.churn_score_m").agg(F.max("batch_month")).first()[0]
    if month is None:
        raise LookupError("dm.churn_score_m is empty: run the scoring batch first")
    target = snapshot_path(ctx.cfg)
    parts = target.parent / f"export-{month}"
    shutil.rmtree(parts, ignore_errors=True)
    profiles(spark, month).write.mode("overwrite").option("compression", "none").json(str(parts))
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.execute("create table profile (msisdn text primary key, body text not null)")
    rows = 0

    def lines():   # streamed line by line into SQLite, never held whole
        nonlocal rows
        for part in sorted(parts.glob("part-*.json")):
            with part.open() as f:
                for line in map(json.loads, f):
                    rows += 1
                    yield line["msisdn"], line["profile"]

    db.executemany("insert or replace into profile values (?, ?)", lines())
    db.execute("create table meta (key text primary key, value text)")
    db.execute("insert into meta values ('month', ?)", (month,))
    db.commit()
    db.close()
    os.replace(tmp, target)
    shutil.rmtree(parts)
    return target, rows
