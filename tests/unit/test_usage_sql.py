"""mid.user_usage_d and dm.kpi_d SQL on tiny hand-built ODS rows; expectations worked by hand."""
import datetime as dt
import re
from decimal import Decimal as D

from bass.core.batch import Batch
from bass.core.registry import table
from bass.warehouse import delta_io, sql_runner
from tests.unit.frames import frame, put

DAY = dt.date(2026, 1, 5)
ONE_DAY = Batch.of("date", DAY.isoformat()).params()


def call(msisdn, duration, direction, call_type, net, std, act, fwd=0, fwd_net=None, other="x", roam="HOME", **kw):
    return dict(msisdn=msisdn, other_party=other, start_time=dt.datetime(2026, 1, 5, 9), duration=duration,
                direction=direction, call_type=call_type, roam_type=roam, other_net=net, fwd_flag=fwd, fwd_net=fwd_net,
                std_fee=D(std), act_fee=D(act), batch_date=DAY, **kw)


def load_tiny_day(ctx, extra_calls=()):
    a, b, c = "13800000001", "13800000002", "13900000009"
    put(ctx, "ods.cdr_voice", [
        call(a, 61, "MO", "LOCAL", "ONNET", "0.40", "0.40", other="p1"),   # 1 minute unit  -> 120 s
        call(a, 61, "MO", "LD", "OFFNET", "0.35", "0.33", other="p2"),     # 6-second units -> 66 s
        call(a, 0, "MT", "LOCAL", "ONNET", "0", "0", fwd=1, fwd_net="OFFNET", other="p1"),   # -> 0 s
        call(a, 2, "MO", "LOCAL", "FIXED", "0.39", "0.39", other="p3", roam="NATIONAL"),  # minute unit -> 60 s
        call(c, 7, "MT", "LD", "ONNET", "0", "0"),                         # unknown user   -> 12 s
        dict(call(a, 600, "MO", "LOCAL", "ONNET", "9", "9"), batch_date=DAY - dt.timedelta(days=1)),  # other day
        *extra_calls,
    ])
    put(ctx, "ods.cdr_sms", [
        dict(msisdn=a, other_party="p4", send_time=dt.datetime(2026, 1, 5, 9), direction="MO", other_net="OFFNET",
             sms_type="SMS", fee=D("0.10"), batch_date=DAY),
        dict(msisdn=a, other_party="p1", send_time=dt.datetime(2026, 1, 5, 9), direction="MT", other_net="ONNET",
             sms_type="SMS", fee=D("0.00"), batch_date=DAY),
    ])
    put(ctx, "ods.cdr_data", [
        dict(msisdn=a, start_time=dt.datetime(2026, 1, 5, 9), duration=60, up_kb=100, down_kb=924, rat="4G",
             fee=D("0.03"), batch_date=DAY),
        dict(msisdn=b, start_time=dt.datetime(2026, 1, 5, 9), duration=60, up_kb=10, down_kb=20, rat="4G",
             fee=D("0.00"), batch_date=DAY),
    ])
    put(ctx, "ods.vas_usage", [dict(msisdn=b, sp_code="SP1", service_code="S1", use_time=dt.datetime(2026, 1, 5, 9),
                                    fee=D("2.00"), batch_date=DAY)])
    user = dict(cust_id="C1", brand="GOTONE", plan_id="GT58", open_date=dt.date(2020, 1, 1), status="NORMAL",
                status_date=dt.date(2020, 1, 1), net_gen="4G", sim_type="USIM", region_code="571", batch_date=DAY)
    # a's number was re-issued: its former holder U0 left in December and is still in the snapshot
    former = dict(user, user_id="U0", msisdn=a, brand="MZONE", region_code="572", status="CLOSED",
                  status_date=dt.date(2025, 12, 1))
    put(ctx, "ods.user", [former, dict(user, user_id="U1", msisdn=a), dict(user, user_id="U2", msisdn=b)])


def usage_rows(ctx):
    df = delta_io.conform(sql_runner.select(ctx.spark, "mid.user_usage_d", ONE_DAY), table("mid.user_usage_d"))
    rows = df.collect()
    assert len(rows) == len({r.msisdn for r in rows})      # one row per MSISDN and day, whoever held it before
    return {r.msisdn: r.asDict() for r in rows}


def test_user_usage_d_by_hand(ctx):
    load_tiny_day(ctx)
    got = usage_rows(ctx)
    assert set(got) == {"13800000001", "13800000002", "13900000009"}     # the other day's call is not read
    a = got["13800000001"]
    assert {k: a[k] for k in ["user_id", "voice_calls", "voice_mo_calls", "voice_mt_calls", "voice_seconds",
                              "voice_mo_seconds", "local_calls", "ld_calls", "roam_in_calls", "roam_out_calls",
                              "onnet_calls", "offnet_calls", "fixed_calls", "offnet_seconds", "fwd_calls",
                              "fwd_offnet_calls", "sms_count", "sms_mo_count", "sms_offnet_count", "data_records",
                              "data_kb", "vas_count"]} == dict(
        user_id="U1", voice_calls=4, voice_mo_calls=3, voice_mt_calls=1, voice_seconds=124, voice_mo_seconds=124,
        local_calls=2, ld_calls=1, roam_in_calls=0, roam_out_calls=1, onnet_calls=2, offnet_calls=2, fixed_calls=1,
        offnet_seconds=63, fwd_calls=1, fwd_offnet_calls=1, sms_count=2, sms_mo_count=1, sms_offnet_count=1,
        data_records=1, data_kb=1024, vas_count=0)
    # billed: 120 + 66 + 0 + 60 = 246 s = 4.1 min; fees: voice 0.40+0.33+0.39, off-net 0.33+0.39
    assert {k: a[k] for k in ["billed_minutes", "voice_std_fee", "voice_fee", "offnet_fee", "ld_fee", "roam_fee",
                              "sms_fee", "data_fee", "vas_fee", "total_fee"]} == dict(
        billed_minutes=D("4.1"), voice_std_fee=D("1.14"), voice_fee=D("1.12"), offnet_fee=D("0.72"),
        ld_fee=D("0.33"), roam_fee=D("0.39"), sms_fee=D("0.10"), data_fee=D("0.03"), vas_fee=D("0.00"),
        total_fee=D("1.25"))
    b, c = got["13800000002"], got["13900000009"]
    assert (b["voice_calls"], b["data_kb"], b["vas_count"], b["vas_fee"], b["total_fee"]) == (0, 30, 1, D("2.00"), D("2.00"))
    assert (c["user_id"], c["voice_calls"], c["billed_minutes"]) == (None, 1, D("0.2"))
    # a fee with no matching call, or of a source without rows, is 0, not null
    assert [c[k] for k in ["offnet_fee", "roam_fee", "sms_fee", "vas_fee", "total_fee"]] == [D("0.00")] * 5
    assert (b["voice_fee"], b["ld_fee"], b["sms_count"]) == (D("0.00"), D("0.00"), 0)


def test_fees_are_summed_as_longs(ctx):
    """The CDR interfaces declare fees as decimal(8,2), so Spark sums each fee's unscaled long and
    marks the sum as yuan (its DecimalAggregates rule). A wider fee type, or arithmetic on a fee
    before the sum, makes every sum a BigDecimal addition, which doubled the cost of this table."""
    load_tiny_day(ctx)
    ctx.spark.conf.set("spark.sql.debug.maxToStringFields", "1000")   # every aggregate, none elided
    try:
        plan = sql_runner.select(ctx.spark, "mid.user_usage_d", ONE_DAY)._jdf.queryExecution().optimizedPlan().toString()
    finally:
        ctx.spark.conf.unset("spark.sql.debug.maxToStringFields")
    for fee in ["voice_std_fee", "voice_fee", "offnet_fee", "ld_fee", "roam_fee", "sms_fee", "data_fee", "vas_fee"]:
        assert re.search(rf"MakeDecimal\(sum\(UnscaledValue\((?:(?! AS ).)*\)\),18,2\) AS {fee}#", plan), (fee, plan)


def kpi_d(ctx, params):
    params = {**params, **sql_runner.configured(ctx.cfg, "dm.kpi_d")}
    return delta_io.conform(sql_runner.select(ctx.spark, "dm.kpi_d", params), table("dm.kpi_d")).collect()


def test_kpi_d_counts_the_days_new_users_and_departures(ctx, monkeypatch):
    """New users opened that day; a departure on its first step out of the network (conf
    churn.statuses): a pre-closed user's closure is no second departure."""
    before = DAY - dt.timedelta(days=1)
    user = dict(msisdn="1", cust_id="C1", brand="GOTONE", plan_id="P", open_date=dt.date(2020, 1, 1), net_gen="4G",
                sim_type="USIM", region_code="571")
    day = [("U5", "NORMAL", DAY, DAY), ("U6", "CLOSED", DAY, None), ("U7", "CLOSED", DAY, None), ("U8", "NORMAL", None, None)]
    yesterday = [("U6", "PRE_CLOSED", before), ("U7", "NORMAL", None), ("U8", "NORMAL", None)]
    put(ctx, "ods.user", [dict(user, user_id=u, status=st, status_date=since or user["open_date"],
                               open_date=opened or user["open_date"], batch_date=DAY) for u, st, since, opened in day]
        + [dict(user, user_id=u, status=st, status_date=since or user["open_date"], batch_date=before)
           for u, st, since in yesterday])
    delta_io.write(ctx, "mid.user_usage_d", frame(ctx, "mid.user_usage_d", []), {"batch_date": (DAY, DAY)})   # no usage
    monkeypatch.setitem(ctx.cfg.raw, "churn", {"statuses": ["CLOSED"]})
    assert [(r.new_users, r.churned_users) for r in kpi_d(ctx, ONE_DAY)] == [(1, 2)]
    monkeypatch.setitem(ctx.cfg.raw, "churn", {"statuses": ["PRE_CLOSED", "CLOSED"]})
    assert [(r.new_users, r.churned_users) for r in kpi_d(ctx, ONE_DAY)] == [(1, 1)]   # U6 left yesterday


def test_kpi_d_by_hand(ctx):
    """The former holder of a re-issued number (region 572) gets none of its usage; a visitor
    roaming in our network is UNKNOWN and counted as visited roaming."""
    load_tiny_day(ctx, extra_calls=[call("15900000001", 60, "MO", "LOCAL", "ONNET", "0.60", "0.60", roam="VISIT")])
    usage = sql_runner.select(ctx.spark, "mid.user_usage_d", ONE_DAY)
    delta_io.write(ctx, "mid.user_usage_d", usage, {"batch_date": (DAY, DAY)})
    rows = {(r.region_code, r.brand): r.asDict() for r in kpi_d(ctx, ONE_DAY)}
    assert rows == {
        ("571", "GOTONE"): dict(region_code="571", brand="GOTONE", new_users=0, churned_users=0, active_users=2, voice_calls=4, voice_seconds=124,
                                billed_minutes=D("4.1"), sms_count=2, data_kb=1054, data_up_kb=110, data_down_kb=944,
                                offnet_fee=D("0.72"), roam_cdr_fee=D("0.39"), visit_calls=0, visit_fee=D("0.00"),
                                cdr_fee=D("3.25"), batch_date=DAY),
        ("UNKNOWN", "UNKNOWN"): dict(region_code="UNKNOWN", brand="UNKNOWN", new_users=0, churned_users=0,
                                     active_users=2, voice_calls=2,
                                     voice_seconds=67, billed_minutes=D("1.2"), sms_count=0, data_kb=0, data_up_kb=0,
                                     data_down_kb=0, offnet_fee=D("0.00"), roam_cdr_fee=D("0.00"), visit_calls=1,
                                     visit_fee=D("0.60"), cdr_fee=D("0.60"), batch_date=DAY),
    }


def test_roaming_by_hand(ctx):
    """Roaming is a flag beside local / long distance: 漫游费 = roaming calls + roaming long distance;
    visitors from abroad apart; outgoing off-net minutes (each call rounded up) for the settlement."""
    u, v = "13800000001", "15900000001"
    put(ctx, "ods.cdr_voice", [
        call(u, 30, "MO", "LOCAL", "ONNET", "0.50", "0.50", roam="PROV"),
        call(u, 30, "MO", "LD", "ONNET", "1.00", "1.00", roam="NATIONAL"),       # 漫游长途
        call(u, 61, "MO", "LOCAL", "OFFNET", "3.00", "3.00", roam="INTL"),       # 2 off-net minutes
        call(u, 10, "MT", "LOCAL", "OFFNET", "0", "0"),                          # incoming: no settlement
        call(v, 60, "MO", "LOCAL", "ONNET", "1.20", "1.20", roam="VISIT_INTL"),
    ])
    for name in ["ods.cdr_sms", "ods.cdr_data", "ods.vas_usage", "ods.user"]:
        put(ctx, name, [])
    got = usage_rows(ctx)
    keys = ["local_calls", "ld_calls", "roam_in_calls", "roam_out_calls", "roam_intl_calls", "roam_fee", "roam_ld_fee",
            "roam_intl_fee", "visit_calls", "visit_intl_calls", "visit_intl_fee", "offnet_mo_minutes"]
    assert {k: got[u][k] for k in keys} == dict(
        local_calls=1, ld_calls=0, roam_in_calls=1, roam_out_calls=2, roam_intl_calls=1, roam_fee=D("4.50"),
        roam_ld_fee=D("1.00"), roam_intl_fee=D("3.00"), visit_calls=0, visit_intl_calls=0, visit_intl_fee=D("0.00"),
        offnet_mo_minutes=2)
    assert {k: got[v][k] for k in ["visit_calls", "visit_intl_calls", "visit_fee", "visit_intl_fee"]} == dict(
        visit_calls=1, visit_intl_calls=1, visit_fee=D("1.20"), visit_intl_fee=D("1.20"))


def test_billed_duration_rule(ctx):
    """6-second units for long distance, whole minutes for every other call type; a long-distance
    call under 3 s is free and billed no time."""
    cases = [  # (duration, call_type, roam_type, billed seconds): a roaming long-distance call is long distance
        (0, "LD", "HOME", 0), (1, "LD", "HOME", 0), (2, "LD", "HOME", 0), (3, "LD", "HOME", 6), (6, "LD", "HOME", 6),
        (7, "LD", "HOME", 12), (61, "LD", "HOME", 66),
        (0, "LOCAL", "HOME", 0), (1, "LOCAL", "HOME", 60), (60, "LOCAL", "HOME", 60), (61, "LOCAL", "HOME", 120),
        (59, "LOCAL", "PROV", 60), (121, "LOCAL", "NATIONAL", 180), (7, "LD", "INTL", 12), (2, "LD", "NATIONAL", 0),
    ]
    put(ctx, "ods.cdr_voice", [call(f"1380000{i:04d}", d, "MO", t, "ONNET", "0", "0", roam=r)
                               for i, (d, t, r, _) in enumerate(cases)])
    for name in ["ods.cdr_sms", "ods.cdr_data", "ods.vas_usage", "ods.user"]:
        put(ctx, name, [])
    got = {k: float(v["billed_minutes"]) for k, v in usage_rows(ctx).items()}
    assert got == {f"1380000{i:04d}": round(b / 60, 1) for i, (_, _, _, b) in enumerate(cases)}


def test_user_usage_m_call_graph_by_hand(ctx):
    """Distinct contacts over the whole month: a party called on two days, or both called and
    texted, counts once; a party seen on and off net counts in both splits. A number held by two
    users in the month has a row for each, with the days each held it."""
    load_tiny_day(ctx)
    before = DAY - dt.timedelta(days=1)     # the day before, U0 still held 13800000001
    put(ctx, "ods.user", [dict(user_id="U0", msisdn="13800000001", cust_id="C0", brand="MZONE", plan_id="MZ18",
                               open_date=dt.date(2020, 1, 1), status="NORMAL", status_date=dt.date(2020, 1, 1),
                               net_gen="4G", sim_type="USIM", region_code="572", batch_date=before)])
    days = Batch.of("date", "2026-01-01", "2026-01-31")
    delta_io.write(ctx, "mid.user_usage_d", sql_runner.select(ctx.spark, "mid.user_usage_d", days.params()),
                   days.partition())
    got = delta_io.conform(sql_runner.select(ctx.spark, "mid.user_usage_m", Batch.of("month", "2026-01").params()),
                           table("mid.user_usage_m"))
    rows = {(r.msisdn, r.user_id): r.asDict() for r in got.collect()}
    assert len(rows) == got.count()
    a, former = rows[("13800000001", "U1")], rows[("13800000001", "U0")]
    # U1's parties: p1 (on net, called twice and texted), p2 (off net), p3 (fixed), p4 (texted, off net);
    # U0's: x (on net, on the day before)
    assert (a["contacts"], a["onnet_contacts"], a["offnet_contacts"]) == (4, 1, 3)
    assert (a["active_days"], a["voice_calls"], a["voice_fee"], a["cdr_days"]) == (1, 4, D("1.12"), 2)
    assert (former["contacts"], former["onnet_contacts"], former["active_days"], former["voice_fee"]) == (1, 1, 1, D("9.00"))
    assert (rows[("13800000002", "U2")]["contacts"], rows[("13900000009", None)]["contacts"]) == (0, 1)


def test_forwarded_traffic_is_counted_in_seconds(ctx):
    """The front desk's churn warning weighs forwarded traffic (话务量), not forwarded calls."""
    load_tiny_day(ctx, extra_calls=[call("13800000002", 40, "MT", "LOCAL", "ONNET", "0", "0", fwd=1, fwd_net="OFFNET"),
                                    call("13800000002", 50, "MT", "LOCAL", "ONNET", "0", "0", fwd=1, fwd_net="ONNET")])
    got = usage_rows(ctx)
    b = got["13800000002"]
    assert (b["fwd_calls"], b["fwd_offnet_calls"], b["fwd_offnet_seconds"], b["voice_seconds"]) == (2, 1, 40, 90)
    assert got["13800000001"]["fwd_offnet_seconds"] == 0     # its forwarded call lasted 0 s
