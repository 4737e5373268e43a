"""Custom MLlib stages, saved inside each model's PipelineModel, so scoring is
`load(champion).transform(rows)`: the feature preparation and the calibration a model was
trained with travel with it, and a champion and a challenger each apply their own."""
from __future__ import annotations

import math

from pyspark import keyword_only
from pyspark.ml import Transformer
from pyspark.ml.functions import vector_to_array
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.ml import features


class _Saveable(Transformer, DefaultParamsReadable, DefaultParamsWritable):
    """A Python stage MLlib can save and load inside a PipelineModel."""


class FeaturePrep(_Saveable):
    """Numbers as doubles (blank text -> null), categories as trimmed strings with a level for
    blanks (features.prepare), for the feature columns found at training time."""
    numeric = Param(Params._dummy(), "numeric", "numeric feature columns", TypeConverters.toListString)
    categorical = Param(Params._dummy(), "categorical", "categorical feature columns", TypeConverters.toListString)

    @keyword_only
    def __init__(self, numeric=None, categorical=None):
        super().__init__()
        self._set(**self._input_kwargs)

    @classmethod
    def of(cls, spec: features.FeatureSpec) -> FeaturePrep:
        return cls(numeric=list(spec.numeric), categorical=list(spec.categorical))

    def spec(self) -> features.FeatureSpec:
        return features.FeatureSpec(tuple(self.getOrDefault("numeric")), tuple(self.getOrDefault("categorical")))

    def _transform(self, df: DataFrame) -> DataFrame:
        return features.prepare(df, self.spec())


class LogScale(_Saveable):
    """`<column>__x` = the column as a double, log1p of its non-negative part where listed."""
    columns = Param(Params._dummy(), "columns", "columns to prepare", TypeConverters.toListString)
    logColumns = Param(Params._dummy(), "logColumns", "columns to log-scale", TypeConverters.toListString)

    @keyword_only
    def __init__(self, columns=None, logColumns=None):
        super().__init__()
        self._set(**self._input_kwargs)

    def _transform(self, df: DataFrame) -> DataFrame:
        logs = set(self.getOrDefault("logColumns"))
        values = {name: F.col(name).cast("double") for name in self.getOrDefault("columns")}
        return df.withColumns({f"{name}__x": F.log1p(F.greatest(v, F.lit(0.0))) if name in logs else v
                               for name, v in values.items()})


class Calibrate(_Saveable):
    """`outputCol` = the positive class's probability from a classifier's `inputCol` vector; when the
    classifier was trained with class weights, moved back to the real base rate (a prior
    correction of the log-odds: balanced weights inflate the positive class)."""
    baseRate = Param(Params._dummy(), "baseRate", "positive rate of the training rows", TypeConverters.toFloat)
    weighted = Param(Params._dummy(), "weighted", "trained with balanced class weights", TypeConverters.toBoolean)
    inputCol = Param(Params._dummy(), "inputCol", "probability vector", TypeConverters.toString)
    outputCol = Param(Params._dummy(), "outputCol", "calibrated probability", TypeConverters.toString)

    @keyword_only
    def __init__(self, baseRate=None, weighted=False, inputCol="probability", outputCol="p"):
        super().__init__()
        self._setDefault(weighted=False, inputCol="probability", outputCol="p")
        self._set(**self._input_kwargs)

    def _transform(self, df: DataFrame) -> DataFrame:
        base_rate = self.getOrDefault("baseRate")
        raw = F.least(F.greatest(vector_to_array(self.getOrDefault("inputCol"))[1], F.lit(1e-9)), F.lit(1 - 1e-9))
        out = self.getOrDefault("outputCol")
        if not self.getOrDefault("weighted") or not 0 < base_rate < 1:
            return df.withColumn(out, raw)
        shift = math.log(base_rate / (1 - base_rate))
        return df.withColumn(out, 1 / (1 + F.exp(-(F.log(raw / (1 - raw)) + F.lit(shift)))))


class Average(_Saveable):
    """`p`: the mean of the members' calibrated probabilities (a blend; one member: its own)."""
    inputCols = Param(Params._dummy(), "inputCols", "calibrated member probabilities", TypeConverters.toListString)

    @keyword_only
    def __init__(self, inputCols=None):
        super().__init__()
        self._set(**self._input_kwargs)

    def _transform(self, df: DataFrame) -> DataFrame:
        cols = self.getOrDefault("inputCols")
        total = F.col(cols[0])
        for c in cols[1:]:
            total = total + F.col(c)
        return df.withColumn("p", total / F.lit(float(len(cols))))


def stage(model, kind: type):
    """The first stage of `kind` in a fitted PipelineModel."""
    return next(s for s in model.stages if isinstance(s, kind))
