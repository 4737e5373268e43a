"""Errors a user can act on. The command line prints them as one line (no traceback)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")


class BassError(Exception):
    """A problem with the input, the configuration or the warehouse's state, said in one line."""


class UnknownName(BassError, KeyError, ValueError):
    """A lookup by name found nothing: a step, table, interface, pipeline, model family, candidate,
    plug-in kind, proposal. Every lookup by name raises this one error, naming what it knows.
    It is a KeyError and a ValueError, so callers that catch either keep working."""

    def __init__(self, what: str, name: str, known: Iterable[str], where: str = "", hint: str = ""):
        """`where`: the file or setting that named it; `hint`: what such a name is."""
        self.what, self.name, self.known = what, name, sorted(known)
        shown = ", ".join(self.known[:12]) + (", …" if len(self.known) > 12 else "")
        super().__init__(f"{where + ': ' if where else ''}unknown {what} {name!r}"
                         f"{' (' + hint + ')' if hint else ''}; known: {shown or 'none'}")

    def __str__(self) -> str:          # KeyError would print the message in quotes
        return self.args[0]


def lookup(known: Mapping[str, T], what: str, name: str, hint: str = "", where: str = "") -> T:
    """`known[name]`, or UnknownName naming what there is."""
    if name not in known:
        raise UnknownName(what, name, known, where=where, hint=hint)
    return known[name]
