"""The monthly business report from a hand-built dm.kpi_cube_m: changes worked out by hand."""
from __future__ import annotations

from decimal import Decimal as D

from bass.reports.business import business_report, change, fmt
from tests.unit.frames import put


def cell(month, region="ALL", brand="ALL", plan="ALL", users=1000, revenue="50000.00", churned=20, new=30):
    level = sum(v == "ALL" for v in (region, brand, plan)) + 1
    return dict(batch_month=month, region_code=region, brand=brand, plan_id=plan, channel_id="ALL", rollup_level=level,
                users_at_start=users, users_in_net=users, active_users=users, billed_users=users, new_users=new,
                churned_users=churned, billed_minutes=D("1000.0"), sms_count=1, data_kb=1, revenue=D(revenue),
                collected=D(revenue), topup_amount=D("0"), arrears_amt=D("0"), bad_debt=D("0"), cdr_days=1,
                arpu=D(revenue) / users, mou=None, mou_est=D("100.0"), churn_rate=D(churned) / users,
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
    ])
    page = business_report(ctx, "2026-06").read_text()
    assert "Business analysis, 2026-06" in page
    assert "55,000.00" in page and "+10.0 %" in page          # revenue against last month
    assert "+37.5 %" in page                                   # against June 2025: 55000 / 40000
    assert "+0.50 pt" in page                                  # churn rate 2.5 % against 2.0 %
    regions = page.split("<h2>By region</h2>")[1].split("</table>")[0]
    assert regions.index("<td>571</td>") < regions.index("<td>572</td>")    # 28,000 before 27,000
    assert "-6.7 %" in regions and "+35.0 %" in regions
    movers = page.split("Biggest movers")[1].split("</table>")[0]
    assert movers.index("<td>572</td>") < movers.index("<td>571</td>")      # +7,000 moved more than -2,000
    assert "+7,000.00" in movers and "-2,000.00" in movers
