"""Churn reasons in an agent's words: the business reasons of conf/churn_reasons.yml (spend trend,
contract end, complaints, forwarding to other networks, ...), each a group of features and a
sentence template, compiled to Spark SQL over a scored user's row.

`bass.ml.churn.explain` sums the model's per-feature contributions per reason and reads out the
reasons pushing a user's score up most; this module knows only the groups and their sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bass.core.config import conf_dir, read_yaml

PERCENT_WORDS = ("share", "rate", "ratio")
_PLACEHOLDER = re.compile(r"\{(if \w+:[^}]*|[^{}]+)\}")
_CALL = re.compile(r"^(\w+)\((.*)\)$")


@dataclass(frozen=True)
class Reason:
    name: str
    features: tuple[str, ...]     # names, or prefixes ending in `*`
    says: str

    def takes(self, feature: str) -> bool:
        return any(feature.startswith(f[:-1]) if f.endswith("*") else feature == f for f in self.features)

    def columns(self) -> set[str]:
        """Every column the sentence reads."""
        return {c for body in _PLACEHOLDER.findall(self.says) for c in _columns(body)}

    def typical_columns(self) -> set[str]:
        return {c for body in _PLACEHOLDER.findall(self.says) for c in re.findall(r"typical\((\w+)\)", body)}

    def sql(self, typical: dict, strings: set) -> str:
        """The sentence as a SQL expression; `typical`: column -> the month's median; `strings`:
        the text columns (said as they are)."""
        parts, at = [], 0
        for m in _PLACEHOLDER.finditer(self.says):
            if m.start() > at:
                parts.append(sql_text(self.says[at:m.start()]))
            parts.append(_placeholder(m.group(1), typical, strings))
            at = m.end()
        if at < len(self.says):
            parts.append(sql_text(self.says[at:]))
        return f"concat({', '.join(parts)})" if parts else "''"


def sql_text(text: str) -> str:
    """`text` as a Spark SQL string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def double(value) -> str:
    """SQL: a double literal, exactly."""
    return f"{float(value):.17g}D"


def formatted(x: str, fmt: str) -> str:
    """SQL: the number `x` as an agent reads it (null when unknown): "pct" a percent, "int" a
    whole number, else one decimal below 100."""
    if fmt == "pct":
        return f"concat(format_number({x} * 100, 0), ' %')"
    if fmt == "int":
        return f"format_number({x}, 0)"
    return f"case when abs({x}) >= 100 then format_number({x}, 0) else format_number({x}, 1) end"


def number(x: str, fmt: str) -> str:
    """SQL: `formatted`, 'n/a' when unknown."""
    return f"coalesce({formatted(x, fmt)}, 'n/a')"


def default_format(column: str) -> str:
    return "pct" if any(w in column for w in PERCENT_WORDS) else "num"


def _columns(body: str) -> list[str]:
    if body.startswith("if "):
        return [body[3:].split(":", 1)[0].strip()]
    expr = body.split("|", 1)[0].strip()
    call = _CALL.match(expr)
    return [a.strip() for a in call.group(2).split(",")] if call else [expr]


def _placeholder(body: str, typical: dict, strings: set) -> str:
    if body.startswith("if "):
        column, text = body[3:].split(":", 1)
        c = f"`{column.strip()}`"
        return f"case when cast({c} as double) > 0 then {sql_text(text.lstrip())} else '' end"
    expr, _, fmt = (p.strip() for p in body.partition("|"))
    call = _CALL.match(expr)
    if not call:
        if expr in strings:
            return f"coalesce(`{expr}`, 'unknown')"
        return number(f"`{expr}`", fmt or default_format(expr))
    fn, args = call.group(1), [a.strip() for a in call.group(2).split(",")]
    if fn == "typical":
        value = typical.get(args[0])
        return number(double(value), fmt or default_format(args[0])) if value is not None else "'n/a'"
    if fn == "change":
        a, b = (f"`{x}`" for x in args)
        pct = f"format_number(abs({a} - {b}) * 100 / {b}, 0)"
        return (f"case when {a} is null then 'unknown this month' when {b} is null then 'unknown' "
                f"when {b} = 0 then if({a} > 0, 'up from none', 'unchanged') "
                f"when round(({a} - {b}) * 100 / {b}) = 0 then 'unchanged' "
                f"when {a} < {b} then concat('down ', {pct}, ' %') else concat('up ', {pct}, ' %') end")
    if fn == "months":
        c = f"`{args[0]}`"
        return (f"case when {c} is null then 'none' when {c} = 0 then 'ends this month' "
                f"when {c} = 1 then 'ends next month' when {c} > 0 then concat('ends in ', cast({c} as int), ' months') "
                f"when {c} = -1 then 'ended last month' else concat('ended ', cast(-{c} as int), ' months ago') end")
    raise ValueError(f"conf/churn_reasons.yml: unknown placeholder {{{body}}}")


def configured() -> tuple[Reason, ...]:
    """The reasons of conf/churn_reasons.yml, in order."""
    raw = read_yaml(conf_dir() / "churn_reasons.yml").get("reasons") or {}
    out = []
    for name, r in raw.items():
        if not r.get("features") or not r.get("says"):
            raise ValueError(f"conf/churn_reasons.yml: reason {name} needs `features` and `says`")
        reason = Reason(name, tuple(r["features"]), " ".join(str(r["says"]).split()))
        for body in _PLACEHOLDER.findall(reason.says):
            _placeholder(body, {}, set())     # unknown placeholders fail here, not in a scoring job
        out.append(reason)
    return tuple(out)


def grouping(features: list[str], columns: list[str], reasons: tuple[Reason, ...]) -> dict[str, list[int]]:
    """Reason name -> the indices of `features` it takes. A reason whose sentence reads a column
    not in `columns` takes nothing (its features are said on their own); so does one without
    any of `features`."""
    available = set(columns)
    out: dict[str, list[int]] = {}
    taken: set[int] = set()
    for r in reasons:
        if not r.columns() <= available:
            continue
        idx = [i for i, f in enumerate(features) if i not in taken and r.takes(f)]
        if idx:
            out[r.name] = idx
            taken.update(idx)
    return out
