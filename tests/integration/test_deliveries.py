"""The BOSS file interface, hardened: every delivered record is loaded or quarantined exactly
once, and a refused delivery writes nothing and leaves what was loaded before intact. One test
per hole, on a tiny simulated province (real loader, real files)."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from bass.boss import archive, inbound, outbound
from bass.boss.delivery import DeliveryError, VerfRecord, find_delivery, read_verf, write_verf
from bass.boss.inbound import Staged, stage_all
from bass.boss.writer import write_delivery
from bass.cli.sql import print_sent
from bass.core.batch import Batch
from bass.core.interfaces import parse_interface
from bass.core.registry import table
from bass.orchestration.runs import run_step
from bass.warehouse import delta_io
from bass.warehouse.bookkeeping import Run
from tests.conftest import SMALL_PROVINCE, context_for

START = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def province(spark, simulated, tmp_path_factory):
    return simulated(context_for(spark, tmp_path_factory.mktemp("deliveries")), **SMALL_PROVINCE)


def day(n: int) -> str:
    return (START + dt.timedelta(days=n - 1)).isoformat()


def files(ctx, code: str, token: str, resend: int = 0) -> tuple[Path, Path]:
    verf = Path(ctx.cfg.path("landing")) / code / f"{code}_571_{token}_00_{resend:02d}.verf"
    return verf, verf.parent / read_verf(verf)[0].file_name


def rewrite(dat: Path, verf: Path, lines: list[bytes], token: str) -> None:
    dat.write_bytes(b"".join(lines))
    write_verf(verf, [VerfRecord(dat.name, dat.stat().st_size, len(lines), token, "20260201000000")])


def registry(ctx, code: str, batch: str) -> dict:
    """file -> newest status."""
    rows = (ctx.spark.table("meta.file_registry").where((F.col("interface") == code) & (F.col("batch") == batch))
            .orderBy("loaded_at").collect())
    return {r.file_name: r.status for r in rows}


def ods(ctx, code: str, batch_col: str, value: str) -> list:
    if not ctx.spark.catalog.tableExists(f"ods.{code}"):
        return []
    return sorted(tuple(r) for r in ctx.spark.table(f"ods.{code}").where(F.col(batch_col) == value).collect())


def receipt_of(ctx, verf: Path) -> list[list[str]]:
    """BOSS's receipt of a delivery: its lines' fields."""
    path = Path(ctx.cfg.path("outbox")) / "receipt" / verf.name.replace(".verf", ".rcpt")
    return [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()]


def rejects(ctx, code: str, batch: str) -> list:
    return [(r.line_no, r.reason) for r in ctx.spark.table("meta.ods_reject")
            .where((F.col("interface") == code) & (F.col("batch") == batch)).orderBy("line_no").collect()]


def test_a_resend_refused_after_parsing_leaves_the_earlier_delivery_intact(province):
    d, token = day(1), "20260101"
    run_step(province, "ods.cdr_voice", d)
    before, states = ods(province, "cdr_voice", "batch_date", d), registry(province, "cdr_voice", d)
    verf0, dat0 = files(province, "cdr_voice", token)
    good = dat0.read_bytes().splitlines(keepends=True)[:10]
    verf1, dat1 = verf0.with_name(verf0.name.replace("_00.verf", "_01.verf")), dat0.with_name(dat0.name.replace("_00_001", "_01_001"))
    rewrite(dat1, verf1, good + [b"garbage\n"] * 10, token)
    with pytest.raises(DeliveryError, match=r"resend 01 refused, nothing written: 10 of 20 rows rejected .* line 11: field count 1"):
        run_step(province, "ods.cdr_voice", d)
    assert ods(province, "cdr_voice", "batch_date", d) == before
    assert registry(province, "cdr_voice", d) == {**states, dat1.name: "REFUSED"}
    assert rejects(province, "cdr_voice", d) == []
    (line,) = receipt_of(province, verf1)
    assert line[:6] == [verf1.name, dat1.name, "REFUSED", "20", "0", "10"]
    assert line[6] == "more than 5% of the records rejected; field count 1, expected 14 ×10", line
    assert receipt_of(province, verf0) == [[verf0.name, dat0.name, "LOADED", str(len(before)), str(len(before)), "0", ""]]


def test_a_verf_listing_a_file_twice_is_refused(province):
    d, token = day(2), "20260102"
    verf, dat = files(province, "cdr_sms", token)
    rec = read_verf(verf)[0]
    write_verf(verf, [rec, rec])
    with pytest.raises(DeliveryError, match=f"lists \\['{dat.name}'\\] more than once"):
        run_step(province, "ods.cdr_sms", d)
    assert ods(province, "cdr_sms", "batch_date", d) == [] and registry(province, "cdr_sms", d) == {}


def test_rows_outside_the_batch_are_quarantined(province):
    d, token = day(3), "20260103"
    verf, dat = files(province, "cdr_data", token)
    lines = dat.read_bytes().splitlines(keepends=True)
    lines[4] = lines[4].replace(b"|20260103", b"|20260102", 1)     # a CDR of the day before
    rewrite(dat, verf, lines, token)
    run = run_step(province, "ods.cdr_data", d)
    assert (run.rows_written, run.rows_rejected) == (len(lines) - 1, 1)
    [(line_no, reason)] = rejects(province, "cdr_data", d)
    assert line_no == 5 and reason.startswith("field start_time: '2026-01-02") and reason.endswith("outside the batch 2026-01-03")

    verf, dat = files(province, "bill", "202601")                    # monthly: a bill of another month
    lines = dat.read_bytes().splitlines(keepends=True)
    lines[0] = b"202512" + lines[0][6:]                                  # bill_month comes first
    rewrite(dat, verf, lines, "202601")
    run = run_step(province, "ods.bill", "2026-01")
    assert run.rows_rejected == 1
    assert rejects(province, "bill", "2026-01") == [(1, "field bill_month: '2025-12' is outside the batch 2026-01")]


def test_exact_repeats_within_a_delivery_are_quarantined(province):
    d, token = day(3), "20260103"
    verf, dat = files(province, "cdr_sms", token)
    lines = dat.read_bytes().splitlines(keepends=True)
    rewrite(dat, verf, lines + [lines[0], lines[7], lines[0]], token)
    run = run_step(province, "ods.cdr_sms", d)
    assert (run.rows_written, run.rows_rejected) == (len(lines), 3)
    assert rejects(province, "cdr_sms", d) == [(len(lines) + i, "exact duplicate of an earlier record of this delivery")
                                               for i in (1, 2, 3)]
    assert receipt_of(province, verf) == [[verf.name, dat.name, "LOADED", str(len(lines) + 3), str(len(lines)), "3",
                                           "exact duplicate of an earlier record of this delivery ×3"]]


def test_bytes_not_valid_in_the_declared_encoding_are_quarantined_naming_the_field(province):
    d, token = day(1), "20260101"
    verf, dat = files(province, "cdr_sms", token)
    lines = dat.read_bytes().splitlines(keepends=True)
    fields = lines[2].split(b"|")
    fields[0] = fields[0][:-2] + b"\xff\xfe"                         # a UTF-8 interface receiving FF FE
    lines[2] = b"|".join(fields)
    rewrite(dat, verf, lines, token)
    run = run_step(province, "ods.cdr_sms", d)
    assert (run.rows_written, run.rows_rejected) == (len(lines) - 1, 1)
    assert rejects(province, "cdr_sms", d) == [(3, "field msisdn: holds bytes that are not valid utf-8")]
    assert province.spark.table("ods.cdr_sms").where(F.col("msisdn").contains("\ufffd")).count() == 0


def test_a_crash_between_staging_and_commit_leaves_the_earlier_delivery_and_the_rerun_loads_once(province, monkeypatch):
    d, token = day(2), "20260102"
    run_step(province, "ods.cdr_voice", d)
    before, states = ods(province, "cdr_voice", "batch_date", d), registry(province, "cdr_voice", d)
    verf0, dat0 = files(province, "cdr_voice", token)
    lines = dat0.read_bytes().splitlines(keepends=True)[:-5]
    verf1, dat1 = verf0.with_name(verf0.name.replace("_00.verf", "_01.verf")), dat0.with_name(dat0.name.replace("_00_001", "_01_001"))
    rewrite(dat1, verf1, lines, token)

    def crash(*_args, **_kwargs):
        raise RuntimeError("the driver died here")
    monkeypatch.setattr(inbound, "commit", crash)                   # staged and decided, then the commit never happens
    with pytest.raises(RuntimeError, match="the driver died here"):
        run_step(province, "ods.cdr_voice", d)
    assert ods(province, "cdr_voice", "batch_date", d) == before
    assert registry(province, "cdr_voice", d) == states
    monkeypatch.undo()
    run = run_step(province, "ods.cdr_voice", d)
    assert (run.rows_written, run.rows_rejected) == (len(lines), 0)
    assert len(ods(province, "cdr_voice", "batch_date", d)) == len(lines)
    assert registry(province, "cdr_voice", d) == {dat0.name: "SUPERSEDED", dat1.name: "LOADED"}
    location = province.location("ods.cdr_voice")          # what the crash staged is dropped; a load keeps its good files
    kept = [[e for e in os.listdir(f"{location}/{n}") if not e.startswith(("_", "."))] for n in os.listdir(location)
            if n.startswith("staged-")]
    assert kept and all(k == ["kind=good"] for k in kept), kept


def text_bytes_scanned(spark, after: int) -> int:
    """Bytes of delivered text files scanned by SQL executions after execution id `after`: the
    'size of files read' of every text and CSV scan in Spark's SQL status store."""
    store = spark._jsparkSession.sharedState().statusStore()
    units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    total, executions = 0, store.executionsList()
    for k in range(executions.size()):
        eid = executions.apply(k).executionId()
        if eid <= after:
            continue
        values, nodes = store.executionMetrics(eid), store.planGraph(eid).allNodes()
        for i in range(nodes.size()):
            node = nodes.apply(i)
            if not re.match(r"Scan (text|csv)", node.name()):
                continue
            metrics = node.metrics()
            for j in range(metrics.size()):
                m = metrics.apply(j)
                value = values.get(m.accumulatorId())
                if m.name() == "size of files read" and value.isDefined():
                    number, unit = value.get().split()
                    total += int(float(number) * units[unit])
    return total


def last_execution(spark) -> int:
    executions = spark._jsparkSession.sharedState().statusStore().executionsList()
    return max((executions.apply(k).executionId() for k in range(executions.size())), default=-1)


def test_a_load_reads_the_delivered_bytes_once(province):
    d = day(3)
    delivered = find_delivery(province.cfg.path("landing"), "cdr_voice", "571", "daily", d).byte_size()
    mark = last_execution(province.spark)
    run = run_step(province, "ods.cdr_voice", d, force=True)
    assert run.rows_written > 0
    scanned = text_bytes_scanned(province.spark, mark)
    assert 0.9 * delivered <= scanned <= 1.2 * delivered, (scanned, delivered)


def test_a_landing_folder_given_as_a_uri_is_read_through_hadoop(province, tmp_path):
    """The loader lists and reads landing through Hadoop's file system: a file: URI (as hdfs://
    or s3a:// would be on a cluster) loads like a local path."""
    d = day(1)
    landing = "file://" + province.cfg.path("landing")
    ctx = dataclasses.replace(province, cfg=dataclasses.replace(province.cfg, paths={**province.cfg.paths, "landing": landing}))
    run = run_step(ctx, "ods.user", d, force=True)
    assert run.rows_written == len(files(province, "user", "20260101")[1].read_bytes().splitlines())


SPEC = {"code": "t_fixed", "grain": "daily", "layout": "fixed", "batch_field": "at",
        "fields": [{"name": "id", "type": "string", "width": 4, "nullable": False},
                   {"name": "name", "type": "string", "width": 6},
                   {"name": "at", "type": "date", "width": 8},
                   {"name": "n", "type": "int", "width": 3}]}


def test_fixed_width_deliveries_round_trip_and_repeats_are_configurable(province, tmp_path):
    spark = province.spark
    rows = spark.createDataFrame([("a1", "张三", dt.date(2026, 1, 5), 7), ("b22", None, dt.date(2026, 1, 5), 123),
                                  ("b22", None, dt.date(2026, 1, 5), 123), ("c", "x", dt.date(2026, 1, 4), 1)],
                                 "id string, name string, at date, n int")
    for duplicates, reasons in (("quarantine", [None, None, "exact duplicate of an earlier record of this delivery",
                                                "field at: '2026-01-04' is outside the batch 2026-01-05"]),
                                ("keep", [None, None, None, "field at: '2026-01-04' is outside the batch 2026-01-05"])):
        spec = parse_interface({**SPEC, "duplicates": duplicates})
        folder = tmp_path / duplicates
        write_delivery(rows, spec, "2026-01-05", str(folder), "571", sort=False)
        text = (folder / "t_fixed").glob("*.dat").__next__().read_text(encoding="utf-8").splitlines()
        assert text[0] == "a1  张三    20260105  7"
        d = find_delivery(str(folder), "t_fixed", "571", "daily", "2026-01-05")
        staged = stage_all(province, [d], spec, Staged(str(tmp_path / "staging" / duplicates)))
        good = sorted((r.id, r.name, r.n) for r in staged.read(province, "good").collect())
        typed = [("a1", "张三", 7), ("b22", None, 123), ("b22", None, 123), ("c", "x", 1)]
        assert good == sorted(typed[:3])                  # as parsed: a repeat is left out when committed
        assert (staged.repeated is None) == (duplicates == "keep")
        got = {r.line_no: r.reason for r in staged.numbered_rejects(province).collect()}
        assert got == {n: why for n, why in enumerate(reasons, start=1) if why}
    short = spark.createDataFrame([("a1 x",)], "line string")
    from bass.boss.parse import parse_lines
    assert parse_lines(short, parse_interface(SPEC)).first().reject_reason == "line length 4, expected 21 (fixed widths)"
    with pytest.raises(Exception, match="t_fixed field id: 'toolong' is longer than its width 4"):
        write_delivery(spark.createDataFrame([("toolong", "", dt.date(2026, 1, 5), 1)], rows.schema), parse_interface(SPEC),
                       "2026-01-05", str(tmp_path / "long"), "571")


def test_outbound_files_are_clean_complete_and_numbered_from_the_delivery_log(province, capsys):
    tbl = table("out.boss_retention_m")
    values = {c.name: None for c in tbl.columns}
    rows = [{**values, "list_rank": 1, "msisdn": "13800000001", "cust_name": "王|五\n", "analysis_month": "2026-01",
             "churn_reason": "Calls: low;\r\nSMS|high", "churn_prob": Decimal("0.5"), "batch_month": "2026-01"},
            {**values, "list_rank": 2, "msisdn": "13800000002", "analysis_month": "2026-01", "churn_prob": Decimal("0.4"),
             "batch_month": "2026-01"}]
    df = province.spark.createDataFrame(rows, tbl.schema_ddl())
    delta_io.write(province, "out.boss_retention_m", df, {"batch_month": "2026-01"})
    folder = Path(province.cfg.path("outbox")) / "boss_retention_m"
    sent = outbound.deliver(province, "out.boss_retention_m", "boss_retention_m", Batch.of("month", "2026-01"))
    data = (folder / sent["2026-01"][0].file_name).read_text(encoding="utf-8").split("\n")
    assert data[-1] == "" and len(data) == 3
    assert data[0].split("|")[:3] == ["1", "13800000001", "王 五 "]
    assert all(len(line.split("|")) == 14 for line in data[:-1])
    assert sorted(p.name for p in folder.iterdir()) == ["boss_retention_m_571_202601_00_00.verf",
                                                      "boss_retention_m_571_202601_00_00_001.dat"]   # nothing half-written
    verf = read_verf(folder / "boss_retention_m_571_202601_00_00.verf")      # each file's checksum (delivery.checksum)
    body = (folder / verf[0].file_name).read_bytes()
    assert verf[0].checksum == "sha256:" + __import__("hashlib").sha256(body).hexdigest()
    shutil.rmtree(folder)                                           # BOSS picked the files up
    sent = outbound.deliver(province, "out.boss_retention_m", "boss_retention_m", Batch.of("month", "2026-01"))
    assert sent["2026-01"][0].file_name == "boss_retention_m_571_202601_00_01_001.dat"
    log = province.spark.table("meta.outbox_log").orderBy("resend_no").collect()
    assert [(r.resend_no, r.records) for r in log] == [(0, 2), (1, 2)]
    kept = archive.deliveries(province.cfg.path("archive"), "boss_retention_m")     # what BOSS received, kept
    assert [(s.data_date, s.resend, s.records[0].records) for s in kept] == [("202601", 0, 2), ("202601", 1, 2)]
    print_sent(province, argparse.Namespace(table="out.boss_retention_m", sent="2026-01", limit=20, format="csv"))
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("boss_retention_m_571_202601_00_01.verf (resend 1, sent ")
    assert printed[2].startswith("1,13800000001,王 五 ,") and len(printed) == 4


def test_a_delivery_far_smaller_than_usual_is_flagged(province):
    for n in (1, 2, 3):                             # day 3 was loaded above (SKIPPED here)
        run_step(province, "ods.cdr_data", day(n))
    for n in (2, 3):                                # day 1 was loaded by the first test
        run_step(province, "ods.cdr_voice", day(n))
    verf, dat = files(province, "cdr_data", "20260104")
    lines = dat.read_bytes().splitlines(keepends=True)
    rewrite(dat, verf, lines[: len(lines) // 10], "20260104")
    for code in ("user", "cdr_voice", "cdr_sms", "cdr_data", "vas_usage"):
        run_step(province, f"ods.{code}", day(4))
    run_step(province, "dq.ods_d", day(4))          # a warning: the batch goes on
    got = {r.subject: (r.status, r.detail) for r in province.spark.table("meta.dq_result")
           .where((F.col("check_name") == "delivery_volume") & (F.col("batch") == day(4))).collect()}
    assert got["ods.cdr_data"][0] == "FAIL" and "over the 3 deliveries before" in got["ods.cdr_data"][1]
    assert got["ods.cdr_voice"][0] == "PASS"


# what the JVM and Spark print while starting, before BASS has a say (not BASS's output)
JVM_STARTUP = re.compile(r"^(WARNING: |Using Spark's default log4j profile|Setting default log level|To adjust logging level"
                         r"|\d\d/\d\d/\d\d \d\d:\d\d:\d\d (WARN|INFO) )")


def bass(*args, home) -> subprocess.CompletedProcess:
    env = dict(os.environ, BASS_HOME=str(home), BASS_ENV="test")
    return subprocess.run([sys.executable, "-m", "bass.cli", *args], capture_output=True, text=True, env=env, timeout=300)


def test_bad_input_at_the_cli_is_one_clear_line(province):
    home = province.cfg.path("home")
    for args, says in ((["run", "mid.user_usage_d", "--date", "2026-13-01"], "expected a date YYYY-MM-DD, got '2026-13-01'"),
                       (["run", "mid.nothing", "--date", "2026-01-01"], "unknown step 'mid.nothing'"),
                       (["run", "daily", "--from", "2026-01-05", "--to", "2026-01-01"], "before its start"),
                       (["sql", "selec 1"], "PARSE_SYNTAX_ERROR"),
                       (["sql", "select no_such_column from range(1)"], "UNRESOLVED_COLUMN"),
                       (["sql", "drop table ods.cdr_voice"], "bass sql only reads: a DropTable statement is refused")):
        out = bass(*args, home=home)
        assert out.returncode != 0, args
        lines = [line for line in out.stderr.splitlines() if line.strip() and not JVM_STARTUP.match(line)]
        assert len(lines) == 1 and says in lines[0] and "Traceback" not in out.stderr, (args, out.stderr[-2000:])
    assert province.spark.table("ods.cdr_voice").count() > 0


def test_an_empty_delivery_empties_its_partition(province):
    d, token = day(2), "20260102"
    run_step(province, "ods.cdr_data", d)
    assert ods(province, "cdr_data", "batch_date", d)
    verf0, dat0 = files(province, "cdr_data", token)
    verf1, dat1 = verf0.with_name(verf0.name.replace("_00.verf", "_01.verf")), dat0.with_name(dat0.name.replace("_00_001", "_01_001"))
    rewrite(dat1, verf1, [], token)
    run = run_step(province, "ods.cdr_data", d)
    assert (run.rows_read, run.rows_written, run.rows_rejected) == (0, 0, 0)
    assert ods(province, "cdr_data", "batch_date", d) == []


def test_one_refused_batch_of_two_leaves_nothing_staged_and_the_other_loads(province):
    verf1, dat1 = files(province, "vas_usage", "20260101")
    verf2, dat2 = files(province, "vas_usage", "20260102")
    lines = dat2.read_bytes().splitlines(keepends=True)
    rewrite(dat2, verf2, [b"garbage\n"] * max(len(lines), 1), "20260102")
    location = province.location("ods.vas_usage")
    staged = lambda: {n for n in os.listdir(location) if n.startswith("staged-")} if os.path.isdir(location) else set()
    before = staged()
    run = Run("ods.vas_usage", Batch.of("date", day(1)))
    with pytest.raises(DeliveryError, match="vas_usage 2026-01-02 resend 00 refused"):
        inbound.load(province, "vas_usage", [day(1), day(2)], run)
    assert run.rows_written == len(dat1.read_bytes().splitlines()) > 0
    assert ods(province, "vas_usage", "batch_date", day(2)) == []
    kept = {n: sorted(os.listdir(f"{location}/{n}/kind=good")) for n in staged() - before}
    assert list(kept.values()) == [["batch_date=2026-01-01"]], kept


def test_a_checksum_in_the_verf_is_checked_and_a_damaged_file_refused(province):
    d, token = day(3), "20260103"
    verf, dat = files(province, "vas_usage", token)
    rec = read_verf(verf)[0]
    body = dat.read_bytes()
    sha = "sha256:" + __import__("hashlib").sha256(body).hexdigest()
    damaged = body[:-2] + (b"0" if body[-2:-1] != b"0" else b"1") + body[-1:]     # same size, one byte changed
    dat.write_bytes(damaged)
    write_verf(verf, [dataclasses.replace(rec, checksum=sha)])
    with pytest.raises(DeliveryError, match=f"{dat.name} has sha256 [0-9a-f]{{64}}, the .verf says {sha[7:]}"):
        run_step(province, "ods.vas_usage", d)
    assert ods(province, "vas_usage", "batch_date", d) == [] and registry(province, "vas_usage", d) == {}
    (line,) = receipt_of(province, verf)
    assert line[2:6] == ["REFUSED", str(rec.records), "0", "0"] and "damaged on the way" in line[6]
    dat.write_bytes(body)                                                           # BOSS sends it again, whole
    run_step(province, "ods.vas_usage", d)
    assert len(ods(province, "vas_usage", "batch_date", d)) == rec.records
