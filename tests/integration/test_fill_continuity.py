"""Fill continuity across a market worker restart: every broker trade reaches risk exactly once,
and nothing open at the broker is taken as closed while market catches up.

A market worker that just started knows nothing of the broker until its first REST reconcile
(trades made while no market ran, open positions); its snapshot says so (complete=False), risk
applies it without closing what it does not list, reports market_synced=False, and asks again
until market has read the broker. The reconcile is held back here for a few seconds (one
Trade/search answered 429 with Retry-After) so the in-between is long enough to watch.
"""
from __future__ import annotations

import signal
import time
from decimal import Decimal

import pytest
import requests

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.messages.risk import RiskStatusRequest
from shared.projectx.rest import ProjectXRest
from tests.support.bustap import Bus, wait_connected
from tests.support.sim import wait_sim_up
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

ACCOUNT = 1001
MNQ = "CON.F.US.MNQ.Z26"
MARKET, BUY, SELL = 2, 0, 1
HOLD_RECONCILE = 3.0     # s: Retry-After of the one Trade/search answered 429


def risk_status(loaded):
    with RpcClient(loaded.bus.risk_control, "risk", timeout=2, retries=2, name="test") as c:
        reply = c.call(RiskStatusRequest(account=str(ACCOUNT)))
    assert reply.ok, reply.reason
    return reply.body


def broker_view(client):
    trades = [t for t in client.search_trades(ACCOUNT, time.time_ns() - 3600 * 10**9)
              if not t.voided]
    realized = sum(((t.profit_and_loss or Decimal(0)) - t.fees for t in trades), Decimal(0))
    return len(trades), realized


def test_every_trade_reaches_risk_once_across_a_market_restart_and_dropped_hubs(tmp_path, procs):
    config = make_config(tmp_path, broker={"sim": {"tick_interval": 0}})
    loaded = load_config(config).config
    rest = loaded.broker.endpoints()[0]
    procs.worker("services.simbroker", config)
    wait_sim_up(rest)
    bus = Bus(loaded.bus.market_pub)
    market = procs.worker("services.market", config)
    procs.worker("services.risk", config)
    client = ProjectXRest(rest, loaded.broker.user_name, loaded.broker.api_key, timeout=5)
    try:
        wait_connected(bus, "user", market)
        client.place_order(ACCOUNT, MNQ, MARKET, BUY, 2)
        wait_for(lambda: risk_status(loaded).market_synced
                 and risk_status(loaded).accounts[0].trades_today == 1, 20,
                 what="risk to see the first fill")

        # market dies; the hubs of whatever is connected drop; the trader keeps trading
        market.signal(signal.SIGKILL)
        market.wait(5)
        requests.post(rest + "/sim/disconnect", json={"mode": "abort"}, timeout=5)
        for side in (SELL, BUY, SELL):
            client.place_order(ACCOUNT, MNQ, MARKET, side, 1)
        requests.post(rest + "/sim/fail", json={"endpoint": "/api/Trade/search", "status": 429,
                                                "count": 1, "retryAfter": HOLD_RECONCILE},
                      timeout=5).raise_for_status()
        procs.worker("services.market", config)

        seen_unsynced = []
        def synced():
            reply = risk_status(loaded)
            (acct,) = reply.accounts
            # open at the broker all along: never shown closed while market catches up
            assert [(p.contract_id, p.side) for p in acct.positions] == [(MNQ, "long")], acct
            if not reply.market_synced:
                seen_unsynced.append(acct.trades_today)
            return reply if reply.market_synced and seen_unsynced else None
        reply = wait_for(synced, 25, interval=0.05, what="risk re-synced with the new market",
                         fail_fast=AssertionError)
        (acct,) = reply.accounts
        trades, realized = broker_view(client)
        assert trades == 4
        assert (acct.trades_today, acct.realized) == (trades, realized)
        assert [p.size for p in acct.positions] == [1]
    finally:
        bus.close()
        client.close()
