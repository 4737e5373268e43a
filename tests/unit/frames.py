"""Tiny inline tables for SQL unit tests: rows are dicts, undeclared columns are null."""
from __future__ import annotations

from bass.core.registry import table
from bass.warehouse import delta_io


def frame(ctx, name: str, rows: list[dict]):
    cols = table(name).columns
    return ctx.spark.createDataFrame([tuple(r.get(c.name) for c in cols) for r in rows],
                                     ", ".join(f"`{c.name}` {c.type}" for c in cols))


def put(ctx, name: str, rows: list[dict]) -> None:
    """Write rows into a registry table, replacing the partitions they fall in (or the table)."""
    tbl = table(name)
    df = frame(ctx, name, rows)
    if tbl.mode == "overwrite_partition":
        col = tbl.partition_by[0]
        values = sorted({r[col] for r in rows})
        if values:   # one write replacing exactly the partitions the rows fall in
            delta_io.write(ctx, name, df, {col: values})
        else:
            delta_io.ensure_table(ctx, name)
    else:
        delta_io.write(ctx, name, df)
