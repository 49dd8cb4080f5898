"""The message catalog: an explicit registry of every type that may cross a socket."""
from __future__ import annotations

from typing import Iterable

import attrs


class AnyMessage:
    """Annotation marker: a field holding any catalog message (a tagged union)."""


class Catalog:
    """Maps wire names to attrs classes; refuses duplicates and non-attrs classes."""

    def __init__(self, classes: Iterable[type] = ()):
        self._by_name: dict[str, type] = {}
        for cls in classes:
            self.add(cls)

    def add(self, cls: type) -> type:
        if not attrs.has(cls):
            raise TypeError(f"{cls!r} is not an attrs class")
        name = cls.__name__
        if name in self._by_name:
            raise ValueError(f"message type {name!r} is registered twice")
        self._by_name[name] = cls
        return cls

    def get(self, name: str) -> type | None:
        return self._by_name.get(name)

    def name_of(self, cls: type) -> str:
        name = cls.__name__
        if self._by_name.get(name) is not cls:
            raise TypeError(f"{cls.__qualname__} is not in the message catalog")
        return name

    def __contains__(self, cls: type) -> bool:
        return self._by_name.get(cls.__name__) is cls

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)
