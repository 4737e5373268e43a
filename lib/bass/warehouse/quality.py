"""Data-quality checks (数据稽核) from conf/quality.yml, stored in meta.dq_result.

A check is one SQL file returning, per batch value, how many items it compared and how many
were out of line. A failed critical check fails its dq step, which stops the steps after it in
the pipeline with the check's own message; a failed warning is recorded and the batch goes on.
One check is generated instead of written: `for_each_table` checks each table a stage's pipeline
builds against its declared `keys` (unique, never null), as dbt's tests do.
"""
from __future__ import annotations

import datetime as dt
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.core.batch import Batch
from bass.core.config import REPO_ROOT, conf_dir, read_yaml
from bass.core.errors import lookup
from bass.core.interfaces import load_interfaces
from bass.core.registry import Table, load_registry
from bass.core.status import Status
from bass.warehouse import bookkeeping


class QualityError(RuntimeError):
    """A critical data-quality check failed."""


@dataclass(frozen=True)
class Check:
    name: str
    sql: str | None                  # None: generated (for_each_table)
    severity: str                    # critical | warn
    max_failed_ratio: float = 0.0
    for_each_interface: str | None = None
    params: dict = field(default_factory=dict)
    for_each_table: bool = False     # the declared keys of each keyed table the stage's pipeline builds


@dataclass(frozen=True)
class Stage:
    name: str
    kind: str                        # date | month
    checks: tuple
    pipeline: str | None = None      # for_each_interface checks cover the interfaces this pipeline loads


@lru_cache(maxsize=1)
def stages() -> dict[str, Stage]:
    raw = read_yaml(conf_dir() / "quality.yml")["stages"]
    out = {}
    for name, spec in raw.items():
        checks = []
        for cname, c in spec["checks"].items():
            if c["severity"] not in ("critical", "warn"):
                raise ValueError(f"conf/quality.yml: {cname} severity must be critical or warn")
            if bool(c.get("sql")) == bool(c.get("for_each_table")):
                raise ValueError(f"conf/quality.yml: {cname} needs either `sql` or `for_each_table: true`")
            checks.append(Check(cname, c.get("sql"), c["severity"], float(c.get("max_failed_ratio", 0.0)),
                                c.get("for_each_interface"), dict(c.get("params") or {}), bool(c.get("for_each_table"))))
        out[name] = Stage(name, spec["batch"], tuple(checks), spec.get("pipeline"))
    return out


def stage(name: str) -> Stage:
    return lookup(stages(), "data-quality stage", name, hint="declared in conf/quality.yml")


def interfaces_checked(check: Check, pipeline: str | None) -> list:
    """The inbound interfaces a for_each_interface check covers: those of its grain, and when the
    stage names a pipeline, only those whose load is a step of it."""
    loaded = None
    if pipeline:
        raw = read_yaml(conf_dir() / "pipelines.yml")
        loaded = set((raw.get(pipeline) or {}).get("steps", ()))   # a pipeline not declared loads nothing
    return [spec for _code, spec in sorted(load_interfaces().items())
            if spec.direction == "in" and spec.grain == check.for_each_interface
            and (loaded is None or spec.table in loaded)]


def tables_checked(kind: str, pipeline: str | None) -> list[Table]:
    """The keyed tables of batch kind `kind` built by a step of `pipeline` (every pipeline's when None)."""
    raw = read_yaml(conf_dir() / "pipelines.yml")
    built = {s for name, p in raw.items() if pipeline in (None, name) for s in p.get("steps", ())}
    return [t for name, t in sorted(load_registry().items())
            if name in built and t.keys and t.step and t.batch_grain.column in t.partition_by and t.batch_kind == kind]


def key_check_sql(tbl: Table) -> str:
    """A check of one table's declared keys for the batch: every row counted, the rows that share a
    key with another row (nulls compare equal) or have a null in a key not declared nullable failed."""
    col, keys = tbl.batch_grain.column, list(tbl.keys)
    listed = ", ".join(keys)
    nulls = " or ".join(f"{k} is null" for k in keys if k not in tbl.nullable_keys) or "false"
    shown = " || '|' || ".join(f"coalesce(cast({k} as string), 'null')" for k in keys)
    return f"""
with batch_rows as (
    select cast({col} as string) as batch, {listed}, ({nulls}) as has_null
    from {tbl.name}
    where {col} between :batch_from and :batch_to
),

per_key as (
    select batch, {shown} as key_text, count(*) as n, max(has_null) as has_null
    from batch_rows
    group by batch, {listed}
)

select
    batch,
    sum(n) as checked,
    sum(if(n > 1 or has_null, n, 0)) as failed,
    sum(if(n > 1, n, 0)) || ' rows repeat a key, ' || sum(if(has_null, n, 0)) || ' have a null in it' as observed,
    'unique and not null: ' || '{listed}' as expected,
    'e.g. ' || coalesce(min(if(n > 1 or has_null, key_text, null)), '') as detail
from per_key
group by batch"""


def subjects(check: Check, pipeline: str | None = None, kind: str = "month") -> list[dict]:
    """(subject, extra SQL parameters[, SQL text]) for each run of the check."""
    if check.for_each_table:
        return [{"subject": t.name, "params": {}, "sql": key_check_sql(t)} for t in tables_checked(kind, pipeline)]
    if not check.for_each_interface:
        return [{"subject": "", "params": {}}]
    return [{"subject": spec.table, "params": {"interface": spec.code, "ods_table": spec.table, "batch_col": spec.batch_column}}
            for spec in interfaces_checked(check, pipeline)]


RESULT_COLUMNS = "subject string, batch string, checked bigint, failed bigint, observed string, expected string, detail string"
SUBJECTS_AT_ONCE = 4


def evaluate(spark, check: Check, batch: Batch, pipeline: str | None = None) -> DataFrame:
    """meta.dq_result rows of one check for the batch (not yet written).

    Subjects (one per interface) are queried concurrently and their few result rows collected:
    each query is small, so one plan unioning all of them ran slower than this."""
    text = (REPO_ROOT / check.sql).read_text(encoding="utf-8") if check.sql else None
    base = {**batch.params(), "batch_from": batch.first, "batch_to": batch.last, **check.params}

    def one(subject: dict) -> list:
        rows = spark.sql(subject.get("sql", text), args={**base, **subject["params"]}).select(
            F.lit(subject["subject"]), F.col("batch").cast("string"), F.col("checked").cast("bigint"),
            F.col("failed").cast("bigint"), F.col("observed").cast("string"), F.col("expected").cast("string"),
            F.col("detail").cast("string"))
        return [tuple(r) for r in rows.collect()]

    with ThreadPoolExecutor(SUBJECTS_AT_ONCE, thread_name_prefix="bass-dq") as pool:
        out = spark.createDataFrame([r for part in pool.map(one, subjects(check, pipeline, batch.kind)) for r in part],
                                    RESULT_COLUMNS)
    status = (F.when(F.col("checked") == 0, Status.SKIPPED.value)
              .when(F.col("failed") > F.col("checked") * F.lit(check.max_failed_ratio), Status.FAIL.value).otherwise(Status.PASS.value))
    return out.select(F.lit(check.name).alias("check_name"), "subject", "batch",
                      F.lit(check.severity).alias("severity"), status.alias("status"), "checked", "failed",
                      "observed", "expected", F.when(status != Status.PASS.value, F.col("detail")).alias("detail"), F.lit(dt.datetime.now()).alias("checked_at"))


def run_stage(ctx, name: str, batch: Batch, run) -> None:
    """Run every check of the stage, store the results in one write, fail if a critical check failed.

    The write replaces only this stage's (check, subject) results for the batch: two stages may
    run the same check on other subjects for the same month (the monthly and the feedback
    batches both compare their interfaces with their .verf)."""
    the_stage = stage(name)
    results = [evaluate(ctx.spark, check, batch, the_stage.pipeline) for check in the_stage.checks]
    rows = functools.reduce(DataFrame.unionByName, results).cache()
    scope = {"check_name": [c.name for c in the_stage.checks],
             "subject": sorted({s["subject"] for c in the_stage.checks for s in subjects(c, the_stage.pipeline, batch.kind)}),
             "batch": (batch.first, batch.last)}
    if scope["subject"]:          # a stage whose interfaces its pipeline does not load checks nothing
        bookkeeping.write_dq_results(ctx, scope, rows)
    failures, warnings = [], []
    for r in rows.where(F.col("status") == Status.FAIL.value).orderBy("check_name", "subject", "batch").collect():
        text = f"{r.check_name}{' ' + r.subject if r.subject else ''} {r.batch}: {r.failed} of {r.checked} failed ({r.detail})"
        (failures if r.severity == "critical" else warnings).append(text)
    run.rows_written += rows.count()
    rows.unpersist()
    run.message = "; ".join([f"{len(warnings)} warning(s)"] + warnings) if warnings else "all checks passed"
    if failures:
        raise QualityError("critical data-quality check failed: " + "; ".join(failures))
