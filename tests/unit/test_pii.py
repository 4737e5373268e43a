"""Personal data in the analyst schema: every personal-looking column is treated, and the
treatments do what conf/base.yml says."""
from __future__ import annotations

import re

import pytest

from bass.core.config import load_config
from bass.serving.sql_server import analyst_columns, analyst_tables, masked

PERSONAL = re.compile(r"msisdn|imei|name|id_no|party|phone|cert|addr|email")


def test_every_personal_looking_string_column_of_the_analyst_layers_is_treated_or_declared_not_personal():
    cfg = load_config("test")
    treated, not_personal = set(cfg.get("pii.columns")), set(cfg.get("pii.not_personal"))
    unclassified = sorted({f"{t.name}.{c.name}" for t in analyst_tables(cfg) for c in t.columns
                           if c.type == "string" and PERSONAL.search(c.name)
                           and c.name not in treated | not_personal})
    assert not unclassified, f"add these to pii.columns or pii.not_personal: {unclassified}"
    layers = {t.name.split(".")[0] for t in analyst_tables(cfg)}
    assert layers == {"mid", "dm", "out"}


def test_mask_and_name_treatments(spark):
    cfg = load_config("test")
    rows = spark.createDataFrame([("13812341234", "张三丰", "1234567"), ("15000000001", "李", None)],
                                 "id_no string, cust_name string, other string")
    out = rows.selectExpr(*analyst_columns(cfg, ["id_no", "cust_name"]), masked("other", "mask") + " as other")
    assert [tuple(r) for r in out.collect()] == [("138****1234", "张**", "*******"), ("150****0001", "李*", None)]


def test_unknown_treatment_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown treatment 'hash'"):
        masked("msisdn", "hash")
