"""The job graph is derived from what steps read: SQL references, quality stages that vouch for
tables, other batches' inputs; unknown inputs and cycles are errors when it is built."""
import pytest

from bass.orchestration import graph
from bass.orchestration.graph import dependencies, load_pipeline, pipeline_names
from bass.orchestration.steps import STEP_KINDS, all_steps, step
from bass.orchestration.steps.table import sql_tables


def test_sql_references_are_read_without_comments():
    text = "-- reads mid.not_this\nselect * from mid.user_h h /* nor dm.that */ join ods.user u using (user_id)"
    assert sql_tables(text) == {"mid.user_h", "ods.user"}


def test_dependencies_come_from_the_sql_and_quality_stages():
    deps = dependencies()
    assert set(deps["mid.user_profile_m"]) >= {"mid.user_h", "mid.customer_m", "mid.product_m", "mid.user_account_m"}
    assert "dq.ods_d" in deps["mid.user_usage_d"]          # readers of checked ODS tables wait for the checks
    assert "dq.mid_m" in deps["dm.kpi_m"]
    assert "dq.mid_m" not in deps["mid.user_h"]            # a stage never waits for what it checks
    assert set(deps["dq.mid_m"]) >= {"mid.user_bill_m", "mid.user_usage_m"}
    assert "dm.user_wide_m" in deps["dm.churn_score_m"]     # a score step reads its family's inputs
    # a campaign reads what its target SQL names; its BOSS file waits for it
    assert {"dm.churn_score_m", "dm.user_value_m", "dm.uplift_score_m"} <= set(deps["out.campaign_target_m"])
    assert "out.campaign_target_m" in deps["out.boss_retention_m"]
    # the feedback stage checks only the feedback interfaces, the monthly one none of them
    assert set(deps["dq.ods_fb"]) == {"ods.fb_retention", "ods.fb_care", "ods.fb_campaign"}
    assert not {"ods.fb_retention", "ods.fb_care", "ods.fb_campaign"} & set(deps["dq.ods_m"])
    # a failed re-rating check stops the plan fit; the survey evaluation waits for the answers
    assert {"dq.tariff_m", "dm.rerate_m"} <= set(deps["dm.plan_fit_m"])
    assert "ods.fb_survey" in deps["dm.survey_eval_m"]


ALL_PIPELINES = ["daily", "monthly", "tariff", "scoring", "profiles", "feedback", "survey", "sales"]


@pytest.mark.parametrize("name", ALL_PIPELINES)
def test_declared_pipelines_are_consistent(name):
    p = load_pipeline(name)
    jobs = {n.step for n in p.nodes}
    seen = set()
    for n in p.nodes:
        assert set(n.after) <= seen, f"{n.step} runs before {set(n.after) - seen}"
        assert not set(n.inputs) & jobs
        expected = "daily" if n.at == graph.MONTH_END else p.grain
        assert step(n.step).grain.name == expected, n.step
        seen.add(n.step)
    assert set(pipeline_names()) == set(ALL_PIPELINES)


def test_cross_batch_inputs_make_steps_stale_not_wait():
    nodes = {n.step: n for n in load_pipeline("monthly").nodes}
    assert "mid.user_usage_d" in nodes["mid.user_usage_m"].inputs and not nodes["mid.user_usage_m"].after
    assert nodes["ods.user"].at == graph.MONTH_END


@pytest.fixture
def fresh_graph():
    all_steps.cache_clear(), dependencies.cache_clear(), load_pipeline.cache_clear()
    yield
    all_steps.cache_clear(), dependencies.cache_clear(), load_pipeline.cache_clear()


def test_an_unknown_input_is_an_error(monkeypatch, fresh_graph):
    sql = STEP_KINDS["sql"]
    original = sql.inputs
    monkeypatch.setattr(sql, "inputs", lambda self: original(self) + (("mid.nowhere",) if self.name == "dm.kpi_m" else ()))
    with pytest.raises(ValueError, match=r"dm.kpi_m reads \['mid.nowhere'\]"):
        dependencies()


def test_a_cycle_is_an_error(monkeypatch, fresh_graph):
    sql = STEP_KINDS["sql"]
    original = sql.inputs
    monkeypatch.setattr(sql, "inputs", lambda self: original(self) + (("dm.kpi_m",) if self.name == "mid.user_h" else ()))
    with pytest.raises(ValueError, match="cycle"):
        load_pipeline("monthly")


def test_a_step_of_the_wrong_grain_is_refused(tmp_path, monkeypatch, fresh_graph):
    conf = tmp_path / "conf"
    conf.mkdir()
    from bass.core.config import conf_dir
    for item in conf_dir().iterdir():
        (conf / item.name).symlink_to(item)
    (conf / "pipelines.yml").unlink()
    (conf / "pipelines.yml").write_text("daily:\n  grain: daily\n  steps: [ods.user, dm.kpi_m]\n")
    monkeypatch.setenv("BASS_CONF_DIR", str(conf))
    with pytest.raises(ValueError, match="dm.kpi_m runs for a month"):
        load_pipeline("daily")
