"""The one plug-in registry: step kinds, model families and churn candidates are each a
`Plugins` of classes (or instances) registered under a name. A new plug-in is a new class with
`@REGISTRY.register`; when the registry names a package, every module in it is imported on the
first lookup, so a new module there is found without being listed anywhere."""
from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from bass.core.errors import lookup

T = TypeVar("T")


class Plugins(Generic[T]):
    def __init__(self, what: str, package: str | None = None, instances: bool = False):
        self.what, self.package, self.instances = what, package, instances
        self._items: dict[str, T] = {}
        self._loaded = package is None
        self._lock = threading.Lock()

    def register(self, cls=None, *, name: str | None = None) -> Callable:
        """Class decorator: registers `cls` (or an instance of it) under `name` or `cls.name`."""
        def deco(c):
            key = name or getattr(c, "name", None)
            if not key:
                raise TypeError(f"{c.__name__}: a {self.what} needs a name")
            if key in self._items:
                raise ValueError(f"{self.what} {key!r} is registered twice")
            self._items[key] = c() if self.instances else c
            return c
        return deco(cls) if cls is not None else deco

    def load(self) -> Plugins[T]:
        """Import every module of the registry's package (once), so their plug-ins register."""
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    import_package(self.package)
                    self._loaded = True
        return self

    def get(self, name: str, where: str = "") -> T:
        return lookup(self.load()._items, self.what, name, where=where)

    __getitem__ = get

    def names(self) -> list[str]:
        return list(self.load()._items)

    def items(self):
        return self.load()._items.items()

    def values(self):
        return self.load()._items.values()

    def __contains__(self, name: object) -> bool:
        return name in self.load()._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.load()._items)


def import_package(package: str) -> None:
    """Import a package and every module under it."""
    pkg = importlib.import_module(package)
    for info in pkgutil.walk_packages(pkg.__path__, package + "."):
        importlib.import_module(info.name)
