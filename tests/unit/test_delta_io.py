"""Writes replace exactly the partitions they name: a value, a range, or a list of values."""
import datetime as dt
import decimal
import glob
import json

import pytest

from bass.warehouse import delta_io
from tests.unit.frames import frame, put

DAYS = [dt.date(2026, 1, d) for d in (1, 2, 3, 4)]


def kpis(ctx):
    return {r.batch_date.day: r.active_users for r in ctx.spark.table("dm.kpi_d").collect()}


@pytest.fixture
def four_days(ctx):
    put(ctx, "dm.kpi_d", [dict(region_code="571", brand="GOTONE", active_users=1, batch_date=d) for d in DAYS])
    return ctx


def new_rows(ctx, days):
    return frame(ctx, "dm.kpi_d", [dict(region_code="571", brand="GOTONE", active_users=9, batch_date=d) for d in days])


def test_range_write_replaces_exactly_the_range(four_days):
    delta_io.write(four_days, "dm.kpi_d", new_rows(four_days, DAYS[1:3]), {"batch_date": (DAYS[1], DAYS[2])})
    assert kpis(four_days) == {1: 1, 2: 9, 3: 9, 4: 1}


def test_list_write_leaves_the_days_between(four_days):
    delta_io.write(four_days, "dm.kpi_d", new_rows(four_days, [DAYS[0], DAYS[3]]), {"batch_date": [DAYS[0], DAYS[3]]})
    assert kpis(four_days) == {1: 9, 2: 1, 3: 1, 4: 9}


def test_rows_outside_the_named_partitions_are_refused(four_days):
    with pytest.raises(Exception, match="replaceWhere|DELTA_REPLACE_WHERE"):
        delta_io.write(four_days, "dm.kpi_d", new_rows(four_days, [DAYS[3]]), {"batch_date": (DAYS[0], DAYS[1])})
    assert kpis(four_days) == {1: 1, 2: 1, 3: 1, 4: 1}


def file_stats(ctx, name):
    """The min/max statistics of the table's data files, from its Delta log."""
    log = ctx.spark.read.json(f"{ctx.location(name)}/_delta_log/*.json").where("add is not null")
    return [json.loads(r.stats) for r in log.select("add.stats").collect()]


def test_statistics_are_collected_only_where_declared(four_days):
    """ODS tables and mid.user_usage_d keep no min/max statistics (they cost a third of a load);
    other tables keep Delta's default."""
    ctx = four_days
    put(ctx, "ods.cdr_sms", [dict(msisdn="m1", other_party="p", batch_date=DAYS[0])])
    put(ctx, "mid.user_usage_d", [dict(msisdn="m1", voice_calls=1, batch_date=DAYS[0])])
    for name in ("ods.cdr_sms", "mid.user_usage_d"):
        assert ctx.spark.sql(f"describe detail {name}").first().properties["delta.dataSkippingNumIndexedCols"] == "0"
        assert [set(s) for s in file_stats(ctx, name)] == [{"numRecords"}]
    assert all(s["minValues"]["region_code"] == "571" for s in file_stats(ctx, "dm.kpi_d"))


def test_columns_declared_without_dictionary_are_stored_plain(ctx):
    """MSISDN, IMEI and call time of CDRs overflow any Parquet dictionary; they are written plain,
    the other columns keep dictionary encoding, every file is zstd, and times are INT64 micros."""
    import pyarrow.parquet as pq
    rows = [dict(msisdn=f"138{i:08d}", other_party="p", start_time=dt.datetime(2026, 1, 1, 8, 0, i), direction="MO",
                 imei=f"86{i:013d}", batch_date=DAYS[0]) for i in range(50)]
    put(ctx, "ods.cdr_voice", rows)
    for path in glob.glob(f"{ctx.location('ods.cdr_voice')}/**/*.parquet", recursive=True):
        group = pq.ParquetFile(path).metadata.row_group(0)
        columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
        dictionary = {name for name, c in columns.items() if "PLAIN_DICTIONARY" in c.encodings or "RLE_DICTIONARY" in c.encodings}
        assert {"msisdn", "other_party", "imei", "start_time"}.isdisjoint(dictionary) and "direction" in dictionary
        assert {c.compression for c in columns.values()} == {"ZSTD"}
        assert columns["start_time"].physical_type == "INT64"
        assert str(pq.ParquetFile(path).schema_arrow.field("start_time").type) == "timestamp[us, tz=UTC]"


def test_append_rows_adds_one_file_per_call_and_only_to_append_tables(ctx):
    from bass.core.registry import table
    cols = [c.name for c in table("meta.file_registry").columns]
    row = dict(interface="cdr_voice", batch="2026-01-01", file_name="f.dat", resend_no=0, byte_size=10,
               records=2, loaded=2, rejected=0, status="LOADED", loaded_at=dt.datetime(2026, 1, 2))
    assert set(row) == set(cols)
    delta_io.append_rows(ctx, "meta.file_registry", [row] * 2)
    delta_io.append_rows(ctx, "meta.file_registry", [{**row, "file_name": "g.dat"}])
    got = ctx.spark.table("meta.file_registry").groupBy("file_name").count().collect()
    assert {r.file_name: r["count"] for r in got} == {"f.dat": 2, "g.dat": 1}
    assert len(glob.glob(f"{ctx.location('meta.file_registry')}/*.parquet")) == 2
    with pytest.raises(ValueError, match="append"):
        delta_io.append_rows(ctx, "dm.kpi_d", [])


def test_append_rows_keeps_any_text_nulls_and_types(ctx):
    message = "DeliveryError: 'x.dat' has 3 rows;\n expected 4 -- 语音详单 \\ %s :r0c1"
    row = dict(run_id="r1", job="ods.cdr_voice", batch="2026-01-01", batch_kind="date", batch_from="2026-01-01",
               batch_to="2026-01-01", status="FAILED", started_at=dt.datetime(2026, 1, 2, 3, 4, 5, 123456),
               ended_at=None, rows_read=2**40, rows_written=0, rows_rejected=None, message=message)
    delta_io.append_rows(ctx, "meta.job_run", [row])
    got = ctx.spark.table("meta.job_run").collect()
    assert [r.asDict() for r in got] == [row]
    with pytest.raises(ValueError, match="13 declared columns"):
        delta_io.append_rows(ctx, "meta.job_run", [{"run_id": "r2", "job": "too short"}])
    with pytest.raises(TypeError, match="Decimal"):
        delta_io.append_rows(ctx, "meta.job_run", [{**row, "rows_read": decimal.Decimal(1)}])
    with pytest.raises(Exception, match="(?i)malformed"):   # a value that is not of its column's type
        delta_io.append_rows(ctx, "meta.job_run", [{**row, "rows_read": "many"}])
    assert ctx.spark.table("meta.job_run").count() == 1


def test_a_commit_runs_one_spark_job_and_no_state_reconstruction(ctx):
    """Outside UTC, Delta re-derives the whole file list after every commit unless conf/base.yml
    turns that check off: two more Spark jobs per bookkeeping row."""
    from bass.core.registry import table
    sc = ctx.spark.sparkContext
    row = {c.name: f"v{i}" if c.type == "string" else None for i, c in enumerate(table("meta.job_run").columns)}
    delta_io.append_rows(ctx, "meta.job_run", [row])
    sc.setJobGroup("bass-one-commit", "one bookkeeping append")
    try:
        delta_io.append_rows(ctx, "meta.job_run", [row])
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    assert len(sc.statusTracker().getJobIdsForGroup("bass-one-commit")) == 1
    assert ctx.spark.table("meta.job_run").count() == 2
