"""Stop signals: SIGTERM, SIGINT and, on Windows, CTRL_BREAK all mean 'stop cleanly'."""
from __future__ import annotations

import signal
from typing import Callable


def install_stop_handlers(callback: Callable[..., None]) -> None:
    signal.signal(signal.SIGTERM, callback)
    signal.signal(signal.SIGINT, callback)
    if hasattr(signal, "SIGBREAK"):      # Windows: CTRL_BREAK_EVENT
        signal.signal(signal.SIGBREAK, callback)
