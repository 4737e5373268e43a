"""One local SparkSession for the whole run (conf/test.yml); each test module gets its own
BASS_HOME so warehouses never leak between tests.

Tiers (markers, set here from what a test uses, so nobody has to remember them):
- `spark`: the test uses a SparkSession (the `spark` or `ctx` fixture);
- `integration`: under tests/integration, a small simulated province end to end;
- `slow`: a unit test that trains models or runs a pipeline (listed in SLOW below, measured with
  `pytest --durations`); `make test-fast` runs tests/unit without them."""
from __future__ import annotations

import os

import pytest

os.environ["BASS_ENV"] = "test"

from bass.core.config import load_config  # noqa: E402
from bass.core.registry import LAYERS  # noqa: E402
from bass.core.session import Context, build_spark, register_all  # noqa: E402

MARKERS = {"spark": "uses a SparkSession", "integration": "a simulated province end to end",
           "slow": "a unit test that trains models or runs pipelines (not in make test-fast)"}
SLOW: set[str] = set()     # "<file>::<test>" of unit tests too slow for the fast tier


def pytest_configure(config):
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if {"spark", "ctx"} & set(item.fixturenames):
            item.add_marker(pytest.mark.spark)
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        if f"{item.path.name}::{item.originalname}" in SLOW:
            item.add_marker(pytest.mark.slow)


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
