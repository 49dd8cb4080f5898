"""Watch the config file for changes (watchdog), debounced, for a single-threaded poll loop.

Editors rarely write a file in place: many write a temp file and rename it over the
original (a moved event), or delete and re-create it. So the observer watches the FOLDER
and reacts to modified / created / moved events whose source or destination is the file.
The watchdog thread only stamps the time of the last event (and calls `on_event`, so the
owner's loop can wake for it instead of asking on a timer: a doorbell's ring); the owner's
loop calls poll() `debounce` seconds after an event, which answers True once the file has
been quiet for `debounce` seconds AND its content differs from the last content reported (a save that changes
nothing, or riskd's own edit already applied, is not reported twice when the caller
passes that digest to mark_seen()).
"""
from __future__ import annotations

import os
import threading
import time
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from shared.digest import sha256_hex


def file_digest(path: str) -> str:
    """sha256 of the file's text as load_config computes it ('' when unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return sha256_hex(fh.read())
    except (OSError, UnicodeDecodeError):
        return ""


def path_key(path) -> str:
    """A path as the file system compares it: absolute, and case-folded with \\ separators on
    Windows (os.path.normcase), where C:\\ProgramData\\riskd\\riskd.toml and
    c:\\programdata\\RISKD\\riskd.toml are one file."""
    return os.path.normcase(os.path.abspath(os.fsdecode(path)))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "ConfigWatcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("modified", "created", "moved", "closed"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(p and path_key(p) == self.watcher.key for p in paths):
            self.watcher.touch()


class ConfigWatcher:
    """Debounced change detection for one config file; poll() from the owner's loop."""

    def __init__(self, path: str, debounce: float = 0.3,
                 monotonic: Callable[[], float] = time.monotonic,
                 on_event: Callable[[], None] = lambda: None):
        self.path = os.path.abspath(path)
        self.key = path_key(self.path)
        self.debounce = debounce
        self._monotonic = monotonic
        self._on_event = on_event       # called from the watchdog thread: must be thread-safe
        self._lock = threading.Lock()
        self._last_event: float | None = None
        self._seen_digest = file_digest(self.path)
        self._observer: Observer | None = None

    def start(self) -> "ConfigWatcher":
        observer = Observer()
        observer.schedule(_Handler(self), os.path.dirname(self.path), recursive=False)
        observer.daemon = True
        observer.start()
        self._observer = observer
        return self

    def stop(self, timeout: float = 2.0) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
            self._observer = None

    def touch(self) -> None:
        """Record an event on the file (called from the watchdog thread)."""
        with self._lock:
            self._last_event = self._monotonic()
        self._on_event()

    def mark_seen(self, digest: str) -> None:
        """The owner has applied (or rejected) this content: do not report it again."""
        with self._lock:
            self._seen_digest = digest

    def poll(self) -> bool:
        """True once per settled change of the file's content (never blocks)."""
        with self._lock:
            if self._last_event is None or self._monotonic() - self._last_event < self.debounce:
                return False
            self._last_event = None
        digest = file_digest(self.path)
        if not digest:
            return False        # mid-replace or deleted: a later event will bring it back
        with self._lock:
            if digest == self._seen_digest:
                return False
            self._seen_digest = digest
        return True

    def __enter__(self) -> "ConfigWatcher":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
