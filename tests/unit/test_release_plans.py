"""Steps free the Python garbage that holds query plans in the JVM, at most every RELEASE_SECONDS."""
import gc
import weakref

from bass.orchestration import runs


class Node:
    pass


def cycle():
    a = Node()
    a.me = a              # a reference cycle, as DataFrames and their closures make
    return weakref.ref(a)


def test_a_step_collects_garbage_in_cycles_then_waits_the_interval(monkeypatch):
    gc.disable()
    try:
        monkeypatch.setattr(runs, "_released", -runs.RELEASE_SECONDS)
        first = cycle()
        assert first() is not None
        runs.release_plans()
        assert first() is None
        second = cycle()
        runs.release_plans()                  # within the interval: no second collection
        assert second() is not None
        monkeypatch.setattr(runs, "_released", runs._released - runs.RELEASE_SECONDS)
        runs.release_plans()
        assert second() is None
    finally:
        gc.enable()
