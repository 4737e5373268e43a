"""The one generic ODS loader: check a BOSS delivery, parse it once, decide, commit.

1. check: the .verf matches the files (bass.boss.delivery, through Hadoop's file system), the
   delivery is not loaded yet (bookkeeping's file registry);
2. stage: one Spark pass reads every line once, types and checks each field (shape, type,
   domain, encoding, batch), and writes into a fresh folder inside the ODS table's own folder:
   the good rows as the table's Parquet files (`kind=good/<batch column>=<value>/`), the
   rejects with their raw text and reason (`kind=reject`), and per line its file, split, row id
   and hash (`kind=key`, for line numbers and exact repeats). The same pass counts each file's
   records and rejects (`DataFrame.observe`). Until the commit no reader sees any of it;
3. decide: a file whose record count differs from its .verf, or a delivery with more rejects
   (exact repeats included) than `batch.max_reject_ratio`, is refused: nothing reaches ODS, so
   the batch keeps what was loaded before, rows and registry alike;
4. commit: one Delta commit makes the staged good files the batch's ODS partition (nothing is
   rewritten: bass.warehouse.delta_commit), the rejects replace its quarantine, the files are
   registered, and the rest of the staging is dropped. Delivered = loaded + rejected, always.
   Every decision, a refusal included, leaves BOSS a receipt (bass.boss.receipt).
   A crash before the commit leaves ODS as it was (VACUUM removes the orphaned files), and the
   rerun stages again from the start.

Exact repeats are rare (a file delivered twice): only a delivery that has them is read a second
time, to quarantine the repeats' text and to commit its good rows without them.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F

from bass.boss import receipt
from bass.boss.delivery import Delivery, DeliveryError, check_record_counts, find_delivery
from bass.boss.parse import is_utf8, parse_lines, valid_text
from bass.core.interfaces import Interface, interface
from bass.core.registry import ods_table
from bass.core.session import Context
from bass.core.status import Status
from bass.core.storage import HadoopStorage, join
from bass.warehouse import bookkeeping, delta_commit, delta_io
from bass.warehouse.bookkeeping import Run

SAMPLE_REASONS = 3        # reject reasons quoted in a refusal
BROADCAST_REPEATS = 100_000


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


def line_key() -> dict[str, Column]:
    """96 bits of hash standing for a line's text: the repeats check shuffles these, not the text."""
    return {"h1": F.xxhash64("line"), "h2": F.hash("line")}


def delivered_lines(ctx: Context, deliveries: list[Delivery], spec: Interface) -> DataFrame:
    """Every line of the deliveries' files with its file, split and `batch`."""
    return (read_lines(ctx, [p for d in deliveries for p in d.data_paths()], spec)
            .withColumn("batch", per_file(deliveries, lambda d: d.batch)))


def checked(ctx: Context, deliveries: list[Delivery], spec: Interface) -> DataFrame:
    """Every delivered line, parsed and checked, with `batch`, its file and split, and `rid`
    (ordered within each file split, the same on every read of the same files)."""
    parsed = parse_lines(delivered_lines(ctx, deliveries, spec), spec).withColumn("rid", F.monotonically_increasing_id())
    if spec.batch_field:
        value = F.col(spec.batch_field)
        own = value.cast("date").cast("string") if spec.grain == "daily" else F.substring(value.cast("string"), 1, 7)
        parsed = parsed.withColumn("reject_reason", F.coalesce("reject_reason", F.when(own != F.col("batch"), F.format_string(
            f"field {spec.batch_field}: '%s' is outside the batch %s", value.cast("string"), F.col("batch")))))
    return parsed


def stage(ctx: Context, deliveries: list[Delivery], spec: Interface, folder: str) -> dict[str, tuple[int, int]]:
    """The one pass over the delivered bytes (see the module's doc). Each line leaves two rows:
    its good or reject row, and its key row. Returns {file: (records, rejected)}."""
    tbl = ods_table(spec)
    g = spec.batch_grain
    files = [r.file_name for d in deliveries for r in d.records]
    parsed = checked(ctx, deliveries, spec).withColumn("src_file", F.col("file_name"))
    counts = Observation("delivery")
    bad = F.col("reject_reason").isNotNull()
    parsed = parsed.observe(counts, *[x for i, f in enumerate(files) for x in (
        F.count_if(F.col("file_name") == f).alias(f"rows_{i}"),
        F.count_if((F.col("file_name") == f) & bad).alias(f"rejected_{i}"))])
    two = parsed.select("*", F.explode(F.array(F.lit(False), F.lit(True))).alias("__key"))
    key, good = F.col("__key"), ~F.col("__key") & ~bad
    reject = ~F.col("__key") & bad
    data = [F.when(good, F.col(c.name).cast(c.type)).alias(c.name) for c in tbl.columns if c.name != spec.batch_column]
    # hashes of the good lines only: a repeated reject is quarantined for its own reason
    hashes = [F.when(key & ~bad, h).alias(n) for n, h in line_key().items()] if spec.duplicates == "quarantine" else []
    rows = two.select(
        *data,
        *[F.when(key | reject, F.col(c)).alias(c) for c in ("file_name", "block_start", "rid")], *hashes,
        F.when(reject, valid_text(F.col("line"), spec)).alias("line"), F.when(reject, F.col("reject_reason")).alias("reject_reason"),
        F.when(key, "key").when(bad, "reject").otherwise("good").alias("kind"),
        per_file(deliveries, lambda d: g.typed(d.batch)).alias(spec.batch_column))
    writer = (rows.write.mode("errorifexists").partitionBy("kind", spec.batch_column)
              .option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false"))
    for c in tbl.columns:   # the table's own Parquet settings: these files become its files
        if not c.dictionary:
            writer = writer.option(f"parquet.enable.dictionary#{c.name}", "false")
    writer.parquet(folder)
    got = counts.get
    return {f: (got[f"rows_{i}"], got[f"rejected_{i}"]) for i, f in enumerate(files)}


REJECT_COLUMNS = "batch string, file_name string, block_start long, rid long, line string, reject_reason string"


def repeats(ctx: Context, keys: DataFrame) -> DataFrame | None:
    """The lines that repeat an earlier line of their batch exactly (same text; the first one
    stays good), as (rid, file_name), or None when there are none (the normal case). Only the
    staged key rows are read. A few are sent to every task; very many (a file delivered twice)
    are joined as a DataFrame."""
    keys = keys.where(F.col("h1").isNotNull())
    groups = (keys.groupBy("batch", "h1", "h2").agg(F.min("rid").alias("first_rid"), F.count(F.lit(1)).alias("n"))
              .where("n > 1").drop("n"))
    found = groups.limit(BROADCAST_REPEATS + 1).collect()
    if not found:
        return None
    if len(found) > BROADCAST_REPEATS:
        first = groups
    else:
        first = F.broadcast(ctx.spark.createDataFrame([tuple(r) for r in found],
                                                      "batch string, h1 bigint, h2 int, first_rid bigint"))
    return (keys.select("batch", "h1", "h2", "rid", "file_name").join(first, ["batch", "h1", "h2"])
            .where(F.col("rid") != F.col("first_rid")).select("rid", "file_name"))


def repeat_lines(ctx: Context, deliveries: list[Delivery], spec: Interface, rids: DataFrame) -> DataFrame:
    """The raw text of repeated lines. Good rows are staged without their text, so the files are
    read again, numbered exactly as in `stage` (same files, same splits): this second read
    happens only for a delivery that holds exact repeats."""
    lines = delivered_lines(ctx, deliveries, spec).withColumn("rid", F.monotonically_increasing_id())
    return (lines.join(rids.select("rid"), "rid")
            .select("batch", "file_name", "block_start", "rid", valid_text(F.col("line"), spec).alias("line"),
                    F.lit("exact duplicate of an earlier record of this delivery").alias("reject_reason")))


def split_counts(keys: DataFrame) -> list:
    """Per (file, split): first row id and rows, from the staged key rows; read only when there
    are rejects to number."""
    return (keys.groupBy("file_name", "block_start")
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


def checksum_failures(ctx: Context, deliveries: list[Delivery]) -> list[tuple[Delivery, str]]:
    """The files whose bytes do not match the checksum BOSS's .verf gives (none given: nothing to
    read), checked before anything is staged: one Spark read of those files, a task per file, so
    it costs a second read of a delivery that carries checksums. Spark reads a file whole for
    this, so a file over 2 GB cannot be checked."""
    listed = {r.file_name: (d, r) for d in deliveries for r in d.records if r.checksum}
    if not listed:
        return []
    digests = {"md5": F.md5("content"), "sha256": F.sha2("content", 256)}
    used = sorted({r.checksum.split(":")[0] for _d, r in listed.values()})
    files = (ctx.spark.read.format("binaryFile").load([join(d.folder, name) for name, (d, _r) in listed.items()])
             .select(F.element_at(F.split("path", "/"), -1).alias("name"), *[digests[a].alias(a) for a in used]))
    failures = []
    for row in files.collect():    # one small row per file
        d, rec = listed[row["name"]]
        algorithm, expected = rec.checksum.split(":")
        if row[algorithm] != expected:
            failures.append((d, f"{d.verf_name}: {rec.file_name} has {algorithm} {row[algorithm]}, the .verf says "
                                f"{expected}: the file changed or was damaged on the way; nothing loaded, ask BOSS "
                                "to send it again"))
    return failures


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
    deliveries = []
    for b in batches:
        try:
            deliveries.append(find_delivery(ctx.cfg.path("landing"), code, ctx.cfg.province, spec.grain, b, storage))
        except DeliveryError as e:   # a .verf that does not match its files: BOSS gets a receipt saying so
            if e.delivery is not None:
                receipt.refused(ctx.cfg.path("outbox"), e.delivery, str(e))
            raise
    states = bookkeeping.file_states(ctx, code, list(batches))
    todo = [d for d in deliveries if force or not already_loaded(d, states.get(d.batch, {}))]
    if not todo:
        return []
    damaged = checksum_failures(ctx, todo)
    for d, why in damaged:
        receipt.refused(ctx.cfg.path("outbox"), d, why)
    if damaged:
        raise DeliveryError("; ".join(why for _d, why in damaged))
    delta_io.ensure_table(ctx, spec.table)
    # a fresh folder inside the table's folder, so that its good files can become the table's
    staged = Staged(join(ctx.location(spec.table), f"staged-{uuid.uuid4().hex}"))
    try:
        return decide_and_commit(ctx, spec, todo, states, staged, run)
    finally:   # what was not committed goes; committed files are the table's now
        if staged.committed:
            for path in [f"{staged.folder}/kind={k}" for k in ("key", "reject")] + staged.uncommitted:
                storage.delete(path)
        else:
            storage.delete(staged.folder)


@dataclass
class Staged:
    """A staged delivery: its folder, per-file counts (exact repeats included in the rejects),
    its rejects (raw text and reason, `rid` for numbering) and exact repeats (None: none)."""
    folder: str
    counts: dict = field(default_factory=dict)
    rejects: DataFrame | None = None
    splits: list = field(default_factory=list)
    repeated: DataFrame | None = None
    committed: bool = False          # its good files are part of the ODS table
    uncommitted: list = field(default_factory=list)   # good files' folders left out of the commit

    def numbered_rejects(self, ctx: Context) -> DataFrame:
        return numbered(ctx, self.rejects, self.splits)

    def read(self, ctx: Context, kind: str, batch_column: str | None = None) -> DataFrame:
        """The staged rows of one kind; `batch` from their partition folder when given its column."""
        rows = ctx.spark.read.parquet(f"{self.folder}/kind={kind}")
        return rows.withColumn("batch", F.col(batch_column).cast("string")) if batch_column else rows


def stage_all(ctx: Context, todo: list[Delivery], spec: Interface, staged: Staged) -> Staged:
    """Stage the deliveries (one pass), refuse a short or padded file, and find exact repeats
    in the staged key rows."""
    staged.counts = counts = stage(ctx, todo, spec, staged.folder)
    for d in todo:
        try:
            check_record_counts(d, {f: rows for f, (rows, _bad) in counts.items()})
        except DeliveryError as e:
            receipt.refused(ctx.cfg.path("outbox"), d, str(e), counts)
            raise
    any_rows = any(rows for rows, _bad in counts.values())
    keys = staged.read(ctx, "key", spec.batch_column) if any_rows else None
    staged.rejects = (staged.read(ctx, "reject", spec.batch_column).selectExpr(*[c.split()[0] for c in REJECT_COLUMNS.split(", ")])
                      if any(bad for _rows, bad in counts.values()) else ctx.spark.createDataFrame([], REJECT_COLUMNS))
    if keys is not None and spec.duplicates == "quarantine":
        staged.repeated = repeats(ctx, keys)
    if staged.repeated is not None:
        staged.repeated = staged.repeated.cache()
        for r in staged.repeated.groupBy("file_name").count().collect():
            rows, bad = counts[r.file_name]
            counts[r.file_name] = (rows, bad + r["count"])
        staged.rejects = staged.rejects.unionByName(repeat_lines(ctx, todo, spec, staged.repeated))
    if any(bad for _rows, bad in counts.values()):   # repeats included now
        staged.splits = split_counts(keys)
    return staged


def decide_and_commit(ctx: Context, spec: Interface, todo: list[Delivery], states: dict, staged: Staged,
                      run: Run) -> list[str]:
    code = spec.code
    counts = stage_all(ctx, todo, spec, staged).counts
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
        kinds = receipt.reason_kinds(staged.numbered_rejects(ctx).where(F.col("file_name").isin(files)))
        for d, bad in refused:
            mine = {r.file_name for r in d.records}
            errors.append(refusal(code, d, bad, max_ratio, [s for s in samples if s.file_name in mine][:SAMPLE_REASONS]))
            receipt.refused(ctx.cfg.path("outbox"), d, f"more than {max_ratio:.0%} of the records rejected", counts, kinds)
        bookkeeping.record_files(ctx, [(d, states.get(d.batch, {}), counts, Status.REFUSED) for d, _ in refused])
    if accepted:
        commit(ctx, spec, [d for d, _ in accepted], todo, states, staged, bool(refused), run)
    if staged.repeated is not None:
        staged.repeated.unpersist()
    if errors:
        raise DeliveryError("; ".join(errors))
    return [d.batch for d, _ in accepted]


def commit(ctx: Context, spec: Interface, ok: list[Delivery], todo: list[Delivery], states: dict, staged: Staged,
           some_refused: bool, run: Run) -> None:
    """The accepted deliveries' staged good rows become their ODS partitions (one Delta commit of
    the staged files; rewritten without the repeats when there are any), their rejects replace
    their quarantine."""
    code, g = spec.code, spec.batch_grain
    names = {r.file_name for d in ok for r in d.records}
    partition = {spec.batch_column: [g.typed(d.batch) for d in ok]}
    if staged.repeated is None:
        staged.uncommitted = [f"{staged.folder}/kind=good/{spec.batch_column}={g.typed(d.batch)}"
                              for d in todo if d not in ok]
        delta_commit.replace_partitions(ctx, spec.table, f"{staged.folder}/kind=good", partition)
        staged.committed = True
    else:   # rare: parse again and write the good rows without the repeats
        good = (checked(ctx, todo, spec).where(F.col("reject_reason").isNull())
                .join(staged.repeated.select("rid"), "rid", "left_anti").where(F.col("file_name").isin(names))
                .withColumn("src_file", F.col("file_name"))
                .withColumn(spec.batch_column, per_file(ok, lambda d: g.typed(d.batch))))
        delta_io.write(ctx, spec.table, good, partition)
    loaded = ctx.spark.table(spec.table).where(delta_io.partition_predicate(partition)).count()
    rejects = staged.numbered_rejects(ctx)
    if some_refused:
        rejects = rejects.where(F.col("file_name").isin(names))
    ok_batches = [d.batch for d in ok]
    rejected = 0
    if sum(staged.counts[n][1] for n in names) or bookkeeping.has_rejects(ctx, code, ok_batches):   # replace an earlier quarantine too
        rejected = bookkeeping.write_rejects(ctx, code, ok_batches, rejects)
    delivered = sum(d.expected_records() for d in ok)
    if loaded + rejected != delivered:
        raise DeliveryError(f"{code} {', '.join(ok_batches)}: delivered {delivered} but loaded {loaded} + rejected {rejected}")
    bookkeeping.record_files(ctx, [(d, states.get(d.batch, {}), staged.counts, Status.LOADED) for d in ok])
    kinds = receipt.reason_kinds(rejects) if rejected else {}
    for d in ok:
        receipt.write(ctx.cfg.path("outbox"), d, "LOADED", {
            r.file_name: receipt.Outcome(staged.counts[r.file_name][0] - staged.counts[r.file_name][1],
                                         staged.counts[r.file_name][1], kinds.get(r.file_name, ""))
            for r in d.records})
    run.rows_read += delivered
    run.rows_written += loaded
    run.rows_rejected += rejected
