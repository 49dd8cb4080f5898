"""Read a screen at a chosen instant: the renderers that take "now" from the wall clock.

History rows and the audit screen name an instant by its weekday within 6 days of when they
are read, and by its date further away (shared/showtime.py): rightly, a week-old lockout reads
"Sat 2026-12-05 03:23:23 CST". A unit test that renders events at fixed instants and expects
"Sat 03:23:23 CST" therefore held only while the machine's date was within 6 days of them
(round 25: four unit tests dated 2026-12-02 to 2026-12-05 failed with the clock moved to
Saturday 2026-12-12). `reading_at(monkeypatch, ns)` makes those renderers read `ns` as now,
as a person reading the screen that day would: the test no longer depends on the date it runs.
"""
from __future__ import annotations

import time

# the modules whose renderers read time.time_ns() when no now_ns is given
READERS = ("shared.historywords", "cli.commands._risk_view")


class _Clock:
    """The time module, but time_ns() is the instant given."""

    def __init__(self, now_ns: int):
        self._now_ns = now_ns

    def time_ns(self) -> int:
        return self._now_ns

    def __getattr__(self, name):
        return getattr(time, name)


def reading_at(monkeypatch, now_ns: int) -> None:
    """History and the audit screen are read at now_ns (the screens' modules only)."""
    import importlib
    for name in READERS:
        monkeypatch.setattr(importlib.import_module(name), "time", _Clock(now_ns))
