"""Every port this riskd's workers will bind, tried once at start, before any worker starts.

Fresh-user trial 14b: a second riskd whose [bus] events clashed with a running riskd's was
refused at start (the supervisor binds that pair itself), but one clashing only on the sim's
ports ([broker.sim] port, hub_port) started: its simbroker crash-looped on "cannot bind", and
with both sim ports shared its market connected to the OTHER riskd's sim and guarded those
accounts. The supervisor binds only its own pair (control, events); every other port is bound
by a worker, after it started. check() binds each of them for a moment (as ZeroMQ and the
sim's servers bind: address reuse on POSIX; the default bind on Windows) and raises BindFailed for
the first one taken, with its setting, so riskd refuses to start with the same message as a
[bus] clash (shared/porttaken.explain). It runs after the leftovers of this riskd's own last
run are ended (they hold these ports while they run).
"""
from __future__ import annotations

import errno
import os
import socket
from typing import Any, Iterable

from shared import shards
from shared.porttaken import BindFailed, setting_of


def planned(config: Any, workers: Iterable[str]) -> list[tuple[str, str]]:
    """(address, setting) of every port the named workers bind: each one's PUB and control,
    the logging worker's intake, the sim's REST port and hub port."""
    bus = config.bus
    out: list[tuple[str, str]] = []
    for name in workers:
        for address in (bus.pub(name), bus.control_of(name)):
            out.append((address, setting_of(address, config)))
        base = shards.base_name(name)
        if base == "logging":
            out.append((bus.logging_in, "[bus] logging_in"))
        if base == "simbroker":
            sim = config.broker.sim
            out.append((f"{sim.host}:{sim.port}", "[broker.sim] port"))
            out.append((f"{sim.host}:{sim.hub_port}", "[broker.sim] hub_port"))
    return out


def host_port(address: str) -> tuple[str, int] | None:
    """'tcp://127.0.0.1:5572' or '127.0.0.1:5600' -> ('127.0.0.1', 5572); None for another
    transport (ipc://, inproc://: no port to take)."""
    if "://" in address:
        scheme, _, address = address.partition("://")
        if scheme != "tcp":
            return None
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        return None
    host = host.strip("[]")
    return ("" if host in ("*", "0.0.0.0") else host), int(port)


def try_bind(host: str, port: int) -> OSError | None:
    """Bind and listen on host:port for a moment; the error when that fails, else None."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return OSError(errno.EADDRNOTAVAIL, str(exc))
    family, kind, proto, _name, sockaddr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":     # POSIX: a port in TIME_WAIT is free (ZeroMQ, asyncio, http
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # bind it so too);
        # Windows: the default bind, which a listener of another process refuses (there
        # SO_REUSEADDR would take a port another socket holds)
        sock.bind(sockaddr)
        sock.listen(1)
    except OSError as exc:
        return exc
    finally:
        sock.close()
    return None


def check(config: Any, workers: Iterable[str]) -> None:
    """Raise BindFailed for the first port of `workers` that cannot be bound now."""
    for address, setting in planned(config, workers):
        parsed = host_port(address)
        if parsed is None:
            continue
        failed = try_bind(*parsed)
        if failed is not None:
            code = failed.errno
            reason = failed.strerror or (os.strerror(code) if code else str(failed))
            raise BindFailed(address, reason, code, setting=setting)
