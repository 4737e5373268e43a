"""The two-model uplift estimate finds whom a contact helps; deciles and the Qini curve by hand."""
import random

import pytest
from pyspark.sql import functions as F

from bass.ml import features
from bass.ml.uplift import deciles, pipeline, predictions, qini


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
    model = pipeline(spec, {"kind": "logistic_regression", "params": {"regParam": 0.001}}, 7).fit(df)
    got = {r.heavy: r.u for r in predictions(model, df).groupBy("heavy").agg(F.avg("uplift").alias("u")).collect()}
    assert got[1.0] == pytest.approx(0.4, abs=0.06) and got[0.0] == pytest.approx(0.0, abs=0.06)
    table_ = deciles(predictions(model, df))
    assert [d["decile"] for d in table_] == list(range(1, 11))
    top, bottom = table_[0], table_[-1]
    assert top["observed"] > 0.25 and abs(bottom["observed"]) < 0.12     # the heavy users come first
    assert qini(table_)["qini_coefficient"] > 0


def test_qini_curve_by_hand():
    # decile 1: 10 treated (1 left), 10 control (5 left); decile 2: 10 treated (3 left), 10 control (3 left)
    table_ = [dict(decile=1, treated=10, control=10, churn_t=1, churn_c=5),
              dict(decile=2, treated=10, control=10, churn_t=3, churn_c=3)]
    q = qini(table_)
    assert q["qini_curve"] == [0.0, 4.0, 4.0]          # 5 x 10/10 - 1; then 8 x 20/20 - 4
    assert q["random_curve"] == [0.0, 2.0, 4.0]
    assert q["qini_coefficient"] == pytest.approx((2.0 + 0.0) / 2 / 20)
