"""What the reports show for a dimension value: a city's name, and whether an UNKNOWN row holds
anything worth a line."""
from __future__ import annotations

from pyspark.sql import functions as F

UNKNOWN = "UNKNOWN"


def region_names(spark, month: str | None = None) -> dict[str, str]:
    """{region code: city name} from mid.region_m, as of `month` (default: its newest month); a
    handful of rows. Empty until the monthly batch has built it."""
    if not spark.catalog.tableExists("mid.region_m"):
        return {}
    df = spark.table("mid.region_m")
    if month:
        df = df.where(F.col("batch_month") <= month)
    newest = df.agg(F.max("batch_month")).first()[0]
    if newest is None:
        return {}
    return {r.region_code: r.region_name for r in df.where(F.col("batch_month") == newest).collect()}


def region_label(code: str, names: dict[str, str]) -> str:
    """'杭州 (571)'; a code without a name stays as it is."""
    name = names.get(code)
    return f"{name} ({code})" if name and name != code else code


def holds_something(row: dict, measures: list[str]) -> bool:
    """An UNKNOWN row is shown only if one of the measures the table shows is not zero."""
    return any(row.get(m) not in (None, 0) for m in measures)
