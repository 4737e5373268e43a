"""The churn evaluation report: curves from score buckets, and a page with every plot."""
import re
from pathlib import Path

import pytest

from bass.reports import churn as report


def test_curves_from_buckets():
    # highest bucket first: 0.9 holds 3 leavers, 0.5 one of each, 0.1 holds 3 stayers
    counts = [(0.9, 3, 0), (0.5, 1, 1), (0.1, 0, 3)]
    c = report.curves(counts)
    assert c["roc"] == [(0.0, 0.0), (0.0, 0.75), (0.25, 1.0), (1.0, 1.0)]
    assert c["gain"][1] == (3 / 8, 0.75) and c["gain"][-1] == (1.0, 1.0)
    assert c["lift"][0] == pytest.approx((3 / 8, 2.0))          # 75 % captured in 37.5 % of users
    assert report.histogram(counts, bins=4) == [(0.0, 0, 3), (0.25, 0, 0), (0.5, 1, 1), (0.75, 3, 0)]


def test_bucket_counts_in_spark(spark):
    df = spark.createDataFrame([(1, 0.9504), (0, 0.9514), (1, 0.2004), (0, 1.0)], "label int, p double")
    assert report.bucket_counts(df) == [(0.999, 0, 1), (0.951, 0, 1), (0.95, 1, 0), (0.2, 1, 0)]


def test_page_has_every_plot(tmp_path):
    metrics = {"roc_auc": 0.8, "pr_auc": 0.5, "top_decile_lift": 3.0, "lift_top10": 3.0, "positive_rate": 0.1, "rows": 8,
               "calibration": [{"decile": 1, "rows": 4, "mean_predicted": 0.6, "observed_rate": 0.5},
                               {"decile": 2, "rows": 4, "mean_predicted": 0.1, "observed_rate": 0.2}]}
    champion = {**metrics, "roc_auc": 0.7123, "calibration": metrics["calibration"]}
    page = report.churn_report("Churn <test>", {"test_month": "2026-03"}, {"xgboost(max_depth=3)": 0.8123,
                                                                             "gbt": 0.7012}, metrics, champion,
                               [(0.9, 3, 0), (0.5, 1, 1), (0.1, 0, 3)], [("fwd_offnet_share", 0.7), ("age", 0.3)],
                               {"fwd_offnet_share": 30, "age": 10})
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page)
    assert [c.split(" (")[0] for c in captions] == ["ROC", "Cumulative gain", "Lift", "Calibration by score decile",
                                                     "Score distribution", "Feature importance",
                                                     "Share of users whose first reason is this feature"]
    assert page.count("<svg") == 7 and "<script" not in page and "Churn &lt;test&gt;" in page
    assert "fwd_offnet_share" in page and "2026-03" in page
    assert "xgboost(max_depth=3)" in page and "0.8123" in page       # the candidates' selection scores
    assert "0.7123" in page and "previous champion" in page           # the champion on the test month
    assert ">0.75<" in page                                           # 30 of 40 users: first reason
    path = report.save(str(tmp_path), "churn/x.html", page)
    assert Path(path).read_text(encoding="utf-8") == page
