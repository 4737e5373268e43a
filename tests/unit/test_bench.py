"""The benchmark's summary: each side's median over the repeated runs, and the ratio of the medians."""
import pytest

from bass.devkit.bench import summarize


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
