"""Argument types shared by the command groups."""
from __future__ import annotations

import argparse
import datetime as dt


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}")


def month_arg(text: str) -> str:
    try:
        return dt.datetime.strptime(text, "%Y-%m").strftime("%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month YYYY-MM, got {text!r}")


def province_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users", type=int, default=20_000)
    p.add_argument("--start", type=date_arg, default=dt.date(2026, 1, 1), help="first CDR day")
    p.add_argument("--days", type=int, default=7, help="CDR days")
    p.add_argument("--months", type=int, default=3, help="billing months from the month of --start")
    p.add_argument("--seed", type=int, default=42)
