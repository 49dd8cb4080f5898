"""The OS's ephemeral port range, and the ports of a config that lie inside it.

The ephemeral range holds the ports the OS hands out by itself: the local end of every
outgoing connection, and a bind to port 0. A port of riskd's inside it can be taken before
riskd binds it, by riskd itself too: its workers connect to each other's ports, and a connect
to a port nobody listens on yet may be given that very port as its own local end, a TCP
connection of the machine to itself that holds it (fresh-user trial 21b: riskd on 47400-47435,
inside Linux's 32768-60999, failed 2 of 3 starts: market crash-looped on "cannot bind
tcp://127.0.0.1:47422", held by such a connection). riskd's defaults (5570-5601, 5640 on) lie
below every OS's range.

ephemeral_range(): Linux's /proc/sys/net/ipv4/ip_local_port_range; elsewhere IANA's dynamic
range 49152-65535 (Windows' and macOS's default). inside(): whether a port lies in it.
config_warnings(): one warning Problem per port the config's riskd binds inside it (its [bus]
addresses, a risk shard's pair, the sim's port and hub_port when it runs the sim), for `riskctl
config validate`, `config set` and riskd's start (shared/config/load.py).
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

DOC = 'docs/operations.md, "Two riskd on one machine"'
MARK = "ephemeral port range"     # in config_warnings' text: riskd's start logs it
DYNAMIC = (49152, 65535)          # IANA's dynamic ports: Windows' and macOS's default range
_LINUX = "/proc/sys/net/ipv4/ip_local_port_range"


def ephemeral_range(path: str = _LINUX) -> tuple[int, int]:
    """(lowest, highest) port the OS hands out by itself on this machine."""
    try:
        with open(path, encoding="ascii") as fh:
            low, high = (int(x) for x in fh.read().split())
        return low, high
    except (OSError, ValueError):
        return DYNAMIC


def inside(port: int, os_range: Optional[tuple[int, int]] = None) -> bool:
    low, high = os_range or ephemeral_range()
    return low <= port <= high


def port_of(address: str) -> Optional[int]:
    """'tcp://127.0.0.1:5572' -> 5572; None for another transport or no port."""
    scheme, sep, rest = address.partition("://")
    if sep and scheme != "tcp":
        return None
    port = (rest if sep else address).rpartition(":")[2]
    return int(port) if port.isdigit() else None


def bound_ports(config: Any) -> Iterator[tuple[str, int]]:
    """(config key, port) of every TCP port a riskd with this config binds."""
    from shared import shards                     # config-level helper, imported late
    bus = config.bus
    for key in bus.address_keys():
        if key == "risk_shards_from":
            continue
        port = port_of(getattr(bus, key))
        if port is not None:
            yield f"bus.{key}", port
    for index in range(1, getattr(config.supervisor, "risk_shards", 1)):
        for address in shards.addresses(bus, index):
            port = port_of(address)
            if port is not None:
                yield "bus.risk_shards_from", port
    if config.broker.kind == "sim":
        yield "broker.sim.port", config.broker.sim.port
        yield "broker.sim.hub_port", config.broker.sim.hub_port


def range_words(os_range: tuple[int, int]) -> str:
    return f"this machine's ephemeral port range {os_range[0]}-{os_range[1]}"


def config_warnings(config: Any, os_range: Optional[tuple[int, int]] = None) -> list:
    """One warning (at the first such key) naming every port of the config inside the OS's
    ephemeral range; none when no port lies there."""
    from shared.config.errors import Problem      # noqa: PLC0415 -- config imports this
    os_range = os_range or ephemeral_range()
    found = [(key, port) for key, port in bound_ports(config) if inside(port, os_range)]
    if not found:
        return []
    named = ", ".join(f"{key} {port}" for key, port in found[:4]) + \
        (f" and {len(found) - 4} more" if len(found) > 4 else "")
    which = "its port lies" if len(found) == 1 else f"{len(found)} ports of riskd's lie"
    return [Problem(found[0][0], f"{which} inside {range_words(os_range)} ({named}), the ports "
                                 f"the OS gives outgoing connections as their own end: a "
                                 f"connect, riskd's own too, can take one before riskd binds "
                                 f"it, and the worker that binds it then cannot start; use "
                                 f"ports below {os_range[0]} ({DOC})", severity="warning")]
