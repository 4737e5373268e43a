"""The monthly profiles for BOSS (tariff profile, value list, SP and group evaluations, the
headquarters upload) on tiny hand-built tables, each run as its job, so the BOSS file and its
.verf are checked too; every expected number is worked out by hand here."""
from decimal import Decimal as D
from pathlib import Path

from bass.boss.delivery import read_verf
from bass.core.interfaces import interface
from bass.orchestration.runs import run_step
from tests.unit.frames import put

M, PREV = "2026-03", "2026-02"


def delivered(ctx, code: str, name: str) -> list[dict]:
    """Run the profile's job for March and read back the delivered file; the .verf counts its lines."""
    assert run_step(ctx, name, M).status == "SUCCESS"
    folder = Path(ctx.cfg.path("outbox"), code)
    [dat], [verf] = sorted(folder.glob("*.dat")), sorted(folder.glob("*.verf"))
    lines = dat.read_text(encoding=interface(code).encoding).splitlines()
    [record] = read_verf(verf)
    assert (record.file_name, record.records, record.byte_size) == (dat.name, len(lines), dat.stat().st_size)
    rows = ctx.spark.table(name).where(f"batch_month = '{M}'").count()
    assert len(lines) == rows
    return [dict(zip(interface(code).field_names(), ln.split("|"))) for ln in lines]


def user(uid, plan, month, status="NORMAL", **kw):
    return dict(user_id=uid, msisdn="M" + uid[1:], plan_id=plan, status=status, in_net=status != "CLOSED",
                is_new=False, churned_in_month=False,
                in_net_at_start=True, brand="B", region_code="R", tenure_months=24, batch_month=month) | kw


def plan(pid, minutes, sms, data):
    return dict(plan_id=pid, plan_name=pid + " plan", brand="B", net_gen="4G", monthly_fee=D(30), incl_minutes=minutes,
                incl_sms=sms, incl_data_mb=data, batch_month=M)


def rating(uid, pid, fee, local=0, ld=0, sms=0, data=0):
    return dict(user_id=uid, plan_id=pid, bill_act_fee=D(fee), local_min=D(local), ld_units=D(ld), sms_n=D(sms),
                data_mb=D(data), batch_month=M)


def test_tariff_profile_counts_users_allowances_and_migrations(ctx):
    put(ctx, "mid.product_m", [plan("P1", 100, 0, 1000), plan("P2", 0, 0, 0)])
    put(ctx, "mid.user_profile_m", [
        user("U1", "P2", PREV), user("U2", "P1", PREV), user("U3", "P1", PREV), user("U4", "P1", PREV),
        user("U1", "P1", M),                                              # moved in from P2
        user("U2", "P1", M),
        user("U3", "P1", M, "CLOSED") | {"churned_in_month": True},
        user("U4", "P2", M),                                              # moved out to P2
        user("U5", "P1", M) | {"is_new": True, "in_net_at_start": False}])
    put(ctx, "mid.user_rating_usage_m", [
        rating("U1", "P1", 50, local=90, ld=200, sms=5, data=100),     # voice 110 of 100: over; data 10 %: far under
        rating("U2", "P1", 30, local=20, data=1200),                    # voice 20 %: far under; data over
        rating("U5", "P1", 40, local=50, data=500),
        rating("U4", "P2", 10, local=30)])                              # P2 has no allowance
    put(ctx, "dm.plan_fit_m", [dict(user_id=u, saving=D(s), batch_month=M) for u, s in [("U1", 5), ("U2", 0), ("U5", 3)]])
    got = {r["plan_id"]: r for r in delivered(ctx, "boss_tariff_profile_m", "out.tariff_profile_m")}
    p1 = got["P1"]
    assert [int(p1[k]) for k in ("users_in_net", "users_at_start", "new_users", "churned_users", "billed_users",
                                  "moved_in", "moved_out")] == [3, 3, 1, 1, 3, 1, 1]
    assert (D(p1["churn_rate"]), D(p1["arpu"])) == (D("0.2500"), D("40.00"))    # 1 left / (3 at start + 1 new)
    assert [D(p1[k]) for k in ("voice_over_share", "voice_far_under_share", "data_over_share", "data_far_under_share",
                                "over_any_share", "far_under_all_share", "cheaper_plan_share")] == \
        [D("0.3333"), D("0.3333"), D("0.3333"), D("0.3333"), D("0.6667"), D("0.0000"), D("0.6667")]
    assert p1["sms_over_share"] == "" and D(p1["avg_saving"]) == D("4.00")   # no SMS allowance: no share
    assert (p1["top_source_plan"], p1["top_destination_plan"]) == ("P2", "P2")
    p2 = got["P2"]
    assert (p2["users_in_net"], p2["moved_in"], p2["moved_out"], p2["top_source_plan"], p2["top_destination_plan"]) == \
        ("1", "1", "1", "P1", "P1")
    assert (D(p2["over_any_share"]), p2["far_under_all_share"]) == (D("0.0000"), "")


def test_value_list_scores_rfm_by_the_months_quintiles(ctx):
    wide = [dict(user_id=f"U{i}", msisdn=f"M{i}", status="NORMAL", brand="B", tenure_months=10 * i,
                 days_since_call=days, active_day_share_avg3=0.2 * i, revenue_avg3=10.0 * i, batch_month=M)
            for i, days in [(1, 3), (2, 2), (3, 1), (4, 0), (5, None)]]
    put(ctx, "dm.user_wide_m", wide)
    put(ctx, "dm.user_value_m", [dict(user_id="U5", value_tier="A", value_score=D("92.5"), arpu=D(50), batch_month=M)])
    put(ctx, "dm.vip_m", [dict(user_id="U5", vip_tier="GOLD", batch_month=M)])
    got = {r["msisdn"]: r for r in delivered(ctx, "boss_value_list_m", "out.value_list_m")}
    assert set(got) == {"M1", "M2", "M3", "M4", "M5"}
    # quintile bounds: revenue 10/20/30/40, days since the last call 0/1/2/3 (the silent user scores 1)
    assert {m: (r["r_score"], r["m_score"]) for m, r in got.items()} == {
        "M1": ("2", "1"), "M2": ("3", "2"), "M3": ("4", "3"), "M4": ("5", "4"), "M5": ("1", "5")}
    assert got["M5"]["f_score"] == "5" and got["M1"]["f_score"] == "1"
    assert (got["M5"]["value_tier"], got["M5"]["vip_tier"], got["M5"]["rfm_cell"]) == ("A", "GOLD", "155")


def test_sp_evaluation_compares_its_users_with_similar_ones(ctx):
    import datetime as dt
    feb, mar = dt.date(2026, 2, 28), dt.date(2026, 3, 31)
    put(ctx, "mid.sp_m", [dict(sp_code=c, sp_name=c + " co", service_code=s, service_name=s, price=D(p), batch_month=M)
                          for c, s, p in [("SP1", "S1", 5), ("SP2", "S2", 2), ("SP3", "S3", 1)]])
    uses = [("U1", "S1", feb), ("U2", "S1", feb), ("U3", "S1", feb), ("U1", "S1", mar), ("U1", "S1", mar), ("U4", "S2", mar)]
    put(ctx, "ods.vas_usage", [dict(msisdn="M" + u[1:], sp_code="SP" + s[1:], service_code=s, fee=D(5 if s == "S1" else 2),
                                    use_time=dt.datetime.combine(d, dt.time(12)), batch_date=d) for u, s, d in uses])
    put(ctx, "mid.user_usage_d", [dict(msisdn="M" + u[1:], user_id=u, batch_date=d) for u, d in {(u, d) for u, _, d in uses}])
    put(ctx, "mid.user_profile_m", [user(u, "P", M) for u in ("U1", "U2", "U4", "U5", "U6")]
        + [user("U3", "P", M, "CLOSED") | {"churned_in_month": True}])           # 1 of 6 similar users left: 1/6
    put(ctx, "ods.complaint", [dict(complaint_id=str(i), msisdn="M1", category=c, batch_month=M)
                               for i, c in enumerate(["VAS", "BILLING"])])
    got = {r["service_code"]: r for r in delivered(ctx, "boss_sp_eval_m", "out.sp_eval_m")}
    s1 = got["S1"]
    assert [s1[k] for k in ("users", "records", "vas_complaints", "prev_users", "lapsed_users", "churned_users")] == \
        ["1", "2", "1", "3", "1", "1"]
    assert [D(s1[k]) for k in ("revenue", "revenue_share", "complaints_per_k", "unsub_rate", "churn_rate",
                                "expected_churn_rate", "churn_ratio")] == \
        [D("10.00"), D("0.8333"), D("1000.00"), D("0.5000"), D("0.3333"), D("0.1667"), D("2.000")]
    # U2 did not use it again (1 of the 2 still here); the churn is twice the similar users'
    assert s1["warning"] == "投诉率 1,000.0‰；用户离网率为同类用户的 2.0 倍"
    assert (got["S2"]["sp_rank"], s1["sp_rank"], got["S3"]["sp_rank"]) == ("1", "2", "3")
    assert D(s1["score"]) == (D(10) / 12 * D("0.5") / 101 / 2).quantize(D("0.000001"))


def test_group_warning_flags_members_leaving_and_spend_moving_away(ctx):
    months = ["2025-11", "2025-12", "2026-01", PREV, M]
    history = [dict(group_id=g, group_name=g, members=n, spend=D(s), group_class="B", batch_month=m)
               for m in months for g, n, s in [("G1", 7 if m == M else 10, 100), ("G2", 20, 60 if m == M else 100)]]
    put(ctx, "dm.group_customer_m", history)
    g1_feb, g1_mar = [f"U{i}" for i in range(1, 11)], [f"U{i}" for i in range(1, 7)] + ["U11"]
    g2 = [f"U{i}" for i in range(21, 41)]
    put(ctx, "mid.user_profile_m", [user(u, "P", m, group_id="G1") for m, us in [(PREV, g1_feb), (M, g1_mar)] for u in us]
        + [user(u, "P", m, group_id="G2") for m in (PREV, M) for u in g2])
    put(ctx, "mid.user_bill_m", [dict(user_id="U1", arrears_amt=D(5), batch_month=M)])
    got = {r["group_id"]: r for r in delivered(ctx, "boss_group_eval_m", "out.group_eval_m")}
    g1 = got["G1"]
    assert (g1["members"], g1["new_members"], g1["leaving_members"]) == ("7", "1", "4")
    assert [D(g1[k]) for k in ("leave_rate", "usual_leave_rate", "all_groups_leave_rate", "arrears_share")] == \
        [D("0.4000"), D("0.0000"), D("0.1333"), D("0.1429")]
    assert g1["warning"] == "成员流失 4 人(40.0%，通常 13.3%)"
    g2r = got["G2"]
    assert (D(g2r["spend_chg"]), D(g2r["spend_trend"]), g2r["leaving_members"]) == (D("-0.4000"), D("-0.4000"), "0")
    assert g2r["warning"] == "成员未减而收入下降 40%"


def test_headquarters_upload_is_the_city_and_brand_cube(ctx):
    cells = [("R1", "B1", "ALL", "ALL", 2), ("R1", "ALL", "ALL", "ALL", 3), ("ALL", "B1", "ALL", "ALL", 3),
             ("ALL", "ALL", "ALL", "ALL", 4), ("R1", "B1", "P1", "ALL", 1), ("R1", "B1", "ALL", "C1", 1)]
    put(ctx, "dm.kpi_cube_m", [dict(region_code=r, brand=b, plan_id=p, channel_id=c, rollup_level=lvl, users_in_net=10,
                                    users_at_start=10, active_users=9, billed_users=9, new_users=1, churned_users=1,
                                    revenue=D(100), data_kb=2048, batch_month=M) for r, b, p, c, lvl in cells])
    got = delivered(ctx, "hq_kpi_m", "out.hq_kpi_m")
    assert sorted((r["report_level"], r["region_code"], r["brand"]) for r in got) == [
        ("BRAND", "ALL", "B1"), ("PROVINCE", "ALL", "ALL"), ("REGION", "R1", "ALL"), ("REGION_BRAND", "R1", "B1")]
    assert {(r["province_code"], r["stat_month"], r["data_mb"]) for r in got} == {(ctx.cfg.province, "202603", "2.0")}


def test_terminal_profile_dates_the_handset_and_scores_a_second_sim(ctx):
    def seen(uid, month, imei, changed=False, shared=0):
        return dict(user_id=uid, msisdn="M" + uid[1:], main_imei=imei, tac=imei[:8], model="X", lte_capable=1,
                    imei_changed=changed, shared_msisdns=shared, multi_sim=shared > 0, batch_month=month)
    put(ctx, "mid.user_terminal_m", [
        seen("U1", "2025-12", "A" * 15), seen("U1", "2026-01", "A" * 15, shared=1),    # shared with another number of ours
        seen("U1", PREV, "B" * 15, changed=True), seen("U1", M, "B" * 15),             # a new handset in February
        seen("U2", M, "C" * 15), seen("U3", M, "D" * 15), seen("U4", M, "E" * 15), seen("U5", M, "F" * 15)])
    months = ["2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", PREV, M]
    calls = {"U1": [100] * 8,
             "U2": [100, 100, 100, 100, 100, 60, 30, 30],   # a competitor's SIM in January: down by 70 % and staying
             "U4": [100, 90, 80, 70, 60, 50, 45, 40],       # the same level now, but a slow decline
             "U5": [100, 100, 100, 100, 100, 100, 40, 0]}   # no calls at all in March: no usage row
    put(ctx, "mid.user_profile_m", [user(u, "P", m) for u in calls for m in months])
    put(ctx, "ods.usage_m", [dict(user_id=u, item_code=item, records=n // 2, batch_month=m)
                             for u, ns in calls.items() for m, n in zip(months, ns) if n
                             for item in ("LOCAL_CALL", "LD_CALL")]
        + [dict(user_id="U4", item_code="SMS", records=500, batch_month=M)])            # messages are no calls
    put(ctx, "dm.user_wide_m", [
        dict(user_id="U1", status="NORMAL", contacts_trend=1.0, offnet_call_share_chg1=0.0, batch_month=M),
        # the CDRs show fewer contacts too
        dict(user_id="U2", status="NORMAL", contacts_trend=0.4, offnet_call_share_chg1=0.0, batch_month=M),
        # U3 left: dm.user_wide_m holds users in the network only, so no row and no profile
        dict(user_id="U4", status="NORMAL", contacts_trend=1.0, offnet_call_share_chg1=0.2, batch_month=M),
        dict(user_id="U5", status="NORMAL", contacts_trend=1.0, offnet_call_share_chg1=0.0, batch_month=M)])
    got = {r["msisdn"]: r for r in delivered(ctx, "boss_terminal_profile_m", "out.terminal_profile_m")}
    assert set(got) == {"M1", "M2", "M4", "M5"}
    u1 = got["M1"]
    assert [u1[k] for k in ("handset_since", "handset_months", "handset_changes_6m", "multi_sim_months", "multi_sim",
                            "second_sim_score", "second_sim_reason")] == ["202602", "1", "1", "1", "Y", "0", ""]
    assert (got["M2"]["multi_sim"], got["M2"]["second_sim_score"], got["M2"]["second_sim_reason"]) == \
        ("N", "3", "终端未换而通话量持续骤降；两个月内减半；联系人减少或网外通话占比上升")
    assert (got["M4"]["second_sim_score"], got["M4"]["second_sim_reason"]) == ("2", "终端未换而通话量持续骤降；联系人减少或网外通话占比上升")
    assert (got["M5"]["second_sim_score"], got["M5"]["second_sim_reason"]) == ("2", "终端未换而通话量持续骤降；两个月内减半")


def test_terminal_mix_counts_users_per_model_and_where_they_moved(ctx):
    def seen(uid, month, maker, model):
        return dict(user_id=uid, msisdn="M" + uid[1:], main_imei=uid * 5, maker=maker, model=model, lte_capable=1,
                    batch_month=month)
    feb = {"U1": "Apple X", "U2": "Apple X", "U3": "Apple X", "U4": "Huawei P", "U6": "Xiaomi M"}
    mar = {"U1": "Huawei P", "U2": "Xiaomi M", "U3": "Apple X", "U4": "Huawei P", "U5": "Huawei P", "U6": "Huawei P"}
    put(ctx, "mid.user_terminal_m", [seen(u, m, *h.split()) for m, hs in [(PREV, feb), (M, mar)] for u, h in hs.items()])
    put(ctx, "mid.user_profile_m", [user(u, "P", M) for u in mar])
    put(ctx, "dm.user_segment_m", [dict(user_id=u, segment_id=1, segment_desc="S1", batch_month=M) for u in mar if u != "U6"])
    got = {(r["segment"], r["model"]): r for r in delivered(ctx, "boss_terminal_mix_m", "out.terminal_mix_m")}
    fields = ("users", "share", "moved_in", "moved_in_from", "moved_out", "moved_out_to")
    assert {k: tuple(r[f] for f in fields) for k, r in got.items()} == {
        ("S1", "P"): ("3", "0.6000", "1", "Apple X", "0", ""),
        ("S1", "M"): ("1", "0.2000", "1", "Apple X", "0", ""),
        ("S1", "X"): ("1", "0.2000", "0", "", "2", "Huawei P"),      # a tie between P and M: the first by name
        ("-", "P"): ("1", "1.0000", "1", "Xiaomi M", "0", ""),      # U6 has no segment this month
        ("-", "M"): ("0", "0.0000", "0", "", "1", "Huawei P")}      # the cell's users all left the model


def test_network_profile_gives_boss_the_network_measures_of_users_in_the_network(ctx):
    put(ctx, "dm.user_network_m", [
        dict(user_id="U1", degree=3, out_degree=2, in_degree=2, in_out_balance=-0.4, key_contacts="M2:8,M3:1",
             offnet_contact_share=0.25, pagerank=0.5, influence=1.5, community="U1", community_size=3, social_churn_exposure=0.125,
             batch_month=M),
        dict(user_id="U2", degree=1, out_degree=1, in_degree=1, pagerank=0.3, influence=0.9, community="U1", community_size=3, batch_month=M),
        dict(user_id="U3", degree=1, out_degree=0, in_degree=1, pagerank=0.2, influence=0.6, community="U1", community_size=3, batch_month=M),
        dict(user_id="U4", degree=1, out_degree=0, in_degree=1, batch_month=M)])           # off-net contacts only
    put(ctx, "mid.user_profile_m", [user("U1", "P", M), user("U2", "P", M), user("U3", "P", M, "CLOSED"), user("U4", "P", M)])
    got = {r["msisdn"]: r for r in delivered(ctx, "boss_network_profile_m", "out.network_profile_m")}
    assert set(got) == {"M1", "M2", "M4"}                                            # U3 left
    u1 = got["M1"]
    assert [u1[k] for k in ("degree", "key_contacts", "community", "community_size")] == ["3", "M2:8,M3:1", "U1", "3"]
    assert [D(u1[k]) for k in ("in_out_balance", "offnet_contact_share", "influence", "social_churn_exposure")] == \
        [D("-0.400"), D("0.250"), D("1.5000"), D("0.125")]
    assert (got["M2"]["influence"], got["M4"]["influence"]) == ("0.9000", "")


def test_channel_evaluation_flags_numbers_leaving_after_the_commission_and_one_id_many_numbers(ctx):
    import datetime as dt
    months = ["2025-12", "2026-01", PREV, M]

    def opening(uid, channel, opened, cust, left=None):
        """Profile rows from the opening month to March; `left` is the month the number closed."""
        first = dt.date.fromisoformat(opened + "-01")
        return [user(uid, "P", m, "CLOSED" if m == left else "NORMAL", channel_id=channel, cust_id=cust, open_date=first,
                     is_new=m == opened, churned_in_month=m == left, in_net_at_start=m != opened)
                for m in months if m >= opened]
    cha = [r for i in range(1, 5) for r in opening(f"U{i}", "CHA", "2025-12", "C9", M if i < 4 else None)]
    chb = [r for i in range(11, 27) for r in opening(f"U{i}", "CHB", "2025-12", f"C{i}", M if i == 11 else None)]
    chb += opening("U27", "CHB", PREV, "C27") + opening("U28", "CHB", M, "C28")
    chh = [user(u, "P", M, channel_id="CHH", cust_id="C" + u, open_date=dt.date(2024, 1, 1)) for u in ("U31", "U32")]
    chh += opening("U33", "CHH", M, "C33")
    put(ctx, "mid.user_profile_m", cha + chb + chh)
    put(ctx, "mid.user_bill_m", [dict(user_id=u, bill_act_fee=D(f), arrears_amt=D(a), batch_month=M)
                                 for u, f, a in [("U1", 2, 0), ("U2", 2, 0), ("U3", 2, 0), ("U4", 10, 10), ("U27", 20, 0),
                                                 ("U28", 8, 0)]])
    put(ctx, "mid.channel_m", [dict(channel_id=c, channel_name=c + " shop", channel_type=t, region_code="571",
                                    commission_rate=D(r), batch_month=M)
                               for c, t, r in [("CHA", "AGENT", "0.05"), ("CHB", "AGENT", "0.05"), ("CHH", "HALL", "0")]])
    got = {r["channel_id"]: r for r in delivered(ctx, "boss_channel_eval_m", "out.channel_eval_m")}
    a, b, h = got["CHA"], got["CHB"], got["CHH"]
    # 20 numbers opened by December, 4 of them gone in their 4th month: 0.2 for all channels
    assert [a[k] for k in ("opened", "users", "churned_users", "openings_lookback", "post_commission_leavers",
                           "same_id_customers", "same_id_numbers", "risk_rank")] == ["0", "1", "3", "4", "3", "1", "4", "1"]
    assert [D(a[k]) for k in ("churn_rate", "revenue", "arpu", "arrears_amt", "survival_3m", "post_commission_share",
                              "post_commission_ratio", "risk_score", "commission")] == \
        [D("0.7500"), D("16.00"), D("4.00"), D("10.00"), D("0.2500"), D("0.7500"), D("3.750"), D("1.7500"), D("0.00")]
    assert a["arrears_users"] == "1" and a["survival_6m"] == "" and a["revenue_per_commission"] == ""
    assert a["warning"] == "佣金期后离网 3 户，为全省的 3.8 倍；1 个证件各开 4 户以上，共 4 户"
    # 50 for U28 opened in March, 5 % of the bills of U27 and U28 in their first 3 months
    assert [b[k] for k in ("opened", "users", "churned_users", "post_commission_leavers", "same_id_customers", "risk_rank")] == \
        ["1", "17", "1", "1", "0", "2"]
    assert [D(b[k]) for k in ("churn_rate", "commission", "revenue_per_commission", "survival_3m", "risk_score")] == \
        [D("0.0588"), D("51.40"), D("0.54"), D("0.9375"), D("0.0625")]
    assert b["warning"] == ""
    assert (h["opened"], h["users"], D(h["commission"]), h["risk_score"], h["risk_rank"], h["warning"]) == \
        ("1", "3", D("0.00"), "0.0000", "3", "")
