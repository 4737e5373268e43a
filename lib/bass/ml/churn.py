"""Churn model (离网预测) on dm.user_wide_m, tracked in MLflow.

Time-based split: the latest month whose H-month label is known validates, the labelled months
before it train. Features are the wide table's columns, which read no month after their own
(tested). Every run logs its parameters, metrics (ROC-AUC, PR-AUC, lift and capture at the
top 5/10/20 %, calibration by decile, feature importance) and the model; the model is
registered and gets the `champion` alias only if it beats the current champion on the same
validation month. Scoring loads `models:/<name>@champion`, never a path.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.ml import features, metrics, report, trainer
from bass.ml.tracking import Tracker

log = logging.getLogger("bass")
NOT_FEATURES = ["user_id", "msisdn", "cust_id", "batch_month", "churn_1m", "churn_3m", "status", "label"]


@dataclass
class ChurnRun:
    run_id: str
    kind: str
    train_months: list
    valid_month: str
    metrics: dict
    champion_auc: float | None
    promoted: bool
    trained: trainer.Trained
    valid_df: DataFrame
    report: str               # path of the HTML evaluation report


def label_column(horizon: int) -> str:
    if horizon not in (1, 3):
        raise ValueError(f"churn horizon must be 1 or 3 months (dm.user_wide_m has churn_1m and churn_3m), got {horizon}")
    return f"churn_{horizon}m"


def time_split(labelled: DataFrame, until: str | None, need: str) -> tuple[DataFrame, DataFrame, list, str]:
    """(train, valid, train months, valid month): the latest labelled month (up to `until`)
    validates, the earlier ones train. `need` says what a labelled month is, for the error."""
    if until:
        labelled = labelled.where(F.col("batch_month") <= until)
    months = sorted(r[0] for r in labelled.select("batch_month").distinct().collect())
    if len(months) < 2:
        raise ValueError(f"need at least two months {need} to train and validate; have {months}: load more months")
    return (labelled.where(F.col("batch_month").isin(months[:-1])), labelled.where(F.col("batch_month") == months[-1]),
            months[:-1], months[-1])


def split(wide: DataFrame, horizon: int, until: str | None = None) -> tuple[DataFrame, DataFrame, list, str]:
    """(train, valid, train months, valid month) from the months whose label is known."""
    lab = label_column(horizon)
    labelled = wide.where(F.col(lab).isNotNull()).withColumn("label", F.col(lab).cast("int"))
    return time_split(labelled, until, f"with a known {lab} label (it needs the {horizon} months after each)")


def train_churn(ctx, horizon: int | None = None, until: str | None = None) -> ChurnRun:
    horizon = horizon or int(ctx.cfg.get("ml.churn.horizon_months", 3))
    seed = int(ctx.cfg.get("ml.churn.seed", 7))
    wide = ctx.spark.table("dm.user_wide_m")
    train_df, valid_df, train_months, valid_month = split(wide, horizon, until)
    spec = features.detect(train_df, NOT_FEATURES)
    kinds = tuple(ctx.cfg.get("ml.churn.models") or ("logistic_regression", "gbt"))
    trained = trainer.train(train_df, valid_df, spec, seed, kinds=kinds)
    m = trained.validation
    tracker = Tracker(ctx)
    champion_auc, promote = tracker.challenge(m["roc_auc"], lambda model: metrics.evaluate(model.transform(valid_df))["roc_auc"])
    params = {"horizon_months": horizon, "model": trained.kind, "train_months": ",".join(train_months),
              "valid_month": valid_month, "features": len(spec.names()), "seed": seed, "base_rate": trained.base_rate}
    facts = {**params, "candidates (validation ROC-AUC)": ", ".join(f"{k} {v:.4f}" for k, v in trained.candidates.items()),
             "champion before (same month)": "none" if champion_auc is None else f"{champion_auc:.4f}",
             "promoted to champion": promote}
    page = report.churn_report(f"Churn model, {horizon}-month horizon, validated on {valid_month}", facts, m,
                               report.bucket_counts(trainer.score(trained, valid_df)), trained.importance)
    run_id = tracker.log_run(
        params=params,
        metrics={**metrics.scalar(m), **{f"candidate_auc_{k}": v for k, v in trained.candidates.items()}},
        artifacts={"calibration.json": json.dumps(m["calibration"], indent=1),
                   "feature_importance.json": json.dumps(trained.importance, indent=1),
                   "report.html": page},
        model=trained.model, promote=promote)
    path = report.save(ctx.cfg.path("reports"), f"churn/{valid_month}_h{horizon}_{run_id}.html", page)
    log.info("churn model %s: valid %s ROC-AUC %.4f (champion %s) -> %s", trained.kind, valid_month, m["roc_auc"],
             "none" if champion_auc is None else f"{champion_auc:.4f}", "champion" if promote else "not promoted")
    return ChurnRun(run_id, trained.kind, train_months, valid_month, m, champion_auc, promote, trained, valid_df,
                    str(path))


def truth_metrics(ctx, scored: DataFrame, month: str, horizon: int) -> dict:
    """Metrics of scores for `month` against the simulator's ground truth (truth/churn_truth):
    the user leaves within `horizon` months after the month's end."""
    path = f"{ctx.cfg.path('truth')}/churn_truth"
    truth = ctx.spark.read.csv(path, header=True).select("user_id", F.to_date("churn_date").alias("churn_date"))
    end = F.last_day(F.to_date(F.lit(month + "-01")))
    left = (F.col("churn_date") > end) & (F.col("churn_date") <= F.last_day(F.add_months(end, horizon)))
    joined = scored.join(truth, "user_id").withColumn("label", F.coalesce(left, F.lit(False)).cast("int"))
    return metrics.evaluate(joined)


def synthetic_check(ctx, horizon: int | None = None) -> dict:
    """Train on the warehouse's labelled months; score the validation month against the truth."""
    horizon = horizon or int(ctx.cfg.get("ml.churn.horizon_months", 3))
    run = train_churn(ctx, horizon)
    scored = trainer.score(run.trained, run.valid_df).select("user_id", "p")
    m = truth_metrics(ctx, scored, run.valid_month, horizon)
    return {"valid_month": run.valid_month, "model": run.kind, "roc_auc_vs_boss_labels": round(run.metrics["roc_auc"], 4),
            "roc_auc": round(m["roc_auc"], 4), "top_decile_lift": round(m["top_decile_lift"], 3), "rows": m["rows"]}
