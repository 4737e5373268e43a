"""`bass sql`: run a query against the warehouse tables and format the (bounded) result."""
from __future__ import annotations

import csv
import io
import json

from bass.session import get_context


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    if fmt == "json":
        return "\n".join(json.dumps(dict(zip(columns, r)), ensure_ascii=False, default=str) for r in rows)
    text = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(c.ljust(w) for c, w in zip(columns, widths)), line]
    out += [" | ".join(v.rjust(w) if _numeric(v) else v.ljust(w) for v, w in zip(r, widths)) for r in text]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _numeric(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def run_query(query: str, fmt: str = "table", limit: int = 1000, env: str | None = None) -> str:
    ctx = get_context(env)
    df = ctx.spark.sql(query)
    rows = [tuple(r) for r in df.limit(limit).collect()]   # bounded: a query result, never a table scan
    return format_rows(df.columns, rows, fmt)
