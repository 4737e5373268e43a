"""The monthly business report from a hand-built dm.kpi_cube_m: changes worked out by hand."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from bass.reports.business import business_report, change, fmt
from tests.unit.frames import put


def cell(month, region="ALL", brand="ALL", plan="ALL", users=1000, revenue="50000.00", churned=20, new=30):
    level = sum(v == "ALL" for v in (region, brand, plan)) + 1
    return dict(batch_month=month, region_code=region, brand=brand, plan_id=plan, channel_id="ALL", rollup_level=level,
                users_at_start=users, users_in_net=users, active_users=users, billed_users=users, new_users=new,
                churned_users=churned, billed_minutes=D("1000.0"), sms_count=1, data_kb=1, revenue=D(revenue),
                collected=D(revenue), topup_amount=D("0"), arrears_amt=D("0"), bad_debt=D("0"), cdr_days=1,
                arpu=D(revenue) / users if users else None, mou=None, mou_est=D("100.0"),
                churn_rate=D(churned) / users if users else None,
                collection_rate=D("1"))


def test_changes_are_per_cent_for_amounts_and_points_for_rates():
    assert change("revenue", D("55000"), D("50000")) == "+10.0 %"
    assert change("churn_rate", D("0.025"), D("0.020")) == "+0.50 pt"
    assert change("revenue", D("1"), None) == "–" and change("revenue", D("1"), D("0")) == "–"
    assert fmt("churn_rate", D("0.02")) == "2.00 %" and fmt("users_in_net", 1234) == "1,234"


def test_the_report_compares_months_and_ranks_regions_and_movers(ctx):
    put(ctx, "dm.kpi_cube_m", [
        cell("2025-06", revenue="40000.00"),
        cell("2026-05", revenue="50000.00"),
        cell("2026-06", revenue="55000.00", churned=25),
        cell("2026-05", region="571", revenue="30000.00"), cell("2026-06", region="571", revenue="28000.00"),
        cell("2026-05", region="572", revenue="20000.00"), cell("2026-06", region="572", revenue="27000.00"),
        cell("2026-05", region="571", plan="P1", revenue="30000.00"), cell("2026-06", region="571", plan="P1", revenue="28000.00"),
        cell("2026-05", region="572", plan="P2", revenue="20000.00"), cell("2026-06", region="572", plan="P2", revenue="27000.00"),
        # usage of numbers that are not ours: no users, no revenue, so no line in the report's tables
        cell("2026-06", region="UNKNOWN", revenue="0.00", users=0, churned=0, new=0),
    ])
    put(ctx, "mid.region_m", [dict(region_code=c, region_name=n, configured=True, batch_month="2026-06")
                              for c, n in [("571", "杭州"), ("572", "湖州")]])
    kpi = dict(region_code="571", brand="B", plan_id="P1", channel_id="C", active_users=900, voice_users=800,
               sms_users=500, data_users=600, vas_users=100, pay_remote=D("120.00"), collected_for_remote=D("120.00"),
               pay_for_others=D("35.00"), paid_current=D("40000.00"), bad_debt=D("300.00"), doubtful_debt=D("700.00"),
               roam_ld_fee=D("12.50"), visit_intl_calls=7)
    put(ctx, "dm.kpi_m", [kpi | {"batch_month": "2026-06"}, kpi | {"batch_month": "2026-05", "voice_users": 1000}])
    line = dict(region_code="571", brand="B", batch_month="2026-06", discount=D(0))
    put(ctx, "dm.revenue_m", [line | dict(item_code="LOCAL_CALL", item_group="voice", users=10, std_fee=D(300), revenue=D(300)),
                              line | dict(item_code="LD_CALL", item_group="voice", users=5, std_fee=D(100), revenue=D(100)),
                              line | dict(item_code="DATA", item_group="data", users=8, std_fee=D(500), revenue=D(500)),
                              line | dict(item_code="LATE_FEE", item_group="other", users=1, std_fee=D(100), revenue=D(100))])
    page = Path(business_report(ctx, "2026-06")).read_text()
    assert "Business analysis, 2026-06" in page
    assert "55,000.00" in page and "+10.0 %" in page          # revenue against last month
    assert "+37.5 %" in page                                   # against June 2025: 55000 / 40000
    assert "+0.50 pt" in page                                  # churn rate 2.5 % against 2.0 %
    regions = page.split("<h2>By region</h2>")[1].split("</table>")[0]
    assert regions.index("<td>杭州 (571)</td>") < regions.index("<td>湖州 (572)</td>")    # 28,000 before 27,000
    assert "-6.7 %" in regions and "+35.0 %" in regions
    assert "UNKNOWN" not in page
    movers = page.split("Biggest movers")[1].split("</table>")[0]
    assert movers.index("<td>湖州 (572)</td>") < movers.index("<td>杭州 (571)</td>")      # +7,000 moved more than -2,000
    assert "+7,000.00" in movers and "-2,000.00" in movers
    # revenue by reporting group, the larger group first, each line's share of 1,000
    structure = page.split("Revenue structure")[1].split("</table>")[0]
    assert structure.index("<td>data</td>") < structure.index("<td>voice</td>") < structure.index("<td>other</td>")
    assert "<td>voice</td><td>LOCAL_CALL</td><td>10</td><td>300.00</td><td>0.00</td><td>300.00</td><td>30.0 %</td>" in structure
    service = page.split("Users per service")[1].split("</table>")[0]
    assert "<td>Voice</td><td>800</td><td>1,000</td><td>-20.0 %</td>" in service
    payments = page.split("Payments, fees and debt")[1].split("</table>")[0]
    assert "(异地代收)</td><td>120.00</td>" in payments and "(代收)</td><td>35.00</td>" in payments
    assert "Bad debt (坏帐)</td><td>300.00</td>" in payments
    roaming = page.split("Roaming and settlement")[1].split("</table>")[0]
    assert "(漫游长途费)</td><td>12.50</td>" in roaming and "from abroad, calls</td><td>7</td>" in roaming
