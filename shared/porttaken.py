"""A port riskd cannot bind, said so a person can act: the setting, who may hold it, the doc.

A second clone's `make run` ended with "riskd cannot start: cannot bind tcp://127.0.0.1:5571:
Address already in use": no word of the setting that names that address, of another riskd
that may hold it, or of how to run two side by side. BindFailed carries the address (and, for
the sim's HTTP ports, the setting); explain() names the config key of that address in this
config (every [bus] address, a risk shard's pair counted from risk_shards_from, the sim's
port and hub_port), says another riskd may be running when the address is in use (riskctl
status with that riskd's config tells), and points to docs/operations.md, "Two riskd on one
machine". A port held by a TCP connection's end rather than a listener (trial 21b: a
connection of the machine to itself on a port inside the OS's ephemeral range) is said as
that (shared/portholder.py), with the advice to use ports below that range
(shared/portrange.py).
"""
from __future__ import annotations

import errno
from typing import Any

from shared import portholder, portrange

DOC = 'docs/operations.md, "Two riskd on one machine"'
_IN_USE = {errno.EADDRINUSE, 10048}       # POSIX; Winsock (shared/bus/sockets.py maps ZeroMQ's)


class BindFailed(OSError):
    """A socket riskd binds could not be bound: `address` (as configured), the OS's reason."""

    def __init__(self, address: str, reason: str, code: int | None = None,
                 setting: str = ""):
        super().__init__(f"cannot bind {address}: {reason}")
        self.address, self.reason, self.code, self.setting = address, reason, code, setting

    @property
    def in_use(self) -> bool:
        return self.code in _IN_USE or "in use" in self.reason.lower()


def setting_of(address: str, config: Any) -> str:
    """The config key whose value is `address` ('' when none is): '[bus] events', ..."""
    from shared import shards                       # config-level helpers, imported late
    bus = config.bus
    for key in bus.address_keys():
        if getattr(bus, key) == address:
            return f"[bus] {key}"
    for index in range(1, getattr(config.supervisor, "risk_shards", 1)):
        pub, control = shards.addresses(bus, index)
        if address in (pub, control):
            which = "pub" if address == pub else "control"
            return f"[bus] risk_shards_from (risk-{index}'s {which})"
    return ""


def explain(exc: BaseException, config: Any, config_path: str = "") -> str:
    """exc's text, and for a bind that failed: the setting, who may hold it, where to read."""
    if not isinstance(exc, BindFailed):
        return str(exc)
    setting = exc.setting or (setting_of(exc.address, config) if config is not None else "")
    where = f" in {config_path}" if config_path else ""
    text = f"cannot bind {exc.address}" + (f" ({setting}{where})" if setting else "") + \
        f": {exc.reason}"
    port = portrange.port_of(exc.address) if exc.in_use else None
    holder = portholder.holder_words(port) if port is not None else ""
    os_range = portrange.ephemeral_range()
    inside = port is not None and portrange.inside(port, os_range)
    below = (f"give riskd ports below {os_range[0]}, outside "
             f"{portrange.range_words(os_range)}") if inside else ""
    if holder.startswith("held "):      # a connection's end, not a listener: no other riskd
        text += f". It is {holder}" + (f"; give riskd ports below {os_range[0]}"
                                       if inside else "") + f" ({DOC})"
    elif exc.in_use:
        text += (". Another riskd on this machine (or another program) may hold that port"
                 + (f" ({holder})" if holder else "")
                 + ": `riskctl --config ITS_CONFIG status` tells whether a riskd runs there. "
                 "To run a second riskd beside it, give it its own ports"
                 + (f" ({setting} and the rest)" if setting else "")
                 + (f"; {below}, where a connect of riskd's own can take one" if below else "")
                 + f": {DOC}")
    else:
        text += f" ({DOC})"
    return text
