"""SignalR negotiation as ASP.NET Core answers it: POST <hub>/negotiate, then ?id= on the websocket.

Pure (an injected monotonic clock). `negotiate?negotiateVersion=1` answers
{negotiateVersion: 1, connectionId, connectionToken, availableTransports}
and the client opens the websocket with `id=<connectionToken>`; without the
version (or 0) the answer has no connectionToken and `id=<connectionId>`
(what older clients such as signalrcore send). An id is good for one
websocket, on the hub that issued it, within `ttl` seconds; anything else is
"No Connection with that ID" (HTTP 404), as ASP.NET answers. Clients that
skip negotiation open the websocket without an id and are not affected.
"""
from __future__ import annotations

import secrets
from typing import Callable, Optional

TRANSPORTS = [{"transport": "WebSockets", "transferFormats": ["Text", "Binary"]}]
NO_CONNECTION = "No Connection with that ID"


def _id() -> str:
    """22 url-safe characters, the shape of ASP.NET's connection ids."""
    return secrets.token_urlsafe(16)


class Negotiations:
    """Connection ids handed out by negotiate and not yet used by a websocket."""

    def __init__(self, monotonic: Callable[[], float], ttl: float = 5.0):
        self.monotonic = monotonic
        self.ttl = ttl
        self._open: dict[str, tuple[str, float]] = {}      # id -> (hub, deadline)

    def negotiate(self, hub: str, version: int) -> dict:
        """The negotiate answer for `hub`; the id the websocket must bring is remembered."""
        self._expire()
        connection_id = _id()
        doc: dict = {"negotiateVersion": 1 if version >= 1 else 0,
                     "connectionId": connection_id}
        key = connection_id
        if version >= 1:
            key = doc["connectionToken"] = _id()
        doc["availableTransports"] = [dict(t) for t in TRANSPORTS]
        self._open[key] = (hub, self.monotonic() + self.ttl)
        return doc

    def take(self, hub: str, key: Optional[str]) -> bool:
        """True once for an id negotiated on `hub` within ttl; it is spent either way."""
        self._expire()
        entry = self._open.pop(key or "", None)
        return entry is not None and entry[0] == hub

    def pending(self) -> int:
        """Ids still usable (safe from another thread: reads a snapshot, changes nothing)."""
        now = self.monotonic()
        return sum(1 for _hub, deadline in list(self._open.values()) if deadline > now)

    def _expire(self) -> None:
        now = self.monotonic()
        for key in [k for k, (_hub, deadline) in self._open.items() if deadline <= now]:
            del self._open[key]


def negotiate_version(query: dict) -> Optional[int]:
    """negotiateVersion from a parsed query (absent: 0); None when it is not a whole number."""
    values = query.get("negotiateVersion")
    if not values:
        return 0
    try:
        version = int(values[0])
    except ValueError:
        return None
    return version if version >= 0 else None
