"""The Airflow DAGs' plan (bass airflow export), checked without Airflow: one task per step of
each batch, dependencies equal to the step graph's, batch arguments from the logical date, and a
DAG file that imports nothing of BASS. (`make airflow-test` runs the DAGs under Airflow.)"""
from __future__ import annotations

import ast
import datetime as dt
import json
from zoneinfo import ZoneInfo

import jinja2
import pytest

from bass.core.config import load_config
from bass.ops.airflow.plan import DAG_FILE, dag_plans, export
from bass.orchestration.graph import load_pipeline


class LogicalDate(dt.datetime):
    """Airflow's logical_date is a pendulum DateTime; the templates use its in_timezone()."""
    def in_timezone(self, tz: str):
        return self.astimezone(ZoneInfo(tz))


class Macros:
    timedelta = dt.timedelta

    @staticmethod
    def ds_add(ds: str, days: int) -> str:
        return (dt.date.fromisoformat(ds) + dt.timedelta(days=days)).isoformat()


def render(command: str, logical: dt.datetime) -> str:
    when = LogicalDate.fromtimestamp(logical.timestamp(), dt.UTC)
    return jinja2.Template(command).render(logical_date=when, macros=Macros)


@pytest.fixture(scope="module")
def plans():
    return {p["dag_id"]: p for p in dag_plans(load_config("test"))}


def test_every_step_of_every_batch_is_a_task_waiting_for_what_the_graph_says(plans):
    cfg = load_config("test")
    for dag_id, spec in cfg.get("airflow.dags").items():
        tasks = {t["task_id"]: t for t in plans[dag_id]["tasks"]}
        for batch in spec.get("batches", []):
            p = load_pipeline(batch["pipeline"])
            for node in p.nodes:
                task = tasks.pop(f"{p.name}.{node.step}")
                same_batch = {u for u in task["upstream"] if u.startswith(p.name + ".")}
                assert same_batch == {f"{p.name}.{d}" for d in node.after}, task["task_id"]
                other = set(task["upstream"]) - same_batch
                assert all(tasks_step(plans[dag_id], u) in node.inputs for u in other), task["task_id"]
        assert set(tasks) == set(spec.get("commands", {})), f"{dag_id}: tasks outside the graph {set(tasks)}"


def tasks_step(plan: dict, task_id: str) -> str:
    return next(t["step"] for t in plan["tasks"] if t["task_id"] == task_id)


def test_a_step_reading_another_batchs_table_waits_for_the_task_that_builds_it(plans):
    monthly = {t["task_id"]: t for t in plans["bass_monthly"]["tasks"]}
    assert "monthly.dm.user_wide_m" in monthly["scoring.dm.churn_score_m"]["upstream"]
    assert "monthly.mid.product_m" in monthly["scoring.out.campaign_target_m"]["upstream"]
    assert "scoring.dm.user_value_m" in monthly["profiles.out.value_list_m"]["upstream"]
    assert "tariff.dm.plan_fit_m" in monthly["profiles.out.tariff_profile_m"]["upstream"]
    # the daily CDR tables are built by another DAG: nothing to wait for inside this one
    assert not [u for u in monthly["monthly.mid.user_usage_m"]["upstream"] if "daily." in u]


def test_batch_arguments_follow_the_logical_date_in_the_operators_time_zone(plans):
    cst = ZoneInfo("Asia/Shanghai")
    daily = {t["step"]: t["command"] for t in plans["bass_daily"]["tasks"]}
    run = dt.datetime(2026, 2, 1, 2, 0, tzinfo=cst)          # 2026-01-31 18:00 UTC
    assert render(daily["dm.kpi_d"], run).endswith("spark-submit.sh dm.kpi_d --date 2026-01-31")
    monthly = {t["task_id"]: t["command"] for t in plans["bass_monthly"]["tasks"]}
    run = dt.datetime(2026, 7, 3, 3, 0, tzinfo=cst)
    assert render(monthly["monthly.dm.kpi_m"], run).endswith("dm.kpi_m --month 2026-06")
    assert render(monthly["monthly.ods.user"], run).endswith("ods.user --date 2026-06-30")   # month_end
    assert render(monthly["scoring.dm.churn_score_m"], run).endswith("dm.churn_score_m --month 2026-06")
    feedback = {t["step"]: t["command"] for t in plans["bass_feedback"]["tasks"]}
    assert render(feedback["dm.campaign_eval_m"], dt.datetime(2026, 1, 10, 6, tzinfo=cst)).endswith("--month 2025-11")
    maintain = plans["bass_maintain"]["tasks"]
    assert [t["task_id"] for t in maintain] == ["maintain"] and maintain[0]["command"].endswith("-m bass.cli maintain")


def test_export_writes_a_dag_file_that_imports_only_airflow_and_the_standard_library(tmp_path):
    out = export(load_config("test"), tmp_path / "dags")
    plan = json.loads((out / "bass_plan.json").read_text())
    assert [d["dag_id"] for d in plan["dags"]] == ["bass_daily", "bass_monthly", "bass_feedback", "bass_maintain"]
    assert plan["retries"] >= 1 and plan["env"]["BASS_ENV"] == "test"
    tree = ast.parse((out / "bass_dags.py").read_text())
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "bass" not in modules and "airflow" in modules
    assert (out / "bass_dags.py").read_text() == DAG_FILE.read_text()
