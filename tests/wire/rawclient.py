"""A raw SignalR JSON client over the `websockets` package: what the wire suite drives the hubs with.

No project code: records are JSON objects ended by 0x1E, the handshake is
{"protocol":"json","version":1}, and negotiation (optional) is a plain POST.
Used by tests/wire and by tests/integration/test_simbroker.py.
"""
from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from typing import Any, Callable, Optional

import requests
from websockets.sync.client import connect

RS = "\x1e"


class Hub:
    """A raw SignalR JSON client over a websockets sync connection."""

    def __init__(self, ws):
        self.ws = ws
        self.pending: deque = deque()
        self.backlog: list = []
        self.frames = 0
        self._ids = 0

    def send(self, *messages: dict) -> None:
        self.ws.send("".join(json.dumps(m) + RS for m in messages))

    def invoke(self, target: str, *args: Any) -> str:
        self._ids += 1
        self.send({"type": 1, "invocationId": str(self._ids), "target": target,
                   "arguments": list(args)})
        return str(self._ids)

    def recv(self, timeout: float = 5.0, pings: bool = False) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            while self.pending:
                message = self.pending.popleft()
                if pings or message.get("type") != 6:
                    return message
            frame = self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
            self.frames += 1
            self.pending.extend(json.loads(r) for r in frame.split(RS) if r)

    def until(self, match: Callable[[dict], bool], timeout: float = 5.0, pings: bool = False) -> dict:
        """The first record (kept back or new) that matches; others are kept back in order."""
        for i, message in enumerate(self.backlog):
            if match(message):
                del self.backlog[i]
                return message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching record within {timeout} s; "
                                     f"kept back {self.backlog[-5:]}")
            try:
                message = self.recv(left, pings)
            except TimeoutError:
                continue
            if match(message):
                return message
            self.backlog.append(message)

    def completion(self, invocation_id: str) -> dict:
        return self.until(lambda m: m.get("type") == 3 and m.get("invocationId") == invocation_id)

    def event(self, target: str, match: Callable[[dict], bool] = lambda p: True,
              timeout: float = 5.0) -> dict:
        return self.until(lambda m: m.get("type") == 1 and m.get("target") == target
                          and match(m["arguments"]), timeout)


def ws_url(url: str) -> str:
    return url.replace("http", "ws", 1)


def negotiate(url: str, token: Optional[str], version: Optional[int] = 1,
              in_header: bool = True) -> requests.Response:
    """POST <hub>/negotiate[?negotiateVersion=v]; the token as a bearer header or access_token."""
    query = [] if version is None else [f"negotiateVersion={version}"]
    headers = {}
    if token and in_header:
        headers["Authorization"] = f"Bearer {token}"
    elif token:
        query.append(f"access_token={token}")
    return requests.post(f"{url}/negotiate" + ("?" + "&".join(query) if query else ""),
                         headers=headers, timeout=5)


@contextlib.contextmanager
def hub(url: str, token: str, connection_id: Optional[str] = None):
    """A handshaken hub connection; with connection_id, the websocket of a negotiation."""
    query = f"access_token={token}" if connection_id is None else \
        f"id={connection_id}&access_token={token}"
    with connect(f"{ws_url(url)}?{query}", open_timeout=5, max_size=None) as ws:
        ws.send('{"protocol":"json","version":1}' + RS)
        assert ws.recv(timeout=5) == "{}" + RS
        yield Hub(ws)
