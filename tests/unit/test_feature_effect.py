"""`bass ml feature-effect`: the churn search with and without a feature group on the same
test month; here the group carries all the signal, so taking it out must cost the AUC."""
import random

import pytest

from bass.ml.churn.feature_effect import feature_effect
from tests.unit.frames import put


def wide_rows(n=300, seed=11):
    rnd = random.Random(seed)
    rows = []
    for month in ("2026-01", "2026-02", "2026-03"):
        for i in range(n):
            exposure = rnd.random()
            rows.append(dict(user_id=f"U{i}", batch_month=month, brand=rnd.choice(["GOTONE", "MZONE"]),
                             revenue_avg3=rnd.random(), social_churn_exposure=exposure, pagerank_rel=rnd.random(),
                             community_size=float(rnd.randint(1, 30)), in_out_balance=rnd.uniform(-1, 1),
                             churn_1m=exposure + rnd.gauss(0, 0.15) > 0.8))
    return rows


def test_the_network_group_is_left_out_of_the_second_search_only(ctx):
    put(ctx, "dm.user_wide_m", wide_rows())
    r = feature_effect(ctx, "network", 1)
    assert (r["test_month"], r["train_months"], r["test_rows"]) == ("2026-03", "2026-01,2026-02", 300)
    assert r["with"]["features"] - r["without"]["features"] == 4
    assert r["with"]["roc_auc"] > 0.85 and r["without"]["roc_auc"] < 0.65
    assert r["roc_auc_change"] == pytest.approx(r["with"]["roc_auc"] - r["without"]["roc_auc"], abs=1e-4)
    assert "truth_roc_auc" not in r["with"]           # no simulator truth in this warehouse


def test_an_unknown_group_is_refused_with_the_known_ones(ctx):
    with pytest.raises(ValueError, match="no feature group 'graph'.*known: network"):
        feature_effect(ctx, "graph", 1)
