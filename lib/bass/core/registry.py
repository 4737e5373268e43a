"""The table registry: conf/tables/<layer>.yml plus one ODS table per inbound interface.

Keys of a table declaration:
  comment, zh, grain          the data dictionary's description (docs/tables.md)
  mode                        overwrite_partition (replaceWhere on the batch) | overwrite | merge (on keys) | append
  partition_by, keys          partition columns; business keys (merge, updates), checked unique and
                              not null after each pipeline (the dq.keys_<pipeline> stages)
  nullable_keys               keys that may be null (a number that is not ours has no user_id)
  batch                       date | month, when the partition column does not say it
  columns                     name, type, en, zh (dictionary: false for per-user identifiers)
  step                        the kind of step that builds it (bass.orchestration.steps): sql (default when `sql` is
                              given), scd2 (a history merged from snapshots), score (a model family's
                              scores), outbound (sql + a BOSS file), campaign (out.campaign_target_m),
                              evaluation (sql + an HTML report), tariff_catalogue, network;
                              no step: written by bookkeeping (meta.*)
  sql, params                 the SELECT and its parameters from configuration (name -> config key)
  inputs                      tables read besides those named in the SQL (the step graph is derived)
  optional_inputs             tables the SQL reads that may not exist yet (e.g. feedback): read as empty
  family                      score: the model family (bass.ml.families)
  deliver                     outbound: the interface whose file each run writes to the outbox
  restate_months, updates     each run also recomputes N earlier months / copies columns into another table
  stats_columns               columns Delta keeps min/max statistics on
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from bass.core.config import conf_dir, read_yaml
from bass.core.errors import lookup
from bass.core.grain import DAILY, MONTHLY, Grain, grain
from bass.core.interfaces import load_interfaces

LAYERS = ("ods", "mid", "dm", "out", "meta")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    en: str = ""
    zh: str = ""
    # False for identifiers with a value per user or handset (MSISDN, IMEI) in big tables: their
    # Parquet dictionary overflows in every row group and falls back to plain, work that saves
    # no space (10M voice CDRs with zstd: 119 MB without these dictionaries, 122 MB with).
    dictionary: bool = True


@dataclass(frozen=True)
class Table:
    name: str                 # layer.table
    comment: str
    zh: str
    grain: str
    mode: str                 # overwrite_partition | merge | append
    columns: tuple
    partition_by: tuple = ()
    keys: tuple = ()
    nullable_keys: tuple = ()   # keys that may be null (the generated key check allows it)
    sql: str | None = None
    step: str | None = None      # kind of step that builds the table (bass.orchestration.steps); None: bookkeeping
    family: str | None = None    # model family of a score step
    inputs: tuple = ()           # tables read besides those the SQL names
    optional_inputs: tuple = ()  # tables read that may not exist yet (read as empty until first written)
    batch: str | None = None  # date | month; default from the partition column
    params: dict = field(default_factory=dict)  # SQL parameter -> configuration key
    restate_months: int = 0   # each run also recomputes this many months before its batch
    updates: dict = field(default_factory=dict)  # {table, columns}: copied into another table by key
    deliver: str | None = None   # outbound interface: each run also writes the batch as its file to the outbox
    # columns Delta keeps min/max statistics on for data skipping; None: Delta's default (the first 32)
    stats_columns: tuple | None = None

    @property
    def batch_grain(self) -> Grain:
        if self.batch:
            return grain(self.batch)
        for g in (DAILY, MONTHLY):
            if g.column in self.partition_by:
                return g
        raise ValueError(f"{self.name} has no {DAILY.column}/{MONTHLY.column} partition; declare `batch: date|month`")

    @property
    def batch_kind(self) -> str:
        return self.batch_grain.kind

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def schema_ddl(self) -> str:
        """The declared columns as a DDL list ("`a` string, `b` bigint")."""
        return ", ".join(f"`{c.name}` {c.type}" for c in self.columns)


# An ODS table is read by its batch partition, and its rows come in delivery order, so per-file
# min/max statistics skip no files; collecting them on every column took a third of the load.
ODS_STATS_COLUMNS: tuple = ()


def ods_table(spec) -> Table:
    cols = [Column(f.name, f.spark_type, f.label_en, f.label_zh, f.dictionary) for f in spec.fields]
    cols.append(Column("src_file", "string", "Source data file", "来源文件"))
    cols.append(Column(spec.batch_column, spec.batch_grain.spark_type, "Delivery data date" if spec.grain == "daily"
                       else "Delivery month (yyyy-MM)", "数据日期" if spec.grain == "daily" else "数据月份"))
    return Table(name=spec.table, comment=f"{spec.label_en}: typed copy of the BOSS `{spec.code}` delivery.",
                 zh=spec.label_zh, grain=f"record × {spec.grain} delivery", mode="overwrite_partition",
                 columns=tuple(cols), partition_by=(spec.batch_column,), stats_columns=ODS_STATS_COLUMNS)


def _out_columns(spec, partition_by: list) -> tuple:
    cols = [Column(f.name, f.spark_type, f.label_en, f.label_zh) for f in spec.fields]
    daily = spec.grain == "daily"
    return tuple(cols + [Column(p, "date" if daily else "string", "Day" if daily else "Month", "数据日期" if daily else "数据月份")
                         for p in partition_by])


def _declarations():
    """(name, declaration, file) of every table in conf/tables/<layer>.yml; a table declared
    twice or in another layer's file is an error."""
    seen = {}
    for path in sorted((conf_dir() / "tables").glob("*.yml")):
        if path.stem not in LAYERS:
            raise ValueError(f"{path}: not a layer file; expected one of {', '.join(f'{x}.yml' for x in LAYERS)}")
        for name, raw in read_yaml(path).items():
            if name.split(".")[0] != path.stem:
                raise ValueError(f"{path}: {name} belongs in conf/tables/{name.split('.')[0]}.yml")
            if name in seen:
                raise ValueError(f"{name} is declared twice ({seen[name]} and {path})")
            seen[name] = path
            yield name, raw, path


@lru_cache(maxsize=2)
def load_registry() -> dict[str, Table]:
    tables = {spec.table: ods_table(spec) for spec in load_interfaces().values() if spec.direction == "in"}
    for name, raw, _path in _declarations():
        if raw.get("deliver"):   # an outbound table's columns are its interface's fields (declared once)
            cols = _out_columns(load_interfaces()[raw["deliver"]], raw["partition_by"])
        else:
            cols = tuple(Column(c["name"], c["type"], c.get("en", ""), c.get("zh", ""), bool(c.get("dictionary", True)))
                         for c in raw["columns"])
        tables[name] = Table(name=name, comment=raw["comment"], zh=raw.get("zh", ""), grain=raw.get("grain", ""),
                             mode=raw["mode"], columns=cols, partition_by=tuple(raw.get("partition_by", ())),
                             keys=tuple(raw.get("keys", ())), nullable_keys=tuple(raw.get("nullable_keys", ())),
                             sql=raw.get("sql"), batch=raw.get("batch"),
                             step=raw.get("step", "sql" if raw.get("sql") else None), family=raw.get("family"),
                             inputs=tuple(raw.get("inputs", ())), optional_inputs=tuple(raw.get("optional_inputs", ())),
                             params=dict(raw.get("params") or {}), restate_months=int(raw.get("restate_months", 0)),
                             updates=dict(raw.get("updates") or {}), deliver=raw.get("deliver"),
                             stats_columns=tuple(raw["stats_columns"]) if "stats_columns" in raw else None)
    return tables


def table(name: str) -> Table:
    return lookup(load_registry(), "table", name, hint="declared in conf/tables/ or conf/interfaces/")
