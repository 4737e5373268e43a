"""`bass sql` (query tables by name) and `bass history` (a table's versions, time travel for audits)."""
from __future__ import annotations


def cmd_sql(args) -> int:
    from bass.serving.query import run_query
    print(run_query(args.query, fmt=args.format, limit=args.limit, env=args.env))
    return 0


def cmd_history(args) -> int:
    """The table's versions, or (with --as-of) its rows as they were at a version or time."""
    from bass.core.session import get_context
    from bass.serving.query import format_rows
    from bass.warehouse.maintain import check_written, history
    ctx = get_context(args.env)
    if args.sent is not None:
        return print_sent(ctx, args)
    if args.as_of is None:
        df = history(ctx, args.table, args.limit)
    else:
        check_written(ctx, args.table)
        at = f"version as of {int(args.as_of)}" if args.as_of.isdigit() else f"timestamp as of '{args.as_of}'"
        df = ctx.spark.sql(f"select * from {args.table} {at}" + (f" where {args.where}" if args.where else ""))
    rows = df.limit(args.limit).collect()
    print(format_rows(df.columns, [tuple(r) for r in rows], args.format))
    return 0


def print_sent(ctx, args) -> int:
    """What BOSS received of an outbound table: its archived deliveries, or one batch's newest."""
    from bass.boss.archive import deliveries
    from bass.boss.inbound import read_lines
    from bass.boss.parse import parse_lines
    from bass.core.interfaces import interface
    from bass.core.registry import table
    from bass.core.storage import join
    from bass.serving.query import format_rows
    code = table(args.table).deliver
    if not code:
        raise LookupError(f"{args.table} is not sent to BOSS (no `deliver` interface)")
    sent = deliveries(ctx.cfg.path("archive"), code)
    if args.sent == "":
        rows = [(s.data_date, s.resend, s.sent_at.isoformat(sep=" "), len(s.records), sum(r.records for r in s.records),
                 s.folder) for s in sent]
        print(format_rows(["data_date", "resend", "sent_at", "files", "records", "archived_in"], rows[-args.limit:],
                          args.format))
        return 0
    spec = interface(code)
    token = args.sent.replace("-", "")
    mine = [s for s in sent if s.data_date == token]
    if not mine:
        raise LookupError(f"no delivery of {code} for {args.sent} in the archive ({ctx.cfg.path('archive')}); "
                          f"archived: {', '.join(sorted({s.data_date for s in sent})) or 'none'}")
    last = mine[-1]
    lines = read_lines(ctx, [join(last.folder, r.file_name) for r in last.records], spec)
    df = parse_lines(lines, spec).select(*spec.field_names())
    print(f"{last.verf} (resend {last.resend}, sent {last.sent_at.isoformat(sep=' ')}):")
    print(format_rows(df.columns, [tuple(r) for r in df.limit(args.limit).collect()], args.format))
    return 0


def add(sub) -> None:
    q = sub.add_parser("sql", help="query warehouse tables by name, e.g. bass sql 'select * from dm.kpi_d'")
    q.add_argument("query")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.add_argument("--limit", type=int, default=1000, help="rows printed at most (default 1000)")
    q.set_defaults(func=cmd_sql)
    h = sub.add_parser("history", help="a table's Delta versions (what wrote it, when), or with --as-of its rows "
                                       "as they were then (time travel, for audits)")
    h.add_argument("table")
    h.add_argument("--as-of", default=None, help="a version number or a time 'YYYY-MM-DD HH:MM:SS'")
    h.add_argument("--where", default=None, help="with --as-of: a filter, e.g. \"batch_month = '2026-03'\"")
    h.add_argument("--sent", nargs="?", const="", default=None, metavar="BATCH",
                   help="an outbound table's deliveries as BOSS received them (the archive); with a batch "
                        "(2026-06), that delivery's records as sent")
    h.add_argument("--format", choices=["table", "csv", "json"], default="table")
    h.add_argument("--limit", type=int, default=20, help="versions or rows printed at most (default 20)")
    h.set_defaults(func=cmd_history)
