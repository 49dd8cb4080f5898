"""Socket construction with riskd's defaults: linger 0, a frame size cap, bounded queues.

An XPUB (a PUB that also hands its owner the subscriptions that reach it) is made verbose:
every subscription is passed up, a repeat of one another subscriber holds included, so a
subscriber that (re)connects is always seen (shared.bus.publisher.Publisher.subscriptions).
"""
from __future__ import annotations

import errno

import zmq

from shared.codec import MAX_FRAME_BYTES
from shared.porttaken import BindFailed

DEFAULT_HWM = 100_000


def make_socket(ctx: zmq.Context, kind: int, *, bind: str | None = None,
                connect: str | list[str] | None = None, hwm: int = DEFAULT_HWM) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES + 1024)
    sock.setsockopt(zmq.SNDHWM, hwm)
    sock.setsockopt(zmq.RCVHWM, hwm)
    if kind == zmq.XPUB:
        sock.setsockopt(zmq.XPUB_VERBOSE, 1)
    if bind:
        try:
            sock.bind(bind)
        except zmq.ZMQError as exc:
            sock.close(0)
            code = errno.EADDRINUSE if exc.errno == zmq.EADDRINUSE else exc.errno
            reason = exc.strerror.replace(f" (addr={bind!r})", "")   # pyzmq adds it; said once
            raise BindFailed(bind, reason, code) from None
    for address in ([connect] if isinstance(connect, str) else connect or []):
        sock.connect(address)
    return sock
