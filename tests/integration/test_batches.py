"""Real jobs on a tiny simulated province: idempotent batches, refused deliveries, quarantine,
load-once, resends and querying from a second process."""
from __future__ import annotations

import datetime as dt
import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from bass.boss.delivery import DeliveryError, VerfRecord, read_verf, write_verf
from bass.orchestration.pipeline import run_pipeline
from bass.orchestration.runs import run_step
from tests.conftest import SMALL_PROVINCE, context_for

START = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def province(spark, simulated, tmp_path_factory):
    return simulated(context_for(spark, tmp_path_factory.mktemp("province")), **SMALL_PROVINCE)


def day(n: int) -> str:
    return (START + dt.timedelta(days=n - 1)).isoformat()


def delivery_files(ctx, code: str, token: str, resend: int = 0) -> tuple[Path, Path]:
    folder = Path(ctx.cfg.path("landing")) / code
    verf = folder / f"{code}_571_{token}_00_{resend:02d}.verf"
    return verf, folder / read_verf(verf)[0].file_name


def rewrite(dat: Path, verf: Path, lines: list[bytes], records: int | None = None) -> None:
    """Replace a one-file delivery's data and its .verf (records may be deliberately wrong)."""
    dat.write_bytes(b"".join(lines))
    rec = read_verf(verf)[0] if verf.exists() else None
    write_verf(verf, [VerfRecord(dat.name, dat.stat().st_size, len(lines) if records is None else records,
                                 rec.data_date if rec else dat.name.split("_")[-4], "20260201000000")])


def rows(ctx, name: str, where) -> list:
    return sorted(tuple(r) for r in ctx.spark.table(name).where(where).collect())


def registry(ctx, code: str, batch: str) -> list:
    return [(r.file_name, r.status, r.records, r.loaded, r.rejected) for r in ctx.spark.table("meta.file_registry")
            .where((F.col("interface") == code) & (F.col("batch") == batch)).orderBy("loaded_at", "file_name").collect()]


def test_generator_is_deterministic(spark, simulated, tmp_path):
    """The same files whatever the shuffle layout (the simulator's joins must not decide row order):
    the run's shared province (generated with the test session's layout) against a new one."""
    shared = simulated.source(**SMALL_PROVINCE) / "landing"
    before = spark.conf.get("spark.sql.shuffle.partitions")
    try:
        spark.conf.set("spark.sql.shuffle.partitions", "7")
        other = simulated.generate(tmp_path / "b", **SMALL_PROVINCE) / "landing"
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)
    for code in ("cdr_voice", "user", "bill", "complaint"):
        a = sorted(Path(shared, code).glob("*.dat"))
        assert a and all(filecmp.cmp(f, other / code / f.name, shallow=False) for f in a), code


def test_daily_batch_twice_gives_the_same_tables(province):
    d = day(1)
    first = run_pipeline(province, "daily", d)
    assert set(first.values()) == {"SUCCESS"}
    tables = ["ods.cdr_voice", "ods.cdr_sms", "ods.cdr_data", "ods.user", "mid.user_usage_d", "dm.kpi_d"]
    before = {t: rows(province, t, F.col("batch_date") == d) for t in tables}
    assert all(before[t] for t in tables)
    second = run_pipeline(province, "daily", d)
    assert second["ods.cdr_voice"] == "SKIPPED" and second["dm.kpi_d"] == "UP_TO_DATE"
    forced = run_pipeline(province, "daily", d, force=True)
    assert forced["ods.cdr_voice"] == "SUCCESS" and forced["dm.kpi_d"] == "SUCCESS"
    assert {t: rows(province, t, F.col("batch_date") == d) for t in tables} == before
    # the same file delivered twice is loaded once
    reg = registry(province, "cdr_voice", d)
    assert [r[1] for r in reg] == ["LOADED", "LOADED"] and reg[0][2] == reg[0][3] == len(before["ods.cdr_voice"])


def test_wrong_record_count_is_refused_and_writes_nothing(province):
    d, token = day(2), "20260102"
    verf, dat = delivery_files(province, "cdr_sms", token)
    lines = dat.read_bytes().splitlines(keepends=True)
    rewrite(dat, verf, lines, records=len(lines) + 1)
    with pytest.raises(DeliveryError, match=f"{dat.name} has {len(lines)} records, the .verf says {len(lines) + 1}"):
        run_step(province, "ods.cdr_sms", d)
    assert province.spark.table("ods.cdr_sms").where(F.col("batch_date") == d).count() == 0
    assert registry(province, "cdr_sms", d) == []
    failed = province.spark.table("meta.job_run").where((F.col("job") == "ods.cdr_sms") & (F.col("batch") == d)).collect()
    assert [r.status for r in failed] == ["FAILED"] and dat.name in failed[0].message


def test_malformed_rows_are_quarantined_and_counted(province):
    d, token = day(3), "20260103"
    verf, dat = delivery_files(province, "cdr_voice", token)
    good = dat.read_bytes().splitlines(keepends=True)
    bad = [b"13800000001|x|20260103090000\n",
           good[0].replace(b"|MO|", b"|XX|").replace(b"|MT|", b"|XX|"),
           b"13800000001|13800000002|20260103090000|abc|MO|LOCAL|HOME|ONNET|0||C1|860|0.10|0.10\r\n"]
    rewrite(dat, verf, good[:5] + bad[:1] + good[5:] + bad[1:])
    run = run_step(province, "ods.cdr_voice", d)
    delivered = len(good) + 3
    assert (run.rows_read, run.rows_written, run.rows_rejected) == (delivered, len(good), 3)
    assert province.spark.table("ods.cdr_voice").where(F.col("batch_date") == d).count() == len(good)
    rejects = [(r.file_name, r.line_no, r.reason) for r in province.spark.table("meta.ods_reject")
               .where((F.col("interface") == "cdr_voice") & (F.col("batch") == d)).orderBy("line_no").collect()]
    assert rejects == [
        (dat.name, 6, "field count 3, expected 14"),
        (dat.name, len(good) + 2, "field direction: 'XX' not in [MO, MT]"),
        (dat.name, len(good) + 3, "field duration: 'abc' is not a int"),
    ]
    assert registry(province, "cdr_voice", d) == [(dat.name, "LOADED", delivered, len(good), 3)]


def test_too_many_bad_rows_fail_the_job_every_time(province):
    d, token = day(2), "20260102"
    verf, dat = delivery_files(province, "cdr_data", token)
    good = dat.read_bytes().splitlines(keepends=True)
    rewrite(dat, verf, good[:10] + [b"garbage\n"] * 5)
    for _ in range(2):   # not registered as loaded, so a rerun tries (and fails) again
        with pytest.raises(DeliveryError, match=r"5 of 15 rows rejected \(over 5%\)"):
            run_step(province, "ods.cdr_data", d)
    assert [s for _, s, *_ in registry(province, "cdr_data", d)] == ["REFUSED", "REFUSED"]
    # refused before anything was written: no rows, no quarantine (the error quotes the reasons)
    assert province.spark.table("meta.ods_reject").where((F.col("interface") == "cdr_data") & (F.col("batch") == d)).count() == 0
    assert province.spark.table("ods.cdr_data").where(F.col("batch_date") == d).count() == 0


def test_resend_replaces_the_earlier_delivery(province):
    d, token = day(4), "20260104"
    run_step(province, "ods.cdr_voice", d)
    verf0, dat0 = delivery_files(province, "cdr_voice", token)
    first_ten = dat0.read_bytes().splitlines(keepends=True)[:10]
    dat1 = dat0.with_name(dat0.name.replace("_00_001.dat", "_01_001.dat"))
    rewrite(dat1, verf0.with_name(verf0.name.replace("_00.verf", "_01.verf")), first_ten)
    assert run_step(province, "ods.cdr_voice", d).rows_written == 10
    assert province.spark.table("ods.cdr_voice").where(F.col("batch_date") == d).count() == 10
    states = {name: status for name, status, *_ in registry(province, "cdr_voice", d)}
    assert states == {dat0.name: "SUPERSEDED", dat1.name: "LOADED"}
    assert run_step(province, "ods.cdr_voice", d).status == "SKIPPED"


def test_bass_sql_from_a_second_process(province):
    """Another process queries by table name while this one holds its own Spark session."""
    env = dict(os.environ, BASS_HOME=province.cfg.path("home"), BASS_ENV="test")
    out = subprocess.run([sys.executable, "-m", "bass.cli", "sql", "select count(*) as n from dm.kpi_d", "--format", "csv"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    expected = province.spark.table("dm.kpi_d").count()
    assert out.stdout.strip().splitlines()[-2:] == ["n", str(expected)]
