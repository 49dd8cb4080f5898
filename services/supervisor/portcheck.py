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
run are ended (they hold these ports while they run). Two endpoints of one config on one port
(one host, or a wildcard beside any: "tcp://*:5600" and the sim's 127.0.0.1:5600) are refused
the same way (PortClash): each would bind alone, and one worker would crash-loop.

`riskctl config set` of a port (ops15: a [bus] address or the sim's port was taken only at the
next restart) runs the same check before it saves (edit_refusal): the edited config's ports,
except those this riskd's running workers hold, which are its own, not taken.
"""
from __future__ import annotations

import errno
import os
import socket
from typing import Any, Callable, Iterable, Optional

from shared import portholder, portrange, shards
from shared.porttaken import DOC, BindFailed, setting_of


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


def workers_of(config: Any) -> list[str]:
    """The workers a riskd with this config runs (the supervisor's slots): the sim broker only
    when broker.kind is "sim"."""
    return [w for w in config.supervisor.worker_names()
            if w != "simbroker" or config.broker.kind == "sim"]


def endpoints(config: Any, workers: Iterable[str]) -> list[tuple[str, str]]:
    """planned(), with the supervisor's own pair ([bus] control, events) first."""
    bus = config.bus
    return [(bus.control, "[bus] control"), (bus.events, "[bus] events"),
            *planned(config, workers)]


class PortClash(OSError):
    """Two endpoints of one config would bind the same port."""

    def __init__(self, port: int, first: tuple[str, str], second: tuple[str, str]):
        (a1, s1), (a2, s2) = first, second
        super().__init__(f"{a2} ({s2}) is on port {port}, as {a1} ({s1}) is: two of riskd's "
                         f"own endpoints cannot share a port; give each its own ({DOC})")
        self.port, self.first, self.second = port, first, second


def clashes(config: Any, workers: Iterable[str]) -> None:
    """Raise PortClash for the first two endpoints of `workers` (and the supervisor's pair)
    on one port: one host, or a wildcard address beside any host."""
    seen: dict[int, list[tuple[str, str, str]]] = {}
    for address, setting in endpoints(config, workers):
        parsed = host_port(address)
        if parsed is None:
            continue
        host, port = parsed
        for other_host, other, other_setting in seen.get(port, []):
            if host == other_host or "" in (host, other_host):
                raise PortClash(port, (other, other_setting), (address, setting))
        seen.setdefault(port, []).append((host, address, setting))


def _bind_each(ports: Iterable[tuple[str, str]], ours: frozenset = frozenset()) -> None:
    """Raise BindFailed for the first (address, setting) that cannot be bound now; a port in
    `ours` is held by this riskd's own running workers: not tried."""
    for address, setting in ports:
        parsed = host_port(address)
        if parsed is None or parsed[1] in ours:
            continue
        failed = try_bind(*parsed)
        if failed is not None:
            code = failed.errno
            reason = failed.strerror or (os.strerror(code) if code else str(failed))
            raise BindFailed(address, reason, code, setting=setting)


def taken_words(config: Any, worker: str) -> str:
    """A worker that exited on a port in use (exit 76): which of its ports is taken now and,
    when this machine tells, what holds it (shared/portholder.py): "tcp://127.0.0.1:47422
    ([bus] market_pub) is held by a TCP connection of this machine to itself ...". '' when
    every port of it is free again. For the supervisor's reason, which the crash and flapping
    alerts carry (trial 21b: they blamed "another riskd on this machine, or another program")."""
    try:
        _bind_each(planned(config, [worker]))
    except BindFailed as exc:
        port = portrange.port_of(exc.address)
        holder = portholder.holder_words(port) if port is not None else ""
        where = f"{exc.address} ({exc.setting})" if exc.setting else exc.address
        return f"{where} " + (holder.replace("held ", "is held ", 1) if holder.startswith("held ")
                              else f"is taken ({holder})" if holder else "is taken")
    return ""


def check(config: Any, workers: Iterable[str]) -> None:
    """riskd's start: raise PortClash for two endpoints on one port, BindFailed for the first
    port of `workers` that cannot be bound now."""
    workers = list(workers)
    clashes(config, workers)
    _bind_each(planned(config, workers))


def check_edit(new: Any, running: Optional[Any] = None,
               running_workers: Iterable[str] = ()) -> None:
    """An edited config's ports, before it is saved: as check() at start, for every endpoint
    the new config binds (the supervisor's pair too); a port the running riskd's endpoints
    hold (running, running_workers; None when riskd is not running) is its own: not tried
    (a clash with an endpoint that keeps it is found by clashes())."""
    ours = frozenset() if running is None else frozenset(
        parsed[1] for address, _ in endpoints(running, running_workers)
        if (parsed := host_port(address)) is not None)
    workers = workers_of(new)
    clashes(new, workers)
    _bind_each(endpoints(new, workers), ours)


PORT_SECTIONS = ("bus", "broker", "supervisor")    # what an edit of ports changes


def edit_refusal(path: str, dry_run: Callable[[], Any], running: Optional[Any] = None,
                 running_workers: Iterable[str] = ()) -> str:
    """Why a config edit must not be saved for its ports ('' when it may): dry_run() -> the
    edit's EditResult without writing (shared/config/edit.py). Only an edit that changes a
    [bus], [broker] or [supervisor] key is checked; one that does not validate is left to the
    edit itself, which says why."""
    from shared.config.errors import ConfigError
    from shared.config.edit import EditError
    from shared.config.load import validate_text
    from shared.porttaken import explain
    try:
        result = dry_run()
        if not any(k.split(".")[0] in PORT_SECTIONS for k in result.changed_keys):
            return ""
        new, _warnings = validate_text(result.text, path)
    except (ConfigError, EditError, OSError):
        return ""
    try:
        check_edit(new, running, running_workers)
    except OSError as exc:
        return explain(exc, new, path)
    return ""
