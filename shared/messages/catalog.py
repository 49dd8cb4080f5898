"""The message catalog: an explicit registry of every type that may cross a socket.

A catalog made with areas (shared/messages/__init__.py) registers an area module's ALL
when it is first needed: the areas a process imported on a name it does not know, every
area on a name none of those defines, all of them to be iterated or counted.
"""
from __future__ import annotations

import importlib
import sys
import threading
from typing import Iterable

import attrs


class AnyMessage:
    """Annotation marker: a field holding any catalog message (a tagged union)."""


class Catalog:
    """Maps wire names to attrs classes; refuses duplicates and non-attrs classes."""

    def __init__(self, classes: Iterable[type] = (), package: str = "",
                 areas: Iterable[str] = ()):
        self._by_name: dict[str, type] = {}
        self._pending = [f"{package}.{area}" for area in areas]   # area modules not registered
        self._lock = threading.Lock()
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

    def _register(self, import_all: bool) -> None:
        """Register the areas imported so far (import_all: every area, importing the rest)."""
        with self._lock:
            for module in list(self._pending):
                mod = sys.modules.get(module)
                if mod is None and import_all:
                    mod = importlib.import_module(module)
                classes = getattr(mod, "ALL", None)     # None: not imported, or mid-import
                if classes is None:
                    continue
                self._pending.remove(module)
                for cls in classes:
                    self.add(cls)

    def _known(self, name: str) -> type | None:
        cls = self._by_name.get(name)
        if cls is None and self._pending:
            self._register(import_all=False)
            cls = self._by_name.get(name)
            if cls is None:
                self._register(import_all=True)
                cls = self._by_name.get(name)
        return cls

    def get(self, name: str) -> type | None:
        return self._known(name)

    def name_of(self, cls: type) -> str:
        name = cls.__name__
        if self._known(name) is not cls:
            raise TypeError(f"{cls.__qualname__} is not in the message catalog")
        return name

    def __contains__(self, cls: type) -> bool:
        return self._known(cls.__name__) is cls

    def _everything(self) -> dict[str, type]:
        if self._pending:
            self._register(import_all=True)
        return self._by_name

    def __iter__(self):
        return iter(self._everything().values())

    def __len__(self) -> int:
        return len(self._everything())
