"""The batch grain: the one place that knows what a daily or a monthly batch value looks like.

A daily value is a CDR day `yyyy-MM-dd`, stored in a `batch_date` column of Spark type date and
written `yyyyMMdd` in BOSS file names; a monthly value is `yyyy-MM`, stored as a string in
`batch_month` and written `yyyyMM`. Everything that parses, formats, ranges or binds a batch
value asks its Grain instead of translating by hand.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bass.core.errors import UnknownName


def add_months(month: str, n: int) -> str:
    y, m = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + n, 12)
    return f"{y:04d}-{m + 1:02d}"


def first_day(month: str) -> dt.date:
    return dt.date.fromisoformat(month + "-01")


def month_end(month: str) -> str:
    nxt = dt.date.fromisoformat(add_months(month, 1) + "-01")
    return (nxt - dt.timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class Grain:
    name: str          # daily | monthly (interfaces, pipelines)
    kind: str          # date | month (meta.job_run.batch_kind, CLI --date/--month)
    column: str        # partition column of tables of this grain
    spark_type: str    # Spark type of that column
    example: str       # the canonical text form, for messages

    def parse(self, text) -> str:
        """A batch value in canonical form; a clear error names what was expected."""
        try:
            if self.kind == "date":
                return dt.date.fromisoformat(str(text)).isoformat()
            return dt.datetime.strptime(str(text), "%Y-%m").strftime("%Y-%m")
        except (ValueError, TypeError):
            raise ValueError(f"expected a {self.kind} {self.example}, got {text!r}") from None

    def next(self, value: str) -> str:
        if self.kind == "date":
            return (dt.date.fromisoformat(value) + dt.timedelta(days=1)).isoformat()
        return add_months(value, 1)

    def range(self, first: str, last: str) -> list[str]:
        first, last = self.parse(first), self.parse(last)
        if last < first:
            raise ValueError(f"range end {last} is before its start {first}")
        out, v = [], first
        while v <= last:
            out.append(v)
            v = self.next(v)
        return out

    def typed(self, value: str):
        """The value as stored in the partition column (a date, or the month text)."""
        return dt.date.fromisoformat(value) if self.kind == "date" else value

    def token(self, value: str) -> str:
        """The data-date token of BOSS file names and .verf lines: yyyyMMdd or yyyyMM."""
        return self.parse(value).replace("-", "")

    def params(self, first: str, last: str) -> dict:
        """Named SQL parameters of a batch: :date_from/:date_to, or :month_from/:month_to with the
        month arithmetic SQL would otherwise repeat: :month_start (the first day of :month_from),
        :month_to_start (the first day of :month_to) and :month_end (the last day of :month_to)."""
        out = {f"{self.kind}_from": self.typed(first), f"{self.kind}_to": self.typed(last)}
        if self.kind == "month":
            out.update(month_start=first_day(first), month_to_start=first_day(last),
                       month_end=dt.date.fromisoformat(month_end(last)))
        return out


DAILY = Grain("daily", "date", "batch_date", "date", "YYYY-MM-DD")
MONTHLY = Grain("monthly", "month", "batch_month", "string", "YYYY-MM")
_BY_NAME = {g.name: g for g in (DAILY, MONTHLY)} | {g.kind: g for g in (DAILY, MONTHLY)}


def grain(name: str) -> Grain:
    """The grain called `name` (daily | monthly, or its batch kind date | month)."""
    if name not in _BY_NAME:
        raise UnknownName("grain", name, ("daily", "monthly"))
    return _BY_NAME[name]
