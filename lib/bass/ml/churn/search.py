"""The churn trainer for any labelled table: candidate search, then one fit.

Every candidate (candidates.py: logistic regression on numbers and their quantile bands, GBT,
random forest, xgboost, each with a small hyperparameter grid from conf) is fitted on each
selection fold's training rows and scored on its selection rows. Folds are time-ordered for the
warehouse (churn.py) and stratified for a CSV. The best members of the two and of the three best
kinds are also tried as blends (the mean of their calibrated probabilities). The best mean
selection ROC-AUC wins; a count budget (at most `max_members` members of the grid, in its order)
bounds the search the same way on a busy machine as on an idle one, and a row budget
(`sample_rows`) bounds each fold's fitting rows, so a province's millions of users cost the search
no more than a sample of them (the chosen candidate is then fitted on every training row).
All of a candidate is one PipelineModel:
`model.transform(raw rows)` gives `p`.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.ml import features
from bass.ml.churn import candidates
from bass.ml.churn.candidates import CANDIDATES, Candidate, Member
from bass.ml.stages import Average, Calibrate, FeaturePrep

log = logging.getLogger("bass")


@dataclass(frozen=True)
class Settings:
    """conf ml.churn: the candidates' grids, the search's folds, count budget and parallelism."""
    members: tuple
    folds: int = 3                 # stratified folds when no time order is available (a CSV)
    max_members: int | None = None   # members of the grid tried, in its order; None: all
    parallelism: int = 2
    balanced: bool = False         # balanced class weights (probabilities are moved back: stages.Calibrate)
    sample_rows: int | None = None   # fitting rows per fold in the search (a uniform sample above it); None: all

    @classmethod
    def of(cls, cfg, seed: int | None = None) -> Settings:
        seed = int(cfg.get("ml.churn.seed", 7)) if seed is None else seed
        s = cfg.get("ml.churn.search") or {}
        return cls(tuple(candidates.members(cfg.get("ml.churn.candidates") or {"logistic_regression": {}}, seed)),
                   int(s.get("folds", 3)), s.get("max_members"), int(s.get("parallelism", 2)),
                   bool(s.get("class_weights", False)), s.get("sample_rows"))


@dataclass
class Fold:
    """One selection split: fit on `fit`, score `select` (which carries a `_row` id)."""
    name: str
    fit: DataFrame
    select: DataFrame


@dataclass
class Search:
    scores: dict                   # candidate label -> mean selection ROC-AUC
    best: Candidate
    folds: list                    # fold names
    skipped: list = field(default_factory=list)   # members past the count budget, not tried
    seconds: float = 0.0


@dataclass
class Trained:
    model: PipelineModel
    candidate: Candidate
    spec: features.FeatureSpec
    base_rate: float               # positive rate of the training rows

    @property
    def kind(self) -> str:
        return self.candidate.label


def with_weights(df: DataFrame, base_rate: float, balanced: bool) -> DataFrame:
    """`w`: balanced class weights (each class weighs half of the total), or 1."""
    if not balanced:
        return df.withColumn("w", F.lit(1.0))
    w1, w0 = 0.5 / max(base_rate, 1e-6), 0.5 / max(1 - base_rate, 1e-6)
    return df.withColumn("w", F.when(F.col("label") == 1, w1).otherwise(w0))


def pipeline(spec: features.FeatureSpec, candidate: Candidate, base_rate: float, balanced: bool = False) -> Pipeline:
    """Raw rows -> prepared features -> each member's vector, classifier and calibrated score -> `p`."""
    stages = [FeaturePrep.of(spec), *features.stages(spec)]
    for m in candidate.members:
        kind = CANDIDATES[m.kind]
        stages += [*kind.feature_stages(spec, m), kind.estimator(m),
                   Calibrate(baseRate=base_rate, weighted=balanced, inputCol=m.col("prob"), outputCol=m.col("p"))]
    return Pipeline(stages=stages + [Average(inputCols=[m.col("p") for m in candidate.members])])


def fit(df: DataFrame, spec: features.FeatureSpec, candidate: Candidate, balanced: bool = False) -> Trained:
    base_rate = df.agg(F.avg("label")).first()[0] or 0.0
    model = pipeline(spec, candidate, base_rate, balanced).fit(with_weights(df, base_rate, balanced))
    return Trained(model, candidate, spec, base_rate)


def roc_auc(scored: DataFrame, score: str = "p") -> float:
    ev = BinaryClassificationEvaluator(rawPredictionCol=score, labelCol="label", metricName="areaUnderROC")
    return ev.evaluate(scored.select(F.col("label").cast("double").alias("label"), F.col(score).cast("double").alias(score)))


def numbered(df: DataFrame) -> DataFrame:
    """`df` cached with a stable row id `_row` (to line up members' scores for a blend)."""
    return df.withColumn("_row", F.monotonically_increasing_id()).cache()


def stratified_folds(df: DataFrame, k: int, seed: int) -> list[Fold]:
    """k folds with the same positive rate each: rows numbered at random within each label."""
    w = Window.partitionBy("label").orderBy(F.rand(seed))
    marked = df.withColumn("_fold", F.row_number().over(w) % k).cache()
    return [Fold(f"fold {i + 1}/{k}", marked.where(F.col("_fold") != i).drop("_fold"),
                 numbered(marked.where(F.col("_fold") == i).drop("_fold"))) for i in range(k)]


def sampled(folds: list[Fold], rows: int | None, seed: int) -> list[Fold]:
    """Each fold's fitting rows cut to about `rows` (a uniform sample, so the churn rate stays the
    training months'); its selection rows stay whole, so the candidates are compared as precisely
    as before. None, or a fold at or under the budget: the fold as it is."""
    out = []
    for f in folds:
        fit, n = sampled_rows(f.fit, rows, seed)
        out.append(f if fit is f.fit else
                   Fold(f"{f.name} (fitted on a sample of about {rows:,} of {n:,} rows)", fit, f.select))
    return out


def sampled_rows(df: DataFrame, rows: int | None, seed: int) -> tuple[DataFrame, int | None]:
    """(`df`, or a uniform sample of about `rows` of it when it holds more; its row count, None
    when there is no budget)."""
    if rows is None:
        return df, None
    n = df.count()
    return (df if n <= rows else df.sample(fraction=rows / n, seed=seed)), n


def blends(ranked: list[Member]) -> list[tuple]:
    """Blends worth trying, from members ranked best first: the best of each kind, two and three
    kinds at a time (members that differ gain most from averaging)."""
    best_of_kind = []
    for m in ranked:
        if m.kind not in {b.kind for b in best_of_kind}:
            best_of_kind.append(m)
    return [tuple(best_of_kind[:n]) for n in (2, 3) if len(best_of_kind) >= n]


def search(folds: list[Fold], spec: features.FeatureSpec, members: list[Member], max_members: int | None = None,
           parallelism: int = 2, balanced: bool = False) -> Search:
    """The first `max_members` members (None: all) on each fold, fits in parallel, then the
    blends; the candidate with the best mean selection ROC-AUC."""
    start = time.time()
    tried, skipped = (members, []) if max_members is None else (members[:max_members], members[max_members:])
    if not tried:
        raise ValueError("ml.churn.search.max_members: at least one candidate must be tried")
    tasks = [(m, i) for m in tried for i in range(len(folds))]
    specs = [features.filled_in(spec, f.fit) for f in folds]

    def run(task):
        member, i = task
        t = time.time()
        model = fit(folds[i].fit, specs[i], Candidate((member,)), balanced).model
        scored = model.transform(folds[i].select).select("_row", "label", "p").cache()
        auc = roc_auc(scored)
        log.info("churn search: %s on %s: ROC-AUC %.4f in %.0f s", member.describe(), folds[i].name, auc, time.time() - t)
        return task, (scored, auc)

    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="bass-search") as pool:
        done = dict(pool.map(run, tasks))
    complete = {m: [done[(m, i)] for i in range(len(folds))] for m in tried}
    scores = {Candidate((m,)): sum(a for _, a in r) / len(r) for m, r in complete.items()}
    ranked = sorted(complete, key=lambda m: -scores[Candidate((m,))])
    for blend in blends(ranked):
        aucs = []
        for i in range(len(folds)):
            joined = complete[blend[0]][i][0]
            for j, m in enumerate(blend[1:]):
                joined = joined.join(complete[m][i][0].select("_row", F.col("p").alias(f"p{j}")), "_row")
            total = sum((F.col(f"p{j}") for j in range(len(blend) - 1)), F.col("p"))
            aucs.append(roc_auc(joined.withColumn("p", total / len(blend))))
        scores[Candidate(blend)] = sum(aucs) / len(aucs)
    for r in complete.values():
        for scored, _ in r:
            scored.unpersist()
    best = max(scores, key=scores.get)
    log.info("churn candidate search over %s: best %s (%.4f); %d past the count budget",
             ", ".join(f.name for f in folds), best.label, scores[best], len(skipped))
    return Search({c.label: s for c, s in scores.items()}, best, [f.name for f in folds],
                  [m.describe() for m in skipped], time.time() - start)


def score(trained: Trained, df: DataFrame) -> DataFrame:
    """`df` with the calibrated churn probability `p`."""
    return trained.model.transform(df)
