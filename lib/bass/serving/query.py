"""`bass sql`: run a query against the warehouse tables and format the (bounded) result.

Read-only: the statement is parsed first and refused, before anything runs, unless it is a
query or one of the read-only SHOW / DESCRIBE / EXPLAIN commands. Tables change only through
jobs, which keep the bookkeeping."""
from __future__ import annotations

import csv
import io
import json
import re

from bass.core.session import get_context


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


READ_ONLY_COMMANDS = {"ShowTables", "ShowViews", "ShowColumns", "ShowTableProperties", "ShowPartitions",
                      "ShowFunctions", "ShowNamespaces", "ShowCreateTable", "DescribeRelation", "DescribeColumn",
                      "DescribeNamespace", "DescribeFunction", "DescribeDeltaHistory", "DescribeDeltaDetailCommand",
                      "ExplainCommand"}
CHANGES = re.compile(r"^(Insert|Write|Restore|Merge|Delete|Update|Create|Replace|Drop|Alter|Truncate|Vacuum|Optimize|"
                     r"Convert|Clone|Cache|Uncache|Clear|Repair|Set|Reset|Refresh|Add|Use|Load|Rename|Comment|Analyze|"
                     r"Recover)|Command$|Statement$")


class ReadOnlyError(ValueError):
    """A statement that would change something, given to `bass sql`."""


def check_read_only(spark, query: str) -> None:
    """Refuse a statement unless every node of its parsed plan only reads."""
    plan = spark._jsparkSession.sessionState().sqlParser().parsePlan(query)
    command = spark._jvm.java.lang.Class.forName("org.apache.spark.sql.catalyst.plans.logical.Command")
    root = plan.getClass().getSimpleName()
    if root in READ_ONLY_COMMANDS:
        return
    todo = [plan]
    while todo:
        node = todo.pop()
        name = node.getClass().getSimpleName()
        if command.isInstance(node) or CHANGES.search(name):
            raise ReadOnlyError(f"bass sql only reads: a {name} statement is refused (tables change through `bass run`)")
        children = node.children()
        todo.extend(children.apply(i) for i in range(children.size()))


def run_query(query: str, fmt: str = "table", limit: int = 1000, env: str | None = None) -> str:
    ctx = get_context(env)
    check_read_only(ctx.spark, query)
    df = ctx.spark.sql(query)
    rows = [tuple(r) for r in df.limit(limit).collect()]   # bounded: a query result, never a table scan
    return format_rows(df.columns, rows, fmt)
