"""Request/reply over ZeroMQ: a Lazy Pirate client and the server-side request handling.

The client polls with a deadline, and on silence closes and reopens its REQ
socket and retries a bounded number of times before reporting the peer dead
by name. The server side turns any frame (valid or not) into a Reply, so a
bad request never escapes a worker loop and a REQ peer always gets an answer.

Every reply carries the answering process's riskd instance id (encode_reply). A client that
knows its riskd's id (a worker: its own, from its supervisor; riskctl: the one its riskd's
supervisor answered with) reads only its own riskd's answers: another riskd's worker on a
port this riskd's worker left free answers too (docs/operations.md, "Two riskd on one
machine"), and its answer becomes a 'foreign_reply' error that says so, never data.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

import zmq

from shared import codec, instanceid
from shared.bus.foreign import FOREIGN
from shared.bus.sockets import make_socket
from shared.messages.system import Reply, error

log = logging.getLogger(__name__)


class RpcTimeout(Exception):
    """The peer did not answer in time (after every retry)."""

    def __init__(self, peer: str, address: str, seconds: float):
        self.peer, self.address, self.seconds = peer, address, seconds
        super().__init__(f"{peer} did not answer within {seconds:g} s (at {address})")


def foreign_reply(foreign: codec.ForeignFrame, peer: str, address: str, ours: bytes) -> Reply:
    """The error a client gets for another riskd's answer: which riskd answered, and the way
    out (its fields are never read)."""
    theirs = (f"riskd instance {foreign.instance.decode('utf-8', 'replace')}" if foreign.instance
              else "a program with no riskd instance id (a riskd older than this one, or a "
                   "program outside riskd)")
    return error("foreign_reply",
                 f"{peer} at {address} was answered by {foreign.publisher or 'a process'} of "
                 f"another riskd ({theirs}), not by this riskd (instance "
                 f"{ours.decode('utf-8', 'replace')}): its answer was not read; another riskd on "
                 f"this machine holds this riskd's port: give every riskd its own ports "
                 f"(docs/operations.md, \"Two riskd on one machine\")")


class RpcClient:
    """Lazy Pirate REQ client. Not thread-safe: one per thread.

    `instance`: the riskd whose answers it reads (default this process's, from its supervisor;
    b"": any, as riskctl before it knows its riskd); another riskd's answer is a foreign_reply
    error, said once in this process's log unless `say` is False (the log shipper's own client).
    `answered_by`: the instance id of the last answer read (b"": none)."""

    def __init__(self, address: str, peer: str, *, timeout: float = 1.0, retries: int = 2,
                 ctx: zmq.Context | None = None, name: str = "client",
                 instance: bytes | None = None, say: bool = True):
        self.address, self.peer = address, peer
        self.timeout, self.retries = timeout, retries
        self.ctx = ctx or zmq.Context.instance()
        self.name = name
        self.instance = instanceid.on_wire() if instance is None else instance
        self.say = say
        self.answered_by = b""
        self._seq = 0
        self._sock: zmq.Socket | None = None

    def _socket(self) -> zmq.Socket:
        if self._sock is None:
            self._sock = make_socket(self.ctx, zmq.REQ, connect=self.address)
        return self._sock

    def _reset(self) -> None:
        if self._sock is not None:
            self._sock.close(0)
            self._sock = None

    def call(self, msg: Any, *, timeout: float | None = None, retries: int | None = None) -> Any:
        """Send msg, return the decoded answer (usually a Reply). Raises RpcTimeout.

        retries=0 is for requests that must not be sent twice.
        """
        timeout = self.timeout if timeout is None else timeout
        retries = self.retries if retries is None else retries
        self._seq += 1
        body = codec.encode(msg, self.name, 0, self._seq, time.time_ns())
        started = time.monotonic()
        for _attempt in range(retries + 1):
            sock = self._socket()
            sock.send(body)
            if sock.poll(int(timeout * 1000), zmq.POLLIN):
                frame = sock.recv()
                try:
                    env = codec.decode(frame, self.instance)
                except codec.ForeignFrame as foreign:
                    if self.say:
                        FOREIGN.drop(foreign, answer_to=f"{self.name}'s request to {self.peer} "
                                                        f"at {self.address}")
                    return foreign_reply(foreign, self.peer, self.address, self.instance)
                except codec.DecodeError as exc:
                    return error("bad_reply", f"{self.peer} sent an unreadable reply: {exc}")
                self.answered_by = env.instance
                return env.msg
            self._reset()
        raise RpcTimeout(self.peer, self.address, round(time.monotonic() - started, 1))

    def close(self) -> None:
        self._reset()

    def __enter__(self) -> "RpcClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def decode_request(frame: bytes) -> tuple[codec.Envelope | None, Reply | None]:
    """A request frame -> (envelope, None), or (None, an error Reply) when it does not decode."""
    try:
        return codec.decode(frame), None
    except codec.DecodeError as exc:
        log.warning("bad request frame (%d bytes): %s", len(frame), exc)
        return None, error("bad_request", f"malformed request: {exc}")


def encode_reply(reply: Reply, request: codec.Envelope | None, name: str = "") -> bytes:
    """Encode a reply, echoing the request's sequence number so async callers can match it;
    stamped with this process's riskd (shared/bus/foreign.py): risk takes market's snapshot
    only from its own riskd's market."""
    return codec.encode(reply, name, 0, request.seq if request else 0, time.time_ns(),
                        instanceid.on_wire())     # read per reply: no hot path, set at start


def run_handler(request: Any, dispatch: Callable[[Any], Reply]) -> Reply:
    """Run dispatch; a handler bug becomes an 'internal' error reply instead of an exception."""
    try:
        return dispatch(request)
    except Exception as exc:   # a handler bug must not take the worker down
        log.exception("handler failed for %s", type(request).__name__)
        return error("internal", f"{type(request).__name__} failed: {type(exc).__name__}: {exc}")


def handle_request(frame: bytes, dispatch: Callable[[Any], Reply], name: str = "") -> bytes:
    """Decode one request frame, run dispatch, encode its reply; errors become error replies."""
    env, bad = decode_request(frame)
    reply = bad if env is None else run_handler(env.msg, dispatch)
    return encode_reply(reply, env, name)
