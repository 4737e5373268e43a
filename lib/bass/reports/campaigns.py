"""The campaign evaluation report of a list month: one self-contained HTML page (inline SVG) with
what a marketing analyst asks of a campaign: treated against control churn month by month,
the uplift with its interval, response by segment, and for the retention list the observed
uplift by decile of predicted uplift with its Qini curve. Written after dm.campaign_eval_m
(step kind `evaluation`) to reports/campaigns/<month>.html. Only aggregates reach the driver."""
from __future__ import annotations

import html

from pyspark.sql import functions as F

from bass.reports.html import bar_chart, line_chart, save, table

COLOURS = ("#c0392b", "#2e86c1", "#27ae60", "#8e44ad")


def _pct(v) -> str:
    return "" if v is None else f"{v:.1%}"


def churn_over_time(evals: list) -> list[str]:
    """Per campaign: treated and control churn of every evaluated month."""
    charts = []
    for campaign in sorted({r.campaign_id for r in evals}):
        rows = [r for r in evals if r.campaign_id == campaign]
        months = [r.batch_month for r in rows]
        top = max([r.churn_control or 0 for r in rows] + [r.churn_treated or 0 for r in rows] + [0.01]) * 1.2
        xs = range(len(rows))
        series = [("treated", [(i, r.churn_treated) for i, r in zip(xs, rows)], COLOURS[0], False),
                  ("control", [(i, r.churn_control) for i, r in zip(xs, rows)], COLOURS[1], True)]
        charts.append(line_chart(f"{campaign}: churn of treated vs control, {months[0]}..{months[-1]} (x = month)",
                                 "evaluated month (index)", "churn rate", series, xr=(0, max(1, len(rows) - 1)), yr=(0, top)))
    return charts


def response_by_segment(spark, month: str) -> list[str]:
    """Per campaign: the treated users' response rate by customer segment."""
    if not spark.catalog.tableExists("dm.user_segment_m"):
        return []
    resp = (spark.table("mid.campaign_response_m").where((F.col("batch_month") == month) & (F.col("grp") == "treated"))
            .join(spark.table("dm.user_segment_m").where(F.col("batch_month") == month).select("user_id", "segment_id"),
                  "user_id", "left")
            .groupBy("campaign_id", "segment_id")
            .agg(F.avg(F.coalesce(F.col("responded"), F.lit(False)).cast("int")).alias("rate"), F.count(F.lit(1)).alias("n"))
            .orderBy("campaign_id", "segment_id").collect())
    charts = []
    for campaign in sorted({r.campaign_id for r in resp}):
        bars = [(str(r.segment_id), [float(r.rate)]) for r in resp if r.campaign_id == campaign]
        charts.append(bar_chart(f"{campaign} {month}: response rate by segment (bars: segments "
                                + ", ".join(b[0] for b in bars) + ")", "segment", "response rate", bars))
    return charts


def uplift_deciles(spark, month: str, campaign: str = "retention") -> tuple[list, dict] | None:
    """The month's retention targets by decile of predicted uplift: observed uplift and Qini."""
    from bass.ml.uplift import deciles, qini
    if not spark.catalog.tableExists("dm.uplift_score_m"):
        return None
    scored = (spark.table("out.campaign_target_m").where((F.col("batch_month") == month) & (F.col("campaign_id") == campaign))
              .join(spark.table("dm.uplift_score_m").select("user_id", "batch_month", "uplift"), ["user_id", "batch_month"])
              .join(spark.table("dm.churn_label_m").select("user_id", "batch_month", "churn_1m", "churn_3m"),
                    ["user_id", "batch_month"])
              .withColumn("label", F.when(F.col("outcome_months") == 1, F.col("churn_1m")).otherwise(F.col("churn_3m"))
                          .cast("int")).where(F.col("label").isNotNull()))
    if scored.isEmpty():
        return None
    table_ = deciles(scored)
    return table_, qini(table_)


def campaign_report(ctx, month: str) -> str:
    spark = ctx.spark
    evals = spark.table("dm.campaign_eval_m").where(F.col("batch_month") <= month).orderBy("campaign_id", "batch_month").collect()
    now = [r for r in evals if r.batch_month == month]
    head = ["campaign", "targeted", "treated", "control", "contacted", "response", "churn treated", "churn control",
            "uplift", "95 % CI", "churners prevented", "ARPU after T/C", "incremental revenue", "cost", "ROI"]
    rows = [[r.campaign_id, r.targeted, r.treated, r.control, r.contacted, _pct(r.response_rate), _pct(r.churn_treated),
             _pct(r.churn_control), _pct(r.uplift), f"[{_pct(r.uplift_ci_low)}, {_pct(r.uplift_ci_high)}]",
             f"{r.churners_prevented:.1f}", f"{r.arpu_after_treated:.1f} / {r.arpu_after_control:.1f}",
             f"{r.incremental_revenue:,.0f}", f"{r.cost:,.0f}", "" if r.roi is None else f"{r.roi:.2f}"] for r in now]
    charts = churn_over_time(evals) + response_by_segment(spark, month)
    found = uplift_deciles(spark, month)
    decile_html = "<p>No uplift scores for this month's list (the uplift model learns from earlier lists).</p>"
    if found:
        table_, q = found
        n = len(q["qini_curve"]) - 1
        charts.append(bar_chart(f"retention {month}: observed uplift by decile of predicted uplift (1 = highest)",
                                "decile", "control churn - treated churn",
                                [(str(d["decile"]), [max(0.0, d["observed"] or 0.0)]) for d in table_]))
        top = max(q["qini_curve"] + q["random_curve"] + [1.0])
        low = min(q["qini_curve"] + q["random_curve"] + [0.0])
        charts.append(line_chart(f"retention {month}: Qini curve (Qini coefficient {q['qini_coefficient']:.4f})",
                                 "share of targets (by predicted uplift)", "churners prevented",
                                 [("model", [(i / n, v) for i, v in enumerate(q["qini_curve"])], COLOURS[0], False),
                                  ("random", [(i / n, v) for i, v in enumerate(q["random_curve"])], COLOURS[1], True)],
                                 xr=(0, 1), yr=(low, top)))
        decile_html = table(["decile", "treated", "control", "churned T", "churned C", "predicted", "observed"],
                             [[d["decile"], d["treated"], d["control"], d["churn_t"], d["churn_c"],
                               f"{d['predicted']:+.3f}", "" if d["observed"] is None else f"{d['observed']:+.3f}"]
                              for d in table_])
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>Campaigns {month}</title>"
            "<style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:12px}"
            "td,th{border:1px solid #ccc;padding:3px 6px}figure{display:inline-block;margin:8px}</style></head><body>"
            f"<h1>Campaign evaluation, lists of {html.escape(month)}</h1>"
            "<p>Treated users were sent to BOSS; the control group was drawn at random within the same priority "
            "deciles and held back, so treated minus control is the campaign's effect. Uplift = control churn − "
            "treated churn (churners prevented per treated user).</p>"
            f"{table(head, rows)}<h2>Uplift by decile (retention)</h2>{decile_html}<div>{''.join(charts)}</div>"
            "</body></html>")
    return save(ctx.cfg.path("reports"), f"campaigns/{month}.html", page)
