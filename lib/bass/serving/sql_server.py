"""`bass serve`: Spark's Thrift JDBC/ODBC server over the warehouse, for analysts and BI tools.

One long-lived JVM answers every connection (no JVM per query), and each query reads the newest
Delta snapshot, so the server keeps answering while batches write. A server has one role:

- analyst (default): only the analyst schema, views of MID, DM and OUT in which personal columns
  are pseudonymised or masked (conf `pii`) and rows are limited to the account's scope (the
  province or some cities: `serve.scope`). The gate in lib/java (AnalystGuard) refuses, before
  anything runs, any statement that reads below those views (a table, a path, a subquery),
  shows storage paths or changes anything. The raw layers are not even registered in this server.
- engineer (`--privileged`, its own port): every table by name, and meta.sql_audit; read-only,
  like `bass sql` (tables change only through `bass run`).

Both check passwords against the accounts file (`bass accounts`), or the operator's LDAP
directory with role and city scope from its groups (`serve.directory`), and log every connection,
statement and failed login, with its user, to the audit trail (meta.sql_audit). Each user's
statements run in their own fair-scheduler pool, a local server has more task slots than cores,
and `serve.limits` caps a statement's time and, for analysts, its result rows: one analyst's
runaway query cannot stall the others.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bass.core.config import Config
from bass.core.jars import ensure_jars, ensure_serve_jar
from bass.core.registry import Table, load_registry
from bass.core.session import build_spark, is_delta, register_all, table_location
from bass.serving.accounts import ROLES, roles_in

PSEUDONYM_UDF = "bass_pseudonym"
SCOPE_UDF = "bass_in_scope"


class ServeError(RuntimeError):
    """The server cannot start as configured (no account, no pseudonym key, no tables)."""


def masked(column: str, kind: str) -> str:
    """The SQL expression an analyst sees for a personal column."""
    c = f"`{column}`"
    if kind == "pseudonym":
        return f"{PSEUDONYM_UDF}({c})"
    if kind == "mask":      # 13812341234 -> 138****1234; values of 7 characters or fewer fully starred
        return (f"case when length({c}) > 7 then concat(substr({c}, 1, 3), repeat('*', length({c}) - 7), "
                f"substr({c}, -4)) else repeat('*', length({c})) end")
    if kind == "name":      # 张三丰 -> 张**
        return f"concat(substr({c}, 1, 1), repeat('*', greatest(length({c}) - 1, 1)))"
    raise ValueError(f"pii.columns: unknown treatment {kind!r} for {column} (pseudonym | mask | name)")


def analyst_columns(cfg: Config, columns: list[str]) -> list[str]:
    rules = cfg.get("pii.columns") or {}
    return [f"{masked(c, rules[c])} as `{c}`" if c in rules else f"`{c}`" for c in columns]


def analyst_tables(cfg: Config) -> list[Table]:
    layers = set(cfg.get("serve.analyst_layers"))
    return [t for name, t in sorted(load_registry().items()) if name.split(".")[0] in layers]


def analyst_view_name(table: str) -> str:
    return table.replace(".", "_")


def in_scope(regions: str) -> str:
    """True for the rows whose region(s) the connected account may see; `current_user()` is the
    account of the statement being run."""
    return f"{SCOPE_UDF}(current_user(), {regions})"


def scope_key(cfg: Config, columns: list[str]) -> str | None:
    """The column that places a table's rows in a region: its own region column, else the first
    key with a lookup (`serve.scope`); None for a table without subscriber or regional rows."""
    scope = cfg.get("serve.scope")
    if scope["region_column"] in columns:
        return scope["region_column"]
    return next((k for k in scope["lookups"] if k in columns), None)


def scoped(spark: SparkSession, cfg: Config, df: DataFrame) -> DataFrame:
    """The table's rows in the connected account's scope. A key's regions are every region its
    lookup table has placed it in (comma-separated), so a subscriber who moved city is seen by
    both; a key the lookup does not know is seen by province accounts only."""
    scope = cfg.get("serve.scope")
    key = scope_key(cfg, df.columns)
    if key is None:
        return df
    region = scope["region_column"]
    if key == region:
        return df.where(in_scope(f"`{region}`"))
    location = table_location(cfg, scope["lookups"][key])
    if not is_delta(spark, location):
        return df.where(in_scope("cast(null as string)"))
    regions = (spark.read.format("delta").load(location).where(F.col(key).isNotNull())
               .groupBy(key).agg(F.concat_ws(",", F.array_sort(F.collect_set(region))).alias("__regions")))
    return df.join(regions, key, "left").where(in_scope("__regions")).select(*df.columns)


def create_analyst_views(spark: SparkSession, cfg: Config) -> list[str]:
    """One view per built MID/DM/OUT table in the analyst schema (Spark's global temporary
    database, shared by every connection), reading the Delta table's newest snapshot per query,
    with the rows of the connected account's scope."""
    names = []
    for tbl in analyst_tables(cfg):
        location = table_location(cfg, tbl.name)
        if not is_delta(spark, location):
            continue
        df = spark.read.format("delta").load(location)
        view = scoped(spark, cfg, df).selectExpr(*analyst_columns(cfg, df.columns))
        view.createOrReplaceGlobalTempView(analyst_view_name(tbl.name))
        names.append(f"{cfg.get('serve.analyst_schema')}.{analyst_view_name(tbl.name)}")
    return names


def server_conf(cfg: Config, role: str, port: int, jars: list[str]) -> dict:
    conf = {
        "spark.app.name": f"bass-serve-{role}",
        # on the JVM's own class path: the Thrift server's session threads and Hive's
        # authenticator load these classes through the system class loader
        "spark.driver.extraClassPath": os.pathsep.join(jars),
        "spark.sql.globalTempDatabase": cfg.get("serve.analyst_schema"),
        "spark.hadoop.hive.server2.thrift.port": str(port),
        "spark.hadoop.hive.server2.thrift.bind.host": cfg.get("serve.host"),
        "spark.hadoop.hive.server2.authentication": "CUSTOM",
        "spark.hadoop.hive.server2.custom.authentication.class": "bass.serve.Accounts",
        "spark.ui.enabled": "false",
        # answer from a table snapshot up to this old while Delta refreshes it in the background,
        # instead of listing every table's log before each query
        "spark.databricks.delta.stalenessLimit": str(cfg.get("serve.staleness_limit")),
        # each user's statements in their own pool (AnalystGuard names it), pools served in turn
        "spark.scheduler.mode": "FAIR",
    }
    master = cfg.get("spark.master") or ""
    if master.startswith("local"):   # the OS shares the cores between more tasks than cores
        conf["spark.master"] = f"local[{int(cfg.get('serve.slots_per_core')) * (os.cpu_count() or 1)}]"
    conf["spark.sql.extensions"] = cfg.get("spark.conf")["spark.sql.extensions"] + ",bass.serve.AnalystGuard"
    return conf


def start(cfg: Config, role: str = "analyst", port: int | None = None) -> tuple[SparkSession, dict]:
    """Start the server for `role` and return its session and what it serves."""
    if role not in ROLES:
        raise ServeError(f"unknown role {role!r}: {' | '.join(ROLES)}")
    accounts = Path(cfg.path("accounts"))
    directory = cfg.get("serve.directory") or {}
    if not directory.get("url") and role not in roles_in(accounts):
        raise ServeError(f"no {role} account in {accounts}: add one with `bass accounts add NAME --role {role}`, or "
                         "log in from a directory (serve.directory.url)")
    key = os.environ.get(cfg.get("pii.key_env"), "")
    if role == "analyst" and len(key) < 16:
        raise ServeError(f"set the pseudonym key in ${cfg.get('pii.key_env')} (at least 16 characters, kept secret: "
                         "it decides every pseudonym analysts see)")
    port = port or int(cfg.get("serve.port" if role == "analyst" else "serve.privileged_port"))
    jars = ensure_jars(cfg) + [ensure_serve_jar(cfg)]
    spark = build_spark(cfg, server_conf(cfg, role, port, jars))
    jvm = spark.sparkContext._jvm
    jvm.bass.serve.Accounts.configure(str(accounts), role)
    if directory.get("url"):
        jvm.bass.serve.Directory.configure(directory["url"], directory["user_dn"], directory["group_base"],
                                           directory["role_groups"][role], directory["province_group"],
                                           directory["region_group_prefix"])
    # Hive's custom authenticator reads its class from a fresh HiveConf, which only sees system properties
    jvm.java.lang.System.setProperty("hive.server2.custom.authentication.class", "bass.serve.Accounts")
    audit = Path(cfg.path("audit")) / f"{role}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.jsonl"
    spark.sparkContext._jsc.sc().addSparkListener(jvm.bass.serve.AuditLog(str(audit), role))
    if role == "analyst":
        jvm.bass.serve.Pseudonym.setKey(key)
        spark.udf.registerJavaFunction(PSEUDONYM_UDF, "bass.serve.Pseudonym", "string")
        spark.udf.registerJavaFunction(SCOPE_UDF, "bass.serve.Scope", "boolean")
        tables = create_analyst_views(spark, cfg)
        jvm.bass.serve.AnalystGuard.arm(cfg.get("serve.analyst_schema"))
    else:
        register_all(spark, cfg)
        tables = _all_tables(spark)
        jvm.bass.serve.AnalystGuard.armReadOnly()
    # after the views are defined, whose stored plans must not carry a limit
    limits = cfg.get(f"serve.limits.{role}") or {}
    jvm.bass.serve.RowLimit.arm(int(limits.get("rows") or 0))
    jvm.bass.serve.StatementLimit.arm(int(limits.get("statement_seconds") or 0))
    jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2.startWithContext(spark._jsparkSession.sqlContext())
    return spark, {"role": role, "url": f"jdbc:hive2://{cfg.get('serve.host')}:{port}", "tables": tables,
                   "logins": directory.get("url") or str(accounts),
                   "audit": str(audit)}


def _all_tables(spark: SparkSession) -> list[str]:
    return [f"{db.name}.{t.name}" for db in spark.catalog.listDatabases() for t in spark.catalog.listTables(db.name)]


def serve_forever(spark: SparkSession) -> None:
    """Block until SIGINT/SIGTERM, then stop the server and its JVM cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    spark.stop()
