"""The Step contract and the registry of step kinds.

A step has a name (its table's, or `dq.<stage>`), a grain, the tables it reads, and a `run`
that builds and writes its batch. Kinds register themselves with `@register("<kind>")` and say
which declarations they make steps of (`declared`); a new kind is a new module in this package
(found by the plug-in registry), never a new branch in dispatch.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from functools import lru_cache
from typing import ClassVar

from bass.core.errors import lookup
from bass.core.grain import Grain
from bass.core.plugins import Plugins

STEP_KINDS: Plugins[type[Step]] = Plugins("step kind", package="bass.orchestration.steps")


def register(kind: str):
    def deco(cls):
        cls.kind = kind
        return STEP_KINDS.register(cls, name=kind)
    return deco


class Step(ABC):
    kind: ClassVar[str] = ""
    always_run: ClassVar[bool] = False   # True: run whatever the history says (the loader decides what is new)

    def __init__(self, name: str, grain: Grain):
        self.name, self.grain = name, grain

    def inputs(self) -> tuple[str, ...]:
        """Tables this step reads (the step graph is derived from these)."""
        return ()

    def outputs(self) -> tuple[str, ...]:
        """Tables this step writes; a step that reads one of them depends on it."""
        return ()

    @abstractmethod
    def run(self, ctx, batch, run, force: bool = False) -> None:
        """Build and write the batch; counts and a message go into `run` (meta.job_run)."""

    @classmethod
    def declared(cls) -> Iterable[Step]:
        """The steps of this kind the configuration declares."""
        return ()

    def __repr__(self) -> str:
        return f"<{self.kind} step {self.name} ({self.grain.name})>"


@lru_cache(maxsize=1)
def all_steps() -> dict[str, Step]:
    """Every declared step by name."""
    out: dict[str, Step] = {}
    for cls in STEP_KINDS.values():
        for s in cls.declared():
            if s.name in out:
                raise ValueError(f"step {s.name} is declared twice ({out[s.name].kind} and {s.kind})")
            out[s.name] = s
    return out


def step(name: str) -> Step:
    return lookup(all_steps(), "step", name, hint="not a declared table, interface or quality stage")
