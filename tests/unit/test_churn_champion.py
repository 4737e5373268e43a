"""The churn model's champion alias moves only when a model beats it on the same validation month."""
import random

from pyspark.sql import functions as F

from bass.jobs import run_job
from bass.ml import churn
from bass.ml.tracking import Tracker
from tests.unit.frames import put


def wide_rows(with_signal: bool, n=300, seed=5):
    rnd = random.Random(seed)
    rows = []
    for month in ("2026-01", "2026-02", "2026-03"):
        for i in range(n):
            risk = rnd.random()
            rows.append(dict(user_id=f"U{i}", batch_month=month, brand=rnd.choice(["GOTONE", "MZONE"]),
                             revenue_avg3=rnd.random(),                                   # noise
                             fwd_offnet_share=risk if with_signal else None,              # the signal
                             churn_3m=risk + rnd.gauss(0, 0.15) > 0.8))
    return rows


def versions(ctx):
    t = Tracker(ctx)
    return int(t.client.get_model_version_by_alias(t.name, "champion").version), len(t.client.search_model_versions(f"name='{t.name}'"))


def test_champion_moves_only_on_improvement(ctx):
    put(ctx, "dm.user_wide_m", wide_rows(with_signal=False))
    first = churn.train_churn(ctx, horizon=3)
    assert (first.valid_month, first.train_months) == ("2026-03", ["2026-01", "2026-02"])
    assert first.promoted and first.champion_auc is None and versions(ctx) == (1, 1)

    put(ctx, "dm.user_wide_m", wide_rows(with_signal=True))
    better = churn.train_churn(ctx, horizon=3)
    assert better.metrics["roc_auc"] > 0.85 > better.champion_auc
    assert better.promoted and versions(ctx) == (2, 2)

    same = churn.train_churn(ctx, horizon=3)
    assert same.champion_auc == better.metrics["roc_auc"] and not same.promoted
    assert versions(ctx) == (2, 2)


def test_scoring_uses_the_champion_and_is_deterministic(ctx):
    put(ctx, "dm.user_wide_m", wide_rows(with_signal=True))
    churn.train_churn(ctx, horizon=3)
    first = run_job(ctx, "dm.churn_score_m", "2026-03")
    rows = sorted(tuple(r) for r in ctx.spark.table("dm.churn_score_m").collect())
    second = run_job(ctx, "dm.churn_score_m", "2026-03")
    assert first.rows_written == second.rows_written == 300
    assert sorted(tuple(r) for r in ctx.spark.table("dm.churn_score_m").collect()) == rows
    top = ctx.spark.table("dm.churn_score_m").orderBy(F.desc("churn_prob")).first()
    assert top.risk_decile == 1 and top.model_version == "bass_churn v1"
    assert "Share of calls forwarded to other networks: high" in top.churn_reasons
    deciles = {r.risk_decile for r in ctx.spark.table("dm.churn_score_m").select("risk_decile").distinct().collect()}
    assert deciles == set(range(1, 11))
