"""Monthly churn scoring (dm.churn_score_m) with the champion of the configured horizon
(ml.churn.horizon_months) and per-user reasons from that model's own contributions
(bass.ml.churn.explain) in an agent's words, e.g. "spend down 40 % against the last three months
(35.2 vs 58.7 yuan)".
"""
from __future__ import annotations

import logging

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.ml import quantiles
from bass.ml.churn import baseline, explain
from bass.ml.churn.model import label_column
from bass.ml.tracking import Tracker

log = logging.getLogger("bass")


def score_churn(ctx, batch: Batch) -> DataFrame:
    """Rows of dm.user_wide_m's users for the batch's months, from the champion model (never a
    path); without one, no model having beaten the baseline rule, from the rule, with a warning."""
    horizon = int(ctx.cfg.get("ml.churn.horizon_months", 1))
    tracker = Tracker(ctx, "churn", horizon=horizon)
    if tracker.has_champion():
        version, model, scored = tracker.champion_rows("dm.user_wide_m", batch)
        # the reasons take the month's means and medians and the deciles their cut points before the
        # write: four passes over the model's output, computed once (freed when no longer referenced)
        kept = explain.explained_columns(model, ctx.spark.table("dm.user_wide_m").columns)
        scored = explain.reasons(model, scored.select(*kept).localCheckpoint(), explain.feature_labels())
    else:
        log.warning("no churn model has beaten the baseline rule (ml.churn.baseline): scoring with the rule")
        version, scored = baseline.VERSION, baseline.scores(ctx, batch, label_column(horizon))
    return (quantiles.with_top_rank(scored, "p", "risk_decile", 10)
            .select("user_id", "msisdn", F.round("p", 6).alias("churn_prob"), "risk_decile",
                    "churn_reasons", "churn_features", F.lit(version).alias("model_version"), "batch_month"))
