"""Churn candidates as plug-ins: each kind of classifier registers under its conf name
(ml.churn.candidates) and says how it is built, which feature stages it reads and how a fitted
model explains one user's score (per-feature contributions in log-odds).

A candidate is one `Member` (kind + hyperparameters); a blend is several members averaged. Every
member writes its own columns (`features__<id>`, `prob__<id>`, `p__<id>`), so members share one
Pipeline and one saved PipelineModel.
"""
from __future__ import annotations

import itertools
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from pyspark.ml.classification import GBTClassifier, LogisticRegression, RandomForestClassifier
from pyspark.ml.feature import OneHotEncoder, QuantileDiscretizer, VectorAssembler

from bass.core.plugins import Plugins
from bass.ml import features
from bass.ml.stages import LogScale

CANDIDATES: Plugins[Kind] = Plugins("churn candidate", instances=True)
kind = CANDIDATES.register


@dataclass(frozen=True)
class Member:
    kind: str
    params: tuple = ()          # sorted (name, value) pairs
    seed: int = 7

    @property
    def id(self) -> str:
        """A column-safe name: logistic_regression_regParam0p003."""
        text = "_".join(f"{k}{v}" for k, v in self.params)
        return self.kind + ("_" + re.sub(r"[^A-Za-z0-9_]", "", text.replace(".", "p")) if text else "")

    def describe(self) -> str:
        return self.kind + ("" if not self.params else "(" + ", ".join(f"{k}={v}" for k, v in self.params) + ")")

    def col(self, what: str) -> str:
        return f"{what}__{self.id}"


@dataclass(frozen=True)
class Candidate:
    members: tuple               # of Member; more than one = the average of their calibrated scores
    name: str = field(default="")

    @property
    def label(self) -> str:
        return self.name or " + ".join(m.describe() for m in self.members)


class Kind(ABC):
    """How one kind of classifier is built and explained."""
    name: str
    bucketed = False             # reads numeric features also as quantile bands and log1p (for linear models)

    @abstractmethod
    def estimator(self, member: Member):
        """The unfitted classifier for `member`'s hyperparameters, writing the member's own columns."""

    def feature_stages(self, spec: features.FeatureSpec, member: Member) -> list:
        """Stages from the shared prepared columns to this member's feature vector."""
        inputs, out = features.assembled_inputs(spec), []
        if self.bucketed and spec.numeric:
            imputed = [f"{c}__imp" for c in spec.numeric]
            q, v = [f"{c}__q" for c in spec.numeric], [f"{c}__band" for c in spec.numeric]
            out += [QuantileDiscretizer(inputCols=imputed, outputCols=q, numBuckets=BANDS, handleInvalid="keep",
                                        relativeError=0.001),
                    OneHotEncoder(inputCols=q, outputCols=v, handleInvalid="keep", dropLast=True),
                    LogScale(columns=imputed, logColumns=imputed)]
            inputs = inputs + v + [f"{c}__x" for c in imputed]
        return out + [VectorAssembler(inputCols=inputs, outputCol=member.col("features"), handleInvalid="keep")]

    def common(self, member: Member) -> dict:
        return dict(featuresCol=member.col("features"), labelCol="label", predictionCol=member.col("pred"))

    @staticmethod
    def outputs(estimator, member: Member):
        """An MLlib classifier writing this member's own probability and raw prediction columns."""
        return estimator.setProbabilityCol(member.col("prob")).setRawPredictionCol(member.col("raw"))


BANDS = 10      # quantile bands of each numeric feature a linear model also sees (a step function)


@kind
class Logistic(Kind):
    """Class-weighted, L2-regularised logistic regression on the numbers (MLlib standardises them),
    on their quantile bands, so a linear model can bend (tenure 0-6 months vs 7-12 ...), and on
    their log1p, since amounts and counts act on churn by ratios more than by differences."""
    name = "logistic_regression"
    bucketed = True

    def estimator(self, member):
        p = dict(member.params)
        return self.outputs(LogisticRegression(**self.common(member), weightCol="w", maxIter=int(p.get("maxIter", 200)),
                                               regParam=float(p.get("regParam", 0.01)),
                                               elasticNetParam=float(p.get("elasticNetParam", 0.0))), member)


@kind
class Gbt(Kind):
    name = "gbt"

    def estimator(self, member):
        p = dict(member.params)
        return self.outputs(GBTClassifier(**self.common(member), weightCol="w", seed=member.seed,
                                          maxIter=int(p.get("maxIter", 60)), maxDepth=int(p.get("maxDepth", 3)),
                                          stepSize=float(p.get("stepSize", 0.1)),
                                          subsamplingRate=float(p.get("subsamplingRate", 1.0))), member)


@kind
class Forest(Kind):
    name = "random_forest"

    def estimator(self, member):
        p = dict(member.params)
        return self.outputs(RandomForestClassifier(**self.common(member), weightCol="w", seed=member.seed,
                                                   numTrees=int(p.get("numTrees", 100)), maxDepth=int(p.get("maxDepth", 8)),
                                                   minInstancesPerNode=int(p.get("minInstancesPerNode", 5))), member)


@kind
class Xgboost(Kind):
    """xgboost's Spark estimator (distributed training on the Spark workers; CPU package xgboost-cpu).
    It handles missing values itself and outputs exact tree path contributions (SHAP)."""
    name = "xgboost"

    def estimator(self, member):
        from xgboost.spark import SparkXGBClassifier
        p = dict(member.params)
        return SparkXGBClassifier(features_col=member.col("features"), label_col="label", weight_col="w",
                                  probability_col=member.col("prob"), raw_prediction_col=member.col("raw"),
                                  prediction_col=member.col("pred"), num_workers=1, verbosity=0, verbose=False,
                                  n_estimators=int(p.get("n_estimators", 300)), max_depth=int(p.get("max_depth", 3)),
                                  learning_rate=float(p.get("learning_rate", 0.05)),
                                  subsample=float(p.get("subsample", 0.8)),
                                  colsample_bytree=float(p.get("colsample_bytree", 0.8)),
                                  min_child_weight=float(p.get("min_child_weight", 5)),
                                  reg_lambda=float(p.get("reg_lambda", 1.0)), random_state=member.seed)


def members(conf: dict, seed: int) -> list[Member]:
    """Every (kind, hyperparameters) of the conf's grids: {kind: {param: [values]}}; a kind set to
    `false` is left out (an environment's conf can switch off what the base conf lists)."""
    out = []
    for name, grid in conf.items():
        if grid is False:
            continue
        CANDIDATES.get(name, where="conf ml.churn.candidates")
        grid = grid or {}
        keys = sorted(grid)
        values = [v if isinstance(v, list) else [v] for v in (grid[k] for k in keys)]
        for combo in itertools.product(*values):
            out.append(Member(name, tuple(zip(keys, combo)), seed))
    return out
