"""The one generic ODS loader: verify a BOSS delivery, parse it, quarantine bad rows,
replace the batch's ODS partition, record the files. Delivered = loaded + rejected, always.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from bass import delta_io
from bass.fileio.delivery import Delivery, DeliveryError, check_record_counts, count_lines, find_delivery
from bass.fileio.parse import parse_lines
from bass.interfaces import Interface, interface
from bass.runlog import Run
from bass.session import Context


def read_lines(ctx: Context, paths: list[str], spec: Interface) -> DataFrame:
    """Raw lines with their file and the start of the file split they were read from."""
    if spec.encoding.lower().replace("-", "") in ("utf8",):
        df = ctx.spark.read.text(paths).withColumnRenamed("value", "line")
    else:
        # Spark's text source is UTF-8 only; the CSV source decodes other charsets. A separator and
        # quote that never occur keep each line whole. It drops blank lines, so such a file fails
        # the delivered = loaded + rejected check instead of quarantining them.
        df = (ctx.spark.read.format("csv").option("encoding", spec.encoding).option("sep", "\u0001")
              .option("quote", "\u0000").option("escape", "\u0000").option("header", "false")
              .schema("line string").load(paths))
    return df.select(F.col("line"), F.col("_metadata.file_name").alias("file_name"),
                     F.col("_metadata.file_block_start").alias("block_start"))


def parse_with_row_ids(lines: DataFrame, spec: Interface) -> DataFrame:
    """Parsed rows plus `rid`, ordered within each file split (for line numbers)."""
    return parse_lines(lines, spec).withColumn("rid", F.monotonically_increasing_id())


def good_rows(parsed: DataFrame) -> DataFrame:
    """Rows that passed every check.

    The filter also reads the row id, so the projection below it keeps that non-deterministic
    column, and Spark cannot push the filter below the projection. Pushed down, the checks were
    inlined into the filter condition, where no common subexpression is shared, and every value
    was parsed again for the output."""
    return parsed.where(F.col("reject_reason").isNull() & (F.col("rid") >= 0))


def split_offsets(parsed: DataFrame) -> list:
    """Per (file, split): first row id and rows; small (one row per file split)."""
    return (parsed.groupBy("file_name", "block_start")
            .agg(F.min("rid").alias("first_rid"), F.count(F.lit(1)).alias("rows")).collect())


def line_numbers(ctx: Context, splits: list) -> DataFrame:
    """For each split, the line number of its first row: rows of earlier splits of the same file + 1."""
    rows, seen = [], {}
    for s in sorted(splits, key=lambda r: (r.file_name, r.block_start)):
        rows.append((s.file_name, s.block_start, s.first_rid, seen.get(s.file_name, 0) + 1))
        seen[s.file_name] = seen.get(s.file_name, 0) + s.rows
    return ctx.spark.createDataFrame(rows, "file_name string, block_start long, first_rid long, first_line long")


def per_file(deliveries: list[Delivery], value: Callable[[Delivery], object]) -> Column:
    """`value(delivery)` of each row's delivery, typed: a literal when all rows come from one
    delivery (the nightly case), else a lookup by file name (a string comparison per file per row)."""
    if len(deliveries) == 1:
        return F.lit(value(deliveries[0]))
    pairs = [x for d in deliveries for r in d.records for x in (F.lit(r.file_name), F.lit(value(d)))]
    return F.create_map(*pairs)[F.col("file_name")]


def registry_states(ctx: Context, code: str, batches: list[str]) -> dict[str, dict]:
    """batch -> file name -> (byte size, status), from the newest registry row of each file."""
    if not ctx.spark.catalog.tableExists("meta.file_registry"):
        return {}
    newest = Window.partitionBy("batch", "file_name").orderBy(F.desc("loaded_at"))
    rows = (ctx.spark.table("meta.file_registry").where((F.col("interface") == code) & F.col("batch").isin(batches))
            .withColumn("n", F.row_number().over(newest)).where("n = 1")
            .select("batch", "file_name", "byte_size", "status").collect())
    out: dict[str, dict] = {}
    for r in rows:
        out.setdefault(r.batch, {})[r.file_name] = (r.byte_size, r.status)
    return out


def already_loaded(delivery: Delivery, state: dict) -> bool:
    """True if exactly this delivery is loaded; a changed file under a loaded name is refused."""
    for rec in delivery.records:
        if rec.file_name in state and state[rec.file_name][0] != rec.byte_size:
            raise DeliveryError(f"{rec.file_name} was already loaded with {state[rec.file_name][0]} bytes and now has "
                                f"{rec.byte_size}: a corrected delivery must come with a new resend number")
    loaded = {name for name, (_size, status) in state.items() if status == "LOADED"}
    return loaded == {r.file_name for r in delivery.records}


def record_files(ctx: Context, entries: list[tuple]) -> None:
    """Log each delivery's files with its status, and mark files of an earlier delivery of the
    batch superseded. `entries`: (delivery, registry state of its batch, rejected per file, status)."""
    now = dt.datetime.now()
    rows = []
    for delivery, state, rejected_per_file, status in entries:
        def row(file_name, byte_size, status, resend_no=None, records=None, rejected=None):
            loaded = None if records is None else records - rejected
            return dict(interface=delivery.interface, batch=delivery.batch, file_name=file_name, resend_no=resend_no,
                        byte_size=byte_size, records=records, loaded=loaded, rejected=rejected, status=status,
                        loaded_at=now)
        rows += [row(r.file_name, r.byte_size, status, delivery.resend_no, r.records, rejected_per_file.get(r.file_name, 0))
                 for r in delivery.records]
        current = {r.file_name for r in delivery.records}
        rows += [row(name, size, "SUPERSEDED")
                 for name, (size, old_status) in state.items() if name not in current and old_status == "LOADED"]
    delta_io.append_rows(ctx, "meta.file_registry", rows)


def write_rejects(ctx: Context, parsed: DataFrame, code: str, batches: list[str], expected: int) -> int:
    """Quarantine bad rows with file, line number, raw text and reason; returns how many.

    `expected` is delivered - loaded. When it is 0 and nothing was quarantined for these batches
    before, the pass over the data is skipped: the common case costs one parse, not two."""
    earlier = ctx.spark.table("meta.ods_reject").where((F.col("interface") == code) & F.col("batch").isin(batches))
    if expected == 0 and earlier.isEmpty():
        return 0
    rows = (parsed.where(F.col("reject_reason").isNotNull())
            .join(F.broadcast(line_numbers(ctx, split_offsets(parsed))), ["file_name", "block_start"])
            .select(F.lit(code).alias("interface"), "batch", "file_name",
                    (F.col("rid") - F.col("first_rid") + F.col("first_line")).alias("line_no"),
                    F.col("line").alias("raw_line"), F.col("reject_reason").alias("reason")))
    return delta_io.write(ctx, "meta.ods_reject", rows, {"interface": code, "batch": list(batches)})


def load(ctx: Context, code: str, batches: list[str], run: Run, force: bool = False) -> list[str]:
    """Load the newest delivery of `code` for each batch into ods.<code>, all in one Spark pass,
    replacing those batches' partitions; idempotent. Counts are added to `run`. Returns the
    batches loaded (a delivery already loaded exactly as it is now is skipped)."""
    spec = interface(code)
    deliveries = [find_delivery(ctx.cfg.path("landing"), code, ctx.cfg.province, spec.grain, b) for b in batches]
    states = registry_states(ctx, code, list(batches))
    todo = [d for d in deliveries if force or not already_loaded(d, states.get(d.batch, {}))]
    if not todo:
        return []

    # record counts first, so a short or padded delivery is refused before anything is written
    for d in todo:
        check_record_counts(d, {r.file_name: count_lines(p) for r, p in zip(d.records, d.data_paths())})
    lines = read_lines(ctx, [p for d in todo for p in d.data_paths()], spec)
    parsed = parse_with_row_ids(lines, spec).withColumn("batch", per_file(todo, lambda d: d.batch))
    typed_batch = (lambda d: dt.date.fromisoformat(d.batch)) if spec.grain == "daily" else (lambda d: d.batch)
    good = (good_rows(parsed)
            .withColumn("src_file", F.col("file_name")).withColumn(spec.batch_column, per_file(todo, typed_batch)))
    loaded = delta_io.write(ctx, spec.table, good, {spec.batch_column: [typed_batch(d) for d in todo]})
    delivered = sum(d.expected_records() for d in todo)
    rejected = write_rejects(ctx, parsed, code, [d.batch for d in todo], delivered - loaded)
    if loaded + rejected != delivered:
        raise DeliveryError(f"{code} {', '.join(d.batch for d in todo)}: delivered {delivered} "
                            f"but loaded {loaded} + rejected {rejected}")

    rejected_per_file = {r.file_name: r["count"] for r in
                         ctx.spark.table("meta.ods_reject").where((F.col("interface") == code)
                                                                  & F.col("batch").isin([d.batch for d in todo]))
                         .groupBy("file_name").count().collect()} if rejected else {}
    max_ratio = float(ctx.cfg.get("batch.max_reject_ratio", 1.0))
    too_many = []
    entries = []
    for d in todo:
        bad = sum(rejected_per_file.get(r.file_name, 0) for r in d.records)
        over = d.expected_records() and bad / d.expected_records() > max_ratio
        if over:
            too_many.append(f"{code} {d.batch}: {bad} of {d.expected_records()} rows rejected (over {max_ratio:.0%}); "
                            f"see meta.ods_reject where interface = '{code}' and batch = '{d.batch}'")
        entries.append((d, states.get(d.batch, {}), rejected_per_file, "REJECTED" if over else "LOADED"))
    record_files(ctx, entries)
    run.rows_read += delivered
    run.rows_written += loaded
    run.rows_rejected += rejected
    if too_many:
        raise DeliveryError("; ".join(too_many))
    return [d.batch for d in todo]
