"""Stop signals: SIGTERM, SIGINT and, on Windows, CTRL_BREAK and console close all mean 'stop cleanly'.

On Windows a console close, logoff or shutdown event never reaches Python's
signal handlers; it arrives on a thread of its own through
SetConsoleCtrlHandler, and Windows ends the process as soon as that handler
returns. The handler therefore asks for the stop and then waits (bounded, a
little under Windows' 5 s grace) until the interpreter is exiting, so the
workers are stopped in order before the process goes.
"""
from __future__ import annotations

import atexit
import signal
import sys
import threading
from typing import Callable

_CONSOLE_EVENTS = {2: "console close", 5: "logoff", 6: "system shutdown"}
_CONSOLE_WAIT_S = 4.5
_exiting = threading.Event()
_keep_alive: list = []        # the ctypes callback must outlive this function


def install_stop_handlers(callback: Callable[..., None]) -> None:
    signal.signal(signal.SIGTERM, callback)
    signal.signal(signal.SIGINT, callback)
    if hasattr(signal, "SIGBREAK"):      # Windows: CTRL_BREAK_EVENT (what NSSM and we send)
        signal.signal(signal.SIGBREAK, callback)
    if sys.platform == "win32":
        _install_console_handler(callback)


def _install_console_handler(callback: Callable[..., None]) -> None:
    import ctypes
    from ctypes import wintypes

    handler_type = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)

    def on_console_event(event: int) -> bool:
        if event not in _CONSOLE_EVENTS:
            return False                 # Ctrl-C / Ctrl-Break: Python's own handlers run
        callback(event, None)
        _exiting.wait(_CONSOLE_WAIT_S)
        return True

    c_handler = handler_type(on_console_event)
    _keep_alive.append(c_handler)
    ctypes.windll.kernel32.SetConsoleCtrlHandler(c_handler, True)
    atexit.register(_exiting.set)
