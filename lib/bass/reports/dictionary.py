"""The data dictionary (docs/tables.md), generated from the table registry, never hand-written.

`bass docs` rewrites it; `bass docs --check` (run by the test suite) fails when it is stale.
"""
from __future__ import annotations

from pathlib import Path

from bass.core.config import REPO_ROOT
from bass.core.registry import LAYERS, load_registry

DICTIONARY = REPO_ROOT / "docs" / "tables.md"
LAYER_TITLES = {"ods": "ODS: typed copies of the BOSS deliveries", "mid": "MID: integrated detail and user summaries",
                "dm": "DM: marts, KPIs and the mining wide table", "out": "OUT: interfaces for BOSS",
                "meta": "META: run log, file registry, rejects, data quality"}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render() -> str:
    tables = load_registry()
    out = ["# BASS data dictionary", "",
           "Generated from `conf/tables/` and `conf/interfaces/*.yml` by `bass docs`; do not edit by hand.", ""]
    for layer in LAYERS:
        names = sorted(n for n in tables if n.startswith(layer + "."))
        if not names:
            continue
        out += [f"## {LAYER_TITLES[layer]}", "", "| table | 中文 | grain | partition | keys | write |", "| --- | --- | --- | --- | --- | --- |"]
        out += [f"| [`{n}`](#{n.replace('.', '')}) | {tables[n].zh} | {_cell(tables[n].grain)} | "
                f"{', '.join(tables[n].partition_by) or '-'} | {', '.join(tables[n].keys) or '-'} | {tables[n].mode} |"
                for n in names]
        out.append("")
        for n in names:
            t = tables[n]
            out += [f"### {n}", "", f"{_cell(t.comment)} ({t.zh})", ""]
            facts = [f"grain: {t.grain}", f"write: `{t.mode}`"]
            if t.partition_by:
                facts.append(f"partition: `{', '.join(t.partition_by)}`")
            if t.keys:
                facts.append(f"keys: `{', '.join(t.keys)}`"
                             + (f" (`{', '.join(t.nullable_keys)}` may be null)" if t.nullable_keys else ""))
            if t.sql:
                facts.append(f"SQL: [`{t.sql}`](../{t.sql})")
            if t.step and t.step != "sql":
                facts.append(f"step: `{t.step}`" + (f" (model family `{t.family}`)" if t.family else "")
                             + (f", delivered as interface `{t.deliver}`" if t.deliver else ""))
            out += ["; ".join(facts), "", "| column | type | meaning | 中文 |", "| --- | --- | --- | --- |"]
            out += [f"| `{c.name}` | {c.type} | {_cell(c.en)} | {_cell(c.zh)} |" for c in t.columns]
            out.append("")
    return "\n".join(out)


def write(path: Path = DICTIONARY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


def is_current(path: Path = DICTIONARY) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == render()
