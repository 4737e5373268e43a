"""Batches: the dates or months a job run covers.

A run covers one value (`--date D`) or a range (`--from/--to`, a backfill). SQL jobs read the
range once and replace exactly its partitions, so a six-month backfill is one pass per job.
What a value looks like is its Grain's business (bass.core.grain).
"""
from __future__ import annotations

from dataclasses import dataclass

from bass.core.grain import Grain, grain


@dataclass(frozen=True)
class Batch:
    """The values (dates yyyy-MM-dd or months yyyy-MM) one job run covers, sorted."""
    kind: str            # date | month, as recorded in meta.job_run
    values: tuple

    @classmethod
    def of(cls, kind: str, first: str, last: str | None = None) -> Batch:
        return cls(grain(kind).kind, tuple(grain(kind).range(first, last or first)))

    @property
    def grain(self) -> Grain:
        return grain(self.kind)

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
        return self.grain.params(self.first, self.last)

    def partition(self) -> dict:
        """The partition range a run replaces."""
        return {self.grain.column: (self.grain.typed(self.first), self.grain.typed(self.last))}
