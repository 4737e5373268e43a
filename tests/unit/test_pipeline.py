"""Batch DAGs: dependency order, cycles, and a failed job blocking only its dependents."""
import pytest

from bass import pipeline
from bass.pipeline import Step, order


def test_order_respects_dependencies_and_declaration():
    steps = [Step("dm.x", ("mid.y",)), Step("ods.a", ()), Step("mid.y", ("ods.a", "ods.b")), Step("ods.b", ())]
    assert [s.job for s in order(steps)] == ["ods.a", "ods.b", "mid.y", "dm.x"]


def test_cycle_and_unknown_dependency_are_errors():
    with pytest.raises(ValueError, match="cycle"):
        order([Step("a", ("b",)), Step("b", ("a",))])
    with pytest.raises(ValueError, match="undeclared"):
        order([Step("a", ("zzz",))])


def test_declared_pipelines_are_valid():
    daily = [s.job for s in pipeline.load_pipeline("daily")]
    assert daily.index("mid.user_usage_d") > daily.index("ods.cdr_voice")
    assert daily[-1] == "dm.kpi_d"
    monthly = pipeline.load_pipeline("monthly")
    assert [s.at for s in monthly if s.job == "ods.user"] == ["month_end"]
    assert pipeline.step_batch(monthly[0], "2026-02") == "2026-02-28"


def test_failed_job_blocks_its_dependents_only(monkeypatch):
    class FakeCtx:
        class cfg:
            @staticmethod
            def get(key, default=None):
                return 2
    steps = [Step("ods.a", ()), Step("ods.b", ()), Step("mid.c", ("ods.a",)), Step("dm.d", ("mid.c",)), Step("mid.e", ("ods.b",))]
    ran = []

    class Run:
        status = "SUCCESS"

    def fake_run(ctx, job, batch, force=False):
        ran.append(job)
        if job == "ods.a":
            raise RuntimeError("boom")
        return Run()
    monkeypatch.setattr(pipeline, "load_pipeline", lambda name: order(steps))
    monkeypatch.setattr(pipeline, "run_job", fake_run)
    monkeypatch.setattr(pipeline.delta_io, "ensure_meta_tables", lambda ctx: None)
    status = pipeline.run_pipeline(FakeCtx(), "daily", "2026-01-01")
    assert status == {"ods.a": "FAILED", "ods.b": "SUCCESS", "mid.c": "BLOCKED", "dm.d": "BLOCKED", "mid.e": "SUCCESS"}
    assert sorted(ran) == ["mid.e", "ods.a", "ods.b"]
