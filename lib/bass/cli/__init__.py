"""`bass`: the command line. Each command group is a module of this package with an `add(sub)`
that declares its subcommands (run, sql, ml, reports, serve, ops, tariff, dev); `main` turns
every error into one line on stderr (-v shows the traceback)."""
from __future__ import annotations

import argparse
import logging
import sys

from bass.cli import dev, ml, ops, reports, run, serve, sql, tariff

GROUPS = (dev, tariff, run, reports, ml, sql, ops, serve)


class Parser(argparse.ArgumentParser):
    """Bad arguments get one line naming what was expected (and `bass -h` for the rest)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} -h)\n")


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="bass", description="BASS business-analysis warehouse")
    p.add_argument("--env", default=None, help="configuration environment (default: $BASS_ENV or local)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("py4j", "pyspark"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if not args.verbose:
        quiet_query_context_loggers()
    try:
        return args.func(args)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:   # one clear line, never a traceback (-v shows it)
        logging.getLogger("bass").debug("traceback", exc_info=True)
        print(f"bass {args.command}: {error_line(exc)}", file=sys.stderr)
        return 1


def quiet_query_context_loggers() -> None:
    """PySpark 4 logs every failed query as a JSON line with the JVM's stack trace before the
    exception reaches us; the one-line error below says it (and -v keeps the page)."""
    from pyspark.logger import PySparkLogger
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def error_line(exc: Exception) -> str:
    """The first line of an error's own message (Spark's carry a page of plan and JVM stack)."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    first = next((line.strip() for line in str(text).splitlines() if line.strip()), type(exc).__name__)
    return first if len(first) <= 400 else first[:400] + " …"
