"""`bass ml evaluate-csv`: the churn trainer on any labelled customer table, so an operator can
check it on their own history (and we on IBM's public Telco churn data).

Model choice (logistic regression or GBT) is made on a validation split of the training rows;
the chosen kind is then refitted on all training rows and scored once on the test rows (a
seeded 20 % split, or --test-csv).
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.ml import features, metrics, trainer


def read_labelled(spark: SparkSession, path: str, label: str, positive: str) -> DataFrame:
    df = spark.read.csv(path, header=True, inferSchema=False)
    if label not in df.columns:
        raise ValueError(f"{path}: no label column {label!r}; columns are {df.columns}")
    return df.withColumn("label", (F.trim(F.col(label)) == positive).cast("int")).drop(label)


def evaluate_csv(spark: SparkSession, csv: str, label: str, positive: str, id_col: str | None = None,
                 test_csv: str | None = None, seed: int = 42) -> dict:
    data = read_labelled(spark, csv, label, positive)
    if test_csv:
        train_all, test = data, read_labelled(spark, test_csv, label, positive)
    else:
        train_all, test = data.randomSplit([0.8, 0.2], seed)
    train_all, test = train_all.cache(), test.cache()
    spec = features.detect(train_all, ["label"] + ([id_col] if id_col else []))
    fit, valid = train_all.randomSplit([0.8, 0.2], seed + 1)
    chosen = trainer.train(fit, valid, spec, seed)
    final = trainer.train(train_all, test, spec, seed, kinds=(chosen.kind,))
    m = final.validation
    return {"roc_auc": round(m["roc_auc"], 4), "pr_auc": round(m["pr_auc"], 4),
            "top_decile_lift": round(m["top_decile_lift"], 3), "rows": train_all.count() + test.count(),
            "test_rows": m["rows"], "model": final.kind,
            "candidates_validation_auc": {k: round(v, 4) for k, v in chosen.candidates.items()},
            "features": {"numeric": list(spec.numeric), "categorical": list(spec.categorical)},
            "top_features": [n for n, _ in final.importance[:5]],
            **{k: round(v, 4) for k, v in metrics.scalar(m).items() if k.startswith(("lift_", "capture_"))}}
