"""The churn model against what the simulator planted (its truth folder, which no job reads):
the scores of a month against who really left within the horizon."""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.ml import metrics
from bass.ml.churn import search
from bass.ml.churn.model import train_churn


def truth_metrics(ctx, scored: DataFrame, month: str, horizon: int) -> dict:
    """Metrics of scores for `month` against the simulator's ground truth (truth/churn_truth):
    the user leaves within `horizon` months after the month's end."""
    path = f"{ctx.cfg.path('truth')}/churn_truth"
    truth = ctx.spark.read.csv(path, header=True).select("user_id", F.to_date("churn_date").alias("churn_date"))
    end = F.last_day(F.to_date(F.lit(month + "-01")))
    left = (F.col("churn_date") > end) & (F.col("churn_date") <= F.last_day(F.add_months(end, horizon)))
    joined = scored.join(truth, "user_id").withColumn("label", F.coalesce(left, F.lit(False)).cast("int"))
    return metrics.evaluate(joined)


def bayes_optimal(ctx, users: DataFrame, month: str, horizon: int) -> dict:
    """Metrics of the best possible churn scores for `users` (user_id) of `month`: each scored by
    the probability the simulator itself used (truth/churn_truth's monthly hazards: leaving within
    `horizon` months after `month` is 1 - the product of (1 - hazard) over those months), against
    who really left. No model can rank the month better in expectation, so a model's ROC-AUC
    is judged against this one, and one above it learned from a signal the hazard does not hold."""
    from bass.devkit.simulator.generate import Simulation, month_index
    truth = ctx.cfg.path("truth")
    first = month_index(Simulation.load(truth), month) + 1
    hazard = F.split(F.col("hazard_by_month"), ";").cast("array<double>")
    stay = F.aggregate(F.slice(hazard, first + 1, horizon), F.lit(1.0), lambda acc, p: acc * (1 - p))
    scored = (ctx.spark.read.csv(f"{truth}/churn_truth", header=True)
              .select("user_id", (1 - stay).alias("p")).join(users.select("user_id"), "user_id"))
    return truth_metrics(ctx, scored, month, horizon)


def truth_judge(ctx):
    """`truth_metrics` for ml.churn.feature_effect when the warehouse has a truth folder, else None."""
    from pathlib import Path
    if not Path(ctx.cfg.path("truth"), "churn_truth").exists():
        return None
    return lambda scored, month, horizon: truth_metrics(ctx, scored, month, horizon)


def synthetic_check(ctx, horizon: int) -> dict:
    """Train on the warehouse's labelled months; the untouched test month's scores against the
    simulator's ground truth."""
    run = train_churn(ctx, horizon, facts=lambda test_df, month, h: {
        "Bayes-optimal ROC-AUC (the simulator's own hazard)": f"{bayes_optimal(ctx, test_df, month, h)['roc_auc']:.4f}"})
    m = truth_metrics(ctx, search.score(run.trained, run.test_df).select("user_id", "p"), run.windows.test_month, horizon)
    best = bayes_optimal(ctx, run.test_df, run.windows.test_month, horizon)
    return {"horizon": horizon, "test_month": run.windows.test_month, "model": run.kind,
            "selection_auc": round(run.selection_auc, 4), "roc_auc_vs_boss_labels": round(run.metrics["roc_auc"], 4),
            "roc_auc": round(m["roc_auc"], 4), "bayes_optimal_roc_auc": round(best["roc_auc"], 4),
            "gap_to_bayes": round(best["roc_auc"] - m["roc_auc"], 4),
            "top_decile_lift": round(m["top_decile_lift"], 3), "rows": m["rows"]}
