"""The daily business report from a hand-built dm.kpi_d and payment file: changes worked out by hand."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from bass.reports.daily import daily_report, same_day_last_month
from tests.unit.frames import put

DAY = dt.date(2026, 3, 31)


def kpi(day, region="571", brand="B", **kw):
    base = dict(region_code=region, brand=brand, new_users=0, churned_users=0, active_users=0, voice_calls=0,
                voice_seconds=0, billed_minutes=D("0.0"), sms_count=0, data_kb=0, data_up_kb=0, data_down_kb=0,
                offnet_fee=D(0), roam_cdr_fee=D(0), visit_calls=0, visit_fee=D(0), cdr_fee=D(0), batch_date=day)
    return base | kw


def test_same_day_last_month_stays_in_last_month():
    assert same_day_last_month(DAY) == dt.date(2026, 2, 28)
    assert same_day_last_month(dt.date(2026, 3, 15)) == dt.date(2026, 2, 15)
    assert same_day_last_month(dt.date(2026, 1, 31)) == dt.date(2025, 12, 31)


def test_the_day_against_the_day_before_and_last_month_by_city(ctx):
    put(ctx, "dm.kpi_d", [
        kpi(DAY, new_users=12, churned_users=3, active_users=800, voice_calls=2000, cdr_fee=D("900.00"), data_kb=2048),
        kpi(DAY, region="572", new_users=8, churned_users=1, active_users=200, voice_calls=500, cdr_fee=D("300.00")),
        kpi(DAY, region="UNKNOWN", brand="UNKNOWN"),          # nothing in it: no line
        kpi(DAY - dt.timedelta(days=1), new_users=16, churned_users=2, active_users=1000, voice_calls=2000, cdr_fee=D("1000.00")),
        kpi(dt.date(2026, 2, 28), new_users=10, churned_users=4, active_users=900, voice_calls=2500, cdr_fee=D("1200.00")),
    ])
    pay = dict(acct_id="A", channel="HALL", method="CASH", collect_region=None, payee=None)
    put(ctx, "ods.payment", [
        pay | dict(pay_id="P1", user_id="U1", pay_time=dt.datetime(2026, 3, 31, 10), amount=D("100.00"), batch_month="2026-03"),
        pay | dict(pay_id="P2", user_id="U2", pay_time=dt.datetime(2026, 3, 31, 11), amount=D("50.00"), batch_month="2026-03"),
        pay | dict(pay_id="P3", user_id="U2", pay_time=dt.datetime(2026, 3, 31, 11), amount=D("70.00"), batch_month="2026-03",
                   payee="WATER"),                          # another party's fee: not ours
        pay | dict(pay_id="P4", user_id="U1", pay_time=dt.datetime(2026, 3, 30, 9), amount=D("200.00"), batch_month="2026-03"),
    ])
    put(ctx, "mid.region_m", [dict(region_code="571", region_name="杭州", configured=True, batch_month="2026-03")])
    page = Path(daily_report(ctx, DAY.isoformat())).read_text()
    assert "Business analysis, 2026-03-31" in page
    head = page.split("</table>")[0]
    # new users 20 against 16 the day before (+25.0 %) and 10 on Feb 28 (+100.0 %)
    assert "<td>New users</td><td>20</td><td>16</td><td>+25.0 %</td><td>10</td><td>+100.0 %</td>" in head
    assert "<td>Users who left</td><td>4</td><td>2</td><td>+100.0 %</td><td>4</td><td>+0.0 %</td>" in head
    assert "<td>CDR fees</td><td>1,200.00</td><td>1,000.00</td><td>+20.0 %</td><td>1,200.00</td><td>+0.0 %</td>" in head
    # payments of our own fees: 150 on the day, 200 the day before; February's file is not loaded
    assert "<td>Payments</td><td>150.00</td><td>200.00</td><td>-25.0 %</td><td>–</td><td>–</td>" in head
    cities = page.split("By city")[1]
    assert cities.index("杭州 (571)") < cities.index("<td>572</td>") and "UNKNOWN" not in cities
