"""The development kit's commands: `bass generate` (the simulator), `bass demo`, `bass demo-loop`, `bass bench`,
`bass bench-serve`."""
from __future__ import annotations

import argparse
import os

from bass.cli.args import province_args


def cmd_generate(args) -> int:
    from bass.core.session import get_context
    from bass.devkit.simulator.generate import advance, generate
    ctx = get_context(args.env)
    out = args.out or ctx.cfg.path("landing")
    truth = args.truth or ctx.cfg.path("truth")
    if args.answer_survey:
        from bass.devkit.simulator.generate import Simulation
        from bass.devkit.simulator.survey import answer
        seed = Simulation.load(truth).seed if os.path.exists(os.path.join(truth, "simulation.json")) else 42
        try:
            done = answer(ctx.spark, ctx.cfg.path("outbox"), out, truth, ctx.cfg.province, args.answer_survey, seed)
        except ValueError as exc:
            raise SystemExit(f"bass generate --answer-survey: {exc}")
        print(f"BOSS answered survey(s) {', '.join(done['surveys'])}: {done['fb_survey']} answers -> {out}")
        return 0
    if args.advance:
        try:
            for step in advance(ctx.spark, out, ctx.cfg.path("outbox"), truth, args.advance):
                print(f"BOSS acted on the lists of {step['lists_of']}; delivered {step['month']} -> {out}")
                for code, n in sorted((k, v) for k, v in step.items() if k not in ("month", "lists_of")):
                    print(f"  {code:<15} {n:>12,d} records")
        except ValueError as exc:
            raise SystemExit(f"bass generate --advance: {exc}")
        return 0
    counts = generate(ctx.spark, out, args.users, args.start, args.days, args.months, args.seed,
                      ctx.cfg.province, truth, days_per_month=args.cdr_days_per_month,
                      horizon_months=args.horizon_months)
    print(f"simulated {args.users} users, {args.days} CDR days from {args.start}, {args.months} billing months -> {out}")
    for code, n in sorted(counts.items()):
        print(f"  {code:<15} {n:>12,d} records")
    return 0


def cmd_demo(args) -> int:
    from bass.core.session import get_context
    from bass.devkit.demo import run_demo
    ok = run_demo(get_context(args.env), args.users, args.start, args.days, args.months, args.seed, args.cdr_days)
    return 0 if ok else 1


def cmd_demo_loop(args) -> int:
    from bass.core.session import get_context
    from bass.devkit.demo_loop import run_loop
    ok = run_loop(get_context(args.env), args.users, args.start, args.months, args.loops, args.seed, args.cdr_days)
    return 0 if ok else 1


def counts(what: str, example: str):
    """An argparse type: positive counts separated by commas (`what`: rows, users)."""
    def parse(text: str) -> list[int]:
        try:
            sizes = [int(x.replace("_", "")) for x in text.split(",") if x.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} counts separated by commas, e.g. {example}; got {text!r}")
        if not sizes or min(sizes) < 1:
            raise argparse.ArgumentTypeError(f"{what} counts must be positive, got {text!r}")
        return sizes
    return parse


row_counts = counts("row", "1000000,10000000")


def cmd_bench(args) -> int:
    from bass.core.session import get_context
    ctx = get_context(args.env)
    home = args.home or f"{ctx.cfg.path('home')}/bench"
    if args.kind == "monthly":
        from bass.devkit.bench_monthly import run_monthly_bench
        run_monthly_bench(ctx, args.users, f"{home}-monthly" if not args.home else home, cdr_days=args.cdr_days)
        return 0
    from bass.devkit.bench import run_bench
    run_bench(ctx, args.rows, home, repeat=args.repeat)
    return 0


def cmd_bench_serve(args) -> int:
    from bass.devkit.serve_wait import main
    main(args.repo, args.home, args.port)
    return 0


def add(sub) -> None:
    g = sub.add_parser("generate", help="simulate a province and write BOSS deliveries")
    province_args(g)
    g.add_argument("--out", default=None, help="default: the landing folder")
    g.add_argument("--cdr-days", "--cdr-days-per-month", dest="cdr_days_per_month", type=int, default=0,
                   help="instead of --days from --start: CDRs on the last N days of every billing month")
    g.add_argument("--truth", default=None, help="default: the truth folder")
    g.add_argument("--horizon-months", type=int, default=0,
                   help="months the simulated population spans (default --months), so --advance can go on")
    g.add_argument("--advance", type=int, default=0, metavar="N",
                   help="play BOSS for N more months: act on the lists in the outbox, deliver their feedback "
                        "and the next month's files (after a `bass generate --horizon-months`)")
    g.add_argument("--answer-survey", metavar="YYYY-MM", default=None,
                   help="play BOSS for a tariff-plan survey: answer the survey list of the month in the outbox")
    g.set_defaults(func=cmd_generate)
    d = sub.add_parser("demo", help="simulate a small province and run every batch end to end")
    province_args(d)
    # six months: enough for 3-month churn labels to train and validate on; 10,000 users keep it
    # at about 10 minutes on 2 cores (the batches cost mostly per step, the models per row)
    d.add_argument("--cdr-days", type=int, default=1,
                   help="CDR days at the end of every month, so every month has handsets and traffic (0: --days days from --start)")
    d.set_defaults(months=6, users=10_000)
    d.set_defaults(func=cmd_demo)
    dl = sub.add_parser("demo-loop", help="the closed loop with BOSS month by month on a small simulated province")
    province_args(dl)
    dl.add_argument("--loops", type=int, default=6, help="months of lists, BOSS action, feedback and evaluation")
    dl.add_argument("--cdr-days", type=int, default=1, help="CDR days at the end of every month")
    dl.set_defaults(months=5, users=10_000)
    dl.set_defaults(func=cmd_demo_loop)
    b = sub.add_parser("bench", help="ingest (default): the ODS load + mid.user_usage_d against a hand-written Spark "
                                     "job and DuckDB; monthly: one month of every monthly batch and the churn "
                                     "training at growing numbers of users")
    b.add_argument("kind", nargs="?", choices=("ingest", "monthly"), default="ingest")
    b.add_argument("--rows", type=row_counts, default=[10_000_000],
                   help="ingest: voice CDRs to simulate, one size or a comma-separated curve, e.g. 1000000,10000000 "
                        "(default 10 million)")
    b.add_argument("--repeat", type=int, default=3, help="ingest: timed runs of each side; medians count (default 3)")
    b.add_argument("--users", type=counts("user", "100000,1000000"), default=[100_000, 1_000_000],
                   help="monthly: simulated users, comma-separated sizes (default 100000,1000000)")
    b.add_argument("--cdr-days", type=int, default=1, help="monthly: CDR days at the end of each month (default 1)")
    b.add_argument("--home", default=None, help="scratch folder (default: <BASS_HOME>/bench or bench-monthly, wiped first)")
    b.set_defaults(func=cmd_bench)
    bs = sub.add_parser("bench-serve", help="how long an analyst's small query waits behind another's runaway query "
                                            "on the SQL server (one JSON line)")
    bs.add_argument("--repo", default=None, help="the BASS checkout whose server to measure (default: this one)")
    bs.add_argument("--home", default=None, help="scratch folder (default /tmp/bass-bench-serve, wiped first)")
    bs.add_argument("--port", type=int, default=10090)
    bs.set_defaults(func=cmd_bench_serve)
