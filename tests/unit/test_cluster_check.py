"""`make cluster-test`'s comparison: two warehouses' tables are equal only row for row, and the
outbox only byte for byte (the check itself needs HDFS and a cluster: `make cluster-test`)."""
from __future__ import annotations

from bass.devkit.cluster_check import batches, compare_outbox, compare_tables
from tests.conftest import context_for
from tests.unit.frames import put

ROWS = [{"region_code": "571", "region_name": "杭州", "configured": True, "batch_month": "2026-01"},
        {"region_code": "574", "region_name": "宁波", "configured": True, "batch_month": "2026-01"}]


def test_tables_are_equal_only_row_for_row(spark, tmp_path):
    one, two = context_for(spark, tmp_path / "one"), context_for(spark, tmp_path / "two")
    put(one, "mid.region_m", ROWS)
    put(two, "mid.region_m", list(reversed(ROWS)))                  # order does not matter
    assert compare_tables(spark, one.cfg, two.cfg) == (["mid.region_m (2 rows)"], [], [])
    put(two, "mid.region_m", [ROWS[0], {**ROWS[1], "region_name": "宁波市"}])
    assert compare_tables(spark, one.cfg, two.cfg)[1] == ["mid.region_m: 1 rows only in the local run, 1 only in the cluster's"]
    put(two, "mid.region_m", ROWS + [ROWS[0]])                       # a row twice is not the same
    assert compare_tables(spark, one.cfg, two.cfg)[1] == ["mid.region_m: 0 rows only in the local run, 1 only in the cluster's"]
    put(one, "mid.user_h", [])
    assert "mid.user_h: written only by the local run" in compare_tables(spark, one.cfg, two.cfg)[1]
    # a table scored by each side's own model: written by both, not compared row by row
    put(two, "mid.region_m", [{**ROWS[0], "region_name": "x"}])
    assert compare_tables(spark, one.cfg, two.cfg, {"mid.region_m"})[2] == ["mid.region_m (2 rows here, 1 there)"]
    empty = context_for(spark, tmp_path / "empty")
    put(empty, "mid.region_m", [])
    assert "mid.region_m: 2 rows in the local run, 0 in the cluster's" in compare_tables(spark, one.cfg, empty.cfg, {"mid.region_m"})[1]


def test_doubles_are_compared_to_nine_decimal_places(spark, tmp_path):
    one, two = context_for(spark, tmp_path / "one"), context_for(spark, tmp_path / "two")
    row = {"user_id": "1", "degree": 2, "out_degree": 1, "in_degree": 1, "in_out_balance": 0.1 + 0.2,
           "key_contacts": "2:1", "offnet_contact_share": 0.0, "pagerank": 0.0001, "influence": 1.0,
           "community": "1", "community_size": 2, "social_churn_exposure": 0.0, "batch_month": "2026-01"}
    put(one, "dm.user_network_m", [row])
    put(two, "dm.user_network_m", [{**row, "in_out_balance": 0.3}])         # 0.30000000000000004 and 0.3
    assert compare_tables(spark, one.cfg, two.cfg)[:2] == (["dm.user_network_m (1 rows)"], [])
    put(two, "dm.user_network_m", [{**row, "pagerank": 0.000100001}])
    assert compare_tables(spark, one.cfg, two.cfg)[1] == ["dm.user_network_m: 1 rows only in the local run, 1 only in the cluster's"]


def test_files_for_boss_are_equal_only_byte_for_byte(spark, tmp_path):
    for side in ("local", "cluster"):
        (tmp_path / side / "boss_retention_m").mkdir(parents=True)
        (tmp_path / side / "boss_retention_m" / "a.dat").write_text("1|x\n")
    assert compare_outbox(spark, str(tmp_path / "local"), f"file://{tmp_path}/cluster") == (1, [])
    (tmp_path / "cluster" / "boss_retention_m" / "a.dat").write_text("1|y\n")
    (tmp_path / "local" / "boss_retention_m" / "b.dat").write_text("2|z\n")
    assert compare_outbox(spark, str(tmp_path / "local"), f"file://{tmp_path}/cluster")[1] == [
        "outbox boss_retention_m/a.dat: differs", "outbox boss_retention_m/b.dat: not sent by the cluster run"]
    # a list cut from each side's own scores: sent by both is enough, one not sent is not
    assert compare_outbox(spark, str(tmp_path / "local"), f"file://{tmp_path}/cluster", {"boss_retention_m"})[1] == [
        "outbox boss_retention_m/b.dat: not sent by the cluster run"]


def test_the_batches_take_each_cdr_day_and_every_month():
    daily, monthly, train, scoring = batches(["2026-01-31", "2026-02-28"], ["2026-01", "2026-02"])
    assert daily == ["daily", "--date", "2026-01-31", "--date", "2026-02-28"]
    assert monthly == ["monthly", "--from", "2026-01", "--to", "2026-02"] and scoring == ["scoring", "--month", "2026-02"]
    assert train[:2] == ["ml", "train"]
