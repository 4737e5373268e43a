"""Feature preparation and calibration are stages of the saved model: a model loaded back from
disk turns raw rows into the same calibrated probabilities, with no feature spec beside it."""
import random

from pyspark.ml import PipelineModel
from pyspark.ml.functions import vector_to_array
from pyspark.sql import functions as F

from bass.ml import features
from bass.ml.churn import search
from bass.ml.churn.candidates import Candidate, Member
from bass.ml.stages import Calibrate, FeaturePrep, LogScale, stage


def raw_rows(spark, n=200, seed=3):
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        risk = rnd.random()
        rows.append((f"U{i}", " 12.5 " if i % 7 else "", rnd.choice(["a", "b", " "]), risk, int(risk > 0.7)))
    return spark.createDataFrame(rows, "user_id string, charges string, plan string, risk double, label int")


def test_a_saved_model_prepares_and_calibrates_raw_rows_itself(spark, tmp_path):
    df = raw_rows(spark)
    spec = features.detect(df, ["user_id", "label"])
    assert set(spec.numeric) == {"charges", "risk"} and spec.categorical == ("plan",)
    trained = search.fit(df, spec, Candidate((Member("logistic_regression"),)), balanced=True)
    path = str(tmp_path / "model")
    trained.model.save(path)
    loaded = PipelineModel.load(path)
    assert stage(loaded, FeaturePrep).spec() == spec
    assert abs(stage(loaded, Calibrate).getOrDefault("baseRate") - trained.base_rate) < 1e-12
    before = {r.user_id: r.p for r in search.score(trained, df).collect()}
    after = {r.user_id: r.p for r in loaded.transform(df).collect()}   # raw text columns in, `p` out
    assert before == after and len(after) == 200
    # the calibration moves the weighted model's mean probability back towards the base rate
    mean_p = loaded.transform(df).agg(F.avg("p")).first()[0]
    prob = Member("logistic_regression").col("prob")
    mean_raw = loaded.transform(df).agg(F.avg(vector_to_array(prob)[1])).first()[0]
    assert abs(mean_p - trained.base_rate) < abs(mean_raw - trained.base_rate)


def test_log_scale_prepares_named_columns(spark):
    df = spark.createDataFrame([(0.0, 3.0), (-2.0, None)], "a double, b double")
    out = LogScale(columns=["a", "b"], logColumns=["a"]).transform(df).collect()
    assert [(r.a__x, r.b__x) for r in out] == [(0.0, 3.0), (0.0, None)]
