"""mid.user_usage_d and dm.kpi_d SQL on tiny hand-built ODS rows; expectations worked by hand."""
import datetime as dt
from decimal import Decimal as D

from chispa import assert_df_equality

from bass import delta_io, sql_runner
from bass.registry import table

DAY = dt.date(2026, 1, 5)


def put(ctx, name, rows, batch=DAY):
    """Write rows (dicts; missing declared columns are null) into an ODS table's daily partition."""
    cols = table(name).columns
    full = [tuple({**r, "batch_date": r.get("batch_date", batch)}.get(c.name) for c in cols) for r in rows]
    df = ctx.spark.createDataFrame(full, ", ".join(f"{c.name} {c.type}" for c in cols))
    for b in sorted({r[-1] for r in full} or {batch}):
        delta_io.write(ctx, name, df.where(df.batch_date == b), {"batch_date": b})


def call(msisdn, duration, direction, call_type, net, std, act, fwd=0, fwd_net=None, **kw):
    return dict(msisdn=msisdn, other_party="x", start_time=dt.datetime(2026, 1, 5, 9), duration=duration,
                direction=direction, call_type=call_type, other_net=net, fwd_flag=fwd, fwd_net=fwd_net,
                std_fee=D(std), act_fee=D(act), **kw)


def load_tiny_day(ctx):
    a, b, c = "13800000001", "13800000002", "13900000009"
    put(ctx, "ods.cdr_voice", [
        call(a, 61, "MO", "LOCAL", "ONNET", "0.40", "0.40"),          # 1 minute unit  -> 120 s
        call(a, 61, "MO", "LD", "OFFNET", "0.35", "0.33"),            # 6-second units -> 66 s
        call(a, 0, "MT", "LOCAL", "ONNET", "0", "0", fwd=1, fwd_net="OFFNET"),   # -> 0 s
        call(a, 2, "MO", "ROAM_OUT", "FIXED", "0.39", "0.39"),        # minute unit    -> 60 s
        call(c, 7, "MT", "LD", "ONNET", "0", "0"),                    # unknown user   -> 12 s
        call(a, 600, "MO", "LOCAL", "ONNET", "9", "9", batch_date=DAY - dt.timedelta(days=1)),  # other day
    ])
    put(ctx, "ods.cdr_sms", [
        dict(msisdn=a, other_party="x", send_time=dt.datetime(2026, 1, 5, 9), direction="MO", other_net="ONNET",
             sms_type="SMS", fee=D("0.10")),
        dict(msisdn=a, other_party="x", send_time=dt.datetime(2026, 1, 5, 9), direction="MT", other_net="ONNET",
             sms_type="SMS", fee=D("0.00")),
    ])
    put(ctx, "ods.cdr_data", [
        dict(msisdn=a, start_time=dt.datetime(2026, 1, 5, 9), duration=60, up_kb=100, down_kb=924, rat="4G", fee=D("0.03")),
        dict(msisdn=b, start_time=dt.datetime(2026, 1, 5, 9), duration=60, up_kb=10, down_kb=20, rat="4G", fee=D("0.00")),
    ])
    user = dict(cust_id="C1", brand="GOTONE", plan_id="GT58", open_date=dt.date(2020, 1, 1), status="NORMAL",
                status_date=dt.date(2020, 1, 1), net_gen="4G", sim_type="USIM", region_code="571")
    put(ctx, "ods.user", [dict(user, user_id="U1", msisdn=a), dict(user, user_id="U2", msisdn=b)])


def test_user_usage_d_by_hand(ctx):
    load_tiny_day(ctx)
    got = sql_runner.select(ctx.spark, "mid.user_usage_d", {"batch_date": DAY})
    got = delta_io.conform(got, table("mid.user_usage_d"))
    cols = ", ".join(f"{c.name} {c.type}" for c in table("mid.user_usage_d").columns)
    expected = ctx.spark.createDataFrame([
        # msisdn, user, calls, mo, secs, billed min, ld, roam, offnet, fwd-offnet, std, act, offnet fee,
        # sms, sms fee, data kb, data fee, total
        ("13800000001", "U1", 4, 3, 124, D("4.1"), 1, 1, 2, 1, D("1.14"), D("1.12"), D("0.72"),
         2, D("0.10"), 1024, D("0.03"), D("1.25"), DAY),
        ("13800000002", "U2", 0, 0, 0, D("0.0"), 0, 0, 0, 0, D("0"), D("0"), D("0"), 0, D("0"), 30, D("0.00"), D("0.00"), DAY),
        ("13900000009", None, 1, 0, 7, D("0.2"), 1, 0, 0, 0, D("0"), D("0"), D("0"), 0, D("0"), 0, D("0"), D("0"), DAY),
    ], cols)
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_kpi_d_by_hand(ctx):
    load_tiny_day(ctx)
    usage = sql_runner.select(ctx.spark, "mid.user_usage_d", {"batch_date": DAY})
    delta_io.write(ctx, "mid.user_usage_d", usage, {"batch_date": DAY})
    got = delta_io.conform(sql_runner.select(ctx.spark, "dm.kpi_d", {"batch_date": DAY}), table("dm.kpi_d"))
    cols = ", ".join(f"{c.name} {c.type}" for c in table("dm.kpi_d").columns)
    expected = ctx.spark.createDataFrame([
        ("571", "GOTONE", 2, 4, 124, D("4.1"), 2, 1054, D("0.72"), D("1.25"), DAY),
        ("UNKNOWN", "UNKNOWN", 1, 1, 7, D("0.2"), 0, 0, D("0"), D("0"), DAY),
    ], cols)
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_billed_duration_rule(ctx):
    """6-second units for long distance, whole minutes for every other call type."""
    cases = [  # (duration, call_type, billed seconds)
        (0, "LD", 0), (1, "LD", 6), (6, "LD", 6), (7, "LD", 12), (61, "LD", 66),
        (0, "LOCAL", 0), (1, "LOCAL", 60), (60, "LOCAL", 60), (61, "LOCAL", 120),
        (59, "ROAM_IN", 60), (121, "ROAM_OUT", 180),
    ]
    put(ctx, "ods.cdr_voice", [call(f"1380000{i:04d}", d, "MO", t, "ONNET", "0", "0") for i, (d, t, _) in enumerate(cases)])
    put(ctx, "ods.cdr_sms", [])
    put(ctx, "ods.cdr_data", [])
    put(ctx, "ods.user", [])
    got = {r.msisdn: r.billed_minutes for r in
           sql_runner.select(ctx.spark, "mid.user_usage_d", {"batch_date": DAY}).select("msisdn", "billed_minutes").collect()}
    assert {k: float(v) for k, v in got.items()} == {f"1380000{i:04d}": round(b / 60, 1) for i, (_, _, b) in enumerate(cases)}
