"""Runs a table's SQL file (sql/<layer>/<table>.sql) with named parameters (:batch_date ...).

SQL only returns rows; the write is delta_io's job, so write behaviour lives in one place.
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from bass.core.config import REPO_ROOT
from bass.core.registry import table


def sql_text(name: str) -> str:
    tbl = table(name)
    if not tbl.sql:
        raise ValueError(f"{name} has no SQL file declared in conf/tables/")
    return (REPO_ROOT / tbl.sql).read_text(encoding="utf-8")


def configured(cfg, name: str) -> dict:
    """The table's configured parameters (conf/tables `params`: name -> config key) as SQL
    literals. A parameter must be a literal, and an empty array has no element type: a list
    arrives as one '|'-separated string (SQL: `split(:name, '[|]')`), a mapping as 'k:v|k:v'
    (SQL: `str_to_map(:name, '[|]', ':')`)."""
    def literal(value):
        if isinstance(value, dict):
            return "|".join(f"{k}:{v}" for k, v in value.items())
        return "|".join(map(str, value)) if isinstance(value, list) else value
    return {p: literal(cfg.get(key)) for p, key in table(name).params.items()}


def select(spark: SparkSession, name: str, params: dict) -> DataFrame:
    """The rows of table `name` for the batch in `params`, as its SQL computes them."""
    return spark.sql(sql_text(name), args=params)
