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


def wake_fd_on_signal() -> int | None:
    """A file descriptor that becomes readable when a signal arrives (signal.set_wakeup_fd),
    for a loop that waits in C (zmq_poll): the stop handler has run by the time the poll
    returns, and the loop sees it at once instead of at its next timer (each worker took
    ~150 ms to stop). None where it cannot be had (Windows pipes, a thread other than the
    main one); drain it with drain_wake_fd."""
    import os
    import threading
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        return None
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)
    try:
        signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    except ValueError:
        os.close(read)
        os.close(write)
        return None
    return read


def drain_wake_fd(fd: int) -> None:
    import os
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass
