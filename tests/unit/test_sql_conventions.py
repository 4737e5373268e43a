"""The SQL conventions, enforced: every model has the import CTEs → logic CTEs → `final` shape,
month arithmetic on the batch comes from the precomputed parameters, delimiters are the file
writer's business, every file parses with Spark's own parser, and the declared keys of each
table are checked by the generated quality stage."""
from __future__ import annotations

import re

import pytest

from bass.core.config import REPO_ROOT
from bass.core.grain import MONTHLY
from bass.core.registry import load_registry, table
from bass.warehouse import quality
from tests.unit.frames import put

SQL = REPO_ROOT / "sql"
COMMENT = re.compile(r"--[^\n]*")


def models() -> list:
    return sorted({REPO_ROOT / t.sql for t in load_registry().values() if t.sql})


def code(path) -> str:
    return COMMENT.sub("", path.read_text(encoding="utf-8")).strip()


def test_every_model_is_ctes_then_final():
    bad = [str(p.relative_to(REPO_ROOT)) for p in models()
           if not code(p).lower().startswith("with ") or not re.search(r"\bfinal as \(", code(p))
           or not re.search(r"\n\s*select \* from final\s*$", code(p))]
    assert not bad, f"not in the `with ... final as (...) select * from final` shape: {bad}"


def test_month_arithmetic_on_the_batch_uses_the_precomputed_parameters():
    idiom = re.compile(r"to_date\(\s*:\w+\s*\|\|\s*'-01'\s*\)|to_date\(concat\(\s*:\w+")
    bad = [str(p.relative_to(REPO_ROOT)) for p in sorted(SQL.rglob("*.sql")) if idiom.search(code(p))]
    assert not bad, f"use :month_start, :month_to_start, :month_end instead: {bad}"
    params = MONTHLY.params("2026-01", "2026-03")
    assert (str(params["month_start"]), str(params["month_to_start"]), str(params["month_end"])) == (
        "2026-01-01", "2026-03-01", "2026-03-31")


def test_only_the_file_writer_cleans_delimiters():
    hand = re.compile(r"replace\([^;]*?'\\?\|'")
    bad = [str(p.relative_to(REPO_ROOT)) for p in sorted(SQL.rglob("*.sql")) if hand.search(code(p))]
    assert not bad, f"delimiters are cleaned by bass.boss.writer, whatever the interface declares: {bad}"


def test_every_sql_file_parses_with_sparks_parser(spark):
    parser = spark._jsparkSession.sessionState().sqlParser()
    failed = []
    for path in sorted(SQL.rglob("*.sql")):
        try:
            parser.parsePlan(path.read_text(encoding="utf-8"))
        except Exception as exc:       # a ParseException from the JVM
            failed.append(f"{path.relative_to(REPO_ROOT)}: {str(exc).splitlines()[0]}")
    assert not failed, failed


def test_the_generated_key_check_counts_repeats_and_nulls_but_not_declared_nullable_keys(ctx):
    tbl = table("mid.user_usage_m")
    assert tbl.nullable_keys == ("user_id",)
    month = "2026-03"
    base = dict(voice_calls=1, batch_month=month)
    put(ctx, "mid.user_usage_m", [dict(base, msisdn="M1", user_id="U1"), dict(base, msisdn="M1", user_id="U1"),
                                  dict(base, msisdn="M2", user_id=None), dict(base, msisdn=None, user_id="U3"),
                                  dict(base, msisdn="M4", user_id="U4")])
    [r] = ctx.spark.sql(quality.key_check_sql(tbl), args={"batch_from": month, "batch_to": month}).collect()
    assert (r.batch, r.checked, r.failed) == (month, 5, 3)     # the repeated pair and the null MSISDN
    assert r.observed == "2 rows repeat a key, 1 have a null in it"


@pytest.mark.parametrize("pipeline", ["daily", "monthly", "scoring", "profiles", "tariff", "feedback", "survey", "sales"])
def test_each_pipeline_ends_with_the_key_check_of_the_tables_it_builds(pipeline):
    from bass.orchestration.graph import dependencies, load_pipeline
    nodes = load_pipeline(pipeline).nodes
    stage = f"dq.keys_{pipeline}"
    assert nodes[-1].step == stage or stage in [n.step for n in nodes]
    keyed = {t.name for t in quality.tables_checked("date" if pipeline in ("daily", "sales") else "month", pipeline)}
    assert keyed and keyed <= set(dependencies()[stage])
    assert not any(stage in d for name, d in dependencies().items() if name != stage), "it vouches for no reader"
