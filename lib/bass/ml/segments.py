"""Customer segmentation (客户细分): MLlib k-means on standardised behaviour features.

Amounts are log-scaled (spend and traffic are heavy-tailed), missing values take the median,
everything is standardised, and k is the one with the best silhouette in conf k_min..k_max.
Each segment gets a readable description from its centre (the features furthest from the
province average, in standard deviations, with the words in conf ml.segment.features) and its
brand and age mix, e.g. "Young M-Zone users: heavy data, light voice". The fitted pipeline is
registered like the churn model; its `champion` alias moves only if it separates the same
month better (higher silhouette), so segment ids stay stable from month to month otherwise, and
only if it separates users better than the naive baseline, k bands of spend (revenue_avg3, what
an operator segments by without a model), measured in the same feature space. Until a model has,
scoring uses the spend bands (k_min of them), with a warning.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.clustering import KMeans
from pyspark.ml.evaluation import ClusteringEvaluator
from pyspark.ml.feature import Imputer, StandardScaler, VectorAssembler
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.ml import quantiles
from bass.ml.stages import LogScale
from bass.ml.tracking import Tracker

log = logging.getLogger("bass")


@dataclass
class SegmentRun:
    run_id: str
    month: str
    k: int
    silhouettes: dict
    baseline_silhouette: float   # k spend bands in the same feature space
    segments: list          # {segment_id, description, size, centre}
    champion_silhouette: float | None
    promoted: bool


def prepared(cfg, df: DataFrame) -> DataFrame:
    """Behaviour features as doubles `<name>__x`, log-scaled where configured (the model's first stage)."""
    names = list(cfg.get("ml.segment.features"))
    return LogScale(columns=names, logColumns=[n for n in names if n in cfg.get("ml.segment.log_scale", [])]).transform(df)


def usable(cfg, data: DataFrame) -> list[str]:
    """The configured features with values in the month (a month without CDR days has no call
    shares; a feature without any value cannot be imputed or separate anyone)."""
    names = list(cfg.get("ml.segment.features"))
    filled = data.agg(*[F.count(f"{n}__x").alias(n) for n in names]).first()
    keep = [n for n in names if filled[n]]
    if len(keep) < 2:
        raise ValueError(f"segmentation needs at least two of {names} with values in the month; have {keep}")
    return keep


def pipeline(cfg, names: list[str], k: int, seed: int) -> Pipeline:
    x, imp = [f"{n}__x" for n in names], [f"{n}__i" for n in names]
    logs = [n for n in names if n in cfg.get("ml.segment.log_scale", [])]
    return Pipeline(stages=[LogScale(columns=names, logColumns=logs),
                            Imputer(inputCols=x, outputCols=imp, strategy="median"),
                            VectorAssembler(inputCols=imp, outputCol="raw", handleInvalid="keep"),
                            StandardScaler(inputCol="raw", outputCol="scaled", withMean=True, withStd=True),
                            KMeans(featuresCol="scaled", predictionCol="segment_idx", k=k, seed=seed, maxIter=40)])


def silhouette(model: PipelineModel, df: DataFrame) -> float:
    return ClusteringEvaluator(featuresCol="scaled", predictionCol="segment_idx").evaluate(model.transform(df))


BASELINE_VERSION = "baseline: spend bands"


def spend_bands(df: DataFrame, k: int) -> DataFrame:
    """`df` + segment_idx 0..k-1: the month's k bands of spend (revenue_avg3, 0 when unknown), 0 the highest."""
    spend = df.withColumn("_spend", F.coalesce(F.col("revenue_avg3").cast("double"), F.lit(0.0)))
    return (quantiles.with_top_rank(spend, "_spend", "_band", k)
            .withColumn("segment_idx", (F.col("_band") - 1).cast("int")).drop("_spend", "_band"))


def baseline_silhouette(model: PipelineModel, df: DataFrame, k: int) -> float:
    """The silhouette of k spend bands in `model`'s feature space (what k-means must beat)."""
    banded = spend_bands(model.transform(df).drop("segment_idx"), k)
    return ClusteringEvaluator(featuresCol="scaled", predictionCol="segment_idx").evaluate(banded)


def describe(cfg, names: list[str], centre: list, brand: str | None, brand_share: float, age: float | None) -> str:
    """'Young M-Zone users: heavy data, light voice' from the segment's centre (in SDs)."""
    words = cfg.get("ml.segment.features")
    cut = float(cfg.get("ml.segment.describe_min_z", 0.5))
    top = sorted((i for i in range(len(names)) if abs(centre[i]) >= cut), key=lambda i: -abs(centre[i]))[:3]
    traits = [words[names[i]][0 if centre[i] > 0 else 1] for i in top] or ["close to the average"]
    who = []
    if age is not None and age < cfg.get("ml.segment.young_below", 30):
        who.append("young")
    elif age is not None and age >= cfg.get("ml.segment.older_from", 50):
        who.append("older")
    if brand and brand_share >= 0.6:
        who.append(cfg.get("ml.segment.brands", {}).get(brand, brand))
    who_text = " ".join(who + ["users"])
    return f"{who_text[0].upper()}{who_text[1:]}: {', '.join(traits)}"


def profiles(scored: DataFrame) -> dict:
    """segment_idx -> (size, main brand, its share, mean age)."""
    sizes = {r.segment_idx: (r.n, r.age) for r in scored.groupBy("segment_idx")
             .agg(F.count(F.lit(1)).alias("n"), F.avg("age").alias("age")).collect()}
    brands = {}
    for r in scored.groupBy("segment_idx", "brand").count().collect():
        if r.segment_idx not in brands or r["count"] > brands[r.segment_idx][1]:
            brands[r.segment_idx] = (r.brand, r["count"])
    return {i: (n, brands.get(i, (None, 0))[0], brands.get(i, (None, 0))[1] / n, age) for i, (n, age) in sizes.items()}


def train_segments(ctx, month: str | None = None) -> SegmentRun:
    """Fit k-means for each k in range on `month` (default: the latest in dm.user_wide_m)."""
    cfg = ctx.cfg
    seed = int(cfg.get("ml.segment.seed", 7))
    wide = ctx.spark.table("dm.user_wide_m")
    month = month or wide.agg(F.max("batch_month")).first()[0]
    if month is None:
        raise ValueError("dm.user_wide_m is empty: run the monthly batch first")
    rows = wide.where(F.col("batch_month") == month)
    total = rows.count()
    sample_rows = int(cfg.get("ml.segment.sample_rows", 200_000))
    if total > sample_rows:
        rows = rows.sample(fraction=sample_rows / total, seed=seed)
    data = rows.cache()
    names = usable(cfg, prepared(cfg, data))
    fits, scores = {}, {}
    for k in range(int(cfg.get("ml.segment.k_min", 4)), int(cfg.get("ml.segment.k_max", 8)) + 1):
        fits[k] = pipeline(cfg, names, k, seed).fit(data)
        scores[k] = silhouette(fits[k], data)
    k = max(scores, key=scores.get)
    model = fits[k]
    info = profiles(model.transform(data))
    segments = [{"segment_id": i + 1, "description": describe(cfg, names, list(c), *info.get(i, (0, None, 0.0, None))[1:]),
                 "sample_size": info.get(i, (0,))[0], "centre": dict(zip(names, map(float, c)))}
                for i, c in enumerate(model.stages[-1].clusterCenters())]
    tracker = Tracker(ctx, "segment")
    base = baseline_silhouette(model, data, k)
    champion, promote = tracker.challenge(scores[k], lambda champ: silhouette(champ, data), baseline=base)
    run_id = tracker.log_run(params={"month": month, "k": k, "rows": data.count(), "seed": seed,
                                     "features": ",".join(names)},
                             metrics={"silhouette": scores[k], "baseline_silhouette": base,
                                      **{f"silhouette_k{n}": s for n, s in scores.items()}},
                             artifacts={"segments.json": json.dumps(segments, indent=1, ensure_ascii=False)},
                             model=model, promote=promote)
    data.unpersist()
    log.info("segmentation on %s: k=%d silhouette %.3f (spend bands %.3f, champion %s) -> %s", month, k, scores[k], base,
             "none" if champion is None else f"{champion:.3f}",
             "champion" if promote else "not promoted" + (" (no better than spend bands)" if scores[k] <= base else ""))
    return SegmentRun(run_id, month, k, scores, base, segments, champion, promote)


def score_segments(ctx, batch: Batch) -> DataFrame:
    """Rows of dm.user_segment_m for the batch's months from the champion segmentation; without
    one, none having beaten the spend bands, from k_min spend bands, with a warning."""
    tracker = Tracker(ctx, "segment")
    if tracker.has_champion():
        version, _model, assigned = tracker.champion_rows("dm.user_wide_m", batch)
        segments = json.loads(tracker.champion_text("segments.json"))
        words = [(s["segment_id"], s["description"]) for s in segments]
    else:
        log.warning("no segmentation has beaten the spend bands: segmenting by spend bands")
        k = int(ctx.cfg.get("ml.segment.k_min", 4))
        version = BASELINE_VERSION
        rows = ctx.spark.table("dm.user_wide_m").where((F.col("batch_month") >= batch.first) & (F.col("batch_month") <= batch.last))
        assigned = spend_bands(rows, k)
        words = [(i, f"Spend band {i} of {k}" + (" (highest spend)" if i == 1 else " (lowest spend)" if i == k else ""))
                 for i in range(1, k + 1)]
    names = ctx.spark.createDataFrame(words, "segment_id int, segment_desc string")
    assigned = (assigned.select("user_id", "msisdn", (F.col("segment_idx") + 1).cast("int").alias("segment_id"), "batch_month"))
    sizes = assigned.groupBy("batch_month", "segment_id").agg(F.count(F.lit(1)).alias("segment_size"))
    return (assigned.join(F.broadcast(names), "segment_id").join(F.broadcast(sizes), ["batch_month", "segment_id"])
            .select("user_id", "msisdn", "segment_id", "segment_desc", "segment_size",
                    F.lit(version).alias("model_version"), "batch_month"))
