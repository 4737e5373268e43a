"""The churn model's champion alias moves only when a model beats it on the same selection rows;
scoring uses the champion of the configured horizon."""
import random
import re

from pyspark.sql import functions as F

from bass.ml.churn import model as churn
from bass.ml.tracking import Tracker
from bass.orchestration.runs import run_step
from tests.unit.frames import put


def wide_rows(with_signal: bool, n=300, seed=5):
    """Leaving follows the risk; the forwarded share shows it exactly (`with_signal`) or blurred
    (enough for a first model to beat the baseline rule, which sees nothing here)."""
    rnd = random.Random(seed)
    rows = []
    for month in ("2026-01", "2026-02", "2026-03"):
        for i in range(n):
            risk = rnd.random()
            blur = rnd.gauss(0, 1.0)
            rows.append(dict(user_id=f"U{i}", batch_month=month, brand=rnd.choice(["GOTONE", "MZONE"]),
                             revenue_avg3=rnd.random(),                                   # noise
                             fwd_offnet_share=risk if with_signal else risk + blur,       # the signal
                             churn_1m=risk + rnd.gauss(0, 0.15) > 0.8))
    return rows


def versions(ctx):
    t = Tracker(ctx, horizon=1)
    return int(t.client.get_model_version_by_alias(t.name, "champion").version), len(t.client.search_model_versions(f"name='{t.name}'"))


def test_champion_moves_only_on_improvement(ctx):
    put(ctx, "dm.user_wide_m", wide_rows(with_signal=False))
    first = churn.train_churn(ctx, horizon=1)
    w = first.windows
    assert (w.test_month, w.train_months, w.selection_month, w.selection_train) == \
        ("2026-03", ("2026-01", "2026-02"), "2026-02", ("2026-01",))
    assert first.promoted and first.champion_auc is None and versions(ctx) == (1, 1)
    assert first.metrics["roc_auc"] > first.baseline_auc == 0.5          # the rule sees no arrears, tenure or stops

    put(ctx, "dm.user_wide_m", wide_rows(with_signal=True))
    better = churn.train_churn(ctx, horizon=1)
    assert better.metrics["roc_auc"] > 0.85 and better.selection_auc > 0.85 > better.champion_auc
    assert better.promoted and versions(ctx) == (2, 2)

    same = churn.train_churn(ctx, horizon=1)     # the champion scores the selection rows as well as its retrain
    assert not same.promoted and versions(ctx) == (2, 2)


def test_scoring_uses_the_champion_and_is_deterministic(ctx):
    put(ctx, "dm.user_wide_m", wide_rows(with_signal=True))
    churn.train_churn(ctx, horizon=1)
    first = run_step(ctx, "dm.churn_score_m", "2026-03")
    rows = sorted(tuple(r) for r in ctx.spark.table("dm.churn_score_m").collect())
    second = run_step(ctx, "dm.churn_score_m", "2026-03")
    assert first.rows_written == second.rows_written == 300
    assert sorted(tuple(r) for r in ctx.spark.table("dm.churn_score_m").collect()) == rows
    top = ctx.spark.table("dm.churn_score_m").orderBy(F.desc("churn_prob")).first()
    assert top.risk_decile == 1 and top.model_version == "bass_churn_h1 v1"
    assert re.match(r"calls with other networks: n/a \(typical n/a\); forwarded to other networks: (9\d|100) % "
                    r"\(typical [4-6]\d %\)", top.churn_reasons), top.churn_reasons
    assert re.match(r"fwd_offnet_share=(0\.9\d*|1\.0);", top.churn_features), top.churn_features
    deciles = {r.risk_decile for r in ctx.spark.table("dm.churn_score_m").select("risk_decile").distinct().collect()}
    assert deciles == set(range(1, 11))


class _Scores:
    """A stand-in model: its score is one column."""
    def __init__(self, col):
        self.col = col

    def transform(self, df):
        return df.withColumn("p", F.col(self.col))


def test_the_latest_evaluated_month_judges_on_untreated_users(ctx):
    def label(i, m):   # U0-U3 of 2026-02 (treated there) did the opposite of what the scores say
        return 1 - i % 2 if (m == "2026-02" and i < 4) else i % 2
    rows = ctx.spark.createDataFrame(
        [(f"U{i}", m, label(i, m), float(i % 2), float(1 - i % 2)) for m in ("2026-02", "2026-03") for i in range(20)],
        "user_id string, batch_month string, label int, good double, bad double")
    assert churn.evaluated_month(ctx, 1, rows, _Scores("good"), _Scores("bad")) is None   # nothing evaluated yet
    put(ctx, "dm.churn_model_eval_m", [dict(batch_month="2026-02", horizon_months=1),
                                       dict(batch_month="2026-03", horizon_months=3)])
    # the treated users of 2026-02 would reverse the comparison: they are left out
    put(ctx, "out.campaign_target_m", [dict(campaign_id="retention", user_id=f"U{i}", grp="treated", batch_month="2026-02")
                                       for i in range(4)])
    got = churn.evaluated_month(ctx, 1, rows, _Scores("good"), _Scores("bad"))
    assert got == {"month": "2026-02", "challenger_auc": 1.0, "champion_auc": 0.0}
