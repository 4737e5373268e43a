"""Feature columns of any labelled table: numeric and categorical detected, blanks handled.

Strings that are numbers (IBM's TotalCharges, blanks included) become numeric; other strings
with a bounded number of values become categories (one-hot); id-like strings are dropped.
Missing numbers are imputed with the median, missing categories get their own level.
"""
from __future__ import annotations

from dataclasses import dataclass

from pyspark.ml.feature import Imputer, OneHotEncoder, StringIndexer, VectorAssembler
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, DecimalType, NumericType, StringType

MAX_CATEGORIES = 100
BLANK = "(blank)"


@dataclass(frozen=True)
class FeatureSpec:
    numeric: tuple
    categorical: tuple

    def names(self) -> list[str]:
        return list(self.numeric) + list(self.categorical)


def detect(df: DataFrame, exclude: list[str]) -> FeatureSpec:
    """Numeric and categorical feature columns, from the types and one pass over the data.
    Columns without any value in `df` carry no information and are left out."""
    typed, strings = [], []
    for f in df.schema.fields:
        if f.name in exclude:
            continue
        if isinstance(f.dataType, (NumericType, DecimalType, BooleanType)):
            typed.append(f.name)
        elif isinstance(f.dataType, StringType):
            strings.append(f.name)
    aggs = [F.count(F.col(c)).alias(f"{c}__filled") for c in typed]
    for c in strings:
        v = F.trim(F.col(c))
        aggs += [F.count(F.when(v != "", 1)).alias(f"{c}__filled"),
                 F.count(F.expr(f"try_cast(trim(`{c}`) as double)")).alias(f"{c}__numbers"),
                 F.approx_count_distinct(v).alias(f"{c}__distinct")]
    stats = df.agg(*aggs).first() if aggs else {}
    numeric = [c for c in typed if stats[f"{c}__filled"]]
    categorical = []
    for c in strings:
        filled, numbers, distinct = stats[f"{c}__filled"], stats[f"{c}__numbers"], stats[f"{c}__distinct"]
        if filled and numbers >= 0.95 * filled:
            numeric.append(c)
        elif filled and distinct <= MAX_CATEGORIES:
            categorical.append(c)
    return FeatureSpec(tuple(numeric), tuple(categorical))


def filled_in(spec: FeatureSpec, df: DataFrame) -> FeatureSpec:
    """`spec` less the numeric columns without any value in `df` (a median cannot be imputed
    from none: an early training window may predate a month-on-month change, say)."""
    if not spec.numeric:
        return spec
    counts = df.agg(*[F.count(F.col(c)).alias(c) for c in spec.numeric]).first()
    return FeatureSpec(tuple(c for c in spec.numeric if counts[c]), spec.categorical)


def prepare(df: DataFrame, spec: FeatureSpec) -> DataFrame:
    """Numbers as doubles (blank -> null), categories as trimmed strings (blank -> its own level).
    One projection: a withColumn per feature analyses the growing plan once per column (seconds
    for the wide table's 150 features)."""
    strings = {f.name for f in df.schema.fields if isinstance(f.dataType, StringType)}
    numbers = {c: F.expr(f"try_cast(trim(`{c}`) as double)") if c in strings else F.col(c).cast("double")
               for c in spec.numeric}
    trimmed = {c: F.trim(F.col(c).cast("string")) for c in spec.categorical}
    return df.withColumns({**numbers, **{c: F.when(v.isNull() | (v == ""), BLANK).otherwise(v) for c, v in trimmed.items()}})


def stages(spec: FeatureSpec) -> list:
    """MLlib stages from prepared columns to the imputed numbers and one-hot categories that
    candidates assemble (assembled_inputs)."""
    out = []
    if spec.numeric:
        out.append(Imputer(inputCols=list(spec.numeric), outputCols=[f"{c}__imp" for c in spec.numeric],
                           strategy="median"))
    if spec.categorical:
        idx = [f"{c}__idx" for c in spec.categorical]
        out.append(StringIndexer(inputCols=list(spec.categorical), outputCols=idx, handleInvalid="keep"))
        out.append(OneHotEncoder(inputCols=idx, outputCols=[f"{c}__vec" for c in spec.categorical],
                                 handleInvalid="keep", dropLast=True))
    return out


def assembled_inputs(spec: FeatureSpec) -> list[str]:
    return [f"{c}__imp" for c in spec.numeric] + [f"{c}__vec" for c in spec.categorical]


def assembler(spec: FeatureSpec, out: str = "features") -> VectorAssembler:
    return VectorAssembler(inputCols=assembled_inputs(spec), outputCol=out, handleInvalid="keep")


def source(slot: str) -> str:
    """The feature column a vector slot comes from: 'tenure__imp', 'tenure__band_3' and
    'contract__vec_monthly' all come from their column."""
    for tag in ("__imp", "__band", "__vec"):
        if tag in slot:
            return slot.split(tag)[0]
    return slot


def vector_names(df: DataFrame, col: str = "features") -> list[str]:
    """Readable name of each slot of an assembled vector (from MLlib's attribute metadata)."""
    attrs = df.schema[col].metadata.get("ml_attr", {}).get("attrs", {})
    slots = {a["idx"]: a["name"] for group in attrs.values() for a in group}
    names = []
    for i in range(len(slots)):
        names.append(slots.get(i, f"f{i}"))
    return names

