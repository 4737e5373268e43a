"""`bass report daily --day D`: the daily business-analysis report (经营分析日报), one HTML page.

The day's new users, users who left, active users, calls, billed minutes, SMS, data and CDR fees
against the day before and the same day last month, and the day by city. Read from dm.kpi_d (a
row per region and brand and day) and, for payments, ods.payment grouped by day: BOSS delivers
payments monthly, so a day's payments show once its month's file is loaded, '–' before.
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import functions as F

from bass.reports.business import change, fmt
from bass.reports.dimensions import UNKNOWN, holds_something, region_label, region_names
from bass.reports.html import save, table

MEASURES = [("new_users", "New users"), ("churned_users", "Users who left"), ("active_users", "Active users"),
            ("voice_calls", "Calls"), ("billed_minutes", "Billed minutes"), ("sms_count", "SMS"),
            ("data_mb", "Data (MB)"), ("cdr_fee", "CDR fees"), ("payments", "Payments")]
REGION_MEASURES = ["new_users", "churned_users", "active_users", "voice_calls", "billed_minutes", "data_mb", "cdr_fee"]


def same_day_last_month(day: dt.date) -> dt.date:
    """The same day of last month, or its last day if it is shorter (March 31 -> February 28)."""
    last = day.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=min(day.day, last.day))


def kpi_sums() -> list:
    return [F.sum(c).alias(c) for c in ("new_users", "churned_users", "active_users", "voice_calls", "billed_minutes",
                                        "sms_count", "cdr_fee")] + [(F.sum("data_kb") / 1024).cast("decimal(18,1)").alias("data_mb")]


def day_totals(spark, days: list[dt.date]) -> dict[dt.date, dict]:
    """{day: {measure: value}} for the days dm.kpi_d has; payments where their month is loaded."""
    kpi = spark.table("dm.kpi_d").where(F.col("batch_date").isin(days))
    out = {r.batch_date: r.asDict() for r in kpi.groupBy("batch_date").agg(*kpi_sums()).collect()}
    if spark.catalog.tableExists("ods.payment"):
        months = sorted({d.strftime("%Y-%m") for d in days})
        pay = spark.table("ods.payment").where(F.col("batch_month").isin(months))
        loaded = {r.batch_month for r in pay.select("batch_month").distinct().collect()}
        paid = {r.day: r.amount for r in pay.where(F.col("payee").isNull())
                .groupBy(F.to_date("pay_time").alias("day")).agg(F.sum("amount").alias("amount")).collect()}
        for d in days:
            if d in out and d.strftime("%Y-%m") in loaded:
                out[d]["payments"] = paid.get(d, 0)
    return out


def headline_rows(totals: dict, day: dt.date) -> list[list]:
    before, last_month = day - dt.timedelta(days=1), same_day_last_month(day)
    now, b, lm = totals.get(day, {}), totals.get(before, {}), totals.get(last_month, {})
    return [[label, fmt(m, now.get(m)), fmt(m, b.get(m)), change(m, now.get(m), b.get(m)),
             fmt(m, lm.get(m)), change(m, now.get(m), lm.get(m))] for m, label in MEASURES]


def region_rows(spark, day: dt.date) -> list[list]:
    """The day by city, the largest first; the UNKNOWN row (numbers not in the day's user file,
    visiting roamers among them) only if it holds something."""
    kpi = spark.table("dm.kpi_d").where(F.col("batch_date") == day)
    found = [r.asDict() for r in kpi.groupBy("region_code").agg(*kpi_sums()).collect()]
    names = region_names(spark, day.strftime("%Y-%m"))
    found = [r for r in found if r["region_code"] != UNKNOWN or holds_something(r, REGION_MEASURES)]
    found.sort(key=lambda r: (r["region_code"] == UNKNOWN, -float(r["cdr_fee"] or 0)))
    return [[region_label(r["region_code"], names)] + [fmt(m, r[m]) for m in REGION_MEASURES] for r in found]


def daily_report(ctx, day: str | None = None) -> str:
    """Write reports/daily_<day>.html (default: the newest day of dm.kpi_d)."""
    spark = ctx.spark
    if not spark.catalog.tableExists("dm.kpi_d"):
        raise LookupError("dm.kpi_d is not built yet: run the daily batch first")
    the_day = dt.date.fromisoformat(day) if day else spark.table("dm.kpi_d").agg(F.max("batch_date")).first()[0]
    if the_day is None:
        raise LookupError("dm.kpi_d is empty: run the daily batch first")
    before, last_month = the_day - dt.timedelta(days=1), same_day_last_month(the_day)
    totals = day_totals(spark, [the_day, before, last_month])
    if the_day not in totals:
        raise LookupError(f"dm.kpi_d has no {the_day}")
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>BASS daily report " + str(the_day) +
            "</title><style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse;font-size:13px;"
            "margin:6px 0}td,th{border:1px solid #ccc;padding:3px 8px}td:not(:first-child){text-align:right}"
            "</style></head><body>"
            f"<h1>Business analysis, {the_day} (经营分析日报)</h1>"
            f"<p>Generated {dt.datetime.now():%Y-%m-%d %H:%M} from dm.kpi_d. Payments come with the month's payment "
            "file ('–' until it is loaded); usage of numbers that are not ours is in the totals and, by city, under "
            "UNKNOWN.</p>"
            + table(["measure", str(the_day), str(before), "vs the day before", str(last_month), "vs the same day last month"],
                    headline_rows(totals, the_day))
            + "<h2>By city</h2>"
            + table(["city"] + [label for m, label in MEASURES if m in REGION_MEASURES], region_rows(spark, the_day))
            + "</body></html>")
    return save(ctx.cfg.path("reports"), f"daily_{the_day}.html", page)
