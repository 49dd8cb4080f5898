"""The real sim broker process over real HTTP and websockets, at the raw SignalR protocol level.

Two sims run for the module: "bare" (plain one-payload events) and "wrapped"
(TopstepX-style [{"action", "data"}] with a short token lifetime). Neither
random-walks (tick_interval = 0): prices move only through /sim/quote.
"""
from __future__ import annotations

import signal
import json
import time
from typing import Any, Optional

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus

from shared.config import load_config
from tests.support.sim import wait_sim_up
from tests.wire.rawclient import hub
from tests.support.env import SIM_CALENDAR_DATE, make_config, wait_for
from tests.support.procs import Procs

MNQ, ES, NQ = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26"
A1, A2 = 1001, 1002
WRAPPED_TTL = 4.0
CALENDAR = SIM_CALENDAR_DATE         # the contract calendar: ESZ6 active, ESH7 next


class Sim:
    def __init__(self, config: str):
        broker = load_config(config).config.broker
        self.config = config
        self.rest, self.user_hub, self.market_hub = broker.endpoints()
        self.user_name, self.api_key = broker.user_name, broker.api_key

    def login(self) -> str:
        doc = requests.post(self.rest + "/api/Auth/loginKey",
                            json={"userName": self.user_name, "apiKey": self.api_key}, timeout=5).json()
        assert doc["success"] and doc["errorCode"] == 0 and doc["errorMessage"] is None
        return doc["token"]

    def api(self, path: str, body: dict, token: Optional[str] = None) -> dict:
        reply = self.raw(path, body, token or self.login())
        assert reply.status_code == 200, (path, reply.status_code, reply.text)
        doc = reply.json()
        assert {"success", "errorCode", "errorMessage"} <= set(doc)
        return doc

    def raw(self, path: str, body: Any, token: Optional[str]) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.post(self.rest + path, json=body, headers=headers, timeout=5)

    def control(self, path: str, body: Optional[dict] = None) -> dict:
        reply = requests.post(self.rest + path, json=body or {}, timeout=10)
        assert reply.status_code == 200, (path, reply.text)
        return reply.json()

    def flatten(self, token: str) -> None:
        for account in (A1, A2):
            for p in self.api("/api/Position/searchOpen", {"accountId": account}, token)["positions"]:
                self.api("/api/Position/closeContract", {"accountId": account,
                                                         "contractId": p["contractId"]}, token)
            orders = self.api("/api/Order/v2/query", {"filter": {"accountId": account,
                                                                 "statuses": [1, 6, 7, 8]}}, token)
            for o in orders["orders"]:
                self.api("/api/Order/cancel", {"accountId": account, "orderId": o["id"]}, token)


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    procs = Procs(tmp_path_factory.mktemp("simbroker"))
    out = {}
    try:
        for style, extra in (("bare", {"wrap_events": False}),
                             ("wrapped", {"wrap_events": True, "token_ttl": WRAPPED_TTL}),
                             ("shuffled", {"event_order": "random", "duplicate_fills": True,
                                           "seed": 3})):
            config = make_config(tmp_path_factory.mktemp(style), broker={"sim": {
                "tick_interval": 0, "ping_interval": 1.0, "spread_ticks": 0,
                "calendar_date": CALENDAR, **extra}})
            procs.worker("services.simbroker", config)
            out[style] = Sim(config)
        for sim in out.values():
            wait_sim_up(sim.rest)
        yield out
    finally:
        procs.end()


@pytest.fixture
def bare(sims) -> Sim:
    return sims["bare"]


def test_info_is_exactly_the_documented_document(bare):
    from services.simbroker.info import KEY_IN
    info = requests.get(bare.rest + "/sim/info", timeout=5).json()
    assert info == {"rest_url": bare.rest, "user_hub": bare.user_hub,
                    "market_hub": bare.market_hub, "user_name": "sim-user",
                    # masked (trial18c: the key in clear to any local program); where it is
                    "api_key": "***", "api_key_in": KEY_IN,
                    "accounts": [{"id": A1, "name": "SIM-DEMO-1"}, {"id": A2, "name": "SIM-DEMO-2"}]}


def test_every_rest_call(bare):
    t = bare.login()
    renewed = bare.api("/api/Auth/validate", {}, t)
    assert renewed["success"] and renewed["newToken"] and renewed["newToken"] != t
    t = renewed["newToken"]
    accounts = bare.api("/api/Account/search", {"onlyActiveAccounts": True}, t)["accounts"]
    assert accounts[0] == {"id": A1, "name": "SIM-DEMO-1", "balance": 50000.0, "canTrade": True,
                           "isVisible": True, "simulated": True}
    contract = bare.api("/api/Contract/searchById", {"contractId": ES}, t)["contract"]
    assert (contract["tickSize"], contract["tickValue"], contract["symbolId"]) == (0.25, 12.5, "F.US.EP")
    found = bare.api("/api/Contract/search", {"searchText": "NQ", "live": False}, t)["contracts"]
    assert [c["name"] for c in found] == ["NQZ6", "NQH7", "MNQZ6", "MNQH7"]
    assert found[0]["id"] == NQ and found[0]["activeContract"] and not found[1]["activeContract"]
    bare.control("/sim/quote", {"contractId": "ES", "lastPrice": 6000})
    place = {"accountId": A2, "contractId": ES, "type": 2, "side": 0, "size": 3}
    order_id = bare.api("/api/Order/place", place, t)["orderId"]
    positions = bare.api("/api/Position/searchOpen", {"accountId": A2}, t)["positions"]
    assert [(p["contractId"], p["type"], p["size"], p["averagePrice"]) for p in positions] == [
        (ES, 1, 3, 6000.0)]
    assert bare.api("/api/Position/partialCloseContract",
                    {"accountId": A2, "contractId": ES, "size": 1}, t)["success"]
    bare.control("/sim/quote", {"contractId": ES, "lastPrice": 6002})
    assert bare.api("/api/Position/closeContract", {"accountId": A2, "contractId": ES}, t)["success"]
    flat = bare.api("/api/Position/closeContract", {"accountId": A2, "contractId": ES}, t)
    assert (flat["success"], flat["errorCode"]) == (False, 2)
    trades = bare.api("/api/Trade/search", {"accountId": A2,
                                            "startTimestamp": "2020-01-01T00:00:00Z"}, t)["trades"]
    assert [(tr["size"], tr["profitAndLoss"], tr["fees"]) for tr in trades[-3:]] == [
        (3, None, 4.2), (1, 0.0, 1.4), (2, 200.0, 2.8)]
    assert trades[-3]["orderId"] == order_id
    limit = bare.api("/api/Order/place", {**place, "type": 1, "size": 1, "limitPrice": 5900,
                                          "stopLossBracket": {"ticks": 8, "type": 4}}, t)["orderId"]
    open_ids = [o["id"] for o in bare.api("/api/Order/searchOpen", {"accountId": A2}, t)["orders"]]
    assert open_ids == [limit]
    query = bare.api("/api/Order/v2/query", {"filter": {"accountId": A2, "statuses": [1, 6, 7, 8]},
                                             "pageSize": 50, "pageOffset": 0,
                                             "includeTotalCount": True}, t)
    assert query["totalCount"] == 2 and {o["status"] for o in query["orders"]} == {1, 8}
    assert bare.api("/api/Order/modify", {"accountId": A2, "orderId": limit, "limitPrice": 5950},
                    t)["success"]
    searched = bare.api("/api/Order/search", {"accountId": A2,
                                              "startTimestamp": "2020-01-01T00:00:00+00:00"}, t)
    assert [o["limitPrice"] for o in searched["orders"] if o["id"] == limit] == [5950.0]
    assert bare.api("/api/Order/cancel", {"accountId": A2, "orderId": limit}, t)["success"]
    unknown = bare.api("/api/Order/cancel", {"accountId": A2, "orderId": 1}, t)
    assert (unknown["success"], unknown["errorCode"]) == (False, 2)


def test_bad_tokens_are_401_and_tokens_expire(sims):
    bare, wrapped = sims["bare"], sims["wrapped"]
    assert bare.raw("/api/Account/search", {}, None).status_code == 401
    assert bare.raw("/api/Account/search", {}, "not.a.token").status_code == 401
    assert bare.raw("/api/Account/search", {}, wrapped.login()).status_code == 401   # other sim's key
    with pytest.raises(InvalidStatus) as refused:
        with hub(bare.user_hub, "garbage"):
            pass
    assert refused.value.response.status_code == 401
    token = wrapped.login()
    with hub(wrapped.user_hub, token) as h:
        closed = h.until(lambda m: m.get("type") == 7, timeout=WRAPPED_TTL + 5)
        assert closed["error"] == "Token expired"
    assert wrapped.raw("/api/Account/search", {}, token).status_code == 401
    assert wrapped.raw("/api/Auth/validate", {}, token).status_code == 401


def test_user_hub_protocol_and_every_event_bare(bare):
    t = bare.login()
    with hub(bare.user_hub, t) as h:
        bad = h.invoke("SubscribeAccounts", A1)
        assert "argument" in h.completion(bad)["error"]
        assert "Unknown hub method" in h.completion(h.invoke("Nope"))["error"]
        assert "binding" in h.completion(h.invoke("SubscribeOrders", "1001"))["error"]
        h.send(*[{"type": 1, "invocationId": f"s{i}", "target": target, "arguments": args}
                 for i, (target, args) in enumerate([("SubscribeAccounts", []),
                                                     ("SubscribeOrders", [A1]),
                                                     ("SubscribePositions", [A1]),
                                                     ("SubscribeTrades", [A1])])])
        for i in range(4):
            assert "error" not in h.completion(f"s{i}")
        h.send({"type": 1, "target": "SubscribeTrades", "arguments": [A2]})      # no id: no answer
        h.send({"type": 6})                                                      # a client ping
        bare.control("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
        bare.api("/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 2, "side": 1,
                                      "size": 2}, t)
        order = h.event("GatewayUserOrder", lambda a: a[0]["status"] == 2)["arguments"]
        assert len(order) == 1 and order[0]["filledPrice"] == 21000.0 and order[0]["side"] == 1
        trade = h.event("GatewayUserTrade")["arguments"][0]
        assert trade["profitAndLoss"] is None and trade["fees"] == 0.74 and trade["size"] == 2
        position = h.event("GatewayUserPosition")["arguments"][0]
        assert (position["type"], position["size"]) == (2, 2)
        account = h.event("GatewayUserAccount")["arguments"][0]
        assert account["balance"] == 50000 - 0.74 and account["canTrade"] is True
        bare.api("/api/Position/closeContract", {"accountId": A1, "contractId": MNQ}, t)
        closed = h.event("GatewayUserPosition", lambda a: a[0]["size"] == 0)["arguments"][0]
        assert closed["contractId"] == MNQ
        bare.control("/sim/account", {"accountId": A1, "canTrade": False})
        assert h.event("GatewayUserAccount", lambda a: not a[0]["canTrade"])
        refused = bare.api("/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 2,
                                                "side": 0, "size": 1}, t)
        assert (refused["success"], refused["errorCode"]) == (False, 2)
        bare.control("/sim/account", {"accountId": A1, "canTrade": True})
        assert h.until(lambda m: m.get("type") == 6, timeout=5, pings=True)   # the server's ping
        assert h.frames >= 1


def test_user_hub_events_wrapped(sims):
    wrapped = sims["wrapped"]
    t = wrapped.login()
    with hub(wrapped.user_hub, t) as h:
        for target, args in (("SubscribeAccounts", []), ("SubscribeOrders", [A2]),
                             ("SubscribePositions", [A2]), ("SubscribeTrades", [A2])):
            assert "error" not in h.completion(h.invoke(target, *args))
        wrapped.api("/api/Order/place", {"accountId": A2, "contractId": NQ, "type": 2, "side": 0,
                                         "size": 1}, t)
        shapes = set()
        for target in ("GatewayUserOrder", "GatewayUserTrade", "GatewayUserPosition",
                       "GatewayUserAccount"):
            args = h.event(target)["arguments"]
            assert len(args) == 1 and set(args[0]) == {"action", "data"}
            data = args[0]["data"]
            shapes.add(type(data).__name__ if isinstance(data, dict) else f"list{len(data)}")
            payload = data if isinstance(data, dict) else data[0]
            assert payload["id"] and (payload.get("accountId") or payload["id"]) == A2
        assert shapes == {"dict", "list1", "list2"}
        wrapped.flatten(t)


def test_market_hub_full_then_sparse_quotes(bare):
    t = bare.login()
    bare.control("/sim/quote", {"contractId": ES, "lastPrice": 6000})
    with hub(bare.market_hub, t) as h:
        assert "not found" in h.completion(h.invoke("SubscribeContractQuotes", "CON.F.US.XX.Z26"))["error"]
        assert "error" not in h.completion(h.invoke("SubscribeContractQuotes", ES))
        first = h.event("GatewayQuote")["arguments"]
        assert first[0] == ES and first[1]["lastPrice"] == 6000.0 and "open" in first[1]
        for price in (6001.5, 6001.75):
            bare.control("/sim/quote", {"contractId": ES, "lastPrice": price})
            contract_id, quote = h.event("GatewayQuote")["arguments"]
            assert contract_id == ES and quote["lastPrice"] == price
        assert "open" not in quote and "volume" not in quote          # sparse: what changed
        assert h.completion(h.invoke("UnsubscribeContractQuotes", ES))
        bare.control("/sim/quote", {"contractId": ES, "lastPrice": 6002})
        marker = h.invoke("SubscribeContractTrades", ES)
        assert h.recv()["invocationId"] == marker and not h.backlog   # no quote came before it
        h.send({"type": 7})
        with pytest.raises(ConnectionClosed):
            h.recv(timeout=5)


def test_fail_and_calls_controls(bare):
    t = bare.login()
    assert bare.control("/sim/calls/reset")["success"]
    bare.control("/sim/fail", {"endpoint": "/api/Position/closeContract", "status": 500, "count": 2})
    body = {"accountId": A1, "contractId": MNQ}
    assert [bare.raw("/api/Position/closeContract", body, t).status_code for _ in range(3)] == [
        500, 500, 200]
    bare.control("/sim/fail", {"endpoint": "/api/Account/search", "status": 429, "count": 1,
                               "retryAfter": 2})
    limited = bare.raw("/api/Account/search", {}, t)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert bare.raw("/api/Account/search", {}, t).status_code == 200
    calls = requests.get(bare.rest + "/sim/calls", timeout=5).json()
    assert calls["calls"]["/api/Position/closeContract"] == 3
    assert calls["failed"] == {"/api/Position/closeContract": 2, "/api/Account/search": 1}
    bad = requests.post(bare.rest + "/sim/fail", json={"endpoint": "/api/Nope", "status": 500},
                        timeout=5)
    assert bad.status_code == 400 and "/api/Order/place" in bad.text


def test_disconnect_drops_every_websocket_and_holds_them_down(bare):
    t = bare.login()
    with hub(bare.user_hub, t) as user, hub(bare.market_hub, t) as market:
        dropped = bare.control("/sim/disconnect", {"seconds": 1.0})["dropped"]
        assert dropped >= 2
        for h in (user, market):
            assert h.until(lambda m: m.get("type") == 7)["allowReconnect"] is True
            with pytest.raises(ConnectionClosed):
                h.recv(timeout=5)
    with pytest.raises(InvalidStatus) as refused:
        with hub(bare.user_hub, t):
            pass
    assert refused.value.response.status_code == 503

    def back() -> bool:
        with hub(bare.user_hub, t):
            return True
    wait_for(back, 5, what="the hubs to accept connections again")


def test_market_closed_and_account_rejected(bare):
    t = bare.login()
    bare.api("/api/Order/place", {"accountId": A2, "contractId": MNQ, "type": 2, "side": 0,
                                  "size": 1}, t)
    bare.control("/sim/market", {"open": False})
    try:
        shut = bare.api("/api/Position/closeContract", {"accountId": A2, "contractId": MNQ}, t)
        assert (shut["errorCode"], shut["errorMessage"]) == (5, None)
    finally:
        bare.control("/sim/market", {"open": True})
    bare.control("/sim/account", {"accountId": A2, "apiRejected": True})
    try:
        rejected = bare.api("/api/Position/closeContract", {"accountId": A2, "contractId": MNQ}, t)
        assert rejected["errorCode"] == 8
    finally:
        bare.control("/sim/account", {"accountId": A2, "apiRejected": False})
    bare.flatten(t)


def test_burst_delivers_every_quote_and_fill(bare):
    t = bare.login()
    contracts = [MNQ, ES]
    with hub(bare.market_hub, t) as market, hub(bare.user_hub, t) as user:
        for cid in contracts:
            market.completion(market.invoke("SubscribeContractQuotes", cid))
        user.completion(user.invoke("SubscribeTrades", A1))
        for _ in contracts:
            market.event("GatewayQuote")                   # the full quote on subscribing
        started = bare.control("/sim/burst", {"contracts": ["MNQ", "ES"], "quotes_per_second": 4000,
                                              "seconds": 1, "accountId": A1, "trades": 40})
        assert started["burst"]["running"] is True
        quotes = trades = 0
        deadline = time.monotonic() + 20
        while quotes < 4000 and time.monotonic() < deadline:
            market.event("GatewayQuote")
            quotes += 1
        while trades < 40 and time.monotonic() < deadline:
            user.event("GatewayUserTrade")
            trades += 1
        status = wait_for(lambda: (lambda b: b if not b["running"] else None)(
            requests.get(bare.rest + "/sim/burst", timeout=5).json()["burst"]), 10,
            what="the burst to finish")
        assert (quotes, trades) == (status["quotesSent"], status["tradesPlaced"]) == (4000, 40)
        assert market.frames < quotes                      # records were batched per frame
    assert bare.api("/api/Position/searchOpen", {"accountId": A1}, t)["positions"] == []


def test_riskctl_sim_commands(bare, tmp_path):
    procs = Procs(tmp_path, riskctl_in_process=True)           # riskctl: incli.completed
    try:
        info = procs.riskctl(bare.config, "sim", "info", "--json")
        assert info.returncode == 0, info.stderr
        shown = json.loads(info.stdout)
        assert set(shown) == {"rest_url", "user_hub", "market_hub", "user_name", "api_key",
                              "api_key_in", "accounts"}
        assert "***" in shown["api_key"]          # masked, as every secret riskctl prints
        bought = procs.riskctl(bare.config, "sim", "buy", "ES", "2", "--account", "SIM-DEMO-2")
        assert bought.returncode == 0 and "ES (CON.F.US.EP.Z26)" in bought.stdout, bought.stderr
        moved = procs.riskctl(bare.config, "sim", "price", "ES", "6010")
        # prices with at least two decimals, as every screen (trial16c: "last 20900.0")
        assert moved.returncode == 0 and "last 6010.00 bid 6010.00 ask 6010.00;" in \
            moved.stdout, moved.stdout + moved.stderr
        limit = procs.riskctl(bare.config, "sim", "buy", "ES", "1", "--limit", "6000",
                              "--account", "SIM-DEMO-2")
        assert limit.returncode == 0 and "limit at 6000.00 on" in limit.stdout, \
            limit.stdout + limit.stderr
        flat = procs.riskctl(bare.config, "sim", "flatten", "--account", "1002", "--json")
        assert json.loads(flat.stdout)["accounts"][0]["closed"] == [ES], flat.stderr
        unknown = procs.riskctl(bare.config, "sim", "buy", "ZZ", "1")
        assert unknown.returncode == 1 and "unknown symbol 'ZZ'" in unknown.stderr
        real = make_config(tmp_path, broker={"kind": "projectx", "api_key": "REAL-KEY-123"})
        refused = procs.riskctl(real, "sim", "info", "--json")
        assert refused.returncode == 1 and "only works with the built-in sim" in refused.stderr
        assert "REAL-KEY-123" not in refused.stdout + refused.stderr
    finally:
        procs.end()


def test_riskctl_sim_takes_the_display_name_the_config_gives_an_account(bare, tmp_path):
    """docs/operations.md (Account names): `sim buy --account` takes the id, the broker's name
    or the display name; trial 16b: `sim sell MES 1 --account "Ana main"` answered "no account
    'Ana main' in the sim". riskctl's config is the sim's with etc/riskd.toml's accounts
    (Demo 2 (strict) is SIM-DEMO-2, id 1002)."""
    import tomlkit
    from tests.support.env import shipped_accounts
    doc = tomlkit.parse(open(bare.config, encoding="utf-8").read())
    doc["accounts"] = shipped_accounts()
    config = tmp_path / "named.toml"
    config.write_text(tomlkit.dumps(doc))
    named = Sim(str(config))
    procs = Procs(tmp_path)
    try:
        sold = procs.riskctl(named.config, "sim", "sell", "ES", "1", "--account",
                             "Demo 2 (strict)")
        assert sold.returncode == 0, sold.stdout + sold.stderr
        assert "on Demo 2 (strict, id 1002)" in sold.stdout, sold.stdout
        held = procs.riskctl(named.config, "sim", "positions", "--account", "Demo 2 (strict)",
                             "--json")
        assert held.returncode == 0, held.stdout + held.stderr
        assert ES in held.stdout, held.stdout
        flat = procs.riskctl(named.config, "sim", "flatten", "--account", "Demo 2 (strict)",
                             "--json")
        assert json.loads(flat.stdout)["accounts"][0]["closed"] == [ES], flat.stderr
        unknown = procs.riskctl(named.config, "sim", "buy", "ES", "1", "--account", "Nobody")
        assert unknown.returncode == 1 and "no account 'Nobody' in the sim" in unknown.stderr
    finally:
        procs.end()


def test_quirks_of_the_real_gateway_on_demand(bare):
    t = bare.login()
    bare.control("/sim/quirks", {"duplicateTrades": True, "positionBeforeTrade": True,
                                 "quotesSilent": True})
    try:
        with hub(bare.user_hub, t) as user, hub(bare.market_hub, t) as market:
            for target in ("SubscribePositions", "SubscribeTrades"):
                user.completion(user.invoke(target, A2))
            user.send({"type": 1, "invocationId": "x", "target": "SubscribeTrades",
                       "arguments": {"accountId": A2}})
            assert "array" in user.completion("x")["error"]
            market.completion(market.invoke("SubscribeContractQuotes", MNQ))
            market.event("GatewayQuote")                       # the full quote on subscribing
            bare.api("/api/Order/place", {"accountId": A2, "contractId": MNQ, "type": 2,
                                          "side": 0, "size": 1}, t)
            targets = [user.until(lambda m: m.get("type") == 1)["target"] for _ in range(3)]
            assert targets == ["GatewayUserPosition", "GatewayUserTrade", "GatewayUserTrade"]
            bare.control("/sim/quote", {"contractId": MNQ, "lastPrice": 21100})
            assert market.until(lambda m: m.get("type") in (1, 6), pings=True)["type"] == 6
            assert not market.backlog                          # silent, yet the socket lives
    finally:
        bare.control("/sim/quirks", {"duplicateTrades": False, "positionBeforeTrade": False,
                                     "quotesSilent": False})
    bad = requests.post(bare.rest + "/sim/quirks", json={"nope": True}, timeout=5)
    assert bad.status_code == 400 and "duplicateTrades" in bad.text
    bare.flatten(t)


def test_a_silent_feed_resubscribed_gets_its_last_quote_unchanged(bare):
    """The real gateway re-sends its last quote to a new subscriber; while the sim's quotes
    are silent (quotesSilent) its price still walks, and a resubscribe got the walked price
    with a new time: market's stale-feed reconnect read it as prices back and its backoff
    never doubled (trial 2026-12-06: "quotes again after 16 s of silence" three times in 50 s
    while the feed stayed silent)."""
    t = bare.login()
    bare.control("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    bare.control("/sim/quirks", {"quotesSilent": True})
    try:
        with hub(bare.market_hub, t) as market:
            market.completion(market.invoke("SubscribeContractQuotes", MNQ))
            before = market.event("GatewayQuote")["arguments"][1]
        bare.control("/sim/quote", {"contractId": MNQ, "lastPrice": 21100})   # moves on
        with hub(bare.market_hub, t) as market:
            market.completion(market.invoke("SubscribeContractQuotes", MNQ))
            again = market.event("GatewayQuote")["arguments"][1]
        assert again == before, (before, again)
    finally:
        bare.control("/sim/quirks", {"quotesSilent": False})
    with hub(bare.market_hub, t) as market:              # and back: the price of now
        market.completion(market.invoke("SubscribeContractQuotes", MNQ))
        assert market.event("GatewayQuote")["arguments"][1]["lastPrice"] == 21100


class Persistent:
    """One sim process with the default persist = true, restartable on its data dir."""

    def __init__(self, tmp_path):
        self.procs = Procs(tmp_path)
        self.config = make_config(tmp_path, broker={"sim": {"tick_interval": 0,
                                                            "calendar_date": CALENDAR}})
        self.sim = Sim(self.config)
        self.proc = None

    def start(self) -> Sim:
        self.proc = self.procs.worker("services.simbroker", self.config)
        wait_sim_up(self.sim.rest)
        return self.sim

    def restart(self, sig: int = signal.SIGTERM) -> Sim:
        """SIGTERM (the supervisor's stop, which saves) or SIGKILL, then a new process."""
        self.proc.signal(sig)
        assert self.proc.wait(10) is not None
        return self.start()


@pytest.fixture
def persistent(tmp_path):
    p = Persistent(tmp_path)
    try:
        yield p
    finally:
        p.procs.cleanup()


def test_a_restarted_sim_answers_trades_orders_positions_and_bars_as_before(persistent):
    """persist is on by default: SIGTERM saves, the next start restores."""
    sim = persistent.start()
    t = sim.login()
    start = "2026-01-01T00:00:00Z"
    for price in (21000.25, 21003, 20998.5, 21001):
        sim.control("/sim/quote", {"contractId": MNQ, "lastPrice": price})
    for side, size in ((0, 3), (1, 1)):
        sim.api("/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 2,
                                     "side": side, "size": size}, t)
    resting = sim.api("/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 1,
                                           "side": 0, "size": 1, "limitPrice": 100}, t)

    def snapshot(token: str) -> dict:
        bars = {unit: sim.api("/api/History/retrieveBars", {
            "contractId": MNQ, "live": False, "startTime": start,
            "endTime": "2030-01-01T00:00:00Z", "unit": unit, "unitNumber": 1, "limit": 100,
            "includePartialBar": True}, token)["bars"] for unit in (1, 2, 4)}
        return {"trades": sim.api("/api/Trade/search", {"accountId": A1,
                                                        "startTimestamp": start}, token),
                "orders": sim.api("/api/Order/search", {"accountId": A1,
                                                        "startTimestamp": start}, token),
                "positions": sim.api("/api/Position/searchOpen", {"accountId": A1}, token),
                "accounts": sim.api("/api/Account/search", {"onlyActiveAccounts": True},
                                    token),
                "bars": bars}
    before = snapshot(t)
    assert len(before["trades"]["trades"]) == 2 and before["bars"][1]
    assert before["positions"]["positions"][0]["size"] == 2
    persistent.restart()
    t2 = sim.login()
    assert snapshot(t2) == before
    after = sim.api("/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 2,
                                         "side": 1, "size": 2}, t2)["orderId"]
    assert after > resting["orderId"]                      # ids go on, never reused
    assert sim.control("/sim/quote", {"contractId": MNQ, "lastPrice": 21001})["quote"][
        "lastPrice"] == 21001.0


def test_riskctl_sim_history_writes_past_days_that_survive_a_restart(persistent):
    sim, procs, config = persistent.start(), persistent.procs, persistent.config
    done = procs.riskctl(config, "sim", "history", "--days", "5", "--seed", "3", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["written"] == ["2026-11-27", "2026-11-30", "2026-12-01", "2026-12-02",
                              "2026-12-03"] and doc["accounts"] == [A1, A2]
    again = procs.riskctl(config, "sim", "history", "--days", "5", "--seed", "3", "--json")
    assert json.loads(again.stdout)["written"] == []          # nothing twice
    t = sim.login()
    window = {"startTimestamp": "2026-11-27T00:00:00Z", "endTimestamp": "2026-12-04T00:00:00Z"}
    trades = {a: sim.api("/api/Trade/search", {"accountId": a, **window}, t)["trades"]
              for a in (A1, A2)}
    assert sum(len(v) for v in trades.values()) == doc["trades"]
    days: dict = {}
    for account, rows in trades.items():
        for tr in rows:
            day = days.setdefault((account, tr["creationTimestamp"][:10]), {
                "pnl": 0.0, "max": 0, "contracts": set()})
            day["pnl"] += (tr["profitAndLoss"] or 0) - tr["fees"]
            day["max"] = max(day["max"], tr["size"])
            day["contracts"].add(tr["contractId"])
            assert tr["fees"] > 0 and not tr["voided"]
    assert len({c for d in days.values() for c in d["contracts"]}) >= 3   # several contracts
    assert any(d["max"] > 5 or d["pnl"] < -500 for d in days.values())   # some break limits
    assert any(d["max"] <= 5 and d["pnl"] > -500 for d in days.values())  # some do not
    first = trades[A1][0]
    bars = sim.api("/api/History/retrieveBars", {
        "contractId": first["contractId"], "live": False, "startTime": window["startTimestamp"],
        "endTime": window["endTimestamp"], "unit": 2, "unitNumber": 1, "limit": 20000,
        "includePartialBar": False}, t)["bars"]
    at = [b for b in bars if b["t"][:16] == first["creationTimestamp"][:16]]
    assert at and at[0]["l"] <= first["price"] <= at[0]["h"]    # the fill is inside its bar
    persistent.restart()
    t = sim.login()
    assert sim.api("/api/Trade/search", {"accountId": A1, **window}, t)["trades"] == trades[A1]
    bad = procs.riskctl(config, "sim", "history", "--days", "3", "--account", "9999")
    assert bad.returncode != 0 and "9999" in bad.stderr


def test_a_killed_sim_still_knows_every_fill_and_close_it_answered(persistent):
    """Records are saved before the call answers: kill -9 right after loses none of them."""
    sim = persistent.start()
    t = sim.login()
    placed = sim.api("/api/Order/place", {"accountId": A2, "contractId": ES, "type": 2,
                                          "side": 0, "size": 2}, t)["orderId"]
    sim.api("/api/Position/partialCloseContract", {"accountId": A2, "contractId": ES,
                                                    "size": 1}, t)
    persistent.restart(signal.SIGKILL)
    t = sim.login()
    trades = sim.api("/api/Trade/search", {"accountId": A2,
                                           "startTimestamp": "2026-01-01T00:00:00Z"}, t)["trades"]
    assert [tr["size"] for tr in trades] == [2, 1] and trades[0]["orderId"] == placed
    (position,) = sim.api("/api/Position/searchOpen", {"accountId": A2}, t)["positions"]
    assert position["size"] == 1


def test_position_ids_go_on_after_a_restart_with_nothing_open(persistent):
    """Fresh-user trial 15a: after a riskd restart the sim's position ids began again at
    3000001 (3000029 before) while order ids went on: a closed position's id was stored
    nowhere. The next ids are kept now; with a kill -9 too (saved before the call answers)."""
    sim = persistent.start()
    t = sim.login()

    def open_and_close(token: str) -> int:
        sim.api("/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 2,
                                     "side": 0, "size": 1}, token)
        (pos,) = sim.api("/api/Position/searchOpen", {"accountId": A1}, token)["positions"]
        sim.api("/api/Position/closeContract", {"accountId": A1, "contractId": MNQ}, token)
        assert sim.api("/api/Position/searchOpen", {"accountId": A1}, token)["positions"] == []
        return pos["id"]
    first = open_and_close(t)
    second = open_and_close(t)
    assert second > first
    persistent.restart()
    third = open_and_close(sim.login())
    assert third > second, (first, second, third)
    persistent.restart(signal.SIGKILL)
    assert open_and_close(sim.login()) > third


def _fill_targets(sim: Sim, token: str, fills: int, copies: int = 1) -> list[list[str]]:
    """Place `fills` market orders on A2 (buy, sell, ...); per fill, the targets of its Trade
    and Position events (each `copies` times) as they arrive."""
    out = []
    with hub(sim.user_hub, token) as user:
        for target in ("SubscribePositions", "SubscribeTrades"):
            user.completion(user.invoke(target, A2))
        for n in range(fills):
            sim.api("/api/Order/place", {"accountId": A2, "contractId": MNQ, "type": 2,
                                         "side": n % 2, "size": 1}, token)
            seen = []
            while len(seen) < 2 * copies:
                seen.append(user.until(lambda m: m.get("type") == 1, timeout=5)["target"])
            out.append(seen)
    return out


def test_a_seeded_random_order_and_duplicates_from_the_config(sims):
    """[broker.sim] event_order = "random", duplicate_fills = true: each fill's Trade and
    Position arrive twice, in an order that varies from fill to fill."""
    sim = sims["shuffled"]
    t = sim.login()
    fills = _fill_targets(sim, t, 8, copies=2)
    for seen in fills:
        assert sorted(seen) == ["GatewayUserPosition"] * 2 + ["GatewayUserTrade"] * 2
    firsts = {seen[0] for seen in fills}
    assert firsts == {"GatewayUserPosition", "GatewayUserTrade"}
    sim.flatten(t)


def test_the_random_order_control_takes_a_seed_and_refuses_a_bad_one(bare):
    try:
        answer = bare.control("/sim/quirks", {"randomOrder": True, "seed": 5})
        assert answer["quirks"]["randomOrder"] and answer["quirks"]["seed"] == 5
        bad = requests.post(bare.rest + "/sim/quirks", json={"seed": "five"}, timeout=5)
        assert bad.status_code == 400 and "seed" in bad.text
        t = bare.login()
        first = _fill_targets(bare, t, 6)
        bare.control("/sim/quirks", {"seed": 5})                  # the same seed again
        assert _fill_targets(bare, t, 6) == first                # the same orders again
        assert len({tuple(s) for s in first}) > 1
    finally:
        bare.control("/sim/quirks", {"randomOrder": False})
    bare.flatten(bare.login())
