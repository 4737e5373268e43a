"""Runs a table's SQL file (sql/<layer>/<table>.sql) with named parameters (:batch_date ...).

SQL only returns rows; the write is delta_io's job, so write behaviour lives in one place.
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from bass.core.config import REPO_ROOT
from bass.core.registry import table


def sql_text(name: str, incremental: bool = False) -> str:
    tbl = table(name)
    path = tbl.incremental_sql if incremental else tbl.sql
    if not path:
        raise ValueError(f"{name} has no {'incremental ' if incremental else ''}SQL file declared in conf/tables/")
    return (REPO_ROOT / path).read_text(encoding="utf-8")


def select(spark: SparkSession, name: str, params: dict, incremental: bool = False) -> DataFrame:
    """The rows of table `name` for the batch in `params`, as its SQL (or incremental SQL) computes them."""
    return spark.sql(sql_text(name, incremental), args=params)
