"""The monthly bench's comparison of sizes: cost per user at the larger size over the smaller."""
import argparse

import pytest

from bass.devkit.bench_monthly import growth


def size(users, steps, batches):
    return {"users": users, "step_seconds": steps, "batch_seconds": batches, "month_seconds": sum(batches.values())}


def test_a_step_growing_with_its_users_costs_one_per_user_and_a_quadratic_one_shows():
    small = size(100_000, {"mid.user_h": 10.0, "dm.user_network_m": 20.0, "dq.keys_monthly": 0.2},
                 {"monthly": 30.0, "scoring": 10.0})
    large = size(1_000_000, {"mid.user_h": 100.0, "dm.user_network_m": 600.0, "dq.keys_monthly": 0.3},
                 {"monthly": 700.0, "scoring": 100.0})
    got = growth(small, large)
    assert got["steps"]["mid.user_h"] == 1.0
    assert got["steps"]["dm.user_network_m"] == 3.0
    assert "dq.keys_monthly" not in got["steps"]            # under a second at both sizes: noise
    assert got["monthly"] == round(700 / 30 / 10, 2) and got["scoring"] == 1.0
    assert got["month"] == 2.0


def test_a_step_only_the_larger_size_ran_is_not_compared():
    got = growth(size(10, {}, {"monthly": 1.0}), size(100, {"out.x": 5.0}, {"monthly": 10.0}))
    assert got["steps"] == {} and got["monthly"] == 1.0


def test_user_counts_refuse_nonsense():
    from bass.cli.dev import counts
    parse = counts("user", "100000,1000000")
    assert parse("100_000,1000000") == [100_000, 1_000_000]
    with pytest.raises(argparse.ArgumentTypeError, match="user counts"):
        parse("many")


def test_sizes_below_a_province_of_a_hundred_are_refused(tmp_path):
    from bass.devkit.bench_monthly import run_monthly_bench
    with pytest.raises(ValueError, match="at least 100"):
        run_monthly_bench(None, [10], str(tmp_path))


@pytest.mark.spark
def test_step_seconds_sum_a_steps_successful_runs_since_the_start(ctx):
    import datetime as dt

    from bass.core.batch import Batch
    from bass.devkit.bench_monthly import step_seconds
    from bass.warehouse import bookkeeping
    from bass.warehouse.delta_io import append_rows
    bookkeeping.ensure_tables(ctx)
    since = dt.datetime(2026, 3, 1, 12, 0, 0)

    def run(job, start_s, seconds, status="SUCCESS"):
        started = since + dt.timedelta(seconds=start_s)
        r = bookkeeping.Run(job=job, batch=Batch("month", ("2026-02",)), started_at=started, status=status)
        return dict(r.row(), ended_at=started + dt.timedelta(seconds=seconds))
    append_rows(ctx, bookkeeping.JOB_RUN, [
        run("mid.user_h", -60, 30.0),                 # before the timing started: the warm-up
        run("mid.user_h", 1, 12.5), run("mid.user_h", 20, 2.0),
        run("dm.kpi_m", 5, 3.25), run("dm.vip_m", 9, 99.0, status="FAILED")])
    assert step_seconds(ctx, since) == {"mid.user_h": 14.5, "dm.kpi_m": 3.2}
