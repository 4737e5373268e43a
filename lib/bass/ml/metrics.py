"""Ranking and calibration metrics of a scored set (label 0/1, score = probability), in Spark."""
from __future__ import annotations

from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.ml import quantiles

TOPS = (0.05, 0.10, 0.20)


def evaluate(scored: DataFrame, label: str = "label", score: str = "p") -> dict:
    """ROC-AUC, PR-AUC, lift and capture rate at the top 5/10/20 %, calibration by decile. Ranks
    come from approximate quantiles of the score (quantiles.py), so no step sorts the whole set
    in one task; tied scores at a cut fall on the same side."""
    s = scored.select(F.col(label).cast("double").alias("label"), F.col(score).cast("double").alias("p"),
                      F.lit(0).alias("_all")).cache()
    ev = BinaryClassificationEvaluator(rawPredictionCol="p", labelCol="label")
    out = {"roc_auc": ev.evaluate(s, {ev.metricName: "areaUnderROC"}),
           "pr_auc": ev.evaluate(s, {ev.metricName: "areaUnderPR"})}
    ranked = quantiles.with_top_rank(s, "p", "_pct", 100, by="_all")     # 1 = the top 1 %
    agg = [F.count(F.lit(1)).alias("n"), F.sum("label").alias("pos")]
    for k in TOPS:
        top = F.col("_pct") <= int(round(k * 100))
        agg += [F.sum(F.when(top, 1)).alias(f"n_{k}"), F.sum(F.when(top, F.col("label"))).alias(f"pos_{k}")]
    t = ranked.agg(*agg).first()
    base = t["pos"] / t["n"] if t["n"] else 0.0
    out["rows"], out["positive_rate"] = t["n"], base
    for k in TOPS:
        pct = int(round(k * 100))
        rate = (t[f"pos_{k}"] or 0) / t[f"n_{k}"] if t[f"n_{k}"] else 0.0
        out[f"lift_top{pct}"] = rate / base if base else 0.0
        out[f"capture_top{pct}"] = (t[f"pos_{k}"] or 0) / t["pos"] if t["pos"] else 0.0
    out["top_decile_lift"] = out["lift_top10"]
    deciles = (ranked.withColumn("decile", F.ceil(F.col("_pct") / 10).cast("int"))
               .groupBy("decile").agg(F.count(F.lit(1)).alias("rows"), F.avg("p").alias("mean_predicted"),
                                       F.avg("label").alias("observed_rate"))
               .orderBy("decile").collect())
    out["calibration"] = [r.asDict() for r in deciles]
    s.unpersist()
    return out


def scalar(metrics: dict) -> dict:
    """The numeric metrics (for MLflow and JSON lines)."""
    return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
