"""Both uplift learners find whom a contact helps; deciles and the Qini curve by hand."""
import math
import random

import pytest
from pyspark.sql import functions as F

from bass.ml import features
from bass.ml.uplift import deciles, pipeline, predictions, qini, segments


def test_the_two_models_find_whom_a_contact_helps(spark):
    """Users with `heavy` = 1 leave half the time untouched and a tenth when contacted; the others
    leave 30 % of the time either way (the noise column carries nothing)."""
    rnd = random.Random(4)
    rows = []
    for i in range(2000):
        heavy, treated = i % 2, rnd.random() < 0.6
        p = (0.1 if treated else 0.5) if heavy else 0.3
        rows.append((f"U{i}", "2026-03", float(heavy), rnd.random(), "treated" if treated else "control",
                     int(rnd.random() < p), float(treated), float(not treated)))
    df = spark.createDataFrame(rows, "user_id string, batch_month string, heavy double, noise double, grp string, "
                                     "label int, w_treated double, w_control double")
    spec = features.FeatureSpec(("heavy", "noise"), ())
    model = pipeline(spec, {"learner": "two_model", "classifier": "logistic_regression",
                               "params": {"regParam": 0.001}}, 7).fit(df)
    got = {r.heavy: r.u for r in predictions(model, df).groupBy("heavy").agg(F.avg("uplift").alias("u")).collect()}
    assert got[1.0] == pytest.approx(0.4, abs=0.06) and got[0.0] == pytest.approx(0.0, abs=0.06)
    table_ = deciles(predictions(model, df))
    assert [d["decile"] for d in table_] == list(range(1, 11))
    top, bottom = table_[0], table_[-1]
    assert top["observed"] > 0.25 and abs(bottom["observed"]) < 0.12     # the heavy users come first
    assert qini(table_)["qini_coefficient"] > 0


def test_the_relative_risk_learner_finds_the_share_of_risk_an_action_removes(spark):
    """A contact removes 60 % of a brand G user's churn risk and 10 % of a brand E user's: the
    uplift is the risk times that share, so the riskiest G users come first."""
    rnd = random.Random(6)
    share = {"G": 0.6, "E": 0.1}
    rows = []
    for i in range(8000):
        brand, p, treated = ("G", "E")[i % 2], rnd.uniform(0.05, 0.9), rnd.random() < 0.5
        rows.append((f"U{i}", "2026-03", brand, p, math.log(p), float(treated), "treated" if treated else "control",
                     int(rnd.random() < p * (1 - share[brand] if treated else 1.0))))
    df = spark.createDataFrame(rows, "user_id string, batch_month string, brand string, churn_prob double, "
                                     "churn_log double, treated double, grp string, label int")
    model = pipeline(None, {"learner": "s_learner", "effect_by": ["brand"]}, 7).fit(df)
    probe = spark.createDataFrame([("G", math.log(0.8)), ("G", math.log(0.2)), ("E", math.log(0.8))],
                                  "brand string, churn_log double")
    got = [r.uplift for r in predictions(model, probe).collect()]
    assert got == pytest.approx([0.8 * 0.6, 0.2 * 0.6, 0.8 * 0.1], abs=0.06)
    assert got[0] > got[1] > got[2]


def test_a_segment_can_be_an_expression_over_the_wide_table(spark):
    """effect_by may name a SQL expression: a contact removes half the risk of users without a
    complaint and none of a complainer's (complaints > 0), whatever the brand; the model
    saved with the expression scores rows that only have the raw columns."""
    rnd = random.Random(8)
    rows = []
    for i in range(8000):
        complaints, p, treated = float(i % 5 == 0) * (1 + i % 3), rnd.uniform(0.05, 0.9), rnd.random() < 0.5
        removed = 0.5 if treated and complaints == 0 else 0.0
        rows.append((f"U{i}", ("G", "E")[i % 2], complaints, p, math.log(p), float(treated),
                     "treated" if treated else "control", int(rnd.random() < p * (1 - removed))))
    df = spark.createDataFrame(rows, "user_id string, brand string, complaints double, churn_prob double, "
                                     "churn_log double, treated double, grp string, label int")
    conf = {"learner": "s_learner", "effect_by": {"brand": "brand", "complained": "complaints > 0"}}
    model = pipeline(None, conf, 7).fit(df)
    probe = spark.createDataFrame([("G", 0.0, math.log(0.6)), ("E", 2.0, math.log(0.6)), ("E", None, math.log(0.6))],
                                  "brand string, complaints double, churn_log double")
    got = [r.uplift for r in predictions(model, probe).orderBy("complaints").collect()]
    assert got[1] == pytest.approx(0.3, abs=0.06) and got[2] == pytest.approx(0.0, abs=0.06)
    assert got[0] is not None                            # a null segment value is a level of its own
    assert segments(["brand"]) == {"brand": "`brand`"}


def test_the_log_odds_learner_finds_the_effect_by_segment_and_risk(spark):
    """A contact lowers the churn log-odds by 1.8 for brand G and by 0.3 for brand E. Among users
    of the same risk, G users gain more; among G users, one whose leaving is nearly certain gains
    less than one at even odds, so the ranking is not the churn score's."""
    rnd = random.Random(5)
    shift = {"G": 1.8, "E": 0.3}
    rows = []
    for i in range(6000):
        brand, logit, treated = ("G", "E")[i % 2], rnd.uniform(-2.0, 4.0), rnd.random() < 0.5
        p = 1 / (1 + math.exp(-(logit - (shift[brand] if treated else 0.0))))
        rows.append((f"U{i}", "2026-03", brand, 1 / (1 + math.exp(-logit)), logit, float(treated),
                     "treated" if treated else "control", int(rnd.random() < p)))
    df = spark.createDataFrame(rows, "user_id string, batch_month string, brand string, churn_prob double, churn_logit double, "
                                     "treated double, grp string, label int")
    model = pipeline(None, {"learner": "s_learner", "link": "logit", "effect_by": ["brand"]}, 7).fit(df)
    probe = spark.createDataFrame([("G", 0.0), ("G", 4.0), ("E", 0.0)], "brand string, churn_logit double")
    got = [r.uplift for r in predictions(model, probe).collect()]
    truth = [0.5 - 1 / (1 + math.exp(1.8)), 1 / (1 + math.exp(-4)) - 1 / (1 + math.exp(-2.2)),
             0.5 - 1 / (1 + math.exp(0.3))]
    assert got == pytest.approx(truth, abs=0.05)
    assert got[0] > got[1] > got[2]
    assert qini(deciles(predictions(model, df)))["qini_coefficient"] > 0


def test_qini_curve_by_hand():
    # decile 1: 10 treated (1 left), 10 control (5 left); decile 2: 10 treated (3 left), 10 control (3 left)
    table_ = [dict(decile=1, treated=10, control=10, churn_t=1, churn_c=5),
              dict(decile=2, treated=10, control=10, churn_t=3, churn_c=3)]
    q = qini(table_)
    assert q["qini_curve"] == [0.0, 4.0, 4.0]          # 5 x 10/10 - 1; then 8 x 20/20 - 4
    assert q["random_curve"] == [0.0, 2.0, 4.0]
    assert q["qini_coefficient"] == pytest.approx((2.0 + 0.0) / 2 / 20)


def test_the_effect_changes_with_the_score_only_when_asked(spark):   # the stages are JVM objects
    def outputs(conf):
        return [s.getOutputCol() for s in pipeline(None, {"learner": "s_learner", **conf}, 7).getStages()
                if s.hasParam("outputCol")]
    assert "treated_x_score" not in outputs({"effect_by": ["brand"]})
    assert "treated_x_score" in outputs({"effect_by": ["brand"], "effect_by_score": True})


def test_the_champion_is_refit_with_the_month_it_was_judged_on(ctx):
    """Lists of three months; from the second on, a contact helps the users whose contract ends
    soon. The model judged on the newest month was fitted without it (and beat a random order
    there); the champion stored is refit with it."""
    from bass.ml.tracking import Tracker
    from bass.ml.uplift import train_uplift, with_churn_score
    from tests.unit.frames import put
    months, targets, wide, scores = ("2026-01", "2026-02", "2026-03"), [], [], []
    for m in months:
        for i in range(400):
            grp = "control" if i % 4 == 0 else "treated"
            helped = i % 8 >= 4 and m != "2026-01"
            left = (i // 8) % 10 < 3 and not (helped and grp == "treated")
            uid = f"U{i}"
            targets.append(dict(campaign_id="retention", user_id=uid, grp=grp, outcome_months=1, batch_month=m))
            wide.append(dict(user_id=uid, msisdn=f"138{i:08d}", batch_month=m, brand="GOTONE", status="NORMAL",
                             contract_ends_3m=i % 8 >= 4, stop_count=0, churn_1m=left))
            scores.append(dict(user_id=uid, churn_prob=0.3, batch_month=m))
    put(ctx, "out.campaign_target_m", targets)
    put(ctx, "dm.user_wide_m", wide)
    put(ctx, "dm.churn_score_m", scores)

    run = train_uplift(ctx)
    assert run.test == "2026-03" and run.promoted and run.metrics["qini_coefficient"] > 0
    tracker = Tracker(ctx, "uplift")
    fit_months = tracker.client.get_run(run.run_id).data.params["fit_months"]
    assert fit_months == "2026-01,2026-02,2026-03"
    rows = with_churn_score(ctx.spark, ctx.spark.table("dm.user_wide_m").where("batch_month = '2026-03'"))
    by = {r[0]: r[1] for r in predictions(tracker.load_champion(), rows).groupBy("contract_ends_3m")
          .agg(F.avg("uplift")).collect()}
    assert by[True] > by[False] + 0.05, by


def test_an_uplift_model_no_better_than_a_random_order_is_not_promoted(ctx):
    """The same lists, but a contact helps nobody: whatever the model ranks first, its Qini
    coefficient is not above a random order's 0, so there is no champion and no uplift score."""
    from bass.core.batch import Batch
    from bass.ml.tracking import Tracker
    from bass.ml.uplift import score_uplift, train_uplift
    from tests.unit.frames import put
    targets, wide, scores = [], [], []
    for m in ("2026-01", "2026-02", "2026-03"):
        for i in range(400):
            uid = f"U{i}"
            targets.append(dict(campaign_id="retention", user_id=uid, grp="control" if i % 4 == 0 else "treated",
                                outcome_months=1, batch_month=m))
            wide.append(dict(user_id=uid, msisdn=f"138{i:08d}", batch_month=m, brand="GOTONE", status="NORMAL",
                             contract_ends_3m=i % 8 >= 4, stop_count=0, churn_1m=(i // 8) % 10 < 3))
            scores.append(dict(user_id=uid, churn_prob=0.3, batch_month=m))
    put(ctx, "out.campaign_target_m", targets)
    put(ctx, "dm.user_wide_m", wide)
    put(ctx, "dm.churn_score_m", scores)
    run = train_uplift(ctx)
    assert run.metrics["qini_coefficient"] <= 0 and not run.promoted
    assert not Tracker(ctx, "uplift").has_champion()
    assert score_uplift(ctx, Batch.of("month", "2026-03")).isEmpty()
