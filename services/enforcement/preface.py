"""A command's first log line ("command X: close MNQ ..."), made when the loop accepts it and
written by the command's own thread once its first trading call is back (issue 21, round 24).

At the shipped INFO level, making and shipping that record (redaction, the LogRecord message,
its encoding, the ZeroMQ send) took ~0.17 ms of the loop thread between the command's arrival
and its closeContract (round 23's trace). The record is made at once (its time is the
accept's), held by the job, and handled by the job's thread at the first of:
- its first trading call coming back (ActionContext._call: after the request has left);
- any other record that thread makes first (a read's warning, a wait for the rate budget, a
  crash): the process's record factory hands the held record over before it, so the log
  reads in the same order as before;
- the end of the job's turn (a command that made no trading call: found flat, given up).
A command that waits in its lane is logged at once, as before (it is not on any close's path).
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Optional

_local = threading.local()
_installed = [False]


class Held:
    """One record, handled once, by whichever thread gets to it first."""

    def __init__(self, logger: logging.Logger, record: logging.LogRecord):
        self._logger = logger
        self._record: Optional[logging.LogRecord] = record
        self._lock = threading.Lock()

    def write(self) -> None:
        with self._lock:
            record, self._record = self._record, None
        if record is not None:
            self._logger.handle(record)


def hold(logger: logging.Logger, level: int, msg: str, *args: Any,
         extra: Optional[dict] = None) -> Optional[Held]:
    """The record logger.log(level, msg, *args, extra=extra) would write, made now and
    written later (Held.write); None when the level is off (nothing to write)."""
    if not logger.isEnabledFor(level):
        return None
    install()
    fn, lno, func, _stack = logger.findCaller(False, 2)
    return Held(logger, logger.makeRecord(logger.name, level, fn, lno, msg, args, None,
                                          func, extra))


def take(held: Optional[Held]) -> None:
    """This thread runs the job that holds `held`: its next record writes it first."""
    _local.held = held


def write() -> None:
    """This thread's held record, now (if it is still held)."""
    held = getattr(_local, "held", None)
    if held is not None:
        _local.held = None
        held.write()


def install() -> None:
    """The process's record factory writes a thread's held record before the thread's next
    one (once per process; the factory before it still makes the records)."""
    if _installed[0]:
        return
    _installed[0] = True
    before = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        if getattr(_local, "held", None) is not None:
            write()
        return before(*args, **kwargs)
    logging.setLogRecordFactory(factory)
