"""Asynchronous requests from the supervisor to workers' control sockets.

One DEALER per worker talks to the worker's REP socket; replies echo the
request's sequence number, so each is matched to its callback, and a reply
that comes after its deadline is dropped. Nothing here blocks the
supervisor's loop: a worker that does not answer turns into an error reply
"<worker> did not answer within N s" when its deadline passes. A worker that cannot take the
request (not connected) is an 'unreachable' error at once. `explain(worker, timed_out)` words
both from what the supervisor knows of the worker (services/supervisor/unreachable.py): the
reason of an unreachable error, and after a timeout why it did not answer ('' when it runs).
A gated request (shared/controlkey.py: unlock, override, lockout, flatten, stop) leaves with
this riskd's control key (`key`, set once the supervisor made it), as the worker requires.
A reply from another riskd's worker (on a port this riskd's stopped or restarting worker left
free: docs/operations.md, "Two riskd on one machine") is never passed on as the worker's: the
request gets a 'foreign_reply' error naming that riskd, said once in system.log.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import zmq

from shared import codec, controlkey, instanceid
from shared.bus.foreign import FOREIGN
from shared.bus.rpc import foreign_reply
from shared.bus.sockets import make_socket
from shared.messages.system import Reply, error

log = logging.getLogger(__name__)

ReplyCallback = Callable[[Reply], None]
Explain = Callable[[str, bool], str]


class Forwarder:
    def __init__(self, ctx: zmq.Context, addresses: dict[str, str], name: str = "supervisor",
                 explain: Explain = lambda _worker, _timed_out: ""):
        self.name = name
        self.explain = explain
        self.key = ""               # the control key: gated requests leave with it
        self.instance = instanceid.on_wire()    # this riskd's: only its workers' replies count
        self.addresses = dict(addresses)
        self._seq = 0
        self._pending: dict[int, tuple[str, float, ReplyCallback, float]] = {}
        self.sockets: dict[str, zmq.Socket] = {}
        self._worker_of: dict[zmq.Socket, str] = {}
        for worker, address in addresses.items():
            sock = make_socket(ctx, zmq.DEALER, hwm=1000)
            sock.setsockopt(zmq.IMMEDIATE, 1)      # no queueing towards a worker that is down
            sock.setsockopt(zmq.RECONNECT_IVL, 50)
            sock.setsockopt(zmq.RECONNECT_IVL_MAX, 100)   # a starting worker is seen within 0.1 s
            sock.connect(address)
            self.sockets[worker] = sock
            self._worker_of[sock] = worker

    def send(self, worker: str, msg: Any, callback: ReplyCallback, timeout: float = 3.0) -> None:
        """Send msg to worker; callback gets its Reply, or an error Reply on timeout."""
        sock = self.sockets.get(worker)
        if sock is None:
            callback(error("unknown_worker", f"no worker named {worker!r}"))
            return
        self._seq += 1
        body = codec.encode(controlkey.keyed(self.key, msg), self.name, 0, self._seq,
                            time.time_ns())
        try:
            sock.send_multipart([b"", body], zmq.NOBLOCK)
        except zmq.Again:
            callback(error("unreachable", self.explain(worker, False)
                           or f"{worker} is not reachable (not running?)"))
            return
        self._pending[self._seq] = (worker, time.monotonic() + timeout, callback, timeout)

    def on_readable(self, sock: zmq.Socket) -> None:
        worker = self._worker_of[sock]
        while True:
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            try:
                env = codec.decode(frames[-1], self.instance)
            except codec.ForeignFrame as foreign:
                # another riskd's worker on this worker's free port answered: an error for
                # the asker, never that riskd's data as this one's
                address = self.addresses.get(worker, "")
                FOREIGN.drop(foreign, answer_to=f"the supervisor's request to {worker} at "
                                                f"{address}")
                pending = self._pending.pop(foreign.seq, None)
                if pending is not None:
                    self._run(pending[2], foreign_reply(foreign, worker, address,
                                                        self.instance))
                continue
            except codec.DecodeError as exc:
                log.warning("unreadable reply from %s: %s", worker, exc)
                continue
            pending = self._pending.pop(env.seq, None)
            if pending is None:
                continue                      # answered after its deadline: already reported
            reply = env.msg if isinstance(env.msg, Reply) else error(
                "bad_reply", f"{worker} answered with {type(env.msg).__name__}, not a Reply")
            self._run(pending[2], reply)

    @property
    def waiting(self) -> bool:
        """A forwarded request waits for its answer (expire() has a deadline to watch)."""
        return bool(self._pending)

    def expire(self) -> None:
        now = time.monotonic()
        late = [seq for seq, pending in self._pending.items() if pending[1] <= now]
        for seq in late:
            worker, _deadline, callback, timeout = self._pending.pop(seq)
            why = self.explain(worker, True)
            self._run(callback, error("timeout", f"{worker} did not answer within {timeout:g} s"
                                      + (f": {why}" if why else "")))

    @staticmethod
    def _run(callback: ReplyCallback, reply: Reply) -> None:
        try:
            callback(reply)
        except Exception:
            log.exception("reply callback failed")
