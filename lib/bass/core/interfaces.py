"""BOSS interface specs (conf/interfaces/<code>.yml): one declaration per file interface.

The generic loader, the generic writer and the simulator all read these, so a field is
declared once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bass.core.config import conf_dir, read_yaml
from bass.core.errors import lookup
from bass.core.grain import Grain, grain

TYPES = ("string", "int", "long", "date", "timestamp", "month")
DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")
# Text forms of the typed values in files: dates yyyyMMdd, times yyyyMMddHHmmss, months yyyyMM.
TEXT_FORMATS = {"date": "yyyyMMdd", "timestamp": "yyyyMMddHHmmss", "month": "yyyyMM"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    nullable: bool = True
    values: tuple | None = None       # allowed values (domain)
    min: float | None = None
    label_en: str = ""
    label_zh: str = ""
    dictionary: bool = True           # false: stored without Parquet dictionary encoding (see registry.Column)
    width: int | None = None          # characters, in a fixed-width interface

    @property
    def spark_type(self) -> str:
        return {"int": "int", "long": "bigint", "date": "date", "timestamp": "timestamp",
                "month": "string", "string": "string"}.get(self.type, self.type)


@dataclass(frozen=True)
class Interface:
    code: str
    direction: str            # in (from BOSS) | out (to BOSS)
    grain: str                # daily | monthly
    encoding: str
    delimiter: str
    label_en: str
    label_zh: str
    fields: tuple = field(default_factory=tuple)
    layout: str = "delimited"         # delimited | fixed (fields of declared widths, space-padded)
    batch_field: str | None = None    # the field that says which date/month a row belongs to
    duplicates: str = "quarantine"    # quarantine | keep: exact repeats of a record within a delivery

    @property
    def batch_grain(self) -> Grain:
        return grain(self.grain)

    @property
    def batch_column(self) -> str:
        return self.batch_grain.column

    @property
    def table(self) -> str:
        return f"ods.{self.code}" if self.direction == "in" else f"out.{self.code}"

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _field(raw: dict, where: str) -> Field:
    ftype = str(raw["type"])
    if ftype not in TYPES and not DECIMAL.match(ftype):
        raise ValueError(f"{where}: field {raw['name']!r} has unknown type {ftype!r}")
    label = raw.get("label", {})
    values = raw.get("values")
    return Field(name=raw["name"], type=ftype, nullable=bool(raw.get("nullable", True)),
                 values=tuple(str(v) for v in values) if values else None, min=raw.get("min"),
                 label_en=label.get("en", ""), label_zh=label.get("zh", ""),
                 dictionary=bool(raw.get("dictionary", True)), width=raw.get("width"))


def parse_interface(raw: dict, where: str = "?") -> Interface:
    if raw.get("grain") not in ("daily", "monthly"):
        raise ValueError(f"{where}: grain must be daily or monthly")
    label = raw.get("label", {})
    fields = tuple(_field(f, where) for f in raw["fields"])
    layout = raw.get("layout", "delimited")
    if layout not in ("delimited", "fixed"):
        raise ValueError(f"{where}: layout must be delimited or fixed, got {layout!r}")
    if layout == "fixed" and any(not isinstance(f.width, int) or f.width < 1 for f in fields):
        raise ValueError(f"{where}: a fixed-width interface needs a positive `width` on every field")
    batch_field = raw.get("batch_field")
    if batch_field and batch_field not in [f.name for f in fields]:
        raise ValueError(f"{where}: batch_field {batch_field!r} is not one of its fields")
    if raw.get("duplicates", "quarantine") not in ("quarantine", "keep"):
        raise ValueError(f"{where}: duplicates must be quarantine or keep")
    return Interface(code=raw["code"], direction=raw.get("direction", "in"), grain=raw["grain"],
                     encoding=raw.get("encoding", "utf-8"), delimiter=raw.get("delimiter", "|"),
                     label_en=label.get("en", ""), label_zh=label.get("zh", ""), fields=fields, layout=layout,
                     batch_field=batch_field, duplicates=raw.get("duplicates", "quarantine"))


@lru_cache(maxsize=4)
def load_interfaces(folder: str | None = None) -> dict[str, Interface]:
    path = Path(folder) if folder else conf_dir() / "interfaces"
    out = {}
    for file in sorted(path.glob("*.yml")):
        spec = parse_interface(read_yaml(file), str(file))
        if spec.code != file.stem:
            raise ValueError(f"{file}: code {spec.code!r} must match the file name")
        out[spec.code] = spec
    return out


def interface(code: str) -> Interface:
    return lookup(load_interfaces(), "interface", code, hint="declared in conf/interfaces/")
