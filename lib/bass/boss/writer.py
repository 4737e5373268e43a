"""The generic delivery writer: a DataFrame of an interface's fields -> .dat files + .verf.

Used by the province simulator (playing BOSS) and by the outbound BOSS interfaces.
"""
from __future__ import annotations

import datetime as dt
import re

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bass.boss.delivery import VerfRecord, data_date_token, data_file_name, new_digest, verf_file_name, verf_text
from bass.core.interfaces import TEXT_FORMATS, Interface
from bass.core.storage import Storage, join, storage_for


def field_text(field, spec: Interface) -> Column:
    """A field as file text. Free text is cleaned of line breaks and of the delimiter (each
    becomes a space), so no value can split a record; a fixed-width value is padded to its
    width (numbers on the left), and one too long for it fails the write naming the field."""
    col = F.col(field.name)
    if field.type in ("date", "timestamp"):
        text = F.date_format(col, TEXT_FORMATS[field.type])
    elif field.type == "month":
        text = F.regexp_replace(col.cast("string"), "-", "")
    else:
        text = col.cast("string")
        if field.type == "string":
            breakers = "\r\n" + ("" if spec.layout == "fixed" else re.escape(spec.delimiter))
            text = F.regexp_replace(text, f"[{breakers}]", " ")
    text = F.coalesce(text, F.lit(""))
    if spec.layout == "fixed":
        too_long = F.raise_error(F.format_string(f"{spec.code} field {field.name}: '%s' is longer than its width "
                                                 f"{field.width}", text))
        numeric = field.type in ("int", "long") or field.type.startswith("decimal")
        padded = (F.lpad if numeric else F.rpad)(text, field.width, " ")   # numbers right-aligned, text left
        text = F.when(F.length(text) > field.width, too_long).otherwise(padded)
    return text


def to_lines(df: DataFrame, spec: Interface) -> DataFrame:
    """One `line` column: the fields in declared order, joined by the interface's delimiter (or
    side by side at their widths)."""
    sep = "" if spec.layout == "fixed" else spec.delimiter
    return df.select(F.concat_ws(sep, *[field_text(f, spec) for f in spec.fields]).alias("line"))


def write_delivery(df: DataFrame, spec: Interface, batch: str, folder: str, province: str,
                   resend: int = 0, files: int = 1, sort: bool = True, checksum: str | None = None) -> list[VerfRecord]:
    """Write `df` as one delivery of `spec` for `batch` into folder/<code>/; returns the .verf records,
    with each file's checksum (`md5` / `sha256`) when `checksum` names one.

    Files are cut by coalescing partitions (no shuffle, so the input order is kept); `sort`
    orders lines within each file, which makes output reproducible when the input came
    through a shuffle. Skip it only for inputs whose order is already deterministic."""
    storage = storage_for(folder, df.sparkSession)
    out = join(folder, spec.code)
    token = data_date_token(spec.grain, batch)
    staging = join(out, f"_staging_{token}_{resend:02d}")
    storage.delete(staging)
    # The CSV writer is the one Spark text sink with an `encoding` option; one column, no quoting.
    lines = to_lines(df, spec).coalesce(max(1, files))
    if sort:
        lines = lines.sortWithinPartitions("line")
    (lines.write.format("csv")
     .option("encoding", spec.encoding).option("quote", "\u0000").option("escape", "\u0000")
     .option("sep", "\u0001").option("lineSep", "\n").mode("overwrite").save(staging))
    parts = sorted(n for n in storage.list(staging) if n.startswith("part-"))
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    records = []
    # Data files first, the .verf last, each under a temporary name renamed into place (atomic
    # within the folder): a reader that waits for the .verf never sees a half-written delivery.
    for seq, part in enumerate(parts or [None], start=1):
        name = data_file_name(spec.code, province, token, resend, seq)
        if part is None:
            storage.write_text(join(staging, "empty"), "")
            part = "empty"
        storage.rename(join(staging, part), join(out, name))   # staging is in the same folder
        size, lines_in, digest = measure(storage, join(out, name), checksum)
        records.append(VerfRecord(name, size, lines_in, token, stamp, digest))
    storage.write_text(join(out, verf_file_name(spec.code, province, token, resend)),
                       verf_text(records), encoding="ascii")
    storage.delete(staging)
    return records


def measure(storage: Storage, path: str, checksum: str | None) -> tuple[int, int, str | None]:
    """(bytes, records, `algorithm:hex` or None) of a data file just written, in one read.
    Records are newline-terminated lines; a last line without newline counts."""
    digest = new_digest(checksum) if checksum else None
    size, n, last = 0, 0, b"\n"
    for chunk in storage.chunks(path):
        size += len(chunk)
        n += chunk.count(b"\n")
        last = chunk[-1:]
        if digest:
            digest.update(chunk)
    return size, n + (last != b"\n"), f"{checksum}:{digest.hexdigest()}" if digest else None
