"""The parser types good rows and names field, value and expectation for bad ones."""
import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality

from bass.fileio.parse import parse_lines
from bass.interfaces import parse_interface

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
    ])
    assert got == [
        "field count 4, expected 7",
        "field count 8, expected 7",
        "field msisdn: required value missing",
        "field start_time: '2026-01-05 08:30' is not a timestamp yyyyMMddHHmmss",
        "field duration: 'abc' is not a int; field direction: 'XX' not in [MO, MT]; "
        "field bill_month: '202613' is not a month yyyyMM",
        "field duration: '-5' is below 0; field fee: '1e' is not a decimal(10,2); "
        "field open_date: '20250230' is not a date yyyyMMdd",
    ]
