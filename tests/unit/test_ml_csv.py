"""The churn trainer on a labelled CSV: column types detected, blanks handled, signal found."""
import csv
import dataclasses
import json
import random

from bass.cli import main
from bass.ml import features
from bass.ml.churn import search
from bass.ml.churn.candidates import Member
from bass.ml.churn.evaluate_csv import evaluate_csv


def write_customers(path, n=600, seed=3):
    rnd = random.Random(seed)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["cust", "contract", "charges", "tenure", "noise", "left"])
        for i in range(n):
            contract = rnd.choice(["monthly", "yearly", "two-year"])
            tenure = rnd.randint(1, 72)
            risk = (contract == "monthly") * 1.5 - tenure / 30 + rnd.gauss(0, 0.7)
            charges = "" if i % 50 == 0 else f"{rnd.uniform(20, 100):.2f}"      # blanks, like IBM's TotalCharges
            w.writerow([f"C{i:05d}", contract, charges, tenure, rnd.random(), "Yes" if risk > 0.3 else "No"])


def test_types_are_detected_and_blanks_kept(spark, tmp_path):
    write_customers(tmp_path / "c.csv")
    df = spark.read.csv(str(tmp_path / "c.csv"), header=True)
    spec = features.detect(df, ["cust", "left"])
    assert set(spec.numeric) == {"charges", "tenure", "noise"} and spec.categorical == ("contract",)
    prepared = features.prepare(df, spec)
    assert prepared.where("charges is null").count() == 12


def test_evaluate_csv_finds_the_signal(spark, tmp_path):
    write_customers(tmp_path / "c.csv")
    settings = search.Settings((Member("logistic_regression", (("regParam", 0.01),)), Member("gbt", (("maxIter", 10),))),
                                folds=2, parallelism=2)
    r = evaluate_csv(spark, settings, str(tmp_path / "c.csv"), "left", "Yes", id_col="cust", seed=1, baselines=False)
    assert r["rows"] == 600 and r["selection"] == "stratified 2-fold"
    # both members and their blend were scored on the folds; the best one was chosen
    assert set(r["candidates_selection_auc"]) == {"logistic_regression(regParam=0.01)", "gbt(maxIter=10)",
                                                  "logistic_regression(regParam=0.01) + gbt(maxIter=10)"}
    assert r["model"] == max(r["candidates_selection_auc"], key=r["candidates_selection_auc"].get)
    assert r["roc_auc"] > 0.85 and r["top_decile_lift"] > 1.5
    # a count budget: the first member of the grid only, however busy the machine
    one = evaluate_csv(spark, dataclasses.replace(settings, max_members=1), str(tmp_path / "c.csv"), "left", "Yes",
                       id_col="cust", seed=1, baselines=False)
    assert set(one["candidates_selection_auc"]) == {"logistic_regression(regParam=0.01)"}
    assert one["skipped_by_budget"] == ["gbt(maxIter=10)"]
    assert set(r["top_features"][:2]) == {"contract", "tenure"} and "noise" not in r["top_features"][:2]


def test_cli_prints_a_json_line(tmp_path, capsys, monkeypatch):
    write_customers(tmp_path / "train.csv", seed=3)
    write_customers(tmp_path / "test.csv", n=300, seed=4)
    monkeypatch.setenv("BASS_HOME", str(tmp_path / "home"))
    assert main(["ml", "evaluate-csv", "--csv", str(tmp_path / "train.csv"), "--label", "left", "--positive", "Yes",
                 "--id", "cust", "--test-csv", str(tmp_path / "test.csv")]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"roc_auc", "pr_auc", "top_decile_lift", "rows", "model"} <= set(result) and result["rows"] == 900
    # the plain MLlib baselines on the same split, side by side
    assert 0.6 < result["plain_gbt_auc"] <= 1 and 0.6 < result["plain_lr_auc"] <= 1


def test_blends_pair_the_best_of_different_kinds():
    xgb2, xgb3 = Member("xgboost", (("max_depth", 2),)), Member("xgboost", (("max_depth", 3),))
    lr, gbt = Member("logistic_regression"), Member("gbt")
    assert search.blends([xgb2, xgb3, lr, gbt]) == [(xgb2, lr), (xgb2, lr, gbt)]
    assert search.blends([xgb2, xgb3]) == []          # one kind: nothing to gain from averaging


def test_ml_check_names_a_missing_csv_instead_of_a_traceback(tmp_path, capsys, monkeypatch):
    from bass.devkit import ml_check as check
    missing = tmp_path / "nowhere.csv"
    monkeypatch.setenv("BASS_IBM_CSV", str(missing))
    assert check.main() == 2
    assert f"not found at {missing}; set BASS_IBM_CSV" in capsys.readouterr().err


def test_ml_check_judges_the_planted_world_and_the_gap_to_the_best_possible_ranking():
    from bass.devkit.ml_check import synthetic_meets_targets as ok
    good = {"synthetic_h1_roc_auc": 0.83, "synthetic_h1_bayes_optimal_roc_auc": 0.85,
            "synthetic_h3_roc_auc": 0.78, "synthetic_h3_bayes_optimal_roc_auc": 0.80}
    assert ok(good)
    assert not ok({**good, "synthetic_h1_bayes_optimal_roc_auc": 0.95, "synthetic_h1_roc_auc": 0.94})  # too easy
    assert not ok({**good, "synthetic_h1_bayes_optimal_roc_auc": 0.78, "synthetic_h1_roc_auc": 0.77})  # too hard
    assert not ok({**good, "synthetic_h3_roc_auc": 0.76})               # H=3 falls 0.04 short of the best ranking
    assert not ok({})
    assert not ok({k: v for k, v in good.items() if "_h1_" not in k})   # no H=1 figures: nothing to judge the world by
