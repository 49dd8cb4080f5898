"""Keep the source text of attrs' and cattrs' generated functions out of linecache.

attrs builds each class's __init__, __eq__, __repr__ ... and cattrs each structure and
unstructure hook from source text, and both store that text in `linecache` so a debugger
can show it. In a riskd process that is about 1.2 MB (some 260 classes and 200 hooks),
kept for the process's life and never read unless someone steps into generated code.
Every riskd process calls drop_generated_source() before its classes are built
(services/__init__.py). Nothing else changes: the generated code is the same, and a
traceback through it still names it ('File "<attrs generated init ...>", line 5, in
__init__'), only without the text of that line. RISKD_KEEP_GENERATED_SOURCE=1 in the
environment keeps the text, for stepping into generated code with pdb.
(docs/performance.md, "Memory")
"""
from __future__ import annotations

import linecache
import os
from typing import Mapping

GENERATED = ("<attrs generated", "<cattrs generated")
KEEP_ENV = "RISKD_KEEP_GENERATED_SOURCE"


def is_generated(filename) -> bool:
    return isinstance(filename, str) and filename.startswith(GENERATED)


class LineCacheWithoutGenerated(dict):
    """linecache.cache that does not keep generated source (attrs and cattrs register it
    with setdefault / item assignment and accept that it is not kept)."""

    def __setitem__(self, filename, entry) -> None:
        if not is_generated(filename):
            super().__setitem__(filename, entry)

    def setdefault(self, filename, default=None):
        if is_generated(filename):
            return default
        return super().setdefault(filename, default)


def drop_generated_source(environ: Mapping[str, str] = os.environ) -> bool:
    """From now on, generated source is not kept (what was is dropped); False when the
    environment asks to keep it."""
    if environ.get(KEEP_ENV):
        return False
    if not isinstance(linecache.cache, LineCacheWithoutGenerated):
        linecache.cache = LineCacheWithoutGenerated(
            {name: entry for name, entry in linecache.cache.items() if not is_generated(name)})
    return True
