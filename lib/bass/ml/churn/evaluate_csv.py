"""`bass ml evaluate-csv`: the churn trainer on any labelled customer table, so an operator can
check it on their own history (and we on IBM's public Telco churn data).

The same candidate search as the warehouse's (search.search), on stratified folds of the
training rows; the winner is refitted on all training rows and scored once on the test rows (a
seeded 20 % split, or --test-csv), next to two plain MLlib baselines fitted on the same rows: a
GBT (60 trees, depth 5) and a logistic regression, on one-hot categoricals.
"""
from __future__ import annotations

from pyspark.ml import Pipeline
from pyspark.ml.classification import GBTClassifier, LogisticRegression
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.ml import features, metrics
from bass.ml.churn import explain, search
from bass.ml.stages import FeaturePrep


def read_labelled(spark: SparkSession, path: str, label: str, positive: str) -> DataFrame:
    df = spark.read.csv(path, header=True, inferSchema=False)
    if label not in df.columns:
        raise ValueError(f"{path}: no label column {label!r}; columns are {df.columns}")
    return df.withColumn("label", (F.trim(F.col(label)) == positive).cast("int")).drop(label)


def plain_auc(train: DataFrame, test: DataFrame, spec: features.FeatureSpec, classifier) -> float:
    """Test ROC-AUC of a plain MLlib classifier on the imputed numbers and one-hot categories."""
    model = Pipeline(stages=[FeaturePrep.of(spec), *features.stages(spec), features.assembler(spec), classifier]).fit(train)
    return search.roc_auc(model.transform(test).withColumn("p", vector_to_array("probability")[1]))


def evaluate_csv(spark: SparkSession, settings: search.Settings, csv: str, label: str, positive: str,
                 id_col: str | None = None, test_csv: str | None = None, seed: int = 42, baselines: bool = True) -> dict:
    data = read_labelled(spark, csv, label, positive)
    if test_csv:
        train_all, test = data, read_labelled(spark, test_csv, label, positive)
    else:
        train_all, test = data.randomSplit([0.8, 0.2], seed)
    train_all, test = train_all.cache(), test.cache()
    spec = features.detect(train_all, ["label"] + ([id_col] if id_col else []))
    found = search.search(search.stratified_folds(train_all, settings.folds, seed + 1), spec, list(settings.members),
                           settings.max_members, settings.parallelism, settings.balanced)
    final = search.fit(train_all, spec, found.best, settings.balanced)
    scored = search.score(final, test).cache()
    m = metrics.evaluate(scored)
    out = {"roc_auc": round(m["roc_auc"], 4), "pr_auc": round(m["pr_auc"], 4),
           "top_decile_lift": round(m["top_decile_lift"], 3), "rows": train_all.count() + test.count(),
           "test_rows": m["rows"], "model": final.kind,
           "candidates_selection_auc": {k: round(v, 4) for k, v in found.scores.items()},
           "selection": f"stratified {settings.folds}-fold", "skipped_by_budget": found.skipped,
           "features": {"numeric": list(spec.numeric), "categorical": list(spec.categorical)},
           "top_features": explain.top_features(final.model, scored),
           **{k: round(v, 4) for k, v in metrics.scalar(m).items() if k.startswith(("lift_", "capture_"))}}
    if baselines:
        out["plain_gbt_auc"] = round(plain_auc(train_all, test, spec, GBTClassifier(maxIter=60, maxDepth=5, seed=seed)), 4)
        out["plain_lr_auc"] = round(plain_auc(train_all, test, spec, LogisticRegression(maxIter=100)), 4)
    scored.unpersist()
    return out
