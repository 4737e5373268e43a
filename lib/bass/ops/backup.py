"""`bass backup` and `bass restore`: the warehouse, the MLflow store and the accounts, copied
incrementally to a backup folder and brought back as they were at a backup point.

Time travel reaches back only as far as VACUUM keeps files (a week); a lost disk loses it all.
A backup folder holds

    warehouse/<layer>/<table>/...   every file of every table folder (data and `_delta_log`),
                                    copied once: Delta never changes a file it wrote
    mlflow/...                      the MLflow artifacts, copied once likewise
    audit/...                       the SQL server's audit trail (appended files copied again)
    points/<UTC time>/              one per backup: manifest.json (each table's version then),
                                    the MLflow database (SQLite's online backup) and the accounts

A point is consistent: each table is restored at the version it had when the backup started,
with its log cut there, so what a batch committed during the copy is left out (its files, if
copied, are orphans that VACUUM removes). Restoring replaces the warehouse, the MLflow store and
the accounts with the point's; stop the scheduler and the servers first. Every path goes through
Hadoop's FileSystem API, so the warehouse and the backup may be on HDFS or S3; on a cluster with
a large warehouse, HDFS snapshots or distcp with the same manifest do the copy faster.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bass.core.config import Config
from bass.core.registry import LAYERS
from bass.core.storage import HadoopStorage

LOG = "_delta_log"
COMMIT = re.compile(r"^(\d{20})\.json$")
LOG_VERSION = re.compile(r"^(?:\d{20}\.)?(\d{20})\.")     # a log file's (last) version: commits, checkpoints, .crc, compactions
MLFLOW_DB = "mlflow.db"
POINT_FORMAT = "%Y%m%dT%H%M%SZ"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done as asked (no backup point, an unknown one)."""


@dataclass
class Copied:
    """What a backup or restore did."""
    point: str
    tables: dict[str, int] = field(default_factory=dict)   # table -> version
    files_copied: int = 0
    bytes_copied: int = 0
    files_skipped: int = 0        # already in the backup

    def summary(self, verb: str) -> str:
        return (f"{verb} point {self.point}: {len(self.tables)} tables, {self.files_copied:,} files copied "
                f"({self.bytes_copied / 1e6:,.1f} MB), {self.files_skipped:,} already there")


def table_folders(files: HadoopStorage, warehouse: str) -> dict[str, str]:
    """{layer.table: folder} of every Delta table in the warehouse."""
    out = {}
    for layer in LAYERS:
        for name in files.children(f"{warehouse}/{layer}"):
            folder = f"{warehouse}/{layer}/{name}"
            if files.exists(f"{folder}/{LOG}"):
                out[f"{layer}.{name}"] = folder
    return out


def current_version(files: HadoopStorage, folder: str) -> int | None:
    versions = [int(m[1]) for n in files.children(f"{folder}/{LOG}") if (m := COMMIT.match(n))]
    return max(versions) if versions else None


def in_version(relative: str, version: int) -> bool:
    """Whether a file of a table folder belongs to the table as of `version`: every data file
    (the loader's committed files stay in their staging folders; an unreferenced file is an
    orphan VACUUM removes), the log's files up to that version, and its sidecars; never
    `_last_checkpoint`, which may name a later checkpoint."""
    if not relative.startswith(LOG + "/"):
        return True
    name = relative[len(LOG) + 1:]
    if "/" in name:                                        # _sidecars/, _commits/: named by the log's files
        return True
    m = LOG_VERSION.match(name)
    return bool(m) and int(m[1]) <= version


def mirror(files: HadoopStorage, src: str, dst: str, wanted=lambda _rel: True, changed_only: bool = True,
           done: Copied | None = None) -> Copied:
    """Copy every wanted file of `src` to the same relative path under `dst`, unless it is there
    with the same size already (`changed_only`)."""
    done = done or Copied("")
    there = files.tree(dst) if changed_only else {}
    for rel, size in sorted(files.tree(src).items()):
        if not wanted(rel):
            continue
        if there.get(rel) == size:
            done.files_skipped += 1
            continue
        try:
            files.copy(f"{src}/{rel}", f"{dst}/{rel}")
        except Exception as e:   # noqa: BLE001 - a file VACUUM removed during the copy was in no version kept
            if "FileNotFoundException" not in str(e):
                raise
            continue
        done.files_copied += 1
        done.bytes_copied += size
    return done


def backup(spark, cfg: Config, to: str, now: dt.datetime | None = None) -> Copied:
    """Add a backup point to the folder `to` (created when new)."""
    files = HadoopStorage(spark)
    now = now or dt.datetime.now(dt.UTC)
    done = Copied(now.strftime(POINT_FORMAT))
    point = f"{to}/points/{done.point}"
    if files.exists(point):
        raise BackupError(f"backup point {point} exists already")
    folders = table_folders(files, cfg.path("warehouse"))
    done.tables = {t: v for t, f in folders.items() if (v := current_version(files, f)) is not None}
    for name, version in done.tables.items():     # the versions were read first: later commits stay out
        layer, short = name.split(".")
        mirror(files, folders[name], f"{to}/warehouse/{layer}/{short}", lambda rel, v=version: in_version(rel, v),
               done=done)
    mlflow = cfg.path("mlflow")
    mirror(files, mlflow, f"{to}/mlflow", lambda rel: rel != MLFLOW_DB, done=done)
    mirror(files, cfg.path("audit"), f"{to}/audit", done=done)
    db = Path(mlflow) / MLFLOW_DB
    if db.exists():
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / MLFLOW_DB
            with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
                source.backup(target)            # consistent while MLflow writes
            files.copy(str(copy), f"{point}/{MLFLOW_DB}")
    if Path(cfg.path("accounts")).exists():
        files.copy(cfg.path("accounts"), f"{point}/accounts")
    manifest = {"time": now.isoformat(), "warehouse": cfg.path("warehouse"), "tables": done.tables}
    files.write_text(f"{point}/manifest.json", json.dumps(manifest, indent=1, sort_keys=True))   # last: the point exists
    return done


def points(files: HadoopStorage, backup_dir: str) -> list[str]:
    """The backup points with a manifest, oldest first."""
    return [p for p in files.children(f"{backup_dir}/points") if files.exists(f"{backup_dir}/points/{p}/manifest.json")]


def choose_point(names: list[str], as_of: dt.datetime | None) -> str:
    """The newest point at or before `as_of` (aware, any zone), else the newest of all."""
    if not names:
        raise BackupError("no backup point in this folder")
    if as_of is None:
        return names[-1]
    limit = as_of.astimezone(dt.UTC).strftime(POINT_FORMAT)
    earlier = [p for p in names if p <= limit]
    if not earlier:
        raise BackupError(f"no backup point at or before {as_of.isoformat()}; the oldest is {names[0]}")
    return earlier[-1]


def restore(spark, cfg: Config, source: str, as_of: dt.datetime | None = None) -> Copied:
    """Replace the warehouse, MLflow store and accounts with a backup point's."""
    files = HadoopStorage(spark)
    name = choose_point(points(files, source), as_of)
    point = f"{source}/points/{name}"
    manifest = json.loads(files.read_text(f"{point}/manifest.json"))
    done = Copied(name, dict(manifest["tables"]))
    warehouse = cfg.path("warehouse")
    files.delete(warehouse)
    for table, version in done.tables.items():
        layer, short = table.split(".")
        mirror(files, f"{source}/warehouse/{layer}/{short}", f"{warehouse}/{layer}/{short}",
               lambda rel, v=version: in_version(rel, v), changed_only=False, done=done)
    mlflow = cfg.path("mlflow")
    files.delete(mlflow)
    mirror(files, f"{source}/mlflow", mlflow, changed_only=False, done=done)
    if files.exists(f"{point}/{MLFLOW_DB}"):
        files.copy(f"{point}/{MLFLOW_DB}", f"{mlflow}/{MLFLOW_DB}")
    mirror(files, f"{source}/audit", cfg.path("audit"), done=done)
    if files.exists(f"{point}/accounts"):
        files.copy(f"{point}/accounts", cfg.path("accounts"))
        Path(cfg.path("accounts")).chmod(0o600)
    spark.sparkContext._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()   # this session saw the old tables
    spark.catalog.clearCache()
    return done


def parse_time(text: str, zone: str) -> dt.datetime:
    """'YYYY-MM-DD HH:MM[:SS]' in the warehouse's time zone, or ISO 8601 with an offset."""
    from zoneinfo import ZoneInfo
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BackupError(f"--as-of {text!r}: expected 'YYYY-MM-DD HH:MM:SS' (time zone {zone}) or ISO 8601") from None
    return t if t.tzinfo else t.replace(tzinfo=ZoneInfo(zone))
