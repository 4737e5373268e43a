"""The evaluation report of a churn training run: one self-contained HTML page (inline SVG, no
scripts, no MLflow needed to read it): the candidates' selection scores, the untouched test
month's ROC, cumulative gain, lift and calibration next to the previous champion's, feature
importance, how often each feature is a user's first reason, and the score distribution. Saved
under the reports path and as an MLflow artifact.

The curves come from the validation scores grouped into 1,000 score buckets in Spark, so only
those bucket counts reach the driver, whatever the size of the month.
"""
from __future__ import annotations

import html

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from bass.reports.html import bar_chart, fmt, importance_chart, line_chart, save, table  # noqa: F401  (save: the package API)

BUCKETS = 1000


def bucket_counts(scored: DataFrame, label: str = "label", score: str = "p") -> list[tuple[float, int, int]]:
    """(bucket's lowest score, positives, negatives) per score bucket, highest scores first."""
    b = F.least(F.floor(F.col(score) * BUCKETS), F.lit(BUCKETS - 1))
    rows = (scored.groupBy(b.alias("b"))
            .agg(F.sum(F.col(label).cast("int")).alias("pos"), F.count(F.lit(1)).alias("n"))
            .orderBy(F.desc("b")).collect())
    return [(r.b / BUCKETS, int(r.pos), int(r.n - r.pos)) for r in rows]


def curves(counts: list[tuple[float, int, int]]) -> dict:
    """ROC points (fpr, tpr) and gain points (population share, positives captured)."""
    pos = sum(c[1] for c in counts) or 1
    neg = sum(c[2] for c in counts) or 1
    roc, gain, tp, fp = [(0.0, 0.0)], [(0.0, 0.0)], 0, 0
    for _, p, n in counts:
        tp, fp = tp + p, fp + n
        roc.append((fp / neg, tp / pos))
        gain.append(((tp + fp) / (pos + neg), tp / pos))
    lift = [(x, y / x) for x, y in gain if x >= 0.01]
    return {"roc": roc, "gain": gain, "lift": lift}


def histogram(counts: list[tuple[float, int, int]], bins: int = 20) -> list[tuple[float, int, int]]:
    """Score distribution in `bins` equal-width bins: (bin start, leavers, stayers)."""
    out = [[i / bins, 0, 0] for i in range(bins)]
    for low, p, n in counts:
        i = min(int(low * bins + 1e-9), bins - 1)
        out[i][1] += p
        out[i][2] += n
    return [tuple(x) for x in out]


def churn_report(title: str, facts: dict, candidates: dict, metrics: dict, champion: dict | None, counts: list,
                 importance: list, first_reasons: dict) -> str:
    """The HTML page. `facts`: what was trained on what; `candidates`: selection ROC-AUC per
    candidate; `metrics` and `champion`: the test month's, of this model and of the champion
    before it (None when there was none); `first_reasons`: feature -> users for whom it is the
    first reason."""
    c = curves(counts)
    base = metrics.get("positive_rate", 0.0)
    cal = metrics.get("calibration", [])
    top_p = max([r["mean_predicted"] or 0 for r in cal] + [r["observed_rate"] or 0 for r in cal] + [0.05])
    hist = histogram(counts)
    charts = [
        line_chart(f"ROC (AUC {metrics['roc_auc']:.3f})", "false positive rate", "true positive rate",
                   [("model", c["roc"], "#c0392b", False), ("random", [(0, 0), (1, 1)], "#999", True)]),
        line_chart("Cumulative gain", "share of users contacted (highest scores first)", "share of leavers captured",
                   [("model", c["gain"], "#c0392b", False), ("random", [(0, 0), (1, 1)], "#999", True),
                    ("perfect", [(0, 0), (base, 1), (1, 1)], "#27ae60", True)]),
        line_chart(f"Lift (top decile {metrics['top_decile_lift']:.2f})", "share of users contacted", "lift over random",
                   [("model", c["lift"], "#c0392b", False), ("random", [(0, 1), (1, 1)], "#999", True)],
                   yr=(0, max([y for _, y in c["lift"]] + [2]))),
        line_chart("Calibration by score decile", "mean predicted probability", "observed leaving rate",
                   [("this model", [(r["mean_predicted"] or 0, r["observed_rate"] or 0) for r in cal], "#c0392b", False),
                    *([("previous champion", [(r["mean_predicted"] or 0, r["observed_rate"] or 0)
                                              for r in champion["calibration"]], "#8e44ad", False)] if champion else []),
                    ("perfect", [(0, 0), (top_p, top_p)], "#999", True)], xr=(0, top_p), yr=(0, top_p)),
        bar_chart("Score distribution (red: left, blue: stayed)", "churn probability (0 to 1, 20 bins)", "users",
                  [(f"{lo:.2f}", [p, n]) for lo, p, n in hist]),
    ]
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts.items())
    keys = ["roc_auc", "pr_auc", "lift_top5", "lift_top10", "lift_top20", "capture_top5", "capture_top10",
            "capture_top20", "positive_rate", "rows"]
    mrows = "".join(f"<tr><th>{k}</th><td>{metrics[k]:.4g}</td><td>{fmt((champion or {}).get(k))}</td></tr>"
                    for k in keys if k in metrics)
    cand = table(["candidate", "selection ROC-AUC"],
                  [(k, f"{v:.4f}") for k, v in sorted(candidates.items(), key=lambda x: -x[1])])
    total = sum(first_reasons.values()) or 1
    reasons = [(k, v / total) for k, v in sorted(first_reasons.items(), key=lambda x: -x[1])]
    crow = "".join(f"<tr><td>{r['decile']}</td><td>{r['rows']}</td><td>{(r['mean_predicted'] or 0):.4f}</td>"
                   f"<td>{(r['observed_rate'] or 0):.4f}</td></tr>" for r in cal)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
            "body{font-family:sans-serif;margin:24px;max-width:1400px}figure{display:inline-block;margin:8px}"
            "figcaption{text-align:center;font-size:13px}table{border-collapse:collapse;margin:8px 24px 8px 0;"
            "display:inline-table;vertical-align:top}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;"
            "text-align:left}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><table>{rows}</table>{cand}"
            f"<h2>The test month (no part in any choice)</h2>"
            f"<table><tr><th>metric</th><th>this model</th><th>previous champion</th></tr>{mrows}</table>"
            f"<table><tr><th>decile</th><th>users</th><th>mean predicted</th><th>observed</th></tr>{crow}</table>"
            f"<div>{''.join(charts)}</div><div>{importance_chart(importance)}"
            f"{importance_chart(reasons, 'Share of users whose first reason is this feature')}</div></body></html>")
