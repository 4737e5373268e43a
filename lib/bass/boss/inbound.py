"""The one generic ODS loader: check a BOSS delivery, parse it, decide, write.

1. check: the .verf matches the files (bass.boss.delivery), the delivery is not loaded yet
   (bookkeeping's file registry), every file has the records its .verf says;
2. parse: typed fields, and a reject reason for a row that breaks its interface (shape, type,
   domain), lies outside the batch (the interface's `batch_field`) or repeats an earlier record
   of the delivery exactly (`duplicates: quarantine`);
3. decide: a delivery with more rejects than `batch.max_reject_ratio` is refused before anything
   is written, so the batch keeps what was loaded before, rows and registry alike;
4. write: good rows replace the batch's ODS partition, rejects its quarantine; the files are
   registered. Delivered = loaded + rejected, always.
"""
from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bass.boss.delivery import Delivery, DeliveryError, check_record_counts, count_lines, find_delivery
from bass.boss.parse import parse_lines
from bass.core.interfaces import Interface, interface
from bass.core.session import Context
from bass.core.status import Status
from bass.warehouse import bookkeeping, delta_io
from bass.warehouse.bookkeeping import Run

SAMPLE_REASONS = 3        # reject reasons quoted in a refusal
BROADCAST_REPEATS = 100_000


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


def per_file(deliveries: list[Delivery], value: Callable[[Delivery], object]) -> Column:
    """`value(delivery)` of each row's delivery, typed: a literal when all rows come from one
    delivery (the nightly case), else a lookup by file name (a string comparison per file per row)."""
    if len(deliveries) == 1:
        return F.lit(value(deliveries[0]))
    pairs = [x for d in deliveries for r in d.records for x in (F.lit(r.file_name), F.lit(value(d)))]
    return F.create_map(*pairs)[F.col("file_name")]


def line_key() -> list[Column]:
    """96 bits of hash standing for a line's text: the repeats check shuffles these, not the text."""
    return [F.xxhash64("line").alias("h1"), F.hash("line").alias("h2")]


def repeated_lines(ctx: Context, lines: DataFrame) -> DataFrame | None:
    """(batch, h1, h2, first_rid) of the lines delivered more than once in a batch, or None when
    there are none (the normal case: no join). A few are sent to every task; very many (a file
    delivered twice) are joined as a DataFrame."""
    groups = (lines.groupBy("batch", *line_key()).agg(F.min("rid").alias("first_rid"), F.count(F.lit(1)).alias("n"))
              .where("n > 1").drop("n"))
    found = groups.limit(BROADCAST_REPEATS + 1).collect()
    if not found:
        return None
    if len(found) > BROADCAST_REPEATS:
        return groups
    return F.broadcast(ctx.spark.createDataFrame([tuple(r) for r in found],
                                                 "batch string, h1 bigint, h2 int, first_rid bigint"))


def checked_rows(ctx: Context, deliveries: list[Delivery], spec: Interface) -> DataFrame:
    """Parsed rows with `rid` (ordered within each file split), `batch`, and a reject reason that
    also covers rows outside their batch and exact repeats.

    The row id is numbered after the parse (see good_rows); the repeats check numbers the raw
    lines the same way (same files, same splits, one row per line), so the ids agree."""
    lines = (read_lines(ctx, [p for d in deliveries for p in d.data_paths()], spec)
             .withColumn("batch", per_file(deliveries, lambda d: d.batch)))
    parsed = parse_lines(lines, spec).withColumn("rid", F.monotonically_increasing_id())
    extra = []
    if spec.duplicates == "quarantine":
        repeats = repeated_lines(ctx, lines.withColumn("rid", F.monotonically_increasing_id()))
        if repeats is not None:
            parsed = (parsed.select("*", *line_key()).join(repeats, ["batch", "h1", "h2"], "left")
                      .withColumn("repeat", F.col("first_rid").isNotNull() & (F.col("rid") != F.col("first_rid")))
                      .drop("h1", "h2", "first_rid"))
            extra.append(F.when(F.col("repeat"), F.lit("exact duplicate of an earlier record of this delivery")))
    if spec.batch_field:
        value = F.col(spec.batch_field)
        own = value.cast("date").cast("string") if spec.grain == "daily" else F.substring(value.cast("string"), 1, 7)
        extra.append(F.when(own != F.col("batch"), F.format_string(
            f"field {spec.batch_field}: '%s' is outside the batch %s", value.cast("string"), F.col("batch"))))
    if extra:
        parsed = parsed.withColumn("reject_reason", F.coalesce("reject_reason", *extra))
    return parsed


def good_rows(parsed: DataFrame) -> DataFrame:
    """Rows that passed every check.

    The filter also reads the row id, so the projection below it keeps that non-deterministic
    column, and Spark cannot push the filter below the projection. Pushed down, the checks were
    inlined into the filter condition, where no common subexpression is shared, and every value
    was parsed again for the output."""
    return parsed.where(F.col("reject_reason").isNull() & (F.col("rid") >= 0))


def split_counts(parsed: DataFrame) -> list:
    """Per (file, split): first row id, rows and rejected rows; small (one row per file split).
    This pass decides whether a delivery is loaded, before anything is written."""
    return (parsed.groupBy("file_name", "block_start")
            .agg(F.min("rid").alias("first_rid"), F.count(F.lit(1)).alias("rows"),
                 F.count("reject_reason").alias("rejected")).collect())


def line_numbers(ctx: Context, splits: list) -> DataFrame:
    """For each split, the line number of its first row: rows of earlier splits of the same file + 1."""
    rows, seen = [], {}
    for s in sorted(splits, key=lambda r: (r.file_name, r.block_start)):
        rows.append((s.file_name, s.block_start, s.first_rid, seen.get(s.file_name, 0) + 1))
        seen[s.file_name] = seen.get(s.file_name, 0) + s.rows
    return ctx.spark.createDataFrame(rows, "file_name string, block_start long, first_rid long, first_line long")


def reject_rows(ctx: Context, parsed: DataFrame, splits: list) -> DataFrame:
    """Rejected rows with batch, file, line number, raw text and reason."""
    return (parsed.where(F.col("reject_reason").isNotNull())
            .join(F.broadcast(line_numbers(ctx, splits)), ["file_name", "block_start"])
            .select("batch", "file_name", (F.col("rid") - F.col("first_rid") + F.col("first_line")).alias("line_no"),
                    F.col("line").alias("raw_line"), F.col("reject_reason").alias("reason")))


def already_loaded(delivery: Delivery, state: dict) -> bool:
    """True if exactly this delivery is loaded; a changed file under a loaded name is refused."""
    for rec in delivery.records:
        if rec.file_name in state and state[rec.file_name][0] != rec.byte_size:
            raise DeliveryError(f"{rec.file_name} was already loaded with {state[rec.file_name][0]} bytes and now has "
                                f"{rec.byte_size}: a corrected delivery must come with a new resend number")
    loaded = {name for name, (_size, status) in state.items() if status == Status.LOADED}
    return loaded == {r.file_name for r in delivery.records}


def refusal(code: str, d: Delivery, bad: int, max_ratio: float, samples: list) -> str:
    quoted = "; ".join(f"{s.file_name} line {s.line_no}: {s.reason}" for s in samples)
    return (f"{code} {d.batch} resend {d.resend_no:02d} refused, nothing written: {bad} of {d.expected_records()} rows "
            f"rejected (over {max_ratio:.0%}), e.g. {quoted}")


def load(ctx: Context, code: str, batches: list[str], run: Run, force: bool = False) -> list[str]:
    """Load the newest delivery of `code` for each batch into ods.<code>, all in one Spark pass,
    replacing those batches' partitions; idempotent. Counts are added to `run`. Returns the
    batches loaded (a delivery already loaded exactly as it is now is skipped); a refused
    delivery raises DeliveryError after the others are loaded."""
    spec = interface(code)
    g = spec.batch_grain
    deliveries = [find_delivery(ctx.cfg.path("landing"), code, ctx.cfg.province, spec.grain, b) for b in batches]
    states = bookkeeping.file_states(ctx, code, list(batches))
    todo = [d for d in deliveries if force or not already_loaded(d, states.get(d.batch, {}))]
    if not todo:
        return []
    for d in todo:   # a short or padded file is refused before anything is read by Spark
        check_record_counts(d, {r.file_name: count_lines(p) for r, p in zip(d.records, d.data_paths())})

    max_ratio = float(ctx.cfg.get("batch.max_reject_ratio", 1.0))
    parsed = checked_rows(ctx, todo, spec)
    splits = split_counts(parsed)
    counts = {}
    for s in splits:
        rows, rejected = counts.get(s.file_name, (0, 0))
        counts[s.file_name] = (rows + s.rows, rejected + s.rejected)

    refused, accepted = [], []
    for d in todo:
        bad = sum(counts.get(r.file_name, (0, 0))[1] for r in d.records)
        (refused if d.expected_records() and bad / d.expected_records() > max_ratio else accepted).append((d, bad))
    errors = []
    if refused:
        files = {r.file_name for d, _ in refused for r in d.records}
        samples = (reject_rows(ctx, parsed.where(F.col("file_name").isin(files)), splits)
                   .orderBy("file_name", "line_no").limit(SAMPLE_REASONS * len(refused)).collect())
        for d, bad in refused:
            mine = {r.file_name for r in d.records}
            errors.append(refusal(code, d, bad, max_ratio, [s for s in samples if s.file_name in mine][:SAMPLE_REASONS]))
        bookkeeping.record_files(ctx, [(d, states.get(d.batch, {}), counts, Status.REFUSED) for d, _ in refused])
    if accepted:
        ok = [d for d, _ in accepted]
        names = {r.file_name for d in ok for r in d.records}
        mine = parsed.where(F.col("file_name").isin(names)) if refused else parsed
        good = (good_rows(mine).withColumn("src_file", F.col("file_name"))
                .withColumn(spec.batch_column, per_file(ok, lambda d: g.typed(d.batch))))
        loaded = delta_io.write(ctx, spec.table, good, {spec.batch_column: [g.typed(d.batch) for d in ok]})
        expected_bad = sum(bad for _, bad in accepted)
        ok_batches = [d.batch for d in ok]
        rejected = 0
        if expected_bad or bookkeeping.has_rejects(ctx, code, ok_batches):   # replace an earlier quarantine too
            rejected = bookkeeping.write_rejects(ctx, code, ok_batches, reject_rows(ctx, mine, splits))
        ok_delivered = sum(d.expected_records() for d in ok)
        if loaded + rejected != ok_delivered:
            raise DeliveryError(f"{code} {', '.join(ok_batches)}: delivered {ok_delivered} "
                                f"but loaded {loaded} + rejected {rejected}")
        bookkeeping.record_files(ctx, [(d, states.get(d.batch, {}), counts, Status.LOADED) for d in ok])
        run.rows_read += ok_delivered
        run.rows_written += loaded
        run.rows_rejected += rejected
    if errors:
        raise DeliveryError("; ".join(errors))
    return [d.batch for d, _ in accepted]
