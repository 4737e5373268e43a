"""The recovery drill: build a small province, back it up, lose the disk, restore, and the tables,
the models' store and the accounts are as they were; the next batch runs."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import mlflow
import pytest
from mlflow.tracking import MlflowClient
from pyspark.sql import functions as F

from bass.core.session import register_all
from bass.ml.tracking import Tracker
from bass.ops.backup import BackupError, backup, in_version, parse_time, restore
from bass.orchestration.pipeline import run_pipeline
from bass.orchestration.runs import run_step
from bass.serving import accounts
from tests.conftest import SMALL_PROVINCE, context_for

UTC = dt.UTC
T1, T2 = dt.datetime(2026, 2, 1, 2, 0, tzinfo=UTC), dt.datetime(2026, 2, 2, 2, 0, tzinfo=UTC)


def table_hashes(ctx) -> dict[str, tuple[int, int]]:
    """(rows, order-free hash of every row) of every table the warehouse has."""
    out = {}
    for db in ctx.spark.catalog.listDatabases():
        for t in ctx.spark.catalog.listTables(db.name):
            name = f"{db.name}.{t.name}"
            if not ctx.spark.catalog.tableExists(name) or name == "meta.sql_audit":
                continue
            df = ctx.spark.table(name)
            row = df.select(F.count(F.lit(1)), F.coalesce(F.sum(F.xxhash64(*df.columns) % 1000003), F.lit(0))).first()
            out[name] = (row[0], row[1])
    return out


def refresh(ctx) -> dict[str, tuple[int, int]]:
    ctx.spark.sparkContext._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    register_all(ctx.spark, ctx.cfg)
    return table_hashes(ctx)


@pytest.fixture
def province(spark, simulated, tmp_path):
    ctx = simulated(context_for(spark, tmp_path / "home"), **SMALL_PROVINCE)
    assert set(run_pipeline(ctx, "daily", "2026-01-01").values()) <= {"SUCCESS"}
    tracker = Tracker(ctx, "churn")
    with mlflow.start_run(experiment_id=tracker.experiment_id, run_name="drill"):
        mlflow.log_text("a model's card", "card.txt")
    accounts.add(Path(ctx.cfg.path("accounts")), "carol", "analyst", "carol-secret", "571")
    return ctx


def test_a_lost_warehouse_is_restored_as_it_was_and_the_next_batch_runs(province, tmp_path):
    ctx, to = province, str(tmp_path / "backup")
    before = table_hashes(ctx)
    first = backup(ctx.spark, ctx.cfg, to, now=T1)
    assert first.files_copied > 0 and "ods.cdr_voice" in first.tables and "meta.job_run" in first.tables
    again = backup(ctx.spark, ctx.cfg, to, now=T1 + dt.timedelta(minutes=1))    # nothing new: nothing copied
    assert (again.files_copied, again.tables) == (0, first.tables)
    with pytest.raises(BackupError, match="exists already"):
        backup(ctx.spark, ctx.cfg, to, now=T1)
    run_step(ctx, "ods.cdr_sms", "2026-01-02")                                   # the warehouse moves on
    later = table_hashes(ctx)
    third = backup(ctx.spark, ctx.cfg, to, now=T2)
    assert 0 < third.files_copied < first.files_copied                           # only the new files
    assert third.tables["ods.cdr_sms"] > first.tables["ods.cdr_sms"]

    for lost in ("warehouse", "mlflow"):                                          # the disk is gone
        shutil.rmtree(ctx.cfg.path(lost))
    Path(ctx.cfg.path("accounts")).unlink()

    done = restore(ctx.spark, ctx.cfg, to, as_of=parse_time("2026-02-01 12:00:00", "Asia/Shanghai"))
    assert done.point == "20260201T020100Z" == again.point    # 12:00 in Shanghai is 04:00 UTC: the second point
    assert refresh(ctx) == before
    assert accounts.listing(Path(ctx.cfg.path("accounts"))) == [("carol", "analyst", "571")]
    Tracker(ctx, "churn")
    runs = MlflowClient().search_runs([MlflowClient().get_experiment_by_name("bass-churn").experiment_id])
    assert [r.info.run_name for r in runs] == ["drill"]
    assert Path(runs[0].info.artifact_uri.removeprefix("file://"), "card.txt").read_text() == "a model's card"

    assert restore(ctx.spark, ctx.cfg, to).point == "20260202T020000Z"           # the newest point
    assert refresh(ctx) == later
    results = run_pipeline(ctx, "daily", "2026-01-02")                           # the next batch runs
    assert results["dm.kpi_d"] == "SUCCESS" and "FAILED" not in results.values()
    with pytest.raises(BackupError, match="no backup point at or before"):
        restore(ctx.spark, ctx.cfg, to, as_of=dt.datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("path,version,kept", [
    ("part-00000-a.zstd.parquet", 3, True),
    ("batch_date=2026-01-01/part-1.parquet", 3, True),
    ("staged-0f3a/kind=good/batch_date=2026-01-01/part-1.parquet", 3, True),   # the loader's committed files
    ("_delta_log/00000000000000000003.json", 3, True),
    ("_delta_log/00000000000000000004.json", 3, False),
    ("_delta_log/00000000000000000002.checkpoint.parquet", 3, True),
    ("_delta_log/00000000000000000004.checkpoint.parquet", 3, False),
    ("_delta_log/00000000000000000003.crc", 3, True),
    ("_delta_log/00000000000000000001.00000000000000000004.compacted.json", 3, False),
    ("_delta_log/_last_checkpoint", 3, False),
    ("_delta_log/_sidecars/0a1b.parquet", 3, True),
])
def test_a_point_keeps_a_tables_log_up_to_its_version(path, version, kept):
    assert in_version(path, version) is kept
