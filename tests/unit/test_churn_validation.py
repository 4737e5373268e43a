"""Validation matches production: a model tested on month T learns only from months whose label
was known at T's end, and the candidates are chosen on an earlier month."""
import random

import pytest

from bass.core.grain import add_months
from bass.ml.churn import model as churn
from tests.unit.frames import put

MONTHS = [f"2026-{m:02d}" for m in range(1, 9)]


def test_windows_keep_the_horizon_between_training_and_test():
    w = churn.windows(MONTHS, 3)
    assert (w.test_month, w.train_months) == ("2026-08", ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05"))
    assert (w.selection_month, w.selection_train) == ("2026-05", ("2026-01", "2026-02"))
    w1 = churn.windows(MONTHS[:3], 1)
    assert (w1.test_month, w1.train_months, w1.selection_month, w1.selection_train) == \
        ("2026-03", ("2026-01", "2026-02"), "2026-02", ("2026-01",))
    short = churn.windows(MONTHS[:5], 3)          # no month 3 before the selection month: stratified folds
    assert short.train_months == ("2026-01", "2026-02") and short.selection_month is None
    with pytest.raises(ValueError, match="at least 3 months before the test month 2026-03"):
        churn.windows(MONTHS[:3], 3)


def leaky_wide(n=400, seed=11):
    """Each user leaves in a random month; the handset maker column carries that month (the
    cohort), a feature that a model can only
    use by having seen the same users' labels for months after its own training window. With
    production-like windows the test month's leavers belong to cohorts never seen as leavers."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        leaves = add_months("2026-01", rnd.randint(1, 10))       # 2026-02 .. 2026-11
        for month in MONTHS[:6]:
            if month >= leaves:
                break
            rows.append(dict(user_id=f"U{i}", batch_month=month, handset_maker=f"cohort {leaves}", age=rnd.randint(18, 70),
                             churn_3m=month < leaves <= add_months(month, 3)))
    return rows


def test_no_label_from_after_the_test_months_scoring_time(ctx):
    put(ctx, "dm.user_wide_m", leaky_wide())
    run = churn.train_churn(ctx, horizon=3)
    assert run.windows.test_month == "2026-06" and run.windows.train_months == ("2026-01", "2026-02", "2026-03")
    # training on 2026-04/05 (labels that need July-August) would learn the July/August cohorts:
    # a test ROC-AUC near 1. Without them the cohort says nothing about the test month's leavers.
    assert run.metrics["roc_auc"] < 0.65, run.metrics["roc_auc"]


def test_the_leakage_test_has_teeth(ctx, monkeypatch):
    """The same data with today's window (training up to the month before the test month) finds
    the cohorts: proof that the test above fails if the window moves back."""
    put(ctx, "dm.user_wide_m", leaky_wide())
    honest = churn.windows

    def leaky(months, horizon):
        w = honest(months, horizon)
        return churn.Windows(horizon, w.test_month, tuple(m for m in months if m < w.test_month), None, ())
    monkeypatch.setattr(churn, "windows", leaky)
    assert churn.train_churn(ctx, horizon=3).metrics["roc_auc"] > 0.8


def test_a_model_no_better_than_the_baseline_rule_is_kept_out_and_the_rule_scores(ctx, caplog):
    """Until the test month, leaving is noise; in the test month the users in arrears leave. The
    model learns nothing, the rule (in arrears or stopped first) ranks the test month perfectly:
    the model is not promoted, and scoring falls back to the rule with a warning."""
    from bass.core.batch import Batch
    from bass.ml.churn import baseline, scoring
    rnd = random.Random(3)
    rows = []
    for i in range(300):
        tenure = rnd.randint(1, 60)
        for month in MONTHS[:4]:
            arrears = rnd.choice([0.0, 0.0, 0.0, 0.0, 30.0])
            left = arrears > 0 if month == "2026-04" else rnd.random() < 0.2
            rows.append(dict(user_id=f"U{i}", msisdn=f"m{i}", batch_month=month, arrears_days=arrears, stop_count=0,
                             tenure_months=tenure + MONTHS.index(month), age=rnd.randint(18, 70), churn_1m=left))
    put(ctx, "dm.user_wide_m", rows)
    with caplog.at_level("WARNING", logger="bass"):
        run = churn.train_churn(ctx, horizon=1)
    assert run.windows.test_month == "2026-04" and run.baseline_auc == pytest.approx(1.0)
    assert run.metrics["roc_auc"] < run.baseline_auc and not run.promoted
    assert "no better than the baseline rule" in caplog.text
    scored = {r.user_id: r for r in scoring.score_churn(ctx, Batch.of("month", "2026-04")).collect()}
    assert len(scored) == 300 and {r.model_version for r in scored.values()} == {baseline.VERSION}
    owing = [r for u, r in scored.items() if next(x for x in rows if x["user_id"] == u and x["batch_month"] == "2026-04")["arrears_days"]]
    assert owing and all(r.churn_prob == 1.0 and r.churn_reasons == "in arrears or stopped for arrears" for r in owing)
    assert all(r.churn_prob == 0.0 for r in scored.values() if r not in owing)
    assert "scoring with the rule" in caplog.text
