"""Stop signals: SIGTERM, SIGINT and, on Windows, CTRL_BREAK, console close and shutdown mean 'stop'.

On Windows the console events that never reach Python's signal handlers
(close, logoff, shutdown) are handled by shared/winconsole.py; a logoff is
ignored (a service receives one whenever any user logs off).
"""
from __future__ import annotations

import signal
import sys
from typing import Callable


def install_stop_handlers(callback: Callable[..., None]) -> None:
    signal.signal(signal.SIGTERM, callback)
    signal.signal(signal.SIGINT, callback)
    if hasattr(signal, "SIGBREAK"):      # Windows: CTRL_BREAK_EVENT (what NSSM and we send)
        signal.signal(signal.SIGBREAK, callback)
    if sys.platform == "win32":
        from shared import winconsole
        winconsole.install(callback)
