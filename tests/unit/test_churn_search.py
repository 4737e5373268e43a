"""The churn search's row budget: folds above it are fitted on a uniform sample, the selection
rows stay whole, folds within it are left as they are."""
from pyspark.sql import functions as F

from bass.ml.churn import search


def fold(spark, n):
    rows = spark.range(n).withColumn("label", (F.col("id") % 10 == 0).cast("int"))
    return search.Fold("month 2026-01", rows, rows.limit(7))


def test_a_fold_over_the_row_budget_is_fitted_on_a_sample(spark):
    big = fold(spark, 5_000)
    (cut,) = search.sampled([big], 1_000, seed=7)
    n = cut.fit.count()
    assert 850 <= n <= 1_150                                  # about the budget
    assert cut.select is big.select and cut.select.count() == 7
    assert 0.06 <= cut.fit.agg(F.avg("label")).first()[0] <= 0.14   # the churn rate kept (10 %)
    assert cut.name == "month 2026-01 (fitted on a sample of about 1,000 of 5,000 rows)"
    assert sorted(r.id for r in cut.fit.collect()) == sorted(r.id for r in search.sampled([big], 1_000, 7)[0].fit.collect())


def test_folds_within_the_budget_or_without_one_are_untouched(spark):
    small = fold(spark, 500)
    assert search.sampled([small], 1_000, seed=7)[0] is small
    assert search.sampled([small], None, seed=7)[0] is small


def test_rows_over_the_budget_are_sampled_and_the_count_is_told(spark):
    rows = spark.range(3_000)
    cut, n = search.sampled_rows(rows, 500, seed=1)
    assert n == 3_000 and 400 <= cut.count() <= 600
    assert search.sampled_rows(rows, 5_000, seed=1) == (rows, 3_000)
    assert search.sampled_rows(rows, None, seed=1) == (rows, None)
