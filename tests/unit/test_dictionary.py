"""The registry is complete and the generated data dictionary is in sync with it."""
from bass.core.config import REPO_ROOT
from bass.core.registry import load_registry
from bass.marts.campaigns import load_campaigns
from bass.reports import dictionary


def test_data_dictionary_is_in_sync_with_the_registry():
    assert dictionary.is_current(), "docs/tables.md is stale: run `bass docs` (or `make docs`) and commit it"


def test_every_column_is_labelled_in_english_and_chinese():
    unlabelled = [f"{t.name}.{c.name}" for t in load_registry().values() for c in t.columns if not (c.en and c.zh)]
    assert unlabelled == []


def test_every_sql_file_belongs_to_one_table():
    declared = [p for t in load_registry().values() for p in (t.sql,) if p]
    declared += [c.target for c in load_campaigns().values()]     # a campaign's target SQL
    assert len(declared) == len(set(declared))
    assert all((REPO_ROOT / p).exists() for p in declared)
    on_disk = {str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "sql").glob("*/*.sql") if p.parent.name != "dq"}
    assert on_disk == set(declared)


def test_wide_table_has_at_least_100_features():
    cols = load_registry()["dm.user_wide_m"].column_names()
    features = [c for c in cols if c not in ("user_id", "msisdn", "cust_id", "batch_month", "churn_1m", "churn_3m")]
    assert len(features) >= 100
