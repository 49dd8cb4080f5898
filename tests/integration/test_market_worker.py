"""The market worker against the real sim broker: reconnects, no lost or doubled fill, Clone snapshots.

A trader's view: whatever the feed does (dropped websockets, a storm of
quotes), every fill of the account reaches the bus exactly once and in
order, and a risk process that joins late gets a snapshot that the
following updates continue without a hole.
"""
from __future__ import annotations

import collections
import json
import time
from decimal import Decimal

import pytest
import requests
import tomlkit

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.messages.market import (BrokerConnection, Fill, MarketSnapshot, OrderUpdate,
                                    PositionUpdate, SnapshotRequest)
from shared.projectx.rest import ProjectXRest
from tests.support.bustap import Bus, connected
from tests.support.sim import wait_sim_up
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

ACCOUNT = 1001
MNQ = "CON.F.US.MNQ.Z26"
MARKET, BUY, SELL, LIMIT = 2, 0, 1, 1


@pytest.fixture
def env(tmp_path, procs):
    config = make_config(tmp_path, broker={"sim": {"tick_interval": 0}})
    loaded = load_config(config).config
    rest_url, _user, _market = loaded.broker.endpoints()
    procs.worker("services.simbroker", config)
    wait_sim_up(rest_url)
    bus = Bus(loaded.bus.market_pub)
    market = procs.worker("services.market", config)
    client = ProjectXRest(rest_url, loaded.broker.user_name, loaded.broker.api_key, timeout=5)
    try:
        bus.wait(lambda: connected(bus, "user") and connected(bus, "market"), 20,
                 "market's hubs to connect")
        yield {"config": config, "rest": rest_url, "bus": bus, "client": client,
               "loaded": loaded, "market": market}
    finally:
        bus.close()
        client.close()


def sim(env, path: str, body: dict) -> dict:
    answer = requests.post(env["rest"] + path, json=body, timeout=5)
    assert answer.ok, answer.text
    return answer.json()


def hub_attempts(env) -> int:
    """User hub connection attempts the sim has seen (admitted or refused)."""
    answer = requests.get(env["rest"] + "/sim/calls", timeout=5).json()
    return answer["calls"].get("/hubs/user", 0)


def test_trades_made_while_disconnected_appear_once_after_the_reconnect(env):
    bus, client = env["bus"], env["client"]
    client.place_order(ACCOUNT, MNQ, MARKET, BUY, 1)
    bus.wait(lambda: len(bus.of(Fill)) == 1, 10, "the first fill")
    resting = client.place_order(ACCOUNT, MNQ, LIMIT, BUY, 1, limit_price=_far_below(env, MNQ),
                                 stop_loss_bracket={"ticks": 8, "type": 4})
    bus.wait(lambda: {o.status for o in bus.of(OrderUpdate)} >= {1, 8}, 10,
             "the resting order and its suspended stop")

    attempts_before = hub_attempts(env)
    sim(env, "/sim/disconnect", {"seconds": 2.5})
    bus.wait(lambda: not connected(bus, "user"), 10, "market to notice the drop")
    away = [client.place_order(ACCOUNT, MNQ, MARKET, side, 1) for side in (BUY, BUY, SELL)]
    bus.wait(lambda: connected(bus, "user") and len(bus.of(Fill)) >= 4, 20,
             "the reconnect and the fills made while away")
    attempts = hub_attempts(env) - attempts_before
    bus.pump(1.0)             # anything doubled would arrive now

    fills = bus.of(Fill)
    counts = collections.Counter(f.trade_id for f in fills)
    assert all(n == 1 for n in counts.values()), counts
    assert {f.order_id for f in fills} >= set(away)
    trades = client.search_trades(ACCOUNT, time.time_ns() - 3600 * 10**9)
    assert sorted(counts) == sorted(t.id for t in trades)
    states = [c.state for c in bus.of(BrokerConnection) if c.hub == "user"]
    assert "reconnecting" in states and states[-1] == "connected"
    # no storm: the sim refused the user hub for 2.5 s; with the backoff (1 s, then 2 s) market
    # tried about twice, counted at the sim; a client retrying at once would try dozens of times
    assert 1 <= attempts <= 4, attempts
    position = [p for p in bus.of(PositionUpdate) if p.contract_id == MNQ][-1]
    assert position.size == 2
    # the reconcile saw the suspended bracket child too (searchOpen would have hidden it)
    assert not [o for o in bus.of(OrderUpdate) if o.status not in (1, 2, 8)]
    with RpcClient(env["loaded"].bus.market_control, "market", timeout=3) as rpc:
        snap = rpc.call(SnapshotRequest()).body
    assert sorted(o.status for o in snap.orders) == [1, 8]
    assert resting in {o.order_id for o in snap.orders}


def test_every_fill_of_a_quote_storm_arrives_once_and_in_order(env):
    bus, client = env["bus"], env["client"]
    contracts = _contract_ids(env)[:10]
    assert len(contracts) == 10
    quotes = Bus(env["loaded"].bus.market_pub, prefixes=("quote.",), keep_quotes=True)
    fills = Bus(env["loaded"].bus.market_pub, prefixes=("fill",))
    try:
        for cid in contracts:    # a resting order in each keeps market subscribed to its quotes
            price = _far_below(env, cid)
            client.place_order(ACCOUNT, cid, LIMIT, BUY, 1, limit_price=price)
        bus.wait(lambda: len({o.contract_id for o in bus.of(OrderUpdate)}) >= len(contracts), 10,
                 "working orders in every contract")
        burst = sim(env, "/sim/burst", {"contracts": contracts, "quotes_per_second": 20000,
                                        "seconds": 3, "accountId": ACCOUNT, "trades": 1000})
        assert burst["success"], burst
        during: dict[str, int] = {}     # quotes per contract taken while the sim said "running"

        def done():
            fills.pump(0.1)
            quotes.pump(0.05)
            taken = dict(quotes.quotes_of)      # all arrived before the status was asked
            status = requests.get(env["rest"] + "/sim/burst", timeout=5).json()["burst"]
            if status["running"]:
                during.update(taken)
            return not status["running"] and len(fills.msgs) >= status["tradesPlaced"] and status
        status = wait_for(done, 40, interval=0.0, what="the burst's fills on the bus")
        fills.pump(0.5)
        quotes.pump(0.5)
        trade_ids = [m.trade_id for _s, m in fills.msgs]
        assert status["tradesPlaced"] == 1000, status
        assert len(trade_ids) == len(set(trade_ids)) == 1000        # none lost, none twice
        assert trade_ids == sorted(trade_ids)                       # in the order they happened
        # the rate is the sim's (its goal is in make bench, bench_market); here: a storm at all
        assert status["achievedQuotesPerSecond"] > 500, status
        # quotes flowed during the storm, in every contract, conflated (how many market
        # publishes is the machine's speed: 321 in all under load 17, thousands on a quiet one;
        # "more than 1000" failed then)
        assert set(during) == set(contracts) and min(during.values()) >= 2, during
        assert quotes.raw_quotes < status["quotesSent"], (quotes.raw_quotes, status)
        # and the pace holds none back: a price set on each contract after the storm is that
        # contract's last quote on the bus
        moved = {}
        for cid in contracts:
            tick = client.contract_by_id(cid).tick_size
            price = quotes.last_quote[cid].last + 4 * tick       # above the resting buys
            moved[cid] = sim(env, "/sim/quote",
                             {"contractId": cid, "lastPrice": str(price)})["quote"]

        def last_is_moved(cid: str) -> bool:
            q, want = quotes.last_quote[cid], moved[cid]
            return (q.last, q.bid, q.ask) == tuple(
                Decimal(str(want[k])) for k in ("lastPrice", "bestBid", "bestAsk"))
        quotes.wait(lambda: all(last_is_moved(cid) for cid in contracts), 10,
                    "the price set after the storm as each contract's last quote")
    finally:
        quotes.close()
        fills.close()


def test_a_late_subscriber_continues_its_snapshot_without_a_hole(env):
    bus, client = env["bus"], env["client"]
    loaded = env["loaded"]
    client.place_order(ACCOUNT, MNQ, MARKET, BUY, 2)
    bus.wait(lambda: bus.of(Fill), 10, "a first fill")

    late = Bus(loaded.bus.market_pub)
    try:
        time.sleep(0.3)     # zmq slow joiner: the SUB needs a moment before it sees anything
        with RpcClient(loaded.bus.market_control, "market", timeout=3) as rpc:
            reply = rpc.call(SnapshotRequest())
        snap = reply.body
        assert reply.ok and isinstance(snap, MarketSnapshot)
        assert {a.account_id for a in snap.accounts} == {1001, 1002}
        for side in (SELL, BUY, BUY):
            client.place_order(ACCOUNT, MNQ, MARKET, side, 1)
        late.wait(lambda: len([m for s, m in late.msgs if s > snap.seq and isinstance(m, Fill)])
                  >= 3, 10, "the fills after the snapshot")
        newer = sorted((s, m) for s, m in late.msgs if s > snap.seq)
        seqs = [s for s, _m in newer]
        assert seqs[0] == snap.seq + 1 and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        fills = {f.trade_id for f in snap.fills} | {m.trade_id for _s, m in newer
                                                   if isinstance(m, Fill)}
        trades = client.search_trades(ACCOUNT, time.time_ns() - 3600 * 10**9)
        assert fills == {t.id for t in trades}
        position = {(p.account_id, p.contract_id): p for p in snap.positions}
        for _s, m in newer:
            if isinstance(m, PositionUpdate):
                position[(m.account_id, m.contract_id)] = m
        assert position[(ACCOUNT, MNQ)].size == 3
    finally:
        late.close()


def _contract_ids(env) -> list[str]:
    return [c.id for c in env["client"].search_contracts("")]


def _far_below(env, cid: str):
    return _far_below_id(env["client"], cid)


def test_riskctl_positions_and_orders_show_what_market_knows_with_tickers(tmp_path, procs):
    config = make_config(tmp_path, workers=["simbroker", "market"],
                         broker={"sim": {"tick_interval": 0}})
    loaded = load_config(config).config
    procs.riskd(config)
    procs.wait_running(config, ["simbroker", "market"])
    client = ProjectXRest(loaded.broker.endpoints()[0], loaded.broker.user_name,
                          loaded.broker.api_key, timeout=5)
    es, nq = "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26"
    client.place_order(ACCOUNT, es, MARKET, SELL, 2)
    order_id = client.place_order(1002, nq, LIMIT, BUY, 1, limit_price=_far_below_id(client, nq))

    def positions():
        done = procs.riskctl(config, "positions", "--json")
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        return doc if doc["positions"] else None
    doc = wait_for(positions, 15, what="riskctl positions to show the ES short")
    (row,) = doc["positions"]
    assert (row["ticker"], row["contract_id"], row["side"], row["size"]) == ("ES", es, "short", 2)
    assert row["account_name"] == "SIM-DEMO-1"
    assert {c["hub"]: c["state"] for c in doc["connections"]} == {"user": "connected",
                                                                  "market": "connected"}
    done = procs.riskctl(config, "orders", "--account", "SIM-DEMO-2", "--json")
    assert done.returncode == 0, done.stderr
    (order,) = json.loads(done.stdout)["orders"]
    assert (order["order_id"], order["ticker"], order["side"], order["type"], order["status"]) == (
        order_id, "NQ", "buy", "limit", "open")
    text = procs.riskctl(config, "positions")
    assert text.returncode == 0 and "ES" in text.stdout and "short" in text.stdout
    client.close()


def _far_below_id(client, cid: str):
    """A buy limit price that never fills: one tick above zero."""
    return client.contract_by_id(cid).tick_size


def test_a_refused_login_is_reported_plainly_and_the_key_never_shown(tmp_path, procs):
    config = make_config(tmp_path, broker={"sim": {"tick_interval": 0}})
    loaded = load_config(config).config
    procs.worker("services.simbroker", config)
    wait_sim_up(loaded.broker.endpoints()[0])
    doc = tomlkit.parse((tmp_path / "riskd.toml").read_text())
    doc["broker"]["api_key"] = "a-wrong-key-123"          # the sim still expects its own
    (tmp_path / "market").mkdir()
    wrong = tmp_path / "market" / "riskd.toml"
    wrong.write_text(tomlkit.dumps(doc))
    market = procs.worker("services.market", str(wrong))

    def refused():     # the state is in market's snapshot, whenever we ask (no slow joiner)
        with RpcClient(loaded.bus.market_control, "market", timeout=1, retries=0) as rpc:
            snap = rpc.call(SnapshotRequest()).body
        found = {c.hub: c for c in snap.connections if "broker refused riskd's login" in c.reason}
        return found if len(found) == 2 else None
    found = wait_for(refused, 15, what="market to report the refused login")
    assert all(c.state == "disconnected" for c in found.values())
    assert all("invalid user name or API key" in c.reason for c in found.values())
    assert all("check [broker] user_name and api_key" in c.reason for c in found.values())
    assert all("a-wrong-key-123" not in c.reason for c in found.values())
    assert "a-wrong-key-123" not in market.output()


def test_hubs_closed_at_token_expiry_come_back_with_the_newest_token(tmp_path, procs):
    config = make_config(tmp_path, broker={"sim": {"tick_interval": 0, "token_ttl": 2.0}})
    loaded = load_config(config).config
    procs.worker("services.simbroker", config)
    wait_sim_up(loaded.broker.endpoints()[0])
    bus = Bus(loaded.bus.market_pub)
    procs.worker("services.market", config)
    client = ProjectXRest(loaded.broker.endpoints()[0], loaded.broker.user_name,
                          loaded.broker.api_key, timeout=5)
    try:
        def opened(hub: str) -> int:
            return sum(1 for c in bus.of(BrokerConnection) if c.hub == hub and c.state == "connected")
        bus.wait(lambda: opened("user") >= 3 and connected(bus, "user"), 25,
                 "the user hub to be closed at token expiry and reopened twice")
        client.place_order(ACCOUNT, MNQ, MARKET, BUY, 1)     # the newest connection delivers
        bus.wait(lambda: bus.of(Fill), 10, "the fill over the renewed connection")
        bus.pump(0.5)
        assert len(bus.of(Fill)) == 1
    finally:
        bus.close()
        client.close()
