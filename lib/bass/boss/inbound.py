"""The one generic ODS loader: check a BOSS delivery, parse it once, decide, commit.

1. check: the .verf matches the files (bass.boss.delivery, through Hadoop's file system), the
   delivery is not loaded yet (bookkeeping's file registry);
2. stage: one Spark pass reads every line once, types and checks each field (shape, type,
   domain, encoding, batch), and writes the good rows (typed, columnar) and the rejects (raw
   text and reason) to a staging folder; the same pass counts each file's records and rejects
   (`DataFrame.observe`);
3. decide: a file whose record count differs from its .verf, or a delivery with more rejects
   (exact repeats included) than `batch.max_reject_ratio`, is refused: nothing reaches ODS, so
   the batch keeps what was loaded before, rows and registry alike;
4. commit: the staged good rows replace the batch's ODS partition (a columnar copy, no second
   parse), the rejects its quarantine; the files are registered; the staging is dropped.
   Delivered = loaded + rejected, always. A crash before the commit leaves ODS as it was, and
   the rerun stages again from the start.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from bass.boss.delivery import Delivery, DeliveryError, check_record_counts, find_delivery
from bass.boss.parse import is_utf8, parse_lines, valid_text
from bass.core.interfaces import Interface, interface
from bass.core.session import Context
from bass.core.status import Status
from bass.core.storage import HadoopStorage, join
from bass.warehouse import bookkeeping, delta_io
from bass.warehouse.bookkeeping import Run

SAMPLE_REASONS = 3        # reject reasons quoted in a refusal
BROADCAST_REPEATS = 100_000
STAGING_CODEC = "lz4_raw"  # staged rows are read once, by the commit: cheap to write beats small


def read_lines(ctx: Context, paths: list[str], spec: Interface) -> DataFrame:
    """Raw lines with their file and the start of the file split they were read from."""
    if is_utf8(spec):
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


def stage(ctx: Context, deliveries: list[Delivery], spec: Interface, folder: str) -> tuple[dict, StructType]:
    """The one pass over the delivered bytes: parse and check every line and write it to
    `folder` (ok=true: typed good rows; ok=false: rejects with their raw text and reason), each
    with its file, split and row id (`rid`, ordered within each file split) for line numbers.
    Returns {file: (records, rejected)}, counted by the same pass, and the staged rows' schema."""
    files = [r.file_name for d in deliveries for r in d.records]
    lines = (read_lines(ctx, [p for d in deliveries for p in d.data_paths()], spec)
             .withColumn("batch", per_file(deliveries, lambda d: d.batch)))
    parsed = parse_lines(lines, spec).withColumn("rid", F.monotonically_increasing_id())
    if spec.batch_field:
        value = F.col(spec.batch_field)
        own = value.cast("date").cast("string") if spec.grain == "daily" else F.substring(value.cast("string"), 1, 7)
        parsed = parsed.withColumn("reject_reason", F.coalesce("reject_reason", F.when(own != F.col("batch"), F.format_string(
            f"field {spec.batch_field}: '%s' is outside the batch %s", value.cast("string"), F.col("batch")))))
    ok = F.col("reject_reason").isNull()
    keys = line_key() if spec.duplicates == "quarantine" else []
    staged = parsed.select(*spec.field_names(), "batch", "file_name", "block_start", "rid", *keys,
                           F.when(~ok, valid_text(F.col("line"), spec)).alias("line"), "reject_reason", ok.alias("ok"))
    counts = Observation("delivery")
    per_file_counts = [x for i, f in enumerate(files) for x in (
        F.count_if(F.col("file_name") == f).alias(f"rows_{i}"),
        F.count_if((F.col("file_name") == f) & ~F.col("ok")).alias(f"rejected_{i}"))]
    (staged.observe(counts, *per_file_counts).write.mode("overwrite").partitionBy("ok")
     .option("compression", STAGING_CODEC).parquet(folder))
    got = counts.get
    return ({f: (got[f"rows_{i}"], got[f"rejected_{i}"]) for i, f in enumerate(files)},
            StructType([f for f in staged.schema.fields if f.name != "ok"]))


def repeats(ctx: Context, good: DataFrame) -> DataFrame | None:
    """The staged good rows that repeat an earlier line of their batch exactly (same text; the
    first one stays good), as (rid), or None when there are none (the normal case). Only the
    hash columns are read. A few are sent to every task; very many (a file delivered twice)
    are joined as a DataFrame."""
    groups = (good.groupBy("batch", "h1", "h2").agg(F.min("rid").alias("first_rid"), F.count(F.lit(1)).alias("n"))
              .where("n > 1").drop("n"))
    found = groups.limit(BROADCAST_REPEATS + 1).collect()
    if not found:
        return None
    if len(found) > BROADCAST_REPEATS:
        first = groups
    else:
        first = F.broadcast(ctx.spark.createDataFrame([tuple(r) for r in found],
                                                      "batch string, h1 bigint, h2 int, first_rid bigint"))
    return (good.select("batch", "h1", "h2", "rid", "file_name").join(first, ["batch", "h1", "h2"])
            .where(F.col("rid") != F.col("first_rid")).select("rid", "file_name"))


def repeat_lines(ctx: Context, deliveries: list[Delivery], spec: Interface, rids: DataFrame) -> DataFrame:
    """The raw text of repeated rows. Good rows are staged without their text, so the files are
    read again, numbered exactly as in `stage` (same files, same splits): this second read
    happens only for a delivery that holds exact repeats."""
    lines = (read_lines(ctx, [p for d in deliveries for p in d.data_paths()], spec)
             .withColumn("batch", per_file(deliveries, lambda d: d.batch))
             .withColumn("rid", F.monotonically_increasing_id()))
    return (lines.join(rids.select("rid"), "rid")
            .select("batch", "file_name", "block_start", "rid", "line",
                    F.lit("exact duplicate of an earlier record of this delivery").alias("reject_reason")))


def split_counts(ctx: Context, folder: str) -> list:
    """Per (file, split): first row id and rows, from the staged rows' small columns; read only
    when there are rejects to number."""
    rows = ctx.spark.read.parquet(folder).select("file_name", "block_start", "rid")
    return (rows.groupBy("file_name", "block_start")
            .agg(F.min("rid").alias("first_rid"), F.count(F.lit(1)).alias("rows")).collect())


def line_numbers(ctx: Context, splits: list) -> DataFrame:
    """For each split, the line number of its first row: rows of earlier splits of the same file + 1."""
    rows, seen = [], {}
    for s in sorted(splits, key=lambda r: (r.file_name, r.block_start)):
        rows.append((s.file_name, s.block_start, s.first_rid, seen.get(s.file_name, 0) + 1))
        seen[s.file_name] = seen.get(s.file_name, 0) + s.rows
    return ctx.spark.createDataFrame(rows, "file_name string, block_start long, first_rid long, first_line long")


def numbered(ctx: Context, rejects: DataFrame, splits: list) -> DataFrame:
    """Rejected rows with batch, file, line number, raw text and reason."""
    return (rejects.join(F.broadcast(line_numbers(ctx, splits)), ["file_name", "block_start"])
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
    storage = HadoopStorage(ctx.spark)
    deliveries = [find_delivery(ctx.cfg.path("landing"), code, ctx.cfg.province, spec.grain, b, storage)
                  for b in batches]
    states = bookkeeping.file_states(ctx, code, list(batches))
    todo = [d for d in deliveries if force or not already_loaded(d, states.get(d.batch, {}))]
    if not todo:
        return []
    # one folder per interface and batches: a rerun after a crash overwrites what it left
    folder = join(ctx.cfg.path("staging"), f"{code}/{'_'.join(sorted(d.batch for d in todo))}")
    try:
        return decide_and_commit(ctx, spec, todo, states, folder, run)
    finally:
        storage.delete(folder)


@dataclass
class Staged:
    """A staged delivery: its per-file counts (exact repeats included in the rejects), its good
    rows (typed, without repeats) and its rejects (raw text and reason, `rid` for numbering)."""
    counts: dict
    good: DataFrame
    rejects: DataFrame
    splits: list
    repeated: DataFrame | None

    def numbered_rejects(self, ctx: Context) -> DataFrame:
        return numbered(ctx, self.rejects, self.splits)


def stage_all(ctx: Context, todo: list[Delivery], spec: Interface, folder: str) -> Staged:
    """Stage the deliveries (one pass), refuse a short or padded file, and find exact repeats
    in the staged hash columns."""
    counts, schema = stage(ctx, todo, spec, folder)
    for d in todo:
        check_record_counts(d, {f: rows for f, (rows, _bad) in counts.items()})

    def staged(ok: bool) -> DataFrame:
        if not any((rows - bad if ok else bad) for rows, bad in counts.values()):   # nothing was written there
            return ctx.spark.createDataFrame([], schema)
        return ctx.spark.read.schema(schema).parquet(f"{folder}/ok={str(ok).lower()}")

    good, rejects = staged(True), staged(False)
    repeated = repeats(ctx, good) if spec.duplicates == "quarantine" else None
    if repeated is not None:
        repeated = repeated.cache()
        for r in repeated.groupBy("file_name").count().collect():
            rows, bad = counts[r.file_name]
            counts[r.file_name] = (rows, bad + r["count"])
        rejects = rejects.unionByName(repeat_lines(ctx, todo, spec, repeated), allowMissingColumns=True)
        good = good.join(repeated.select("rid"), "rid", "left_anti")
    splits = split_counts(ctx, folder) if any(bad for _rows, bad in counts.values()) else []
    return Staged(counts, good, rejects, splits, repeated)


def decide_and_commit(ctx: Context, spec: Interface, todo: list[Delivery], states: dict, folder: str, run: Run) -> list[str]:
    code = spec.code
    staged = stage_all(ctx, todo, spec, folder)
    counts = staged.counts
    max_ratio = float(ctx.cfg.get("batch.max_reject_ratio", 1.0))
    refused, accepted = [], []
    for d in todo:
        bad = sum(counts[r.file_name][1] for r in d.records)
        (refused if d.expected_records() and bad / d.expected_records() > max_ratio else accepted).append((d, bad))
    errors = []
    if refused:
        files = {r.file_name for d, _ in refused for r in d.records}
        samples = (staged.numbered_rejects(ctx).where(F.col("file_name").isin(files))
                   .orderBy("file_name", "line_no").limit(SAMPLE_REASONS * len(refused)).collect())
        for d, bad in refused:
            mine = {r.file_name for r in d.records}
            errors.append(refusal(code, d, bad, max_ratio, [s for s in samples if s.file_name in mine][:SAMPLE_REASONS]))
        bookkeeping.record_files(ctx, [(d, states.get(d.batch, {}), counts, Status.REFUSED) for d, _ in refused])
    if accepted:
        commit(ctx, spec, [d for d, _ in accepted], states, counts, staged.good, staged.numbered_rejects(ctx),
               bool(refused), run)
    if staged.repeated is not None:
        staged.repeated.unpersist()
    if errors:
        raise DeliveryError("; ".join(errors))
    return [d.batch for d, _ in accepted]


def commit(ctx: Context, spec: Interface, ok: list[Delivery], states: dict, counts: dict, good: DataFrame,
           rejects: DataFrame, some_refused: bool, run: Run) -> None:
    """The staged rows of the accepted deliveries into their ODS partitions and quarantine."""
    code, g = spec.code, spec.batch_grain
    names = {r.file_name for d in ok for r in d.records}
    if some_refused:
        good, rejects = (x.where(F.col("file_name").isin(names)) for x in (good, rejects))
    good = (good.withColumn("src_file", F.col("file_name"))
            .withColumn(spec.batch_column, per_file(ok, lambda d: g.typed(d.batch))))
    loaded = delta_io.write(ctx, spec.table, good, {spec.batch_column: [g.typed(d.batch) for d in ok]})
    ok_batches = [d.batch for d in ok]
    expected_bad = sum(counts[n][1] for n in names)
    rejected = 0
    if expected_bad or bookkeeping.has_rejects(ctx, code, ok_batches):   # replace an earlier quarantine too
        rejected = bookkeeping.write_rejects(ctx, code, ok_batches, rejects)
    delivered = sum(d.expected_records() for d in ok)
    if loaded + rejected != delivered:
        raise DeliveryError(f"{code} {', '.join(ok_batches)}: delivered {delivered} but loaded {loaded} + rejected {rejected}")
    bookkeeping.record_files(ctx, [(d, states.get(d.batch, {}), counts, Status.LOADED) for d in ok])
    run.rows_read += delivered
    run.rows_written += loaded
    run.rows_rejected += rejected
