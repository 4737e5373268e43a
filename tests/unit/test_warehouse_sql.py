"""MID/DM SQL on tiny hand-built tables; every expected number is worked out by hand here."""
import datetime as dt
from decimal import Decimal as D

import pytest

from bass.core.batch import Batch
from bass.core.registry import table
from bass.orchestration.steps import scd2
from bass.warehouse import delta_io, sql_runner
from tests.unit.frames import put

FEB = Batch.of("month", "2026-02")


def rows(ctx, name, batch, key):
    params = {**batch.params(), **sql_runner.configured(ctx.cfg, name)}
    df = delta_io.conform(sql_runner.select(ctx.spark, name, params), table(name))
    return {tuple(r[k] for k in key) if isinstance(key, tuple) else r[key]: r.asDict() for r in df.collect()}


def snapshot(day, user_id, plan, status, status_date, open_date=dt.date(2020, 1, 1), **kw):
    return dict(user_id=user_id, msisdn="138" + user_id[1:].zfill(8), cust_id="C1", brand="GOTONE", plan_id=plan,
                open_date=open_date, status=status, status_date=status_date, net_gen="4G", sim_type="USIM",
                channel_id="CH1", region_code="571", batch_date=day, **kw)


def test_scd2_user_history_from_snapshots(ctx):
    d = dt.date
    put(ctx, "ods.user", [
        snapshot(d(2026, 1, 5), "U1", "A", "NORMAL", d(2020, 1, 1)),
        snapshot(d(2026, 1, 10), "U1", "B", "NORMAL", d(2020, 1, 1)),          # plan change: dated by the snapshot
        snapshot(d(2026, 1, 20), "U1", "B", "ARREARS_STOP", d(2026, 1, 15)),   # status change: dated by BOSS
        snapshot(d(2026, 1, 31), "U1", "B", "NORMAL", d(2026, 1, 25)),
        snapshot(d(2026, 2, 28), "U1", "B", "CLOSED", d(2026, 2, 10)),
        snapshot(d(2026, 1, 5), "U2", "A", "NORMAL", d(2025, 6, 1), open_date=d(2025, 6, 1)),
        snapshot(d(2026, 2, 28), "U2", "A", "NORMAL", d(2025, 6, 1), open_date=d(2025, 6, 1)),
        snapshot(d(2026, 1, 5), "U3", "A", "NORMAL", d(2020, 1, 1)),
        snapshot(d(2026, 1, 10), "U3", "A", "NORMAL", d(2020, 1, 1)),          # then no longer delivered
    ])
    got = scd2.versions(ctx, "mid.user_h")
    history = sorted((r.user_id, r.plan_id, r.status, r.valid_from, r.valid_to, r.is_current) for r in got.collect())
    end = d(9999, 12, 31)
    assert history == [
        ("U1", "A", "NORMAL", d(2020, 1, 1), d(2026, 1, 9), False),
        ("U1", "B", "ARREARS_STOP", d(2026, 1, 15), d(2026, 1, 24), False),
        ("U1", "B", "CLOSED", d(2026, 2, 10), end, True),
        ("U1", "B", "NORMAL", d(2026, 1, 10), d(2026, 1, 14), False),
        ("U1", "B", "NORMAL", d(2026, 1, 25), d(2026, 2, 9), False),
        ("U2", "A", "NORMAL", d(2025, 6, 1), end, True),
        ("U3", "A", "NORMAL", d(2020, 1, 1), d(2026, 1, 10), False),
    ]
    delta_io.write(ctx, "mid.user_h", got)
    active_on = ctx.spark.sql("select user_id, status from mid.user_h where date'2026-01-16' between valid_from and valid_to")
    # U3 was last delivered on Jan 10, so it is not in the network on Jan 16
    assert sorted(map(tuple, active_on.collect())) == [("U1", "ARREARS_STOP"), ("U2", "NORMAL")]


def profile(user_id, status, **kw):
    base = dict(user_id=user_id, msisdn="m" + user_id, brand="GOTONE", plan_id="P1", channel_id="CH1", region_code="571",
                status=status, in_net=status != "CLOSED", is_new=False, churned_in_month=False, in_net_at_start=True,
                batch_month="2026-02")
    return {**base, **kw}


@pytest.mark.parametrize("cdr_days, mou, mou_est", [(28, D("4.0"), D("4.0")), (7, None, D("16.0"))])
def test_kpi_m_by_hand(ctx, cdr_days, mou, mou_est):
    put(ctx, "mid.user_profile_m", [
        profile("U1", "NORMAL"),
        profile("U2", "CLOSED", churned_in_month=True),                 # left in February
        profile("U3", "NORMAL", is_new=True, in_net_at_start=False, msisdn="mU2"),   # joined with U2's old number
        profile("U4", "CLOSED", in_net_at_start=False),                 # closed before February: not counted
        profile("U5", "CLOSED", is_new=True, in_net_at_start=False, churned_in_month=True),   # joined and left
    ])
    recycled = dict(msisdn="mU2", batch_month="2026-02", active_days=1, voice_seconds=0, billed_minutes=D("0.0"),
                    sms_count=0, data_kb=0, data_records=0, vas_count=0, offnet_fee=D("0.00"), total_fee=D("0.00"),
                    cdr_days=cdr_days)
    put(ctx, "mid.user_usage_m", [dict(msisdn="mU1", user_id="U1", batch_month="2026-02", active_days=3, voice_calls=10,
                                       voice_seconds=600, billed_minutes=D("12.0"), sms_count=5, data_kb=100,
                                       data_records=2, vas_count=1, offnet_fee=D("1.00"), voice_fee=D("2.00"),
                                       total_fee=D("3.00"), cdr_days=cdr_days, roam_fee=D("1.50"), roam_ld_fee=D("0.40"),
                                       roam_intl_fee=D("1.00"), offnet_mo_minutes=10),
                                  # a re-issued number: each holder's own days, never both rows for both users
                                  dict(recycled, user_id="U2", voice_calls=2), dict(recycled, user_id="U3", voice_calls=3),
                                  dict(msisdn="mX", batch_month="2026-02", active_days=1, voice_calls=4, voice_seconds=60,
                                       billed_minutes=D("1.0"), sms_count=0, data_kb=0, data_records=0, vas_count=0,
                                       visit_calls=4, visit_fee=D("2.00"), visit_intl_calls=1, visit_intl_fee=D("0.80"),
                                       offnet_fee=D("0.50"), voice_fee=D("1.50"),
                                       total_fee=D("2.00"), cdr_days=cdr_days)])   # a visitor
    bill = dict(batch_month="2026-02", billed=True, bill_std_fee=D(0), bill_discount=D(0), rent_fee=D(0), roam_fee=D(0),
                pay_amount=D(0), pay_bank=D(0), pay_hall=D(0), pay_agent=D(0), pay_e_topup=D(0), arrears_amt=D(0),
                arrears_days=0)
    put(ctx, "mid.user_bill_m", [
        {**bill, "user_id": "U1", "bill_act_fee": D("100"), "bill_std_fee": D("110"), "bill_discount": D("10"),
         "rent_fee": D("50"), "roam_fee": D("5"), "pay_amount": D("120"), "pay_bank": D("120"), "has_usage": True,
         "voice_revenue": D("30"), "sms_revenue": D("5"), "data_revenue": D("10"), "vas_revenue": D("2"),
         "used_voice": True, "pay_remote": D("30"), "pay_for_others": D("15"), "paid_current": D("100"),
         "collected": D("100"), "arrears_recovered": D("0")},    # paid 20 more than the bill: a balance
        {**bill, "user_id": "U2", "bill_act_fee": D("40"), "rent_fee": D("37"), "late_fee": D("3"), "has_usage": False,
         "arrears_amt": D("30"), "arrears_days": 100, "written_off": D("25")},
        {**bill, "user_id": "U3", "bill_act_fee": D("20"), "has_usage": True, "topup_amount": D("50"),
         "card_fee": D("20"), "used_sms": True, "pay_entrusted": D("20"), "paid_current": D("20"),
         "collected": D("20"), "arrears_recovered": D("0")},
    ])
    pay = dict(acct_id="A1", pay_time=dt.datetime(2026, 2, 3, 10), channel="HALL", method="CASH", batch_month="2026-02")
    put(ctx, "ods.payment", [
        dict(pay, pay_id="P1", user_id="U1", amount=D("30"), collect_region="574"),    # paid in Ningbo: 代收异地 there
        dict(pay, pay_id="P2", user_id="U1", amount=D("90"), collect_region="571"),    # at home
        dict(pay, pay_id="P3", user_id="U1", amount=D("15"), collect_region="574", payee="WATER"),   # not ours
    ])
    got = rows(ctx, "dm.kpi_m", FEB, ("region_code", "brand", "plan_id", "channel_id"))
    assert sorted(got) == [("571", "GOTONE", "P1", "CH1"), ("574", "GOTONE", "P1", "CH1"), ("UNKNOWN",) * 4]
    unknown = got[("UNKNOWN",) * 4]      # usage of an MSISDN without a user is kept, as in dm.kpi_d
    assert {n: unknown[n] for n in ["users_in_net", "active_users", "voice_users", "sms_users", "voice_calls",
                                    "valid_cdrs", "voice_fee", "cdr_fee", "revenue", "visit_calls", "visit_fee",
                                    "visit_intl_calls", "visit_intl_fee"]} == dict(
        users_in_net=0, active_users=1, voice_users=1, sms_users=0, voice_calls=4, valid_cdrs=4, voice_fee=D("1.50"),
        cdr_fee=D("2.00"), revenue=D("0.00"), visit_calls=4, visit_fee=D("2.00"), visit_intl_calls=1,
        visit_intl_fee=D("0.80"))
    # U1's payment taken in Ningbo is collected there for another city (代收异地), and nothing else there;
    # the water bill BOSS took for the water company (代收) is in no payment figure of ours
    ningbo = got[("574", "GOTONE", "P1", "CH1")]
    assert ningbo["collected_for_remote"] == D("30.00")
    assert {n: v for n, v in ningbo.items() if isinstance(v, (int, D)) and v and n not in ("collected_for_remote", "cdr_days")} == {}
    k = got[("571", "GOTONE", "P1", "CH1")]
    assert {n: k[n] for n in ["users_in_net", "active_users", "billed_users", "new_users", "churned_users",
                              "users_at_start", "voice_calls", "voice_seconds", "valid_cdrs", "sms_count", "data_records",
                              "vas_records", "voice_fee", "cdr_fee", "cdr_days"]} == dict(
        users_in_net=2, active_users=3, billed_users=3, new_users=2, churned_users=2, users_at_start=2,
        voice_calls=15, voice_seconds=600, cdr_days=cdr_days,
        # valid CDRs are the call records (有效话单); the other records have their own counts, and
        # call revenue (话费收入) is the calls' fees, not every CDR's
        valid_cdrs=15, sms_count=5, data_records=2, vas_records=1, voice_fee=D("2.00"), cdr_fee=D("3.00"))
    # roaming from the CDRs: 漫游费 = 漫游通话费 + 漫游长途费; interconnect settlement 10 minutes x 0.06
    assert {n: k[n] for n in ["roam_call_fee", "roam_ld_fee", "roam_intl_fee", "interconnect_fee"]} == dict(
        roam_call_fee=D("1.10"), roam_ld_fee=D("0.40"), roam_intl_fee=D("1.00"), interconnect_fee=D("0.60"))
    # users per service (使用用户数): a record of the service, or a bill item of its group: voice U1
    # (calls), U2 and U3 (calls on the re-issued number); SMS U1 (messages) and U3 (billed for SMS)
    assert {n: k[n] for n in ["voice_users", "sms_users", "data_users", "vas_users"]} == dict(
        voice_users=3, sms_users=2, data_users=1, vas_users=1)
    # revenue by reporting group, late and card fees; this month's charges paid (已交当月费用); payments by kind
    assert {n: k[n] for n in ["voice_revenue", "sms_revenue", "data_revenue", "vas_revenue", "late_fee", "card_fee",
                              "paid_current", "pay_entrusted", "pay_remote", "pay_for_others",
                              "collected_for_remote"]} == dict(
        voice_revenue=D("30.00"), sms_revenue=D("5.00"), data_revenue=D("10.00"), vas_revenue=D("2.00"),
        late_fee=D("3.00"), card_fee=D("20.00"), paid_current=D("120.00"), pay_entrusted=D("20.00"),
        pay_remote=D("30.00"), pay_for_others=D("15.00"), collected_for_remote=D("0.00"))
    # collected is what the bills settled (not the 120 paid); top-ups are their own measure; U2 owes
    # 30 over 90 days old (doubtful debt) after 25 were written off this month (bad debt)
    assert {n: k[n] for n in ["revenue", "std_fee", "discount", "rent_fee", "roam_fee", "collected", "topup_amount",
                              "pay_bank", "arrears_amt", "doubtful_debt", "bad_debt", "offnet_fee", "billed_minutes",
                              "cdr_fee"]} == dict(
        revenue=D("160.00"), std_fee=D("110.00"), discount=D("10.00"), rent_fee=D("87.00"), roam_fee=D("5.00"),
        collected=D("120.00"), topup_amount=D("50.00"), pay_bank=D("120.00"), arrears_amt=D("30.00"),
        doubtful_debt=D("30.00"), bad_debt=D("25.00"), offnet_fee=D("1.00"), billed_minutes=D("12.0"), cdr_fee=D("3.00"))
    # ARPU 160 / 3 billed users; MOU 12 billed minutes / 3 when all 28 days are loaded, else none (the
    # estimate scales the loaded days to the month: 4.0 x 28 / 7); churn rate: U2 and U5 left, of the 2
    # in the network on Feb 1 and the 2 who joined (U5 joined and left: in the numerator and the denominator)
    assert (k["arpu"], k["mou"], k["mou_est"], k["churn_rate"]) == (D("53.33"), mou, mou_est, D("0.50000"))


def test_collected_is_what_the_month_settled_and_top_ups_are_their_own(ctx):
    jan, feb = "2026-01", "2026-02"
    pay = dict(pay_time=dt.datetime(2026, 2, 3, 10), channel="BANK", method="BANK_COLLECT", batch_month=feb)
    put(ctx, "ods.account", [dict(acct_id="A1", cust_id="C1", pay_method="BANK_COLLECT", batch_month=feb),
                             dict(acct_id="A2", cust_id="C2", pay_method="TOPUP_CARD", batch_month=feb),
                             dict(acct_id="A3", cust_id="C3", pay_method="CASH", batch_month=feb)])
    line = dict(bill_month=feb, discount=D(0), batch_month=feb)
    put(ctx, "ods.bill", [dict(line, acct_id="A1", user_id="U1", item_code="RENT", std_fee=D(50), act_fee=D(50)),
                          dict(line, acct_id="A1", user_id="U1", item_code="LOCAL_CALL", std_fee=D(30), discount=D(10),
                               act_fee=D(20)),
                          dict(line, acct_id="A2", user_id="U2", item_code="RENT", std_fee=D(18), act_fee=D(18))])
    put(ctx, "ods.payment", [dict(pay, pay_id="P1", user_id="U1", acct_id="A1", amount=D(100)),
                             dict(pay, pay_id="P2", user_id="U2", acct_id="A2", amount=D(50), method="TOPUP_CARD"),
                             dict(pay, pay_id="P3", user_id="U3", acct_id="A3", amount=D(10), method="CASH",
                                  channel="ENTRUSTED", collect_region="574"),
                             # a water bill BOSS took for the water company (代收): not ours
                             dict(pay, pay_id="P4", user_id="U1", acct_id="A1", amount=D(25), method="CASH",
                                  channel="HALL", payee="WATER")])
    put(ctx, "mid.user_profile_m", [profile(u, "NORMAL") for u in ("U1", "U2", "U3")])
    put(ctx, "ods.writeoff", [dict(writeoff_id="W1", user_id="U3", acct_id="A3", writeoff_date=dt.date(2026, 2, 28),
                                   amount=D(20), approval_no="BS1", batch_month=feb)])
    owed = dict(balance=D(0), arrears_amt=D(0), arrears_days=0, stop_count=0)
    put(ctx, "ods.balance", [dict(owed, user_id="U1", acct_id="A1", arrears_amt=D(40), arrears_days=20, batch_month=jan),
                             dict(owed, user_id="U2", acct_id="A2", balance=D(10), batch_month=jan),
                             dict(owed, user_id="U3", acct_id="A3", arrears_amt=D(30), arrears_days=40, batch_month=jan),
                             dict(owed, user_id="U1", acct_id="A1", batch_month=feb)])
    got = rows(ctx, "mid.user_bill_m", FEB, "user_id")
    settled = {u: (r["bill_act_fee"], r["usage_std_fee"], r["pay_amount"], r["collected"], r["arrears_recovered"],
                   r["topup_amount"]) for u, r in got.items()}
    assert settled == {
        # bill 70 + January's arrears 40, paid 100: all of it collected, 40 of it arrears
        "U1": (D("70.00"), D("30.00"), D("100.00"), D("100.00"), D("40.00"), D("0.00")),
        # prepaid: tops up 50 onto a balance of 10; the bill of 18 is collected, the top-up is its own measure
        "U2": (D("18.00"), D("0.00"), D("50.00"), D("18.00"), D("0.00"), D("50.00")),
        # no bill this month: 10 of January's 30 arrears recovered
        "U3": (D("0.00"), D("0.00"), D("10.00"), D("10.00"), D("10.00"), D("0.00")),
    }
    # this month's charges paid (已交当月费用): what collected settled beyond last month's arrears;
    # U3 paid at a post office (委托代收) in Ningbo, not in its own Hangzhou (异地代收)
    # U3's remaining 20 were written off in February (bad debt)
    kinds = {u: (r["paid_current"], r["pay_entrusted"], r["pay_remote"], r["pay_for_others"], r["pay_hall"],
                 r["pay_count"], r["written_off"]) for u, r in got.items()}
    assert kinds == {"U1": (D("60.00"), D("0.00"), D("0.00"), D("25.00"), D("0.00"), 1, D("0.00")),
                     "U2": (D("18.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), 1, D("0.00")),
                     "U3": (D("0.00"), D("10.00"), D("10.00"), D("0.00"), D("0.00"), 1, D("20.00"))}


def test_complaints_go_to_the_user_who_held_the_number_that_day(ctx):
    d, end = dt.date, dt.date(9999, 12, 31)
    version = dict(msisdn="13800000001", cust_id="C1", brand="GOTONE", plan_id="P1", open_date=d(2020, 1, 1),
                   net_gen="4G", sim_type="USIM", channel_id="CH1", region_code="571")
    put(ctx, "mid.user_h", [
        dict(version, user_id="U0", status="NORMAL", status_date=d(2020, 1, 1), valid_from=d(2020, 1, 1),
             valid_to=d(2026, 2, 9), is_current=False),
        dict(version, user_id="U0", status="CLOSED", status_date=d(2026, 2, 10), valid_from=d(2026, 2, 10),
             valid_to=end, is_current=True),
        dict(version, user_id="U1", open_date=d(2026, 2, 20), status="NORMAL", status_date=d(2026, 2, 20),
             valid_from=d(2026, 2, 20), valid_to=end, is_current=True),
    ])
    complaint = dict(msisdn="13800000001", channel="HOTLINE", level=1, category="BILLING", result="RESOLVED",
                     satisfaction=4, batch_month="2026-02")
    put(ctx, "ods.complaint", [dict(complaint, complaint_id=f"Q{day}", create_time=dt.datetime(2026, 2, day, 10),
                                    first_reply_time=dt.datetime(2026, 2, day, 12)) for day in (5, 15, 25)])
    got = rows(ctx, "mid.user_complaint_m", FEB, ("msisdn", "user_id"))
    # Feb 5 before U0 left, Feb 15 after (nobody held it since), Feb 25 after U1 got the number
    assert {k: r["complaints"] for k, r in got.items()} == {("13800000001", "U0"): 2, ("13800000001", "U1"): 1}


def test_churn_labels_wait_for_the_horizon(ctx):
    d = dt.date
    put(ctx, "mid.user_profile_m", [profile("U1", "NORMAL", batch_month="2026-01"),
                                    profile("U2", "NORMAL", batch_month="2026-01"),
                                    profile("U3", "CLOSED", batch_month="2026-01")])
    put(ctx, "mid.user_h", [
        dict(user_id="U1", status="NORMAL", valid_from=d(2020, 1, 1), valid_to=d(2026, 2, 14)),
        dict(user_id="U1", status="CLOSED", valid_from=d(2026, 2, 15), valid_to=d(9999, 12, 31)),
        dict(user_id="U2", status="NORMAL", valid_from=d(2020, 1, 1), valid_to=d(9999, 12, 31)),
    ])
    put(ctx, "ods.user", [snapshot(d(2026, 2, 28), "U2", "A", "NORMAL", d(2020, 1, 1))])   # loaded up to Feb 28
    got = rows(ctx, "dm.churn_label_m", Batch.of("month", "2026-01"), "user_id")
    assert {u: (r["churn_1m"], r["churn_3m"]) for u, r in got.items()} == {"U1": (True, None), "U2": (False, None)}


def departures(ctx, statuses):
    """mid.user_profile_m and dm.churn_label_m for December to February under `statuses` (conf
    churn.statuses) from hand-built histories: U1 stopped pending closure on Jan 25, pre-closed on
    Jan 29, closed on Feb 3; U2 pre-closed on Jan 20, came back on Feb 5, pre-closed again on Feb 20."""
    from bass.orchestration.runs import run_step
    d, end = dt.date, dt.date(9999, 12, 31)
    version = dict(msisdn="13800000001", cust_id="C1", brand="GOTONE", plan_id="P1", open_date=d(2020, 1, 1),
                   net_gen="4G", sim_type="USIM", channel_id="CH1", region_code="571")
    steps = {"U1": [("NORMAL", d(2020, 1, 1)), ("PENDING_CLOSE", d(2026, 1, 25)), ("PRE_CLOSED", d(2026, 1, 29)),
                    ("CLOSED", d(2026, 2, 3))],
             "U2": [("NORMAL", d(2020, 1, 1)), ("PRE_CLOSED", d(2026, 1, 20)), ("NORMAL", d(2026, 2, 5)),
                    ("PRE_CLOSED", d(2026, 2, 20))]}
    put(ctx, "mid.user_h", [
        dict(version, user_id=u, msisdn=f"1380000000{u[1]}", status=st, status_date=since, valid_from=since,
             valid_to=(h[i + 1][1] - dt.timedelta(days=1)) if i + 1 < len(h) else end, is_current=i + 1 == len(h))
        for u, h in steps.items() for i, (st, since) in enumerate(h)])
    for name in ["mid.customer_m", "mid.user_account_m", "mid.product_m", "ods.contract"]:
        put(ctx, name, [])
    put(ctx, "ods.user", [snapshot(d(2026, 5, 31), "U9", "A", "NORMAL", d(2020, 1, 1))])   # loaded up to May
    ctx.cfg.raw["churn"]["statuses"] = statuses
    run_step(ctx, "mid.user_profile_m", Batch.of("month", "2025-12", "2026-02"), force=True)
    profiles = {(r.user_id, r.batch_month): (r.in_net, r.churned_in_month, r.in_net_at_start)
                for r in ctx.spark.table("mid.user_profile_m").collect()}
    labels = {u: (r["churn_1m"], r["churn_3m"]) for u, r in rows(ctx, "dm.churn_label_m", Batch.of("month", "2025-12"),
                                                                  "user_id").items()}
    return profiles, labels


def test_a_user_leaves_on_closure_by_default(ctx, monkeypatch):
    monkeypatch.setitem(ctx.cfg.raw, "churn", dict(ctx.cfg.raw["churn"]))
    profiles, labels = departures(ctx, ["CLOSED"])
    # (in_net, churned_in_month, in_net_at_start): pre-closed users are still in the network
    assert profiles == {("U1", "2025-12"): (True, False, True), ("U1", "2026-01"): (True, False, True),
                        ("U1", "2026-02"): (False, True, True),
                        ("U2", "2025-12"): (True, False, True), ("U2", "2026-01"): (True, False, True),
                        ("U2", "2026-02"): (True, False, True)}
    assert labels == {"U1": (False, True), "U2": (False, False)}   # U1 closed in February, U2 never


def test_a_province_may_count_leaving_from_pre_closure(ctx, monkeypatch):
    monkeypatch.setitem(ctx.cfg.raw, "churn", dict(ctx.cfg.raw["churn"]))
    profiles, labels = departures(ctx, ["PENDING_CLOSE", "PRE_CLOSED", "CLOSED"])
    # U1 left on Jan 25 (its first step), once: closure in February is the same departure; U2 left
    # on Jan 20, came back, and left again on Feb 20 (back from pre-closure: in the network at the start)
    assert profiles == {("U1", "2025-12"): (True, False, True), ("U1", "2026-01"): (False, True, True),
                        ("U1", "2026-02"): (False, False, False),
                        ("U2", "2025-12"): (True, False, True), ("U2", "2026-01"): (False, True, True),
                        ("U2", "2026-02"): (False, True, True)}
    assert labels == {"U1": (True, True), "U2": (True, True)}


def vip_profile(user_id, month="2026-02", **kw):
    row = dict(dict(user_id=user_id, msisdn="138" + user_id[1:].zfill(8), cust_id="C" + user_id, cust_type="P",
                    brand="GOTONE", region_code="571", status="NORMAL", batch_month=month), **kw)
    return {"in_net": row["status"] != "CLOSED", **row}


def bill(user_id, month, fee):
    return dict(user_id=user_id, batch_month=month, billed=True, bill_act_fee=D(fee))


def test_vip_tiers_by_hand(ctx):
    """Bounds from conf/base.yml: ARPU of the last 3 billed months x 12 against 3000 / 1500 / 666."""
    from bass.orchestration.runs import run_step
    put(ctx, "mid.user_profile_m", [vip_profile("U1"), vip_profile("U2"), vip_profile("U3"), vip_profile("U4"),
                                    vip_profile("U5", status="CLOSED"), vip_profile("U6", cust_type="G")])
    put(ctx, "mid.user_bill_m", [bill("U1", m, "300.00") for m in ("2025-12", "2026-01", "2026-02")]
        + [bill("U2", "2026-02", "130.00"),
           bill("U3", "2026-01", "60.00"), bill("U3", "2026-02", "52.00"),
           bill("U3", "2025-11", "900.00"),                     # outside the 3-month window
           bill("U5", "2026-02", "999.00"), bill("U6", "2026-02", "999.00")])
    run_step(ctx, "dm.vip_m", "2026-02")
    got = {r.user_id: (r.vip_tier, r.arpu, r.months_billed) for r in ctx.spark.table("dm.vip_m").collect()}
    assert got == {"U1": ("DIAMOND", D("300.00"), 3),       # 3600 > 3000
                   "U2": ("GOLD", D("130.00"), 1),          # 1560
                   "U3": ("SILVER", D("56.00"), 2),         # 672
                   "U4": ("NONE", None, 0)}                 # no bill in the window: NONE, not missing


def test_group_classes_by_hand(ctx, monkeypatch):
    """conf/base.yml: A = 500+ members, the top 5 % by spend, a key industry or a listed taxpayer;
    B = 100+ members, the top 30 % by spend, securities or insurance; C = every other group."""
    from bass.orchestration.runs import run_step
    monkeypatch.setitem(ctx.cfg.raw["dm"]["group_class"], "class_a_groups", ["G4"])
    sizes = {"G1": 12, "G2": 101, "G3": 11, "G4": 10, "G5": 0, "G6": 1, "G7": 1}
    industry = {"G6": "银行", "G7": "保险", "G3": "制造业"}
    members = [vip_profile(f"U{g[1]}{i:03d}", group_id=g) for g, n in sizes.items() for i in range(n)]
    put(ctx, "ods.group_customer", [dict(group_id=g, group_name=g, industry=industry.get(g), batch_month="2026-02")
                                    for g in sizes])
    put(ctx, "mid.user_profile_m", members)
    put(ctx, "mid.user_bill_m", [bill(m["user_id"], "2026-02", "5000.00" if m["group_id"] == "G1" else "10.00")
                                 for m in members])
    run_step(ctx, "dm.group_customer_m", "2026-02")
    got = {r.group_id: (r.members, r.group_class) for r in ctx.spark.table("dm.group_customer_m").collect()}
    # spend ranks (percent_rank of 7): G1 0 (60,000), G2 1/6 (1,010), G3 2/6 (110), G4 3/6, G6 = G7 4/6, G5 1
    assert got == {"G1": (12, "A"),     # top 5 % by spend
                   "G2": (101, "B"),    # 100+ members (and the top 30 % by spend)
                   "G3": (11, "C"),     # rank 0.33: past the top 30 %
                   "G4": (10, "A"),     # on the taxpayer list
                   "G5": (0, "C"), "G6": (1, "A"), "G7": (1, "B")}


def loaded(ctx, *days, at):
    """Registry rows saying the user snapshots of `days` were loaded at time `at`."""
    delta_io.append_rows(ctx, "meta.file_registry", [
        dict(interface="user", batch=day.isoformat(), file_name=f"user_{day:%Y%m%d}.dat", resend_no=0, byte_size=1,
             records=1, loaded=1, rejected=0, status="LOADED", loaded_at=at) for day in days])


def test_user_history_merged_month_by_month_equals_the_full_rebuild(ctx):
    from bass.orchestration.runs import run_step
    d = dt.date
    jan = [snapshot(d(2026, 1, 5), "U1", "A", "NORMAL", d(2020, 1, 1)),
           snapshot(d(2026, 1, 31), "U1", "B", "ARREARS_STOP", d(2026, 1, 15)),
           snapshot(d(2026, 1, 5), "U2", "A", "NORMAL", d(2025, 6, 1), open_date=d(2025, 6, 1)),
           snapshot(d(2026, 1, 31), "U2", "A", "NORMAL", d(2025, 6, 1), open_date=d(2025, 6, 1)),
           snapshot(d(2026, 1, 5), "U3", "A", "NORMAL", d(2020, 1, 1))]               # gone after Jan 5
    feb = [snapshot(d(2026, 2, 28), "U1", "B", "CLOSED", d(2026, 2, 10)),            # status change across the months
           snapshot(d(2026, 2, 28), "U2", "A", "NORMAL", d(2025, 6, 1), open_date=d(2025, 6, 1)),
           snapshot(d(2026, 2, 28), "U3", "A", "NORMAL", d(2020, 1, 1)),             # back again, unchanged
           snapshot(d(2026, 2, 28), "U4", "C", "NORMAL", d(2026, 2, 3), open_date=d(2026, 2, 3))]   # new
    ddl = table("mid.user_h").schema_ddl()

    def same_as_rebuild():
        full = delta_io.conform(scd2.versions(ctx, "mid.user_h"), table("mid.user_h"))
        built = ctx.spark.table("mid.user_h")
        assert built.exceptAll(full).isEmpty() and full.exceptAll(built).isEmpty(), ddl

    put(ctx, "ods.user", jan)
    loaded(ctx, d(2026, 1, 5), d(2026, 1, 31), at=dt.datetime(2026, 2, 1, 1))
    assert run_step(ctx, "mid.user_h", "2026-01").message.startswith("rebuilt")
    put(ctx, "ods.user", feb)
    loaded(ctx, d(2026, 2, 28), at=dt.datetime(2026, 3, 1, 1))
    assert run_step(ctx, "mid.user_h", "2026-02").message == "merged the snapshots after 2026-01-31 through 2026-02-28"
    same_as_rebuild()
    assert run_step(ctx, "mid.user_h", "2026-02").message == "up to date through 2026-02-28"
    # a resent January snapshot changes history the merge would not revisit: rebuilt in full
    put(ctx, "ods.user", [dict(r, plan_id="Z") if r["user_id"] == "U2" else r for r in jan if r["batch_date"] == d(2026, 1, 31)])
    loaded(ctx, d(2026, 1, 31), at=dt.datetime(2026, 3, 2, 1))
    assert run_step(ctx, "mid.user_h", "2026-02").message.startswith("rebuilt")
    same_as_rebuild()
    assert ctx.spark.table("mid.user_h").where("user_id = 'U2' and plan_id = 'Z'").count() == 1


def kpi(region, brand, plan, users, churned, revenue, billed, **kw):
    base = dict(region_code=region, brand=brand, plan_id=plan, channel_id="CH1", users_at_start=users,
                users_in_net=users - churned, active_users=users, billed_users=billed, new_users=0,
                churned_users=churned, billed_minutes=D("100.0"), sms_count=1, data_kb=1, revenue=D(revenue),
                collected=D(revenue) / 2, topup_amount=D("0"), arrears_amt=D("0"), bad_debt=D("0"), cdr_days=28,
                batch_month="2026-02")
    return {**base, **kw}


def test_kpi_cube_sums_measures_and_recomputes_ratios_at_every_level(ctx):
    put(ctx, "dm.kpi_m", [kpi("571", "GOTONE", "P1", 100, 10, "5000.00", 100, new_users=100),
                          kpi("571", "MZONE", "P2", 300, 6, "3000.00", 200),
                          kpi("572", "GOTONE", "P1", 100, 4, "2000.00", 50)])
    got = rows(ctx, "dm.kpi_cube_m", FEB, ("region_code", "brand", "plan_id", "channel_id"))
    # the distinct cells of the 8 subsets of region/brand/plan: 1 + 2 + 2 + 2 + 3 + 3 + 2 + 3 = 18,
    # each with the channel and with 'ALL' channels
    assert len(got) == 36
    province = got[("ALL", "ALL", "ALL", "ALL")]
    assert province["rollup_level"] == 4 and province["users_at_start"] == 500 and province["churned_users"] == 20
    assert province["churn_rate"] == D("0.03333")         # 20 / (500 at start + 100 new), not a mean of the cells' rates
    assert province["arpu"] == D("28.57")                               # 10000 / 350 billed users
    assert province["collection_rate"] == D("0.50000")
    gotone = got[("ALL", "GOTONE", "ALL", "ALL")]
    assert (gotone["users_at_start"], gotone["revenue"], gotone["arpu"]) == (200, D("7000.00"), D("46.67"))
    assert got[("571", "ALL", "ALL", "CH1")]["rollup_level"] == 2
    assert got[("572", "GOTONE", "P1", "CH1")]["rollup_level"] == 0
    # February has 28 days and all 28 CDR days are loaded: MOU is exact
    assert got[("572", "GOTONE", "P1", "CH1")]["mou"] == D("2.0")


def test_revenue_structure_by_item_and_reporting_group(ctx):
    """dm.revenue_m: each account item with its reporting group (conf revenue.item_groups); a bill
    of a user missing from the month's profile is kept under UNKNOWN."""
    line = dict(bill_month="2026-02", acct_id="A1", batch_month="2026-02")
    put(ctx, "ods.bill", [
        dict(line, user_id="U1", item_code="LOCAL_CALL", std_fee=D(30), discount=D(10), act_fee=D(20)),
        dict(line, user_id="U1", item_code="LD_CALL", std_fee=D(5), discount=D(0), act_fee=D(5)),
        dict(line, user_id="U2", item_code="LOCAL_CALL", std_fee=D(8), discount=D(0), act_fee=D(8)),
        dict(line, user_id="U2", item_code="LATE_FEE", std_fee=D(2), discount=D(0), act_fee=D(2)),
        dict(line, user_id="U9", item_code="DATA", std_fee=D(4), discount=D(1), act_fee=D(3)),
    ])
    put(ctx, "mid.user_profile_m", [profile("U1", "NORMAL"), profile("U2", "NORMAL", region_code="574")])
    got = {k: (r["item_group"], r["users"], r["std_fee"], r["discount"], r["revenue"])
           for k, r in rows(ctx, "dm.revenue_m", FEB, ("region_code", "item_code")).items()}
    assert got == {("571", "LOCAL_CALL"): ("voice", 1, D("30.00"), D("10.00"), D("20.00")),
                   ("571", "LD_CALL"): ("voice", 1, D("5.00"), D("0.00"), D("5.00")),
                   ("574", "LOCAL_CALL"): ("voice", 1, D("8.00"), D("0.00"), D("8.00")),
                   ("574", "LATE_FEE"): ("other", 1, D("2.00"), D("0.00"), D("2.00")),
                   ("UNKNOWN", "DATA"): ("data", 1, D("4.00"), D("1.00"), D("3.00"))}


def test_every_region_code_has_a_name(ctx):
    """mid.region_m: the configured cities for every month, and a code the month's users carry
    that the configuration lacks, named by its code."""
    put(ctx, "mid.user_profile_m", [profile("U1", "NORMAL"), profile("U2", "NORMAL", region_code="599")])
    put(ctx, "mid.channel_m", [dict(channel_id="CH1", region_code="571", batch_month="2026-02")])
    got = {r: (v["region_name"], v["configured"]) for r, v in rows(ctx, "mid.region_m", FEB, "region_code").items()}
    assert got["571"] == ("杭州", True) and got["578"] == ("丽水", True)
    assert got["599"] == ("599", False)
    assert len(got) == len(ctx.cfg.get("regions")) + 1
