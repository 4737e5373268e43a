"""The churn baseline: the rule an operator uses without a model (conf ml.churn.baseline, e.g. in
arrears or stopped, then new in the network). A churn model is promoted only if it ranks the test
month's leavers better than the rule (ROC-AUC); until one has, the rule scores dm.churn_score_m
with a warning: a user's probability is the churn rate of their bucket in the latest month whose
labels are known, their reason the bucket's words.
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.ml.churn import search

VERSION = "baseline rule"


def _buckets(cfg) -> list[dict]:
    rule = cfg.get("ml.churn.baseline") or []
    if not rule or any(not b.get("when") or not b.get("says") for b in rule):
        raise ValueError("ml.churn.baseline must list buckets, each with `when` (a condition on dm.user_wide_m) and `says`")
    return rule


def bucket(cfg) -> Column:
    """The index of the first bucket a row matches (0 = the riskiest); past the last: its count."""
    rule = _buckets(cfg)
    out = F.lit(len(rule))
    for i, b in reversed(list(enumerate(rule))):
        out = F.when(F.expr(b["when"]), F.lit(i)).otherwise(out)
    return out


def rule_auc(cfg, rows: DataFrame) -> float:
    """ROC-AUC of the rule on labelled `rows` (column `label`): riskier buckets score higher."""
    return search.roc_auc(rows.withColumn("p", -bucket(cfg).cast("double")))


def scores(ctx, batch: Batch, label: str) -> DataFrame:
    """user_id, msisdn, p, churn_reasons, churn_features, batch_month for the batch's months from
    the rule, calibrated on the latest month up to the batch's last with `label` known."""
    rule = _buckets(ctx.cfg)
    wide = ctx.spark.table("dm.user_wide_m").withColumn("_bucket", bucket(ctx.cfg))
    known = wide.where(F.col(label).isNotNull() & (F.col("batch_month") <= batch.last))
    month = known.agg(F.max("batch_month")).first()[0]
    if month is None:
        raise ValueError(f"no month up to {batch.last} has {label} known: the churn baseline cannot be calibrated; "
                         "train a churn model (bass ml train) once the labels are in")
    rates = (known.where(F.col("batch_month") == month).groupBy("_bucket")
             .agg(F.avg(F.col(label).cast("double")).alias("p")))
    words = ctx.spark.createDataFrame([(i, b["says"]) for i, b in enumerate(rule)], "_bucket int, churn_reasons string")
    rows = wide.where((F.col("batch_month") >= batch.first) & (F.col("batch_month") <= batch.last))
    return (rows.join(F.broadcast(rates), "_bucket", "left").join(F.broadcast(words), "_bucket", "left")
            .select("user_id", "msisdn", F.coalesce("p", F.lit(0.0)).alias("p"), F.coalesce("churn_reasons", F.lit("")).alias("churn_reasons"),
                    F.concat(F.lit("baseline_bucket="), F.col("_bucket").cast("string")).alias("churn_features"), "batch_month"))
