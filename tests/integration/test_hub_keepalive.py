"""The market worker keeps both hubs open while idle: it pings, so a server's client timeout never fires.

A SignalR server (the real gateway, and the sim with [broker.sim] client_timeout)
closes a connection that has sent nothing for its client timeout. Here the sim's
timeout is 2 s and the worker pings every 0.5 s: over 6 quiet seconds neither hub
is lost (same since_ns in market's snapshot), while a raw client that never pings
is closed by the same sim within the timeout, so the test can fail.
"""
from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.messages.market import MarketSnapshot, SnapshotRequest
from shared.projectx.rest import ProjectXRest
from tests.support.sim import wait_sim_up
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

RS = "\x1e"
CLIENT_TIMEOUT = 2.0
QUIET = 6.0


def hub_states(market_control: str) -> dict[str, tuple[str, int]]:
    """{hub: (state, since_ns)} from market's snapshot."""
    with RpcClient(market_control, "market", timeout=3) as rpc:
        reply = rpc.call(SnapshotRequest())
    assert reply.ok and isinstance(reply.body, MarketSnapshot), reply
    return {c.hub: (c.state, c.since_ns) for c in reply.body.connections}


def both_connected(market_control: str) -> dict | None:
    states = hub_states(market_control)
    ok = set(states) == {"user", "market"} and all(st == "connected" for st, _ns in states.values())
    return states if ok else None


def closed_after(hub_url: str, token: str, limit: float) -> tuple[float, list[dict]]:
    """Open a raw hub connection that never sends after its handshake (no SignalR ping, no
    websocket ping); (seconds until the server closed it, the records it sent)."""
    url = f"{hub_url.replace('http', 'ws', 1)}?access_token={token}"
    with connect(url, open_timeout=5, ping_interval=None) as ws:
        ws.send('{"protocol":"json","version":1}' + RS)
        assert ws.recv(timeout=5) == "{}" + RS
        start, records = time.monotonic(), []
        while True:
            left = start + limit - time.monotonic()
            assert left > 0, f"the sim kept a silent client for {limit} s; records {records}"
            try:
                frame = ws.recv(timeout=left)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return time.monotonic() - start, records
            records += [json.loads(r) for r in frame.split(RS) if r]


def test_idle_hubs_stay_open_while_a_silent_client_is_dropped(tmp_path, procs):
    config = make_config(tmp_path, broker={"keepalive": 0.5, "sim": {
        "tick_interval": 0, "client_timeout": CLIENT_TIMEOUT}})
    loaded = load_config(config).config
    rest_url, _user_hub, market_hub = loaded.broker.endpoints()
    procs.worker("services.simbroker", config)
    wait_sim_up(rest_url)
    procs.worker("services.market", config)
    control = loaded.bus.market_control
    before = wait_for(lambda: both_connected(control), 20, what="market's hubs to connect")

    client = ProjectXRest(rest_url, loaded.broker.user_name, loaded.broker.api_key, timeout=5)
    try:
        quiet_until = time.monotonic() + QUIET
        silent_for, records = closed_after(market_hub, client.login(), QUIET)
        assert silent_for < CLIENT_TIMEOUT + 1.5, silent_for
        assert records and records[-1]["type"] == 7 and "timeout" in records[-1]["error"], records
        time.sleep(max(0.0, quiet_until - time.monotonic()))     # the rest of the quiet window
    finally:
        client.close()
    assert hub_states(control) == before      # neither hub was lost and reopened meanwhile
