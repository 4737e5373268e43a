"""`bass report business --month M`: the monthly business-analysis report (经营分析月报), one
self-contained HTML page, what a marketing manager opens first.

The province's KPIs against last month and the same month last year; users, churn, ARPU and
revenue by region (cities by name), brand and plan; the revenue structure by reporting group and
account item; users per service, payments by kind and debt; the biggest movers (region × plan);
the trend of every month so far; and the month's model and campaign results. Read from
dm.kpi_cube_m (its subtotals, a few hundred rows a month reach the driver), dm.revenue_m and
dm.kpi_m summed per month, and the evaluation tables. An UNKNOWN row (usage of numbers that are
not ours) is shown only where it holds something.
"""
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

from pyspark.sql import functions as F

from bass.core.grain import add_months
from bass.reports.dimensions import UNKNOWN, holds_something, region_label, region_names
from bass.reports.html import bar_chart, line_chart, save, table

HEADLINE = [("users_in_net", "Users in the network"), ("new_users", "New users"), ("churned_users", "Churned users"),
            ("churn_rate", "Churn rate"), ("revenue", "Revenue"), ("voice_fee", "Call revenue (loaded CDR days)"),
            ("valid_cdrs", "Valid CDRs (calls)"), ("arpu", "ARPU"), ("mou_est", "MOU (estimated)"),
            ("collected", "Collected"), ("collection_rate", "Collection rate")]
RATES = {"churn_rate", "collection_rate"}
# dm.kpi_m measures summed over the province: (column, label), by section
SERVICE_USERS = [("active_users", "Any service (使用用户数)"), ("voice_users", "Voice"), ("sms_users", "SMS"),
                 ("data_users", "Data"), ("vas_users", "VAS")]
PAYMENTS = [("pay_hall", "Halls"), ("pay_bank", "Bank collection (托收)"), ("pay_agent", "Agents"),
            ("pay_e_topup", "E-top-up"), ("pay_entrusted", "Entrusted to banks and post offices (委托代收)"),
            ("pay_remote", "Our users' payments taken in another city (异地代收)"),
            ("collected_for_remote", "Taken here for another city's users (代收异地)"),
            ("pay_for_others", "Collected for other parties, not ours (代收)"), ("collected", "Collected (实收金额)"),
            ("paid_current", "This month's charges paid (已交当月费用)"), ("arrears_recovered", "Arrears recovered (欠费回收)"),
            ("late_fee", "Late fees billed (滞纳金)"), ("card_fee", "Card fees (卡费)"),
            ("arrears_amt", "Arrears at month end"), ("doubtful_debt", "Doubtful debt (呆帐)"), ("bad_debt", "Bad debt (坏帐)")]
ROAMING = [("roam_fee", "Roaming fee billed (漫游费)"), ("roam_call_fee", "Roaming calls, loaded CDR days (漫游通话费)"),
           ("roam_ld_fee", "Roaming long distance, loaded CDR days (漫游长途费)"), ("roam_intl_fee", "Of which abroad"),
           ("visit_calls", "Visitors' calls (入访)"), ("visit_fee", "Visitors' roaming settlement due"),
           ("visit_intl_calls", "Of which from abroad, calls"), ("visit_intl_fee", "Of which from abroad, settlement"),
           ("interconnect_fee", "Interconnect settlement owed (结算费)")]
DIMENSIONS = [("region_code", "region"), ("brand", "brand"), ("plan_id", "plan")]


def _num(v) -> float | None:
    return None if v is None else float(v)


def fmt(measure: str, v) -> str:
    if v is None:
        return "–"
    if measure in RATES:
        return f"{float(v) * 100:.2f} %"
    if isinstance(v, (float, Decimal)):
        return f"{float(v):,.2f}"
    return f"{v:,}"


def change(measure: str, now, before) -> str:
    """Month-on-month or year-on-year change: points for rates, per cent otherwise."""
    now, before = _num(now), _num(before)
    if now is None or before is None:
        return "–"
    if measure in RATES:
        return f"{(now - before) * 100:+.2f} pt"
    return f"{(now - before) / before * 100:+.1f} %" if before else "–"


def cells(spark, months: list[str] | None, where) -> dict:
    """{(month, region, brand, plan, channel): row} of dm.kpi_cube_m for the months (None: all)."""
    df = spark.table("dm.kpi_cube_m").where(where)
    rows = (df if months is None else df.where(F.col("batch_month").isin(months))).collect()
    return {(r.batch_month, r.region_code, r.brand, r.plan_id, r.channel_id): r.asDict() for r in rows}


def only(dimension: str | None):
    """The cube's cells that keep `dimension` alone (None: the province total), channels summed."""
    kept = [d for d, _ in DIMENSIONS if d == dimension]
    cond = F.col("channel_id") == "ALL"
    for d, _ in DIMENSIONS:
        cond &= (F.col(d) != "ALL") if d in kept else (F.col(d) == "ALL")
    return cond


def headline_rows(total: dict, month: str) -> list[list]:
    prev, last_year = add_months(month, -1), add_months(month, -12)
    key = lambda m: (m, "ALL", "ALL", "ALL", "ALL")  # noqa: E731
    now = total.get(key(month), {})
    return [[label, fmt(m, now.get(m)), fmt(m, total.get(key(prev), {}).get(m)),
             change(m, now.get(m), total.get(key(prev), {}).get(m)), change(m, now.get(m), total.get(key(last_year), {}).get(m))]
            for m, label in HEADLINE]


BREAKDOWN = ["users_in_net", "churn_rate", "revenue", "arpu"]


def breakdown_rows(found: dict, month: str, dimension: str, top: int = 12, names: dict | None = None) -> list[list]:
    idx = {"region_code": 1, "brand": 2, "plan_id": 3}[dimension]
    prev = add_months(month, -1)
    now = sorted((r for k, r in found.items() if k[0] == month
                  and (r[dimension] != UNKNOWN or holds_something(r, BREAKDOWN))),
                 key=lambda r: -float(r["revenue"] or 0))[:top]
    before = {k[idx]: r for k, r in found.items() if k[0] == prev}
    out = []
    for r in now:
        b = before.get(r[dimension], {})
        label = region_label(r[dimension], names or {}) if dimension == "region_code" else r[dimension]
        out.append([label, fmt("users_in_net", r["users_in_net"]), change("users_in_net", r["users_in_net"], b.get("users_in_net")),
                    fmt("churn_rate", r["churn_rate"]), fmt("revenue", r["revenue"]), change("revenue", r["revenue"], b.get("revenue")),
                    fmt("arpu", r["arpu"])])
    return out


def movers(found: dict, month: str, top: int = 8, names: dict | None = None) -> list[list]:
    """The region × plan cells whose revenue changed most from last month, either way."""
    prev = add_months(month, -1)
    rows = []
    for (m, region, _brand, plan, _ch), r in found.items():
        if m != month or (UNKNOWN in (region, plan) and not holds_something(r, ["users_in_net", "revenue"])):
            continue
        b = found.get((prev, region, "ALL", plan, "ALL"), {})
        delta = float(r["revenue"] or 0) - float(b.get("revenue") or 0)
        users = (r["users_in_net"] or 0) - (b.get("users_in_net") or 0)
        rows.append((abs(delta), [region_label(region, names or {}), plan, f"{delta:+,.2f}", f"{users:+,}", fmt("churn_rate", r["churn_rate"])]))
    return [r for _, r in sorted(rows, key=lambda x: -x[0])[:top]]


def trend_charts(total: dict) -> list[str]:
    series = sorted((k[0], r) for k, r in total.items())
    if len(series) < 2:
        return []
    n = len(series) - 1
    top_rev = max(float(r["revenue"] or 0) for _, r in series) * 1.1 or 1
    return [line_chart(f"Revenue per month, {series[0][0]}..{series[-1][0]}", "month", "revenue",
                       [("revenue", [(i / n, float(r["revenue"] or 0)) for i, (_, r) in enumerate(series)], "#2e86c1", False)],
                       xr=(0, 1), yr=(0, top_rev)),
            bar_chart("New and churned users per month", "month", "users",
                      [(m, [float(r["new_users"] or 0), float(r["churned_users"] or 0)]) for m, r in series],
                      colours=("#27ae60", "#c0392b"))]


def month_sums(spark, month: str) -> dict[str, dict]:
    """dm.kpi_m summed over the province for the month and the month before: {month: {column: sum}}."""
    if not spark.catalog.tableExists("dm.kpi_m"):
        return {}
    prev = add_months(month, -1)
    cols = [c for c, _ in SERVICE_USERS + PAYMENTS + ROAMING]
    rows = (spark.table("dm.kpi_m").where(F.col("batch_month").isin(month, prev)).groupBy("batch_month")
            .agg(*[F.sum(c).alias(c) for c in cols]).collect())
    return {r.batch_month: r.asDict() for r in rows}


def sums_rows(sums: dict, month: str, measures: list[tuple[str, str]]) -> list[list]:
    now, before = sums.get(month, {}), sums.get(add_months(month, -1), {})
    return [[label, fmt(c, now.get(c)), fmt(c, before.get(c)), change(c, now.get(c), before.get(c))] for c, label in measures]


def revenue_rows(spark, month: str) -> list[list]:
    """Revenue by reporting group (统计帐目) and account item (帐目), with each line's share."""
    if not spark.catalog.tableExists("dm.revenue_m"):
        return []
    rows = (spark.table("dm.revenue_m").where(F.col("batch_month") == month).groupBy("item_group", "item_code")
            .agg(F.sum("users").alias("users"), F.sum("std_fee").alias("std_fee"), F.sum("discount").alias("discount"),
                 F.sum("revenue").alias("revenue")).collect())
    total = sum(float(r.revenue or 0) for r in rows) or 1.0
    group_total = {}
    for r in rows:
        group_total[r.item_group] = group_total.get(r.item_group, 0.0) + float(r.revenue or 0)
    ordered = sorted(rows, key=lambda r: (-group_total[r.item_group], r.item_group, -float(r.revenue or 0)))
    return [[r.item_group, r.item_code, fmt("", r.users), fmt("", r.std_fee), fmt("", r.discount), fmt("", r.revenue),
             f"{float(r.revenue or 0) / total * 100:.1f} %"] for r in ordered]


def newest_evaluation(spark, name: str, month: str) -> tuple[str | None, list]:
    """The rows of the newest month up to `month` that `name` has evaluated (outcomes of a
    month's scores and lists are known only months later)."""
    if not spark.catalog.tableExists(name):
        return None, []
    df = spark.table(name).where(F.col("batch_month") <= month)
    newest = df.agg(F.max("batch_month")).first()[0]
    return newest, (df.where(F.col("batch_month") == newest).collect() if newest else [])


def results_html(spark, month: str) -> str:
    """The newest model and campaign evaluations known at `month`."""
    parts = []
    scored, rows = newest_evaluation(spark, "dm.churn_model_eval_m", month)
    if rows:
        parts.append(f"<h2>Churn model (scores of {html.escape(scored)}, outcomes known)</h2>" + table(
            ["model", "horizon", "ROC-AUC (untreated)", "list precision", "lift", "churn untreated", "churn treated"],
            [[r.model_version, r.horizon_months, fmt("", r.roc_auc_untreated), fmt("churn_rate", r.precision_at_list),
              fmt("", r.lift_at_list), fmt("churn_rate", r.churn_rate_untreated), fmt("churn_rate", r.churn_rate_treated)]
             for r in rows]))
    listed, rows = newest_evaluation(spark, "dm.campaign_eval_m", month)
    if rows:
        parts.append(f"<h2>Campaigns (lists of {html.escape(listed)}, against their control groups)</h2>" + table(
            ["campaign", "kind", "treated", "control", "response rate", "uplift", "95 % interval", "churners prevented"],
            [[r.campaign_id, r.campaign_kind, r.treated, r.control, fmt("churn_rate", r.response_rate),
              fmt("churn_rate", r.uplift), f"{fmt('churn_rate', r.uplift_ci_low)} .. {fmt('churn_rate', r.uplift_ci_high)}",
              fmt("", r.churners_prevented)] for r in rows]))
    return "".join(parts) or f"<p>No model or campaign evaluation up to {html.escape(month)} yet (outcomes come later).</p>"


def business_report(ctx, month: str | None = None) -> str:
    """Write reports/business_<month>.html (default: the newest month of dm.kpi_cube_m)."""
    spark = ctx.spark
    if not spark.catalog.tableExists("dm.kpi_cube_m"):
        raise LookupError("dm.kpi_cube_m is not built yet: run the monthly batch first")
    month = month or spark.table("dm.kpi_cube_m").agg(F.max("batch_month")).first()[0]
    if month is None:
        raise LookupError("dm.kpi_cube_m is empty: run the monthly batch first")
    months = [month, add_months(month, -1), add_months(month, -12)]
    total = cells(spark, None, only(None))   # the province, every month: the trend
    if (month, "ALL", "ALL", "ALL", "ALL") not in total:
        raise LookupError(f"dm.kpi_cube_m has no {month}")
    names = region_names(spark, month)
    sections = [f"<h2>By {label}</h2>" + table(
        [label, "users", "vs last month", "churn rate", "revenue", "vs last month", "ARPU"],
        breakdown_rows(cells(spark, months, only(dim)), month, dim, names=names)) for dim, label in DIMENSIONS]
    sums = month_sums(spark, month)
    sections += ["<h2>Revenue structure (统计帐目 and 帐目)</h2>" + table(
                     ["reporting group", "account item", "users billed", "standard fee", "discount", "revenue", "share"],
                     revenue_rows(spark, month)),
                 "<h2>Users per service (使用用户数)</h2>" + table(
                     ["service", month, add_months(month, -1), "vs last month"], sums_rows(sums, month, SERVICE_USERS)),
                 "<h2>Payments, fees and debt</h2>" + table(
                     ["measure", month, add_months(month, -1), "vs last month"], sums_rows(sums, month, PAYMENTS)),
                 "<h2>Roaming and settlement</h2>" + table(
                     ["measure", month, add_months(month, -1), "vs last month"], sums_rows(sums, month, ROAMING))]
    region_plan = (F.col("region_code") != "ALL") & (F.col("plan_id") != "ALL") & (F.col("brand") == "ALL") \
        & (F.col("channel_id") == "ALL")
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>BASS business report " + html.escape(month) +
            "</title><style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:13px;"
            "margin:6px 0}td,th{border:1px solid #ccc;padding:3px 8px}td:not(:first-child){text-align:right}"
            "figure{display:inline-block;margin:8px}</style></head><body>"
            f"<h1>Business analysis, {html.escape(month)} (经营分析月报)</h1>"
            f"<p>Generated {dt.datetime.now():%Y-%m-%d %H:%M} from dm.kpi_cube_m. Changes: against last month and "
            "the same month last year (per cent; rates in points).</p>"
            + table(["measure", month, add_months(month, -1), "vs last month", "vs last year"], headline_rows(total, month))
            + f"<div>{''.join(trend_charts(total))}</div>" + "".join(sections)
            + "<h2>Biggest movers (region × plan, revenue vs last month)</h2>"
            + table(["region", "plan", "revenue change", "users change", "churn rate"],
                     movers(cells(spark, months[:2], region_plan), month, names=names))
            + results_html(spark, month) + "</body></html>")
    return save(ctx.cfg.path("reports"), f"business_{month}.html", page)

