"""Monthly churn scoring (dm.churn_score_m) with the champion model and readable reasons.

Reasons: among the model's most important numeric features, the ones where this user stands
furthest (in standard deviations) on the risky side of the month's population - the side
where the score rises with the feature - weighted by importance. Written with the
registry's English label, e.g. "Calls forwarded off-net per 30 CDR days: high".
"""
from __future__ import annotations

import json

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.batch import Batch
from bass.ml import quantiles
from bass.ml.stages import FeaturePrep, stage
from bass.ml.tracking import Tracker
from bass.registry import table

REASON_FEATURES = 12     # most important numeric features considered
REASONS = 3              # reasons per user


def labels() -> dict:
    return {c.name: c.en.replace(", this month", "") for c in table("dm.user_wide_m").columns}


def reasons(scored: DataFrame, importance: list, numeric: set) -> DataFrame:
    """`scored` (with p) plus churn_reasons (the top factors in words) and churn_features (those
    factors' values for the user, e.g. "fwd_offnet_share=0.62")."""
    top = [(n, w) for n, w in importance if n in numeric and w > 0][:REASON_FEATURES]
    stats = scored.agg(*[x for n, _ in top for x in (F.avg(n).alias(f"m_{n}"), F.stddev(n).alias(f"s_{n}"),
                                                      F.corr(n, "p").alias(f"c_{n}"))]).first() if top else {}
    words = labels()
    items = []
    for n, w in top:
        mean, sd, corr = stats[f"m_{n}"], stats[f"s_{n}"], stats[f"c_{n}"]
        if not sd or corr is None:
            continue
        sign = 1.0 if corr > 0 else -1.0
        strength = F.coalesce((F.col(n) - F.lit(mean)) / F.lit(sd) * F.lit(sign * w), F.lit(0.0))
        text = f"{words.get(n, n)}: {'high' if sign > 0 else 'low'}"
        value = F.concat(F.lit(f"{n}="), F.round(F.col(n), 2).cast("string"))
        items.append(F.struct(strength.alias("s"), F.lit(text).alias("t"), value.alias("v")))
    if not items:
        return scored.withColumn("churn_reasons", F.lit(None).cast("string")) \
                     .withColumn("churn_features", F.lit(None).cast("string"))
    ranked = F.slice(F.sort_array(F.filter(F.array(*items), lambda x: x["s"] > 0), asc=False), 1, REASONS)
    return (scored.withColumn("_top", ranked)
            .withColumn("churn_reasons", F.array_join(F.transform("_top", lambda x: x["t"]), "; "))
            .withColumn("churn_features", F.array_join(F.transform("_top", lambda x: x["v"]), "; "))
            .drop("_top"))


def score_churn(ctx, batch: Batch) -> DataFrame:
    """Rows of dm.churn_score_m for the batch's months, from the champion model (never a path)."""
    tracker = Tracker(ctx, "churn")
    version, model, scored = tracker.champion_rows("dm.user_wide_m", batch)
    importance = json.loads(tracker.champion_text("feature_importance.json"))
    numeric = set(stage(model, FeaturePrep).spec().numeric)
    scored = reasons(scored, importance, numeric)
    return (quantiles.with_top_rank(scored, "p", "risk_decile", 10)
            .select("user_id", "msisdn", F.round("p", 6).alias("churn_prob"), "risk_decile",
                    "churn_reasons", "churn_features", F.lit(version).alias("model_version"), "batch_month"))
