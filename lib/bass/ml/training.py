"""Train model families on dm.user_wide_m, concurrently: on small data each is dominated by
Spark's per-job latency, so several in flight finish in about the time of the longest."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bass.core.plugins import import_package
from bass.ml.families import FAMILIES


def train(ctx, families: tuple | None = None, until: str | None = None, **options) -> dict:
    """family -> its training run; the first failure is raised. `options` go to every family
    (e.g. the churn horizon)."""
    families = tuple(families or FAMILIES)
    for f in families:
        FAMILIES.get(f)
    # the families' implementations are imported here, once: two threads importing the same
    # modules at once (pyspark.ml's among them) can deadlock Python's import locks
    import_package("bass.ml")
    with ThreadPoolExecutor(max_workers=len(families), thread_name_prefix="bass-train") as pool:
        futures = {f: pool.submit(FAMILIES[f].train, ctx, until, **options) for f in families}
        return {f: fut.result() for f, fut in futures.items()}
