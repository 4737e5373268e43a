"""The benchmark's summary: each side's median over the repeated runs, and the ratio of the medians."""
import pytest

from bass.devkit.bench import PeakMemory, summarize


def test_medians_per_side_and_ratio_of_medians():
    # (ODS s, MID s, baseline s): the first run is the slow one on each side
    runs = [(30.0, 20.0, 33.0), (25.0, 15.0, 29.0), (26.0, 14.0, 30.0)]
    got = summarize(1_000_000, runs, cores=2)
    assert (got["ods_seconds"], got["bass_seconds"], got["baseline_seconds"]) == (26.0, 40.0, 30.0)
    assert got["ods_rows_per_s"] == round(1_000_000 / 26.0)
    assert got["bass_rows_per_s"] == 25_000
    assert got["baseline_rows_per_s"] == round(1_000_000 / 30.0)
    assert got["ratio"] == 1.33
    assert got["repeat"] == 3 and got["cores"] == 2
    assert [r["bass_seconds"] for r in got["runs"]] == [50.0, 40.0, 40.0]


def test_one_run_is_reported_as_is():
    got = summarize(10, [(1.0, 1.0, 4.0)], cores=2)
    assert (got["bass_seconds"], got["baseline_seconds"], got["ratio"]) == (2.0, 4.0, 0.5)


def test_ratio_uses_the_median_of_bass_totals_not_the_sum_of_medians():
    # the median ODS (2) plus the median MID (2) is 4, but the median ODS + MID run took 10
    runs = [(1.0, 9.0, 1.0), (2.0, 1.0, 1.0), (9.0, 2.0, 1.0)]
    assert summarize(10, runs, cores=2)["bass_seconds"] == 10.0


def test_repeat_must_be_positive(tmp_path):
    from bass.devkit.bench import run_bench
    with pytest.raises(ValueError, match="repeat"):
        run_bench(None, 10, str(tmp_path), repeat=0)


def test_duckdb_side_and_its_ratio_are_summarized():
    runs = [(10.0, 5.0, 12.0, 3.0), (9.0, 6.0, 11.0, 5.0), (11.0, 4.0, 13.0, 4.0)]
    got = summarize(1_000, runs, cores=2, memory={"driver_jvm_heap_peak": 100})
    assert got["duckdb_seconds"] == 4.0 and got["duckdb_ratio"] == round(15.0 / 4.0, 2)
    assert got["ods_ratio"] == round(10.0 / 12.0, 2)
    assert [r["duckdb_seconds"] for r in got["runs"]] == [3.0, 5.0, 4.0]
    assert got["memory_mb"] == {"driver_jvm_heap_peak": 100}


def test_the_size_curve_compares_cost_per_row_of_the_largest_size_with_the_smallest():
    from bass.devkit.bench import curve
    small = summarize(1_000_000, [(2.0, 1.0, 2.0, 1.0)], cores=2)
    large = summarize(10_000_000, [(30.0, 10.0, 20.0, 10.0)], cores=2)    # ODS 1.5x per row, the rest flat
    assert curve([large, small]) == {"ods": 1.5, "bass": round(40 / 30, 2), "baseline": 1.0, "duckdb": 1.0}


def test_row_counts_take_a_curve_and_refuse_nonsense():
    import argparse

    from bass.cli.dev import row_counts
    assert row_counts("1000000,10_000_000") == [1_000_000, 10_000_000]
    for bad in ("ten", "0", ","):
        with pytest.raises(argparse.ArgumentTypeError):
            row_counts(bad)


@pytest.mark.spark
def test_duckdb_does_the_hand_written_jobs_work_on_the_same_files(spark, tmp_path):
    """On a tiny day: DuckDB's user-day totals equal the hand-written Spark job's."""
    import duckdb

    from bass.devkit.bench import baseline, duckdb_job, prepare
    from tests.conftest import context_for
    ctx = context_for(spark, tmp_path)
    day = __import__("datetime").date(2026, 1, 5)
    prepare(ctx, 2_000, 7, day)
    baseline(ctx, str(tmp_path / "spark"), day)
    duckdb_job(ctx, str(tmp_path / "duck"), day)
    want = sorted((r.msisdn, r.calls, r.seconds, float(r.fee)) for r in spark.read.parquet(str(tmp_path / "spark" / "usage")).collect())
    got = sorted((m, c, s, float(f)) for m, _d, c, s, f in
                 duckdb.sql(f"select * from read_parquet('{tmp_path}/duck/usage.parquet')").fetchall())
    assert len(want) > 100 and got == want


def test_peak_memory_is_the_heap_left_after_a_collection_within_the_heap(spark):
    memory = PeakMemory(spark, every=0.05)
    held = spark.sparkContext._jvm.java.util.ArrayList()
    for _ in range(40):
        held.add(spark.sparkContext._jvm.java.lang.StringBuilder(1 << 20))   # 40 x 1 MB (Latin-1 chars), kept alive
    spark.sparkContext._jvm.java.lang.System.gc()
    got = memory.figures()
    memory.stop()
    assert got["driver_jvm_heap_max"] >= got["driver_jvm_heap_after_gc_peak"] >= 40
    assert got["python_driver_rss_lifetime_peak"] > 0
    memory.reset()
    assert memory.peak == 0
