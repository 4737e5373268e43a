"""Rank users within a month by approximate quantiles: cut points from percentile_approx per
month, then each row compares itself with the (broadcast) cuts. No sort of the whole month
into one partition, so it scales with the province."""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

ACCURACY = 10_000


def with_top_rank(df: DataFrame, score: str, out: str, n: int, by: str = "batch_month") -> DataFrame:
    """`out` = 1..n: the n-tile of `score` within `by`, 1 holding the highest scores."""
    cuts = df.groupBy(by).agg(F.percentile_approx(score, [i / n for i in range(1, n)], ACCURACY).alias("_cuts"))
    rank = F.size(F.filter("_cuts", lambda c: c >= F.col(score))) + 1
    return df.join(F.broadcast(cuts), by).withColumn(out, rank.cast("int")).drop("_cuts")


def share_below(df: DataFrame, score: str, out: str, by: str = "batch_month", steps: int = 100) -> DataFrame:
    """`out` in [0, 1]: the share of the month's users with a lower `score` (to 1/steps)."""
    cuts = df.groupBy(by).agg(F.percentile_approx(score, [i / steps for i in range(1, steps)], ACCURACY).alias("_cuts"))
    below: Column = F.size(F.filter("_cuts", lambda c: c < F.col(score))) / F.lit(float(steps - 1))
    return df.join(F.broadcast(cuts), by).withColumn(out, F.when(F.col(score).isNotNull(), below)).drop("_cuts")
