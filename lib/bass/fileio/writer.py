"""The generic delivery writer: a DataFrame of an interface's fields -> .dat files + .verf.

Used by the province simulator (playing BOSS) and by the outbound BOSS interfaces.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from bass.fileio.delivery import (VerfRecord, count_lines, data_date_token, data_file_name,
                                  verf_file_name, write_verf)
from bass.interfaces import TEXT_FORMATS, Interface


def field_text(field) -> Column:
    col = F.col(field.name)
    if field.type in ("date", "timestamp"):
        text = F.date_format(col, TEXT_FORMATS[field.type])
    elif field.type == "month":
        text = F.regexp_replace(col.cast("string"), "-", "")
    else:
        text = col.cast("string")
    return F.coalesce(text, F.lit(""))


def to_lines(df: DataFrame, spec: Interface) -> DataFrame:
    """One `line` column: the fields in declared order, joined by the interface's delimiter."""
    return df.select(F.concat_ws(spec.delimiter, *[field_text(f) for f in spec.fields]).alias("line"))


def write_delivery(df: DataFrame, spec: Interface, batch: str, folder: str, province: str,
                   resend: int = 0, files: int = 1, sort: bool = True) -> list[VerfRecord]:
    """Write `df` as one delivery of `spec` for `batch` into folder/<code>/; returns the .verf records.

    Files are cut by coalescing partitions (no shuffle, so the input order is kept); `sort`
    orders lines within each file, which makes output reproducible when the input came
    through a shuffle. Skip it only for inputs whose order is already deterministic."""
    out = Path(folder) / spec.code
    out.mkdir(parents=True, exist_ok=True)
    token = data_date_token(spec.grain, batch)
    staging = out / f"_staging_{token}_{resend:02d}"
    shutil.rmtree(staging, ignore_errors=True)
    # The CSV writer is the one Spark text sink with an `encoding` option; one column, no quoting.
    lines = to_lines(df, spec).coalesce(max(1, files))
    if sort:
        lines = lines.sortWithinPartitions("line")
    (lines.write.format("csv")
     .option("encoding", spec.encoding).option("quote", "\u0000").option("escape", "\u0000")
     .option("sep", "\u0001").option("lineSep", "\n").mode("overwrite").save(str(staging)))
    parts = sorted(staging.glob("part-*"))
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    records = []
    for seq, part in enumerate(parts or [None], start=1):
        target = out / data_file_name(spec.code, province, token, resend, seq)
        if part is None:
            target.write_bytes(b"")
        else:
            part.replace(target)
        records.append(VerfRecord(target.name, target.stat().st_size, count_lines(str(target)), token, stamp))
    shutil.rmtree(staging, ignore_errors=True)
    write_verf(out / verf_file_name(spec.code, province, token, resend), records)
    return records
