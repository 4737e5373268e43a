"""The README's "Extending BASS" recipes, carried out: in a copy of conf/ (BASS_CONF_DIR) with SQL
files of its own, the test adds exactly the touches each recipe lists — a new inbound interface,
a new SQL table, a new outbound file, a new data-quality check and a pipeline that runs them —
and checks that the step graph, the pipeline run, the outbox and the data dictionary pick them up.
Nothing in lib/ is touched: when a recipe needs more than it says, this test fails."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from bass.boss.delivery import read_verf
from bass.boss.writer import write_delivery
from bass.core.config import REPO_ROOT
from bass.core.interfaces import interface, load_interfaces
from bass.core.registry import load_registry
from bass.marts.campaigns import load_campaigns
from bass.marts.tariff.catalogue import load_proposals
from bass.orchestration.graph import dependencies, load_pipeline
from bass.orchestration.pipeline import run_pipeline
from bass.orchestration.steps import all_steps
from bass.reports import dictionary
from bass.warehouse import quality
from tests.conftest import context_for

MONTH = "2026-03"
CACHED = (load_registry, load_interfaces, all_steps, dependencies, load_pipeline, quality.stages, load_campaigns,
          load_proposals)

# 1. an inbound interface: conf/interfaces/<code>.yml
INTERFACE = """code: hall_visit
label: {en: Visits to the own halls, zh: 营业厅客流}
grain: monthly
fields:
  - {name: hall_id, type: string, nullable: false, label: {en: Hall, zh: 营业厅}}
  - {name: msisdn, type: string, nullable: false, label: {en: MSISDN, zh: 手机号码}}
  - {name: visits, type: int, nullable: false, min: 0, label: {en: Visits, zh: 到厅次数}}
"""
# 3. an outbound file: its interface (direction: out) ...
OUT_INTERFACE = """code: boss_hall_visit_m
direction: out
label: {en: Busy halls, zh: 营业厅客流排名}
grain: monthly
fields:
  - {name: hall_id, type: string, nullable: false, label: {en: Hall, zh: 营业厅}}
  - {name: visitors, type: long, nullable: false, label: {en: Visitors, zh: 到厅客户数}}
  - {name: visits, type: long, nullable: false, label: {en: Visits, zh: 到厅次数}}
"""
# 2. a SQL table and 3. the outbound file's table: declarations in conf/tables/<layer>.yml
TABLES = {
    "mid": """
mid.hall_visit_m:
  comment: "Visits per hall and month."
  zh: 营业厅月客流
  grain: hall × month
  partition_by: [batch_month]
  mode: overwrite_partition
  keys: [hall_id, batch_month]
  sql: {sql}/mid/hall_visit_m.sql
  columns:
    - {{name: hall_id, type: string, en: Hall, zh: 营业厅}}
    - {{name: visitors, type: bigint, en: Visitors, zh: 到厅客户数}}
    - {{name: visits, type: bigint, en: Visits, zh: 到厅次数}}
    - {{name: batch_month, type: string, en: Month, zh: 月份}}
""",
    "out": """
out.hall_visit_m:
  comment: "Busy halls for BOSS; delivered as interface boss_hall_visit_m."
  zh: 营业厅客流排名
  grain: hall × month
  partition_by: [batch_month]
  mode: overwrite_partition
  keys: [hall_id, batch_month]
  sql: {sql}/out/hall_visit_m.sql
  step: outbound
  deliver: boss_hall_visit_m
""",
}
SQL = {
    "mid/hall_visit_m.sql": """with visits as (
    select hall_id, msisdn, visits, batch_month
    from ods.hall_visit
    where batch_month between :month_from and :month_to
),

final as (
    select hall_id, count(distinct msisdn) as visitors, sum(visits) as visits, batch_month
    from visits
    group by hall_id, batch_month
)

select * from final
""",
    "out/hall_visit_m.sql": """with halls as (
    select hall_id, visitors, visits, batch_month
    from mid.hall_visit_m
    where batch_month between :month_from and :month_to
),

final as (
    select hall_id, visitors, visits, batch_month
    from halls
    where visitors >= :min_visitors
)

select * from final
""",
    # 4. a data-quality check: a SQL file returning batch, checked, failed, observed, expected, detail
    "dq/hall_visits_counted.sql": """with visits as (
    select batch_month as batch, hall_id, visits
    from ods.hall_visit
    where batch_month between :batch_from and :batch_to
)

select
    batch,
    count(*) as checked,
    count_if(visits = 0) as failed,
    cast(count_if(visits = 0) as string) as observed,
    '0' as expected,
    'a record without a visit, e.g. at ' || coalesce(min(if(visits = 0, hall_id, null)), '') as detail
from visits
group by batch
""",
}
QUALITY_STAGE = """  hall_m:
    batch: month
    pipeline: halls
    checks:
      hall_visits_counted: {{sql: {sql}/dq/hall_visits_counted.sql, severity: warn}}
"""
# the pipeline that runs them: conf/pipelines.yml
PIPELINE = """halls:
  grain: monthly
  steps: [ods.hall_visit, dq.hall_m, mid.hall_visit_m, out.hall_visit_m]
"""


def clear_caches():
    for loader in CACHED:
        loader.cache_clear()


@pytest.fixture
def extended(spark, tmp_path, monkeypatch):
    conf, sql = tmp_path / "conf", tmp_path / "sql"
    shutil.copytree(REPO_ROOT / "conf", conf)
    (conf / "interfaces" / "hall_visit.yml").write_text(INTERFACE, encoding="utf-8")
    (conf / "interfaces" / "boss_hall_visit_m.yml").write_text(OUT_INTERFACE, encoding="utf-8")
    for layer, text in TABLES.items():
        with open(conf / "tables" / f"{layer}.yml", "a", encoding="utf-8") as fh:
            fh.write(text.format(sql=sql))
    for name, text in SQL.items():
        (sql / name).parent.mkdir(parents=True, exist_ok=True)
        (sql / name).write_text(text, encoding="utf-8")
    with open(conf / "quality.yml", "a", encoding="utf-8") as fh:
        fh.write(QUALITY_STAGE.format(sql=sql))
    with open(conf / "pipelines.yml", "a", encoding="utf-8") as fh:
        fh.write(PIPELINE)
    # a configured SQL parameter (`params` of a table declaration maps it to a conf key)
    text = (conf / "tables" / "out.yml").read_text(encoding="utf-8")
    (conf / "tables" / "out.yml").write_text(
        text.replace("  deliver: boss_hall_visit_m\n", "  deliver: boss_hall_visit_m\n  params: {min_visitors: halls.min_visitors}\n"),
        encoding="utf-8")
    with open(conf / "base.yml", "a", encoding="utf-8") as fh:
        fh.write("\nhalls: {min_visitors: 2}\n")
    monkeypatch.setenv("BASS_CONF_DIR", str(conf))
    clear_caches()
    yield context_for(spark, tmp_path / "home")
    monkeypatch.delenv("BASS_CONF_DIR")
    clear_caches()


def test_every_recipe_is_picked_up_by_the_graph_the_pipeline_the_outbox_and_the_dictionary(extended):
    ctx = extended
    tables = load_registry()
    assert {"ods.hall_visit", "mid.hall_visit_m", "out.hall_visit_m"} <= set(tables)

    deps = dependencies()
    assert deps["mid.hall_visit_m"] == ("dq.hall_m", "ods.hall_visit")      # from its SQL, and the check vouching for ODS
    assert deps["out.hall_visit_m"] == ("mid.hall_visit_m",)
    assert "ods.hall_visit" in deps["dq.hall_m"]
    assert [n.step for n in load_pipeline("halls").nodes] == ["ods.hall_visit", "dq.hall_m", "mid.hall_visit_m",
                                                             "out.hall_visit_m"]

    rows = [("H1", "13800000001", 2), ("H1", "13800000002", 1), ("H2", "13800000001", 1), ("H3", "13899999999", 0)]
    write_delivery(ctx.spark.createDataFrame(rows, "hall_id string, msisdn string, visits int"), interface("hall_visit"),
                   MONTH, ctx.cfg.path("landing"), ctx.cfg.province)
    status = run_pipeline(ctx, "halls", MONTH)
    assert status == {"ods.hall_visit": "SUCCESS", "dq.hall_m": "SUCCESS", "mid.hall_visit_m": "SUCCESS",
                      "out.hall_visit_m": "SUCCESS"}

    mid = {r.hall_id: (r.visitors, r.visits) for r in ctx.spark.table("mid.hall_visit_m").collect()}
    assert mid == {"H1": (2, 3), "H2": (1, 1), "H3": (1, 0)}
    [check] = ctx.spark.table("meta.dq_result").where(F.col("check_name") == "hall_visits_counted").collect()
    assert (check.batch, check.checked, check.failed, check.status) == (MONTH, 4, 1, "FAIL")
    assert check.severity == "warn" and "at H3" in check.detail                # a warning: the batch went on

    folder = Path(ctx.cfg.path("outbox"), "boss_hall_visit_m")
    [dat], [verf] = sorted(folder.glob("*.dat")), sorted(folder.glob("*.verf"))
    assert dat.read_text(encoding="utf-8").splitlines() == ["H1|2|3"]          # min_visitors 2 from conf
    assert read_verf(verf)[0].records == 1

    page = dictionary.render()
    for name in ("ods.hall_visit", "mid.hall_visit_m", "out.hall_visit_m"):
        assert f"### {name}" in page
    assert "delivered as interface `boss_hall_visit_m`" in page and "营业厅月客流" in page
