"""Windows console control events: which ones stop riskd, and the handler that does it.

Windows delivers console events to a handler registered with
SetConsoleCtrlHandler(handler, TRUE), on a thread of its own; handlers run
newest first until one returns TRUE, and the last, default one calls
ExitProcess. The events (wincon.h):

    CTRL_C_EVENT 0, CTRL_BREAK_EVENT 1   Ctrl-C / Ctrl-Break, and what NSSM sends to stop the
                                          service (GenerateConsoleCtrlEvent): STOP, through
                                          Python's own SIGINT / SIGBREAK handlers (PASS here)
    CTRL_CLOSE_EVENT 2                    the console window is closed: STOP
    CTRL_LOGOFF_EVENT 5                   ANY user logs off; a service receives it on every
                                          logoff on the machine: IGNORE, and return TRUE so the
                                          default handler does not end the process
    CTRL_SHUTDOWN_EVENT 6                 the system is shutting down: STOP

For CLOSE and SHUTDOWN Windows ends the process as soon as the handler
returns, so the handler asks for the stop and then waits (bounded, a little
under Windows' 5 s grace) until the interpreter is exiting.
"""
from __future__ import annotations

import atexit
import threading
from typing import Callable

CTRL_C_EVENT, CTRL_BREAK_EVENT, CTRL_CLOSE_EVENT = 0, 1, 2
CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT = 5, 6

STOP, IGNORE, PASS = "stop", "ignore", "pass"
ACTIONS = {CTRL_C_EVENT: PASS, CTRL_BREAK_EVENT: PASS, CTRL_CLOSE_EVENT: STOP,
           CTRL_LOGOFF_EVENT: IGNORE, CTRL_SHUTDOWN_EVENT: STOP}
NAMES = {CTRL_C_EVENT: "Ctrl-C", CTRL_BREAK_EVENT: "Ctrl-Break",
         CTRL_CLOSE_EVENT: "console close", CTRL_LOGOFF_EVENT: "logoff",
         CTRL_SHUTDOWN_EVENT: "system shutdown"}
WAIT_S = 4.5

_exiting = threading.Event()
_keep_alive: list = []        # the ctypes callback must outlive install()


def action(event: int) -> str:
    """STOP, IGNORE or PASS (to the next handler: Python's signals for Ctrl-C/Ctrl-Break)."""
    return ACTIONS.get(event, PASS)


def make_handler(callback: Callable[..., None], wait: Callable[[float], object] = _exiting.wait,
                 wait_s: float = WAIT_S) -> Callable[[int], bool]:
    """The handler's logic: returns what SetConsoleCtrlHandler's routine returns (TRUE: handled)."""
    def on_console_event(event: int) -> bool:
        what = action(event)
        if what == PASS:
            return False
        if what == STOP:
            callback(event, None)
            wait(wait_s)
        return True                  # STOP waited; IGNORE: handled, the process lives on
    return on_console_event


def install(callback: Callable[..., None]) -> None:
    """Register the handler (Windows only): kernel32.SetConsoleCtrlHandler(routine, TRUE)."""
    import ctypes
    from ctypes import wintypes

    handler_type = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)   # type: ignore[attr-defined]
    c_handler = handler_type(make_handler(callback))
    _keep_alive.append(c_handler)
    ctypes.windll.kernel32.SetConsoleCtrlHandler(c_handler, True)      # type: ignore[attr-defined]
    atexit.register(_exiting.set)
