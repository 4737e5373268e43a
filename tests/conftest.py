"""One local SparkSession for the whole run (conf/test.yml); each test module gets its own
BASS_HOME so warehouses never leak between tests.

Tiers (markers, set here from what a test uses, so nobody has to remember them):
- `spark`: the test uses a SparkSession (the `spark` or `ctx` fixture);
- `integration`: under tests/integration, a small simulated province end to end;
- `slow`: a unit test that trains models or runs a pipeline (listed in SLOW below, measured with
  `pytest --durations`); `make test-fast` runs tests/unit without them.

A simulated province is generated once per run for each set of parameters (`simulated`); every
module that asks for it gets its own copy of the delivered files, so modules never share a
warehouse or see each other's rewritten deliveries."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

os.environ["BASS_ENV"] = "test"

from bass.core.config import load_config  # noqa: E402
from bass.core.registry import LAYERS  # noqa: E402
from bass.core.session import Context, build_spark, register_all  # noqa: E402
from bass.devkit.simulator.generate import generate  # noqa: E402

MARKERS = {"spark": "uses a SparkSession", "integration": "a simulated province end to end",
           "slow": "a unit test that trains models or runs pipelines (not in make test-fast)"}
SLOW = {     # measured with `pytest tests/unit --durations=40`: a module name marks every test in it;
    # together they keep the fast tier near 2.5 minutes on 2 cores
    "test_api.py", "test_value_segments.py",
    "test_bench.py::test_duckdb_does_the_hand_written_jobs_work_on_the_same_files",
    "test_business_report.py::test_the_report_compares_months_and_ranks_regions_and_movers",
    "test_campaigns.py::test_campaign_evaluation_of_a_hand_built_month",
    "test_campaigns.py::test_churn_model_is_judged_on_untreated_users",
    "test_campaigns.py::test_care_is_judged_on_satisfaction_by_action_and_segment",
    "test_churn_champion.py::test_champion_moves_only_on_improvement",
    "test_churn_champion.py::test_scoring_uses_the_champion_and_is_deterministic",
    "test_churn_reasons.py::test_blend_of_a_linear_model_and_a_tree_surrogate",
    "test_churn_reasons.py::test_features_of_a_business_reason_are_said_together_in_an_agents_words",
    "test_churn_reasons.py::test_linear_reason_is_the_driver_not_the_unit",
    "test_churn_reasons.py::test_tree_reasons_from_xgboost_path_contributions",
    "test_churn_validation.py::test_no_label_from_after_the_test_months_scoring_time",
    "test_churn_validation.py::test_the_leakage_test_has_teeth",
    "test_churn_validation.py::test_a_model_no_better_than_the_baseline_rule_is_kept_out_and_the_rule_scores",
    "test_feature_effect.py::test_the_network_group_is_left_out_of_the_second_search_only",
    "test_maintain.py::test_maintain_compacts_recent_partitions_and_bookkeeping_then_vacuums",
    "test_ml_csv.py::test_cli_prints_a_json_line",
    "test_ml_csv.py::test_evaluate_csv_finds_the_signal",
    "test_ml_stages.py::test_a_saved_model_prepares_and_calibrates_raw_rows_itself",
    "test_network.py::test_pagerank_matches_networkx",
    "test_network.py::test_user_network_measures_on_a_hand_built_call_graph",
    "test_profiles.py::test_channel_evaluation_flags_numbers_leaving_after_the_commission_and_one_id_many_numbers",
    "test_profiles.py::test_group_warning_flags_members_leaving_and_spend_moving_away",
    "test_profiles.py::test_headquarters_upload_is_the_city_and_brand_cube",
    "test_profiles.py::test_sp_evaluation_compares_its_users_with_similar_ones",
    "test_profiles.py::test_tariff_profile_counts_users_allowances_and_migrations",
    "test_profiles.py::test_terminal_mix_counts_users_per_model_and_where_they_moved",
    "test_profiles.py::test_terminal_profile_dates_the_handset_and_scores_a_second_sim",
    "test_profiles.py::test_value_list_scores_rfm_by_the_months_quintiles",
    "test_recipes.py::test_every_recipe_is_picked_up_by_the_graph_the_pipeline_the_outbox_and_the_dictionary",
    "test_simulator.py::test_leavers_either_disengage_first_or_leave_abruptly_and_usage_follows_disengaging_only",
    "test_simulator.py::test_the_planted_truth_reads_the_logit_each_leaving_draw_was_compared_with",
    "test_tariff.py::test_current_plan_rerating_reproduces_the_simulated_bill",
    "test_tariff.py::test_each_sales_task_rule_on_a_hand_built_user",
    "test_uplift.py::test_the_champion_is_refit_with_the_month_it_was_judged_on",
    "test_usage_sql.py::test_fees_are_summed_as_longs",
    "test_usage_sql.py::test_kpi_d_by_hand",
    "test_usage_sql.py::test_user_usage_d_by_hand",
    "test_usage_sql.py::test_forwarded_traffic_is_counted_in_seconds",
    "test_usage_sql.py::test_user_usage_m_call_graph_by_hand",
    "test_warehouse_sql.py::test_collected_is_what_the_month_settled_and_top_ups_are_their_own",
    "test_warehouse_sql.py::test_group_classes_by_hand",
    "test_warehouse_sql.py::test_kpi_m_by_hand",
    "test_warehouse_sql.py::test_scd2_user_history_from_snapshots",
    "test_warehouse_sql.py::test_user_history_merged_month_by_month_equals_the_full_rebuild",
    "test_warehouse_sql.py::test_vip_tiers_by_hand",
}


def pytest_configure(config):
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if {"spark", "ctx"} & set(item.fixturenames):
            item.add_marker(pytest.mark.spark)
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        if item.path.name in SLOW or f"{item.path.name}::{item.originalname}" in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def spark():
    session = build_spark(load_config("test"))
    yield session
    session.stop()


def context_for(spark, home) -> Context:
    """A Context whose paths all live under `home`, with a clean catalog."""
    os.environ["BASS_HOME"] = str(home)
    for layer in LAYERS:
        spark.sql(f"drop database if exists {layer} cascade")
    cfg = load_config("test")
    register_all(spark, cfg)
    return Context(cfg, spark)


@pytest.fixture
def ctx(spark, tmp_path):
    return context_for(spark, tmp_path / "home")


SMALL_PROVINCE = dict(users=200, start=dt.date(2026, 1, 1), days=4, months=1, seed=5)


class Simulated:
    """Simulated provinces of this run, generated once per set of parameters (generation is most
    of a small module's set-up). `simulated(ctx, **parameters)` copies one into the context's
    landing and truth folders; `simulated.source(**parameters)` is the generated folder itself."""

    def __init__(self, spark, tmp_path_factory):
        self.spark, self.factory, self.made = spark, tmp_path_factory, {}

    def source(self, users: int, start: dt.date, days: int, months: int, seed: int, **options) -> Path:
        key = (users, start, days, months, seed, tuple(sorted(options.items())))
        if key not in self.made:
            self.made[key] = self.generate(self.factory.mktemp("simulated"), users, start, days, months, seed, **options)
        return self.made[key]

    def generate(self, folder: Path, users: int, start: dt.date, days: int, months: int, seed: int, **options) -> Path:
        """A new generation into `folder` (landing/ and truth/), never cached."""
        generate(self.spark, str(folder / "landing"), users, start, days, months, seed, load_config("test").province,
                 str(folder / "truth"), **options)
        return folder

    def __call__(self, ctx: Context, **parameters) -> Context:
        src = self.source(**parameters)
        for sub in ("landing", "truth"):
            shutil.copytree(src / sub, ctx.cfg.path(sub), dirs_exist_ok=True)
        return ctx


@pytest.fixture(scope="session")
def simulated(spark, tmp_path_factory) -> Simulated:
    return Simulated(spark, tmp_path_factory)
