"""`bass run` (a batch or one step for dates or months) and `bass graph` (the derived step graph)."""
from __future__ import annotations

from bass.cli.args import date_arg, month_arg
from bass.core.status import NOT_RUN, Status


def batch_values(args, kind: str) -> list[str]:
    """The dates or months of `bass run`: --date/--month (repeatable: separate batches run as one
    backfill, e.g. the CDR days of a delivery calendar), or --from/--to (a backfill range)."""
    from bass.core.grain import grain
    given = [d.isoformat() for d in args.date or []] if kind == "date" else list(args.month or [])
    if args.from_ or args.to:
        if given or not (args.from_ and args.to):
            raise SystemExit("give either one batch (--date/--month) or a range with both --from and --to")
        try:
            return grain(kind).range(args.from_, args.to)
        except ValueError as exc:
            raise SystemExit(f"--from/--to: {exc}")
    if not given:
        raise SystemExit(f"give --{'date YYYY-MM-DD' if kind == 'date' else 'month YYYY-MM'} or --from/--to")
    return sorted({grain(kind).parse(v) for v in given})


def grain_kind(name: str) -> str:
    from bass.core.grain import grain
    return grain(name).kind


def cmd_run(args) -> int:
    from bass.core.batch import Batch
    from bass.core.session import get_context
    from bass.orchestration.graph import load_pipeline, pipeline_names
    from bass.orchestration.pipeline import run_pipeline
    from bass.orchestration.runs import batch_kind, run_step
    from bass.warehouse.bookkeeping import dq_results
    if args.target in pipeline_names():
        values = batch_values(args, grain_kind(load_pipeline(args.target).grain))
        ctx = get_context(args.env)
        status = run_pipeline(ctx, args.target, values, force=args.force)
        for name, st in status.items():
            print(f"  {name:<22} {st}")
        checks = dq_results(ctx.spark, values[0], values[-1])
        if checks:
            print("  data quality (meta.dq_result):")
            for r in checks:
                print(f"    {r.batch:<10} {r.check_name:<20} {r.subject:<18} {r.severity:<8} {r.status:<7} "
                      f"{r.failed}/{r.checked} {r.detail or ''}"[:160])
        return 0 if all(s in (Status.SUCCESS, *NOT_RUN) for s in status.values()) else 1
    kind = batch_kind(args.target)
    values = batch_values(args, kind)
    run = run_step(get_context(args.env), args.target, Batch(kind, tuple(values)), force=args.force)
    print(f"{args.target} {run.batch.label()}: {run.status} read={run.rows_read} written={run.rows_written} "
          f"rejected={run.rows_rejected} {run.message}")
    return 0


def cmd_graph(args) -> int:
    """The derived step graph: each pipeline's steps in run order with what they wait for."""
    import json

    from bass.orchestration.graph import load_pipeline, pipeline_names
    from bass.orchestration.steps import step
    names = [args.pipeline] if args.pipeline else pipeline_names()
    out = {}
    for name in names:
        p = load_pipeline(name)
        out[name] = {"grain": p.grain, "steps": [{"step": n.step, "kind": step(n.step).kind, "after": list(n.after),
                                                  "inputs": list(n.inputs), **({"at": n.at} if n.at else {})}
                                                 for n in p.nodes]}
    if args.format == "json":
        print(json.dumps(out, indent=1))
        return 0
    for name, p in out.items():
        print(f"{name} ({p['grain']})")
        for s in p["steps"]:
            extra = f"  [reads {', '.join(s['inputs'])} of other batches]" if s["inputs"] else ""
            print(f"  {s['step']:<22} {s['kind']:<9} after {', '.join(s['after']) or '-'}{extra}")
    return 0


def add(sub) -> None:
    r = sub.add_parser("run", help="run a batch (a pipeline of conf/pipelines.yml) or one step (a table name)")
    r.add_argument("target", help="a pipeline (daily, monthly, tariff, scoring, profiles, ...; bass graph lists them) "
                                  "or a step such as ods.cdr_voice, mid.user_usage_d")
    r.add_argument("--date", type=date_arg, action="append", help="the CDR day of a daily batch (repeat for several)")
    r.add_argument("--month", type=month_arg, action="append", help="the month of a monthly batch (repeat for several)")
    r.add_argument("--from", dest="from_", help="first date or month of a range (backfill)")
    r.add_argument("--to", help="last date or month of a range")
    r.add_argument("--force", action="store_true", help="rerun steps already done and reload deliveries already loaded")
    r.set_defaults(func=cmd_run)
    gr = sub.add_parser("graph", help="print the derived step graph of each pipeline (conf/pipelines.yml)")
    gr.add_argument("pipeline", nargs="?", help="one batch (default: all)")
    gr.add_argument("--format", choices=["text", "json"], default="text")
    gr.set_defaults(func=cmd_graph)
