"""The churn model's champion alias moves only when a model beats it on the same validation month."""
import random

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
