"""Batches: the dates or months a job run covers.

A run covers one value (`--date D`) or a range (`--from/--to`, a backfill). SQL jobs read the
range once and replace exactly its partitions, so a six-month backfill is one pass per job.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def add_months(month: str, n: int) -> str:
    y, m = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + n, 12)
    return f"{y:04d}-{m + 1:02d}"


def month_end(month: str) -> str:
    nxt = dt.date.fromisoformat(add_months(month, 1) + "-01")
    return (nxt - dt.timedelta(days=1)).isoformat()


def parse_value(kind: str, text: str) -> str:
    """A batch value in canonical form; a clear error names what was expected."""
    try:
        if kind == "date":
            return dt.date.fromisoformat(text).isoformat()
        return dt.datetime.strptime(text, "%Y-%m").strftime("%Y-%m")
    except (ValueError, TypeError):
        raise ValueError(f"expected a {'date YYYY-MM-DD' if kind == 'date' else 'month YYYY-MM'}, got {text!r}")


def value_range(kind: str, first: str, last: str) -> list[str]:
    first, last = parse_value(kind, first), parse_value(kind, last)
    if last < first:
        raise ValueError(f"range end {last} is before its start {first}")
    out, v = [], first
    while v <= last:
        out.append(v)
        v = (dt.date.fromisoformat(v) + dt.timedelta(days=1)).isoformat() if kind == "date" else add_months(v, 1)
    return out


@dataclass(frozen=True)
class Batch:
    """The values (dates yyyy-MM-dd or months yyyy-MM) one job run covers, sorted."""
    kind: str
    values: tuple

    @classmethod
    def of(cls, kind: str, first: str, last: str | None = None) -> "Batch":
        return cls(kind, tuple(value_range(kind, first, last or first)))

    @property
    def first(self) -> str:
        return self.values[0]

    @property
    def last(self) -> str:
        return self.values[-1]

    def label(self) -> str:
        return self.first if self.first == self.last else f"{self.first}..{self.last}"

    def params(self) -> dict:
        """Named SQL parameters: :date_from/:date_to (dates) or :month_from/:month_to."""
        if self.kind == "date":
            return {"date_from": dt.date.fromisoformat(self.first), "date_to": dt.date.fromisoformat(self.last)}
        return {"month_from": self.first, "month_to": self.last}

    def partition(self) -> dict:
        """The partition range a run replaces."""
        if self.kind == "date":
            return {"batch_date": (dt.date.fromisoformat(self.first), dt.date.fromisoformat(self.last))}
        return {"batch_month": (self.first, self.last)}
