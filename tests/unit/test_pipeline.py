"""Batch runs: order, a failed job blocking its dependents, resume, backfill in one pass, and
rebuilding only what a reloaded day changed. run_step is faked; the skip logic is real."""
import datetime as dt

import pytest

from bass.core.batch import Batch
from bass.orchestration import pipeline
from bass.orchestration.graph import Node as Step
from bass.orchestration.graph import Pipeline, order
from bass.orchestration.pipeline import BuildLog

DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"]


def test_order_respects_dependencies_and_declaration():
    steps = [Step("dm.x", ("mid.y",)), Step("ods.a", ()), Step("mid.y", ("ods.a", "ods.b")), Step("ods.b", ())]
    assert [s.step for s in order(steps)] == ["ods.a", "ods.b", "mid.y", "dm.x"]


def test_cycle_and_unknown_dependency_are_errors():
    with pytest.raises(ValueError, match="cycle"):
        order([Step("a", ("b",)), Step("b", ("a",))])
    with pytest.raises(ValueError, match="undeclared"):
        order([Step("a", ("zzz",))])


class FakeWarehouse:
    """Stands in for run_step + meta.job_run: records calls, remembers successes."""

    def __init__(self, monkeypatch, steps, fail=(), loads=None):
        self.calls, self.rows, self.fail, self.loads = [], [], set(fail), loads or {}
        monkeypatch.setattr(pipeline, "load_pipeline", lambda name: Pipeline(name, "daily", tuple(order(steps))))
        monkeypatch.setattr(pipeline, "run_step", self.run_step)
        monkeypatch.setattr(pipeline, "batch_kind", lambda job: "date")
        monkeypatch.setattr(pipeline, "always_run", lambda job: job.startswith("ods."))
        monkeypatch.setattr(pipeline, "load_build_log", lambda ctx: BuildLog(list(self.rows)))
        monkeypatch.setattr(pipeline.bookkeeping, "ensure_tables", lambda ctx: None)

    def run_step(self, ctx, job, batch, force=False):
        self.calls.append((job, batch.values))
        if job in self.fail:
            raise RuntimeError("boom")
        run = type("Run", (), {})()
        run.status, run.batch = "SUCCESS", batch
        if job.startswith("ods."):   # the loader loads only deliveries it has not loaded yet
            new = tuple(v for v in batch.values if v in self.loads.get(job, batch.values))
            self.loads[job] = ()
            if not new:
                run.status = "SKIPPED"
            else:
                run.batch = Batch("date", new)
        if run.status == "SUCCESS":
            self.rows.append(type("Row", (), dict(job=job, batch_kind="date", batch_from=run.batch.first,
                                                  batch_to=run.batch.last, ended_at=dt.datetime.now()))())
        return run


class Ctx:
    class cfg:
        @staticmethod
        def get(key, default=None):
            return 2


STEPS = [Step("ods.a", ()), Step("ods.b", ()), Step("mid.c", ("ods.a",)), Step("dm.d", ("mid.c",)), Step("mid.e", ("ods.b",))]


def test_failed_job_blocks_its_dependents_only(monkeypatch):
    wh = FakeWarehouse(monkeypatch, STEPS, fail={"ods.a"})
    status = pipeline.run_pipeline(Ctx(), "daily", "2026-01-01")
    assert status == {"ods.a": "FAILED", "ods.b": "SUCCESS", "mid.c": "BLOCKED", "dm.d": "BLOCKED", "mid.e": "SUCCESS"}
    assert sorted(j for j, _ in wh.calls) == ["mid.e", "ods.a", "ods.b"]


def test_rerun_resumes_after_a_failure(monkeypatch):
    wh = FakeWarehouse(monkeypatch, STEPS, fail={"mid.c"})
    pipeline.run_pipeline(Ctx(), "daily", DAYS)
    wh.fail.clear()
    wh.calls.clear()
    status = pipeline.run_pipeline(Ctx(), "daily", DAYS)
    assert status == {"ods.a": "SKIPPED", "ods.b": "SKIPPED", "mid.c": "SUCCESS", "dm.d": "SUCCESS", "mid.e": "UP_TO_DATE"}
    assert [j for j, _ in wh.calls if not j.startswith("ods.")] == ["mid.c", "dm.d"]


def test_backfill_runs_each_job_once_over_the_range(monkeypatch):
    wh = FakeWarehouse(monkeypatch, STEPS)
    pipeline.run_pipeline(Ctx(), "daily", DAYS)
    assert sorted(wh.calls) == sorted((s.step, tuple(DAYS)) for s in STEPS)
    wh.calls.clear()
    status = pipeline.run_pipeline(Ctx(), "daily", DAYS)
    assert [j for j, _ in wh.calls if not j.startswith("ods.")] == []
    assert status["dm.d"] == "UP_TO_DATE"
    status = pipeline.run_pipeline(Ctx(), "daily", DAYS, force=True)
    assert status["dm.d"] == "SUCCESS"


def test_a_reloaded_day_rebuilds_only_that_day_downstream(monkeypatch):
    wh = FakeWarehouse(monkeypatch, STEPS)
    pipeline.run_pipeline(Ctx(), "daily", DAYS)
    wh.calls.clear()
    wh.loads["ods.a"] = ("2026-01-02",)     # late CDRs for day 2 arrive as a resend
    status = pipeline.run_pipeline(Ctx(), "daily", DAYS)
    assert [c for c in wh.calls if not c[0].startswith("ods.")] == [("mid.c", ("2026-01-02",)), ("dm.d", ("2026-01-02",))]
    assert status["mid.e"] == "UP_TO_DATE"


def test_monthly_job_is_stale_when_its_daily_input_changed(monkeypatch):
    t0 = dt.datetime(2026, 2, 1, 1)
    row = lambda job, kind, a, b, t: type("R", (), dict(job=job, batch_kind=kind, batch_from=a, batch_to=b, ended_at=t))()  # noqa: E731
    h = BuildLog([row("mid.m", "month", "2026-01", "2026-01", t0),
                 row("mid.d", "date", "2026-01-10", "2026-01-10", t0 + dt.timedelta(hours=1))])
    step = Step("mid.m", (), None, ("mid.d",))
    monkeypatch.setattr(pipeline, "batch_kind", {"mid.m": "month", "mid.d": "date"}.get)
    monkeypatch.setattr(pipeline, "always_run", lambda job: False)
    # January was built before the daily input changed; February was never built
    assert pipeline.stale_values(step, ["2026-01", "2026-02"], {"mid.m": step}, h, False) == ["2026-01", "2026-02"]
    h.mark("mid.m", Batch("month", ("2026-01", "2026-02")))
    assert pipeline.stale_values(step, ["2026-01", "2026-02"], {"mid.m": step}, h, False) == []


def test_scoring_is_stale_when_the_wide_table_was_rebuilt(monkeypatch):
    t0 = dt.datetime(2026, 7, 2, 1)
    row = lambda job, a, t: type("R", (), dict(job=job, batch_kind="month", batch_from=a, batch_to=a, ended_at=t))()  # noqa: E731
    h = BuildLog([row("dm.churn_score_m", "2026-05", t0), row("dm.churn_score_m", "2026-06", t0),
                 row("dm.user_wide_m", "2026-05", t0 - dt.timedelta(hours=1)),
                 row("dm.user_wide_m", "2026-06", t0 + dt.timedelta(hours=1))])    # June rebuilt after scoring
    step = Step("dm.churn_score_m", (), None, ("dm.user_wide_m",))
    assert pipeline.stale_values(step, ["2026-05", "2026-06"], {step.step: step}, h, False) == ["2026-06"]


def test_a_batch_serving_other_pipelines_runs_only_what_they_read(monkeypatch):
    wh = FakeWarehouse(monkeypatch, STEPS)
    monkeypatch.setattr(pipeline, "feeding", lambda name, serving: {"ods.a", "mid.c"})
    status = pipeline.run_pipeline(Ctx(), "daily", "2026-01-01", serving=("scoring",))
    assert status == {"ods.a": "SUCCESS", "mid.c": "SUCCESS"} and sorted(j for j, _ in wh.calls) == ["mid.c", "ods.a"]


def test_the_monthly_jobs_feeding_scoring_and_feedback_leave_out_the_kpis():
    from bass.orchestration.graph import feeding, load_pipeline
    keep = feeding("monthly", ("scoring", "feedback"))
    assert {"dm.user_wide_m", "dm.churn_label_m", "mid.user_profile_m", "ods.user"} <= keep
    assert not {"dm.kpi_m", "dm.kpi_cube_m"} & keep
    for node in load_pipeline("monthly").nodes:       # whatever a kept job waits for is kept too
        assert node.step not in keep or set(node.after) <= keep
