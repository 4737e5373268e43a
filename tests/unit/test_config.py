"""Configuration: env overlay and per-path overrides."""
from bass.config import deep_merge, load_config


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
