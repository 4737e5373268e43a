"""`bass`: the command line (generate, run, sql, bench, demo)."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")


def _month(text: str) -> str:
    try:
        return dt.datetime.strptime(text, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month YYYY-MM, got {text!r}")


def cmd_generate(args) -> int:
    from bass.session import get_context
    from bass.simulator.generate import generate
    ctx = get_context(args.env)
    out = args.out or ctx.cfg.path("landing")
    counts = generate(ctx.spark, out, args.users, args.start, args.days, args.months, args.seed,
                      ctx.cfg.province, args.truth or ctx.cfg.path("truth"))
    print(f"simulated {args.users} users, {args.days} CDR days from {args.start}, {args.months} billing months -> {out}")
    for code, n in sorted(counts.items()):
        print(f"  {code:<15} {n:>12,d} records")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bass", description="BASS business-analysis warehouse")
    p.add_argument("--env", default=None, help="configuration environment (default: $BASS_ENV or local)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="simulate a province and write BOSS deliveries")
    g.add_argument("--users", type=int, default=20_000)
    g.add_argument("--start", type=_date, default=dt.date(2026, 1, 1))
    g.add_argument("--days", type=int, default=7)
    g.add_argument("--months", type=int, default=3)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--out", default=None, help="default: the landing folder")
    g.add_argument("--truth", default=None, help="default: the truth folder")
    g.set_defaults(func=cmd_generate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("py4j", "pyspark"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
