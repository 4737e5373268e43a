"""One local SparkSession for the whole run (conf/test.yml); each test module gets its own
BASS_HOME so warehouses never leak between tests."""
from __future__ import annotations

import os

import pytest

os.environ["BASS_ENV"] = "test"

from bass.config import load_config  # noqa: E402
from bass.registry import LAYERS  # noqa: E402
from bass.session import Context, build_spark, register_all  # noqa: E402


@pytest.fixture(scope="session")
def spark():
    session = build_spark(load_config("test"))
    yield session
    session.stop()


def context_for(spark, home) -> Context:
    """A Context whose paths all live under `home`, with a clean catalog."""
    os.environ["BASS_HOME"] = str(home)
    for layer in LAYERS:
        spark.sql(f"drop database if exists {layer} cascade")
    cfg = load_config("test")
    register_all(spark, cfg)
    return Context(cfg, spark)


@pytest.fixture
def ctx(spark, tmp_path):
    return context_for(spark, tmp_path / "home")
