"""Deterministic randomness as column expressions: a hash of (seed, purpose, keys).

Values depend only on the seed and the row's keys, never on partitioning or row order,
so a run is reproducible on any cluster size and costs nothing but CPU (no shuffles).
"""
from __future__ import annotations

import math

from pyspark.sql import Column
from pyspark.sql import functions as F

_MASK = (1 << 53) - 1


def uniform(seed: int, purpose: str, *keys) -> Column:
    """U[0,1) for each row."""
    h = F.xxhash64(F.lit(seed), F.lit(purpose), *[F.col(k) if isinstance(k, str) else k for k in keys])
    return (h.bitwiseAND(F.lit(_MASK))).cast("double") / float(1 << 53)


def exponential(u: Column, mean: float | Column) -> Column:
    return -F.log(F.lit(1.0) - u) * mean


def normal(u1: Column, u2: Column) -> Column:
    """Standard normal by Box-Muller."""
    return F.sqrt(F.lit(-2.0) * F.log(F.lit(1.0) - u1)) * F.cos(F.lit(2 * math.pi) * u2)


def pick(u: Column, choices: list[tuple]) -> Column:
    """A value from [(value, weight), ...] by the cumulative weights."""
    total = float(sum(w for _, w in choices))
    expr, acc = None, 0.0
    for value, weight in choices[:-1]:
        acc += weight / total
        expr = (F.when(u < acc, F.lit(value)) if expr is None else expr.when(u < acc, F.lit(value)))
    last = F.lit(choices[-1][0])
    return last if expr is None else expr.otherwise(last)


def element(u: Column, values: list) -> Column:
    """A uniformly chosen element of a list of literals."""
    arr = F.array(*[F.lit(v) for v in values])
    return F.element_at(arr, (F.floor(u * len(values)) + 1).cast("int"))


def sigmoid(x: Column) -> Column:
    return F.lit(1.0) / (F.lit(1.0) + F.exp(-x))
