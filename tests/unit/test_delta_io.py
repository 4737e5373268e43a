"""Writes replace exactly the partitions they name: a value, a range, or a list of values."""
import datetime as dt

import pytest

from bass import delta_io
from tests.unit.frames import frame, put

DAYS = [dt.date(2026, 1, d) for d in (1, 2, 3, 4)]


def kpis(ctx):
    return {r.batch_date.day: r.active_users for r in ctx.spark.table("dm.kpi_d").collect()}


@pytest.fixture
def four_days(ctx):
    put(ctx, "dm.kpi_d", [dict(region_code="571", brand="GOTONE", active_users=1, batch_date=d) for d in DAYS])
    return ctx


def new_rows(ctx, days):
    return frame(ctx, "dm.kpi_d", [dict(region_code="571", brand="GOTONE", active_users=9, batch_date=d) for d in days])


def test_range_write_replaces_exactly_the_range(four_days):
    delta_io.write(four_days, "dm.kpi_d", new_rows(four_days, DAYS[1:3]), {"batch_date": (DAYS[1], DAYS[2])})
    assert kpis(four_days) == {1: 1, 2: 9, 3: 9, 4: 1}


def test_list_write_leaves_the_days_between(four_days):
    delta_io.write(four_days, "dm.kpi_d", new_rows(four_days, [DAYS[0], DAYS[3]]), {"batch_date": [DAYS[0], DAYS[3]]})
    assert kpis(four_days) == {1: 9, 2: 1, 3: 1, 4: 9}


def test_rows_outside_the_named_partitions_are_refused(four_days):
    with pytest.raises(Exception, match="replaceWhere|DELTA_REPLACE_WHERE"):
        delta_io.write(four_days, "dm.kpi_d", new_rows(four_days, [DAYS[3]]), {"batch_date": (DAYS[0], DAYS[1])})
    assert kpis(four_days) == {1: 1, 2: 1, 3: 1, 4: 1}
