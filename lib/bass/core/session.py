"""SparkSession for BASS: Delta enabled, time zone pinned, warehouse tables registered by name.

The catalog is in-memory (no Derby lock): each session registers the registry's Delta
locations, so `bass sql` in a second process sees the same tables while a job writes.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession

from bass.core.config import Config, load_config
from bass.core.jars import ensure_jars
from bass.core.registry import LAYERS, Table, load_registry

log = logging.getLogger("bass")


def pin_python_timezone(tz: str) -> None:
    """Python converts collected timestamps with the process time zone: make it Spark's."""
    os.environ["TZ"] = tz
    time.tzset()


def build_spark(cfg: Config, extra: dict | None = None) -> SparkSession:
    """`extra`: settings over the configuration's (a server's class path, extensions, ports)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    pin_python_timezone(cfg.get("spark.conf")["spark.sql.session.timeZone"])
    builder = SparkSession.builder.appName(cfg.get("spark.app_name", "bass"))
    master = resolve_master(cfg.get("spark.master"), submitted_master())
    if master:
        builder = builder.master(master)
    for key, value in {**(cfg.get("spark.conf") or {}), **(extra or {})}.items():
        builder = builder.config(key, str(value))
    if cfg.get("delta.use_packages"):
        builder = builder.config("spark.jars.packages", ",".join(cfg.get("delta.artifacts")))
    else:
        builder = builder.config("spark.jars", ",".join(ensure_jars(cfg)))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    _quiet_codegen_fallback(spark)
    return spark


def submitted_master() -> str | None:
    """The master spark-submit was given, if this process was started by spark-submit (its JVM
    is already up and holds the submit arguments); None otherwise."""
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        return None
    from pyspark import SparkConf, SparkContext
    SparkContext._ensure_initialized()   # connects to spark-submit's JVM, whose properties hold --master
    return SparkConf().get("spark.master", None)


def resolve_master(configured: str | None, submitted: str | None) -> str | None:
    """spark-submit's --master wins over the configuration's; the configuration's applies to
    `bass` run directly (local[*] on a laptop)."""
    return submitted or configured


def _quiet_codegen_fallback(spark: SparkSession) -> None:
    """Spark logs a page of ERROR when a wide projection exceeds the JVM's 64 KB method limit,
    then runs it interpreted (spark.sql.codegen.fallback), which is correct. The very widest
    interfaces' checks hit that; the page would bury real errors."""
    jvm = spark.sparkContext._jvm
    level = jvm.org.apache.logging.log4j.Level.FATAL
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.spark.sql.catalyst.expressions.codegen.CodeGenerator", level)


def table_location(cfg: Config, name: str) -> str:
    layer, short = name.split(".")
    return f"{cfg.path('warehouse')}/{layer}/{short}"


def is_delta(spark: SparkSession, location: str) -> bool:
    from delta.tables import DeltaTable
    return DeltaTable.isDeltaTable(spark, location)


def register_table(spark: SparkSession, cfg: Config, tbl: Table) -> bool:
    """Make `layer.table` resolvable in this session if its Delta location exists."""
    location = table_location(cfg, tbl.name)
    if spark.catalog.tableExists(tbl.name):
        return True
    if not is_delta(spark, location):
        return False
    spark.sql(f"create table if not exists {tbl.name} using delta location '{location}'")
    return True


AUDIT_TABLE = "meta.sql_audit"
AUDIT_SCHEMA = ("event string, time timestamp, server string, user string, ip string, session_id string, "
                "statement_id string, statement string, error string")


def register_audit(spark: SparkSession, cfg: Config) -> None:
    """meta.sql_audit: the SQL server's audit trail (JSON lines that lib/java AuditLog appends;
    the schema is theirs), once a server has written one."""
    folder = cfg.path("audit")
    if "://" not in folder and any(Path(folder).glob("*.jsonl")):
        spark.sql(f"create table if not exists {AUDIT_TABLE} ({AUDIT_SCHEMA}) using json "
                  f"options (pathGlobFilter '*.jsonl') location '{folder}'")


def register_all(spark: SparkSession, cfg: Config) -> None:
    for layer in LAYERS:
        spark.sql(f"create database if not exists {layer}")
    for tbl in load_registry().values():
        register_table(spark, cfg, tbl)
    register_audit(spark, cfg)


@dataclass
class Context:
    """What a job needs: configuration and a session with the warehouse registered."""
    cfg: Config
    spark: SparkSession

    def location(self, name: str) -> str:
        return table_location(self.cfg, name)

    def with_overrides(self, overrides: dict) -> Context:
        """The same session with configuration `{"dotted.key": value}` overridden (Config.with_overrides)."""
        return Context(self.cfg.with_overrides(overrides), self.spark)


def get_context(env: str | None = None) -> Context:
    cfg = load_config(env)
    spark = build_spark(cfg)
    register_all(spark, cfg)
    return Context(cfg, spark)
