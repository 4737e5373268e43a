"""The parser types good rows and names field, value and expectation for bad ones."""
import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import functions as F

from bass.boss.parse import parse_lines
from bass.core.interfaces import parse_interface

SPEC = parse_interface({
    "code": "t", "grain": "daily",
    "fields": [
        {"name": "msisdn", "type": "string", "nullable": False},
        {"name": "start_time", "type": "timestamp", "nullable": False},
        {"name": "duration", "type": "int", "min": 0},
        {"name": "direction", "type": "string", "values": ["MO", "MT"]},
        {"name": "fee", "type": "decimal(10,2)"},
        {"name": "bill_month", "type": "month"},
        {"name": "open_date", "type": "date"},
    ]})


def parse(spark, lines):
    df = spark.createDataFrame([(line,) for line in lines], "line string")
    return parse_lines(df, SPEC)


def reasons(spark, lines):
    return [r.reject_reason for r in parse(spark, lines).select("reject_reason").collect()]


def test_good_row_is_typed(spark):
    out = parse(spark, ["13800000001|20260105083000|61|MO|0.40|202601|20250301"]).drop("line")
    expected = spark.createDataFrame(
        [("13800000001", dt.datetime(2026, 1, 5, 8, 30), 61, "MO", Decimal("0.40"), "2026-01", dt.date(2025, 3, 1), None)],
        "msisdn string, start_time timestamp, duration int, direction string, fee decimal(10,2), "
        "bill_month string, open_date date, reject_reason string")
    assert_df_equality(out, expected, ignore_nullable=True)


def test_empty_optional_fields_are_null_not_rejected(spark):
    out = parse(spark, ["13800000001|20260105083000|||||"]).collect()[0]
    assert out.reject_reason is None and out.duration is None and out.fee is None


def test_reject_reasons_name_field_value_and_expectation(spark):
    got = reasons(spark, [
        "13800000001|20260105083000|61|MO",                              # too few fields
        "13800000001|20260105083000|61|MO|0.40|202601|20250301|extra",   # too many
        "|20260105083000|61|MO|0.40|202601|20250301",                    # required missing
        "13800000001|2026-01-05 08:30|61|MO|0.40|202601|20250301",       # bad timestamp
        "13800000001|20260105083000|abc|XX|0.40|202613|20250301",        # bad int, domain, month
        "13800000001|20260105083000|-5|MO|1e|202601|20250230",           # below min, bad decimal, bad date
        "13800000001|20260105083000|5|MO|123456789.00|202601|20250301",  # decimal too large
        "13800000001|20260105083000|5|MO|-12345678.99|202601|20250301",  # 8 digits before the point fit
    ])
    assert got == [
        "field count 4, expected 7",
        "field count 8, expected 7",
        "field msisdn: required value missing",
        "field start_time: '2026-01-05 08:30' is not a timestamp yyyyMMddHHmmss",
        "field duration: 'abc' is not a int; field direction: 'XX' not in [MO, MT]; "
        "field bill_month: '202613' is not a month yyyyMM",
        "field duration: '-5' is below 0; field fee: '1e' is not a decimal(10,2) (at most 8 digits before the point); "
        "field open_date: '20250230' is not a date yyyyMMdd",
        "field fee: '123456789.00' is not a decimal(10,2) (at most 8 digits before the point)",
        None,
    ]


def test_dates_and_times_are_strict_digits_and_real_calendar_values(spark):
    """Parsed by arithmetic, not a pattern: the same strictness as yyyyMMddHHmmss / yyyyMMdd."""
    times = ["20240229235959", "20260105000000", "20250229120000", "20261305120000", "20260105240000",
             "20260105126000", "20260105120060", "2026010512000", "202601051200000", "+2026010512000",
             " 2026010512000", "2026010512000 ", "20260105 12000", "09990105120000", "2026-1-5120000"]
    dates = ["20240229", "19991231", "20250229", "20251301", "2025010", "+2025010", "09990101", "2025 101"]
    rows = [f"1|{t}|1|MO|1|202601|{d}" for t, d in zip(times, dates + ["20250101"] * (len(times) - len(dates)))]
    out = parse(spark, rows).select("start_time", "open_date").collect()
    assert [r.start_time for r in out] == [dt.datetime(2024, 2, 29, 23, 59, 59), dt.datetime(2026, 1, 5)] + [None] * 13
    assert [r.open_date for r in out[:len(dates)]] == [dt.date(2024, 2, 29), dt.date(1999, 12, 31)] + [None] * 6


def test_times_are_read_in_the_session_time_zone(spark):
    assert spark.conf.get("spark.sql.session.timeZone") == "Asia/Shanghai"
    epoch = parse(spark, ["1|19700101080000|1|MO|1|202601|19700101"]).selectExpr("unix_timestamp(start_time)").first()[0]
    assert epoch == 0


def test_bytes_not_valid_in_the_encoding_are_rejected_naming_the_field(spark):
    """Spark keeps a UTF-8 line's bytes as delivered: an msisdn ending in the bytes FF FE (not
    UTF-8) must be rejected, not loaded with replacement characters."""
    rest = b"|20260105083000|61|MO|0.40|202601|20250301".hex()
    hexes = [b"13800000001".hex() + rest, b"138000000".hex() + "FFFE" + rest]
    lines = spark.createDataFrame([(h,) for h in hexes], "hex string").select(
        F.expr("cast(unhex(hex) as string)").alias("line"))
    assert [r.reject_reason for r in parse_lines(lines, SPEC).collect()] == [
        None, "field msisdn: holds bytes that are not valid utf-8"]
