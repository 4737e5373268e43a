"""Bookkeeping: the one module that reads and writes meta.* (job runs, the inbound file
registry, quarantined rows, data-quality results, the outbound delivery log). Other modules
ask it questions ("which files of this batch are loaded?", "which resend is next?") and hand
it facts; none of them touch a meta table themselves.
"""
from __future__ import annotations

import datetime as dt
import logging
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass.core.batch import Batch
from bass.core.status import Status
from bass.warehouse import delta_io

log = logging.getLogger("bass")

JOB_RUN, FILE_REGISTRY, REJECTS, DQ_RESULT, OUTBOX_LOG = (
    "meta.job_run", "meta.file_registry", "meta.ods_reject", "meta.dq_result", "meta.outbox_log")
TABLES = (JOB_RUN, FILE_REGISTRY, REJECTS, DQ_RESULT, OUTBOX_LOG)


def ensure_tables(ctx) -> None:
    """The bookkeeping tables exist before any job (and before concurrent jobs race to create them)."""
    for name in TABLES:
        delta_io.ensure_table(ctx, name)


# -- job runs ------------------------------------------------------------------------------

@dataclass
class Run:
    job: str
    batch: Batch
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    started_at: dt.datetime = field(default_factory=dt.datetime.now)
    status: str = Status.SUCCESS
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    message: str = ""

    def row(self) -> dict:
        return dict(self.__dict__, batch=self.batch.label(), batch_kind=self.batch.kind,
                    batch_from=self.batch.first, batch_to=self.batch.last, ended_at=dt.datetime.now())


@contextmanager
def job_run(ctx, job: str, batch: Batch):
    """Record the run in meta.job_run whatever happens; failures are re-raised."""
    run = Run(job=job, batch=batch)
    try:
        yield run
    except BaseException as exc:
        run.status = Status.FAILED
        run.message = f"{type(exc).__name__}: {exc}"[:4000]
        log.error("%s %s failed: %s", job, batch.label(), run.message)
        log.debug(traceback.format_exc())
        delta_io.append_rows(ctx, JOB_RUN, [run.row()])
        raise
    delta_io.append_rows(ctx, JOB_RUN, [run.row()])
    log.info("%s %s %s read=%d written=%d rejected=%d %s", job, batch.label(), run.status,
             run.rows_read, run.rows_written, run.rows_rejected, run.message)


def successful_runs(ctx) -> list:
    """(job, batch_kind, batch_from, batch_to, ended_at) of every successful run."""
    return (ctx.spark.table(JOB_RUN).where(F.col("status") == Status.SUCCESS)
            .select("job", "batch_kind", "batch_from", "batch_to", "ended_at").collect())


def recent_runs(ctx, days: int) -> list:
    """Every run (all columns) that started within `days` days of the newest run, oldest first."""
    if not ctx.spark.catalog.tableExists(JOB_RUN):
        return []
    runs = ctx.spark.table(JOB_RUN)
    newest = runs.agg(F.max("started_at")).first()[0]
    if newest is None:
        return []
    return runs.where(F.col("started_at") >= F.lit(newest - dt.timedelta(days=days))).orderBy("started_at").collect()


# -- inbound file registry -----------------------------------------------------------------

def file_states(ctx, code: str, batches: list[str]) -> dict[str, dict]:
    """batch -> file name -> (byte size, status), from the newest registry row of each file."""
    if not ctx.spark.catalog.tableExists(FILE_REGISTRY):
        return {}
    newest = Window.partitionBy("batch", "file_name").orderBy(F.desc("loaded_at"))
    rows = (ctx.spark.table(FILE_REGISTRY).where((F.col("interface") == code) & F.col("batch").isin(batches))
            .withColumn("n", F.row_number().over(newest)).where("n = 1")
            .select("batch", "file_name", "byte_size", "status").collect())
    out: dict[str, dict] = {}
    for r in rows:
        out.setdefault(r.batch, {})[r.file_name] = (r.byte_size, r.status)
    return out


def record_files(ctx, entries: list[tuple]) -> None:
    """Log each delivery's files with its status. A LOADED delivery marks the files of an earlier
    delivery of its batch superseded; a REFUSED one leaves them as they were.
    `entries`: (delivery, registry state of its batch, {file: (records, rejected)}, status)."""
    now = dt.datetime.now()
    rows = []
    for delivery, state, counts, status in entries:
        def row(file_name, byte_size, status, resend_no=None, records=None, rejected=None):
            loaded = None if records is None or status != Status.LOADED else records - rejected
            return dict(interface=delivery.interface, batch=delivery.batch, file_name=file_name, resend_no=resend_no,
                        byte_size=byte_size, records=records, loaded=loaded, rejected=rejected, status=status,
                        loaded_at=now)
        rows += [row(r.file_name, r.byte_size, status, delivery.resend_no, r.records, counts.get(r.file_name, (0, 0))[1])
                 for r in delivery.records]
        if status == Status.LOADED:
            current = {r.file_name for r in delivery.records}
            rows += [row(name, size, Status.SUPERSEDED)
                     for name, (size, old_status) in state.items() if name not in current and old_status == Status.LOADED]
    delta_io.append_rows(ctx, FILE_REGISTRY, rows)


# -- quarantined rows ----------------------------------------------------------------------

def has_rejects(ctx, code: str, batches: list[str]) -> bool:
    return not ctx.spark.table(REJECTS).where((F.col("interface") == code) & F.col("batch").isin(batches)).isEmpty()


def write_rejects(ctx, code: str, batches: list[str], rows: DataFrame) -> int:
    """Replace the quarantine of these batches of `code` with `rows` (batch, file_name, line_no,
    raw_line, reason); returns how many."""
    rows = rows.select(F.lit(code).alias("interface"), "batch", "file_name", "line_no", "raw_line", "reason")
    return delta_io.write(ctx, REJECTS, rows, {"interface": code, "batch": list(batches)})


# -- data-quality results ------------------------------------------------------------------

def write_dq_results(ctx, scope: dict, rows: DataFrame) -> None:
    """Replace the results within `scope` (check names, subjects, a batch range) with `rows`."""
    delta_io.write(ctx, DQ_RESULT, rows, scope)


def dq_results(spark, first: str, last: str) -> list:
    """The stored results for batch values first..last, for printing after a batch."""
    if not spark.catalog.tableExists(DQ_RESULT):
        return []
    return (spark.table(DQ_RESULT).where(F.col("batch").between(first, last))
            .orderBy("batch", "check_name", "subject").collect())


# -- outbound deliveries -------------------------------------------------------------------

def next_resend(ctx, code: str, batch: str) -> int:
    """0 for a batch never sent, else one more than the highest resend sent."""
    delta_io.ensure_table(ctx, OUTBOX_LOG)
    last = (ctx.spark.table(OUTBOX_LOG).where((F.col("interface") == code) & (F.col("batch") == batch))
            .agg(F.max("resend_no")).first()[0])
    return 0 if last is None else last + 1


def record_outbound(ctx, code: str, batch: str, resend: int, source_table: str, records: list) -> None:
    now = dt.datetime.now()
    delta_io.append_rows(ctx, OUTBOX_LOG, [dict(interface=code, batch=batch, resend_no=resend, file_name=r.file_name,
                                                byte_size=r.byte_size, records=r.records, source_table=source_table,
                                                sent_at=now) for r in records])


def snapshots_reloaded(ctx, code: str, through: str, after: str) -> bool:
    """True if a delivery of `code` for a batch up to `through` was loaded after `after` (an ISO
    time): a history built through `through` from earlier loads no longer matches its source."""
    return not (ctx.spark.table(FILE_REGISTRY)
                .where((F.col("interface") == code) & (F.col("batch") <= through) & (F.col("status") == Status.LOADED)
                       & (F.col("loaded_at") > F.lit(after).cast("timestamp"))).isEmpty())


def newest_load(ctx, code: str) -> str | None:
    """When the newest delivery of `code` was loaded (ISO time), or None."""
    last = (ctx.spark.table(FILE_REGISTRY).where((F.col("interface") == code) & (F.col("status") == Status.LOADED))
            .agg(F.max("loaded_at")).first()[0])
    return last.isoformat() if last else None
