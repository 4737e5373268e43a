"""Receipts to BOSS (docs/domain.md §8): for each inbound delivery BASS has decided on, one file in
outbox/receipt/ named after the delivery's .verf (`cdr_voice_571_20260105_00_01.rcpt`), so BOSS
knows what to send again without asking. One line per data file, `|`-separated:

  delivery (.verf name) | file | LOADED or REFUSED | records in the .verf | loaded | rejected | reasons

`reasons` counts the rejects by kind (the reason with its quoted values left out, most frequent
first: "field duration: '…' is not a int ×12; exact duplicate of an earlier record of this
delivery ×3"), or, for a refused delivery, says why. A later decision on the same delivery
(a rerun with --force) replaces its receipt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.boss.delivery import Delivery
from bass.core.storage import join, storage_for

FIELDS = ("delivery", "file_name", "status", "records_declared", "records_loaded", "records_rejected", "reasons")
MAX_KINDS = 5          # reject kinds named per file; the rest are summed up
QUOTED = r"'[^']*'"


@dataclass(frozen=True)
class Outcome:
    """What became of one data file."""
    loaded: int = 0
    rejected: int = 0
    reasons: str = ""


def reason_kinds(rejects: DataFrame) -> dict[str, str]:
    """{file: reasons text} from numbered rejects (file_name, reason); one small row per file and kind."""
    kinds = (rejects.groupBy("file_name", F.regexp_replace("reason", QUOTED, "'…'").alias("kind")).count()
             .orderBy("file_name", F.desc("count"), "kind").collect())
    out: dict[str, list] = {}
    for r in kinds:
        out.setdefault(r.file_name, []).append((r.kind, r["count"]))
    return {f: summary(k) for f, k in out.items()}


def summary(kinds: list[tuple[str, int]]) -> str:
    named = [f"{kind} ×{n}" for kind, n in kinds[:MAX_KINDS]]
    rest = kinds[MAX_KINDS:]
    if rest:
        named.append(f"{len(rest)} more kinds ×{sum(n for _k, n in rest)}")
    return "; ".join(named)


def clean(text: str) -> str:
    """One field of one line: no separator, no line break."""
    return re.sub(r"[|\r\n]+", " ", text).strip()


def write(outbox: str, delivery: Delivery, status: str, outcomes: dict[str, Outcome]) -> str:
    """The delivery's receipt, written under a temporary name and renamed into place."""
    target = join(outbox, "receipt/" + delivery.verf_name.removesuffix(".verf") + ".rcpt")
    lines = []
    for rec in delivery.records:
        o = outcomes.get(rec.file_name, Outcome())
        lines.append("|".join([delivery.verf_name, rec.file_name, status, str(rec.records), str(o.loaded),
                               str(o.rejected), clean(o.reasons)]))
    storage_for(outbox).write_text(target, "".join(line + "\n" for line in lines))
    return target


def refused(outbox: str, delivery: Delivery, why: str, counts: dict | None = None,
            kinds: dict[str, str] | None = None) -> str:
    """A refused delivery's receipt: nothing loaded; the counts of the parse when there was one."""
    counts, kinds = counts or {}, kinds or {}
    outcomes = {r.file_name: Outcome(0, counts.get(r.file_name, (0, 0))[1],
                                     "; ".join(x for x in [why, kinds.get(r.file_name, "")] if x))
                for r in delivery.records}
    return write(outbox, delivery, "REFUSED", outcomes)
