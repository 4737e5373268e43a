"""Train the model families (churn, value, segment) on dm.user_wide_m, concurrently: on small
data each is dominated by Spark's per-job latency, so three in flight finish in about the
time of the longest."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bass.ml import churn, segments, value

FAMILIES = ("churn", "value", "segment")


def train(ctx, families: tuple = FAMILIES, horizon: int | None = None, until: str | None = None) -> dict:
    """family -> its run (ChurnRun, ValueRun, SegmentRun); the first failure is raised."""
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown model families {unknown}; have {', '.join(FAMILIES)}")
    jobs = {"churn": lambda: churn.train_churn(ctx, horizon, until),
            "value": lambda: value.train_value(ctx, until),
            "segment": lambda: segments.train_segments(ctx, until)}
    with ThreadPoolExecutor(max_workers=len(families), thread_name_prefix="bass-train") as pool:
        futures = {f: pool.submit(jobs[f]) for f in families}
        return {f: fut.result() for f, fut in futures.items()}
