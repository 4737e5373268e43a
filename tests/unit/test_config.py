"""Configuration: env overlay and per-path overrides."""
from bass.core.config import deep_merge, load_config


def test_overlay_merges_deeply():
    assert deep_merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}, "d": 1}


def test_paths_follow_bass_home_and_single_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("BASS_HOME", str(tmp_path))
    monkeypatch.setenv("BASS_OUTBOX", str(tmp_path / "elsewhere"))
    cfg = load_config("test")
    assert cfg.path("landing") == str(tmp_path / "landing")
    assert cfg.path("warehouse") == str(tmp_path / "warehouse")
    assert cfg.path("outbox") == str(tmp_path / "elsewhere")
    assert cfg.get("spark.conf")["spark.sql.session.timeZone"] == "Asia/Shanghai"
    assert cfg.get("spark.master") == "local[2]"


def test_timeline_spreads_cdr_days_over_every_month():
    import datetime as dt

    from bass.devkit.simulator.generate import timeline
    days, months = timeline(dt.date(2026, 1, 1), 0, 3, days_per_month=2)
    assert months == ["2026-01", "2026-02", "2026-03"]
    assert [d.isoformat() for d in days] == ["2026-01-30", "2026-01-31", "2026-02-27", "2026-02-28",
                                             "2026-03-30", "2026-03-31"]
    days, _ = timeline(dt.date(2026, 1, 1), 3, 1)
    assert [d.day for d in days] == [1, 2, 3]


def test_standalone_environment_uses_the_embedded_catalog_and_maven_jars():
    cfg = load_config("standalone")
    assert cfg.get("spark.master") is None                       # spark-submit's --master
    assert cfg.get("spark.conf")["spark.sql.catalogImplementation"] == "in-memory"
    assert not cfg.get("delta.use_packages")


def test_spark_submits_master_wins_over_the_configured_one():
    from bass.core.session import resolve_master
    assert resolve_master("local[*]", "spark://head:7077") == "spark://head:7077"
    assert resolve_master("local[*]", None) == "local[*]"
