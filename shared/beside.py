"""A blocking call run beside a worker's loop, its outcome handed back to the loop.

A worker that waits in a call (a request to another process that may take seconds while riskd
starts) answers no ping, sends no heartbeat and reads no socket meanwhile. Beside runs the call
in a thread of its own and the loop polls for the outcome on a timer (Worker.beside): the
callback runs in the loop, as every other callback does. The call must not touch the
worker's sockets (a ZeroMQ socket belongs to one thread): it opens its own.
"""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Optional

POLL_S = 0.05


class Beside:
    """One call in its own thread; outcome() is None until it has ended."""

    def __init__(self, call: Callable[[], Any], name: str = "beside"):
        self._done: queue.Queue = queue.Queue(1)
        threading.Thread(target=self._run, args=(call,), name=name, daemon=True).start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._done.put((call(), None))
        except Exception as exc:            # handed to the loop, which decides
            self._done.put((None, exc))

    def outcome(self) -> Optional[tuple[Any, Optional[Exception]]]:
        """(value, None) or (None, the exception raised), once the call has ended."""
        try:
            return self._done.get_nowait()
        except queue.Empty:
            return None
