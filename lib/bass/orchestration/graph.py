"""The step graph, derived from what each step reads (never hand-kept).

A step depends on the steps that write the tables it reads, and on every quality stage of its
grain that vouches for one of those tables (so a failed critical check stops what would consume
the bad data), unless that stage itself needs the step. `conf/pipelines.yml` only says which steps
make up each batch; within a batch the order comes from this graph, and a dependency outside
the batch is an input whose rebuild makes the step stale. Plain data throughout: the scheduler
export reads the same structures.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bass.core.config import conf_dir, read_yaml
from bass.core.errors import UnknownName
from bass.core.grain import grain
from bass.core.registry import load_registry
from bass.orchestration.steps import all_steps

MONTH_END = "month_end"


@lru_cache(maxsize=1)
def dependencies() -> dict[str, tuple[str, ...]]:
    """Every step -> the steps it depends on. An input that is no declared table is an error."""
    steps = all_steps()
    producer = {t: s.name for s in steps.values() for t in s.outputs()}
    tables = load_registry()
    base: dict[str, set] = {}
    for s in steps.values():
        unknown = [t for t in s.inputs() if t not in tables]
        if unknown:
            raise ValueError(f"{s.name} reads {unknown}, which no table declaration or interface defines")
        base[s.name] = {producer[t] for t in s.inputs() if t in producer and producer[t] != s.name}
    deps = {name: set(d) for name, d in base.items()}
    for q in steps.values():
        guarded = set(getattr(q, "guards", lambda: ())())
        if not guarded:
            continue
        upstream = ancestors(base, q.name)
        for s in steps.values():
            if (s.kind != q.kind and s.grain == q.grain and s.name not in upstream
                    and guarded & set(s.inputs())):
                deps[s.name].add(q.name)
    return {name: tuple(sorted(d)) for name, d in deps.items()}


def ancestors(edges: dict[str, set], name: str) -> set[str]:
    seen, todo = set(), list(edges.get(name, ()))
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(edges.get(n, ()))
    return seen


@dataclass(frozen=True)
class Node:
    """A step as one batch runs it."""
    step: str
    after: tuple = ()          # steps of the same batch it waits for
    at: str | None = None      # month_end: a daily step of a monthly batch runs for the month's last day
    inputs: tuple = ()         # steps of other batches it reads: their rebuild makes it stale


@dataclass(frozen=True)
class Pipeline:
    name: str
    grain: str                 # daily | monthly
    nodes: tuple               # in a valid run order


def order(nodes: list[Node]) -> list[Node]:
    """Topological order (stable: declaration order among ready steps); a cycle is an error."""
    by_name = {n.step: n for n in nodes}
    for n in nodes:
        unknown = [d for d in n.after if d not in by_name]
        if unknown:
            raise ValueError(f"pipeline step {n.step} depends on undeclared {unknown}")
    done, out = set(), []
    while len(out) < len(nodes):
        ready = [n for n in nodes if n.step not in done and all(d in done for d in n.after)]
        if not ready:
            raise ValueError(f"pipeline has a cycle among {[n.step for n in nodes if n.step not in done]}")
        for n in ready:
            done.add(n.step)
            out.append(n)
    return out


def feeding(name: str, consumers: tuple[str, ...]) -> set[str]:
    """The steps of pipeline `name` that the steps of the `consumers` pipelines read, directly or
    through other steps: what a run that only needs those consumers must build."""
    deps = {k: set(v) for k, v in dependencies().items()}
    needed = set().union(*[ancestors(deps, n.step) for c in consumers for n in load_pipeline(c).nodes])
    return {n.step for n in load_pipeline(name).nodes if n.step in needed}


def pipeline_names() -> list[str]:
    return list(read_yaml(conf_dir() / "pipelines.yml"))


@lru_cache(maxsize=8)
def load_pipeline(name: str) -> Pipeline:
    raw = read_yaml(conf_dir() / "pipelines.yml")
    if name not in raw:
        raise UnknownName("pipeline", name, raw, hint="declared in conf/pipelines.yml")
    spec = raw[name]
    g = grain(spec["grain"])
    members, month_end = list(spec["steps"]), set(spec.get(MONTH_END, ()))
    steps, deps = all_steps(), dependencies()
    for job in members + sorted(month_end - set(members)):
        if job not in steps:
            raise ValueError(f"conf/pipelines.yml {name}: {job!r} is not a declared step")
        want = "daily" if job in month_end else g.name
        if steps[job].grain.name != want or (job in month_end and g.name != "monthly"):
            raise ValueError(f"conf/pipelines.yml {name}: {job} runs for a {steps[job].grain.kind}, "
                             f"the {name} batch for a {g.kind}" + ("" if job in month_end else
                                                                   " (a daily step of a monthly batch needs month_end)"))
    nodes = [Node(job, tuple(d for d in deps[job] if d in members), MONTH_END if job in month_end else None,
                  tuple(d for d in deps[job] if d not in members)) for job in members]
    return Pipeline(name, g.name, tuple(order(nodes)))
