"""Ranking and calibration metrics of a scored set (label 0/1, score = probability), in Spark."""
from __future__ import annotations

from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

TOPS = (0.05, 0.10, 0.20)


def ranked(scored: DataFrame, score: str = "p") -> DataFrame:
    """Rows with their rank fraction (0 = highest score). One sorted partition: fine for a
    validation month of a small province; province-scale evaluation would use quantiles."""
    w = Window.orderBy(F.desc(score))
    return scored.withColumn("rank_frac", (F.row_number().over(w) - 1) / F.count(F.lit(1)).over(Window.partitionBy()))


def evaluate(scored: DataFrame, label: str = "label", score: str = "p") -> dict:
    """ROC-AUC, PR-AUC, lift and capture rate at the top 5/10/20 %, calibration by decile."""
    s = scored.select(F.col(label).cast("double").alias("label"), F.col(score).cast("double").alias("p")).cache()
    ev = BinaryClassificationEvaluator(rawPredictionCol="p", labelCol="label")
    out = {"roc_auc": ev.evaluate(s, {ev.metricName: "areaUnderROC"}),
           "pr_auc": ev.evaluate(s, {ev.metricName: "areaUnderPR"})}
    r = ranked(s)
    agg = [F.count(F.lit(1)).alias("n"), F.sum("label").alias("pos")]
    for k in TOPS:
        agg += [F.sum(F.when(F.col("rank_frac") < k, 1)).alias(f"n_{k}"),
                F.sum(F.when(F.col("rank_frac") < k, F.col("label"))).alias(f"pos_{k}")]
    t = r.agg(*agg).first()
    base = t["pos"] / t["n"] if t["n"] else 0.0
    out["rows"], out["positive_rate"] = t["n"], base
    for k in TOPS:
        pct = int(round(k * 100))
        rate = (t[f"pos_{k}"] or 0) / t[f"n_{k}"] if t[f"n_{k}"] else 0.0
        out[f"lift_top{pct}"] = rate / base if base else 0.0
        out[f"capture_top{pct}"] = (t[f"pos_{k}"] or 0) / t["pos"] if t["pos"] else 0.0
    out["top_decile_lift"] = out["lift_top10"]
    deciles = (r.withColumn("decile", F.floor(F.col("rank_frac") * 10).cast("int") + 1)
               .groupBy("decile").agg(F.count(F.lit(1)).alias("rows"), F.avg("p").alias("mean_predicted"),
                                       F.avg("label").alias("observed_rate"))
               .orderBy("decile").collect())
    out["calibration"] = [r.asDict() for r in deciles]
    s.unpersist()
    return out


def scalar(metrics: dict) -> dict:
    """The numeric metrics (for MLflow and JSON lines)."""
    return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
