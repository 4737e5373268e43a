"""`bass run`'s batches: one, several separate ones (a delivery calendar), or a range."""
from __future__ import annotations

import pytest

from bass.cli import build_parser
from bass.cli.run import batch_values


def values(*argv: str) -> list[str]:
    args = build_parser().parse_args(["run", *argv])
    return batch_values(args, "month" if args.month or "monthly" in argv else "date")


def test_dates_and_months_repeat_as_separate_batches_or_come_as_a_range():
    assert values("daily", "--date", "2026-02-28", "--date", "2026-01-31") == ["2026-01-31", "2026-02-28"]
    assert values("monthly", "--month", "2026-02", "--month", "2026-01", "--month", "2026-02") == ["2026-01", "2026-02"]
    assert values("daily", "--from", "2026-01-30", "--to", "2026-02-01") == ["2026-01-30", "2026-01-31", "2026-02-01"]
    with pytest.raises(SystemExit, match="either one batch"):
        values("daily", "--date", "2026-01-31", "--from", "2026-01-01", "--to", "2026-01-02")
    with pytest.raises(SystemExit, match="give --date"):
        values("daily")
