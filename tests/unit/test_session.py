"""Session settings that a batch's speed depends on, checked by their effect."""


def compilations(spark) -> int:
    return spark._jvm.org.apache.spark.metrics.source.CodegenMetrics.METRIC_COMPILATION_TIME().getCount()


def compile_plan(df) -> None:
    df._jdf.queryExecution().executedPlan().execute()   # whole-stage codegen compiles here; no job runs


def test_a_query_compiled_again_after_hundreds_of_others_reuses_its_class(spark):
    """A batch compiles hundreds of query classes (one voice CDR load about 50). Spark's default
    cache of 100 evicted them before the next run, which then compiled them again, and the JVM
    JIT-compiled them again (conf/base.yml: spark.sql.codegen.cache.maxEntries)."""
    def query():
        return spark.range(10).selectExpr("id * 7 + 3 as x").where("x % 2 = 1")
    compile_plan(query())
    start = compilations(spark)
    for i in range(300):
        compile_plan(spark.range(1).selectExpr(f"id * {i + 1000} as y"))   # a literal in the code: a new class
    assert compilations(spark) >= start + 300
    before = compilations(spark)
    compile_plan(query())
    assert compilations(spark) == before
