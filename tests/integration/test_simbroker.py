"""The real sim broker process over real HTTP and websockets, at the raw SignalR protocol level.

Two sims run for the module: "bare" (plain one-payload events) and "wrapped"
(TopstepX-style [{"action", "data"}] with a short token lifetime). Neither
random-walks (tick_interval = 0): prices move only through /sim/quote.
"""
from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from typing import Any, Callable, Optional

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from shared.config import load_config
from tests.support.sim import wait_sim_up
from tests.support.env import make_config, wait_for
from tests.support.procs import Procs

RS = "\x1e"
MNQ, ES, NQ = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26"
A1, A2 = 1001, 1002
WRAPPED_TTL = 4.0


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


@contextlib.contextmanager
def hub(url: str, token: str):
    with connect(f"{url.replace('http', 'ws', 1)}?access_token={token}", open_timeout=5) as ws:
        ws.send('{"protocol":"json","version":1}' + RS)
        assert ws.recv(timeout=5) == "{}" + RS
        yield Hub(ws)


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    procs = Procs(tmp_path_factory.mktemp("simbroker"))
    out = {}
    try:
        for style, extra in (("bare", {}),
                             ("wrapped", {"wrap_events": True, "token_ttl": WRAPPED_TTL}),
                             ("shuffled", {"event_order": "random", "duplicate_fills": True,
                                           "seed": 3})):
            config = make_config(tmp_path_factory.mktemp(style), broker={"sim": {
                "tick_interval": 0, "ping_interval": 1.0, "spread_ticks": 0, **extra}})
            procs.worker("services.simbroker", config)
            out[style] = Sim(config)
        for sim in out.values():
            wait_sim_up(sim.rest)
        yield out
    finally:
        procs.cleanup()


@pytest.fixture
def bare(sims) -> Sim:
    return sims["bare"]


def test_info_is_exactly_the_documented_document(bare):
    info = requests.get(bare.rest + "/sim/info", timeout=5).json()
    assert info == {"rest_url": bare.rest, "user_hub": bare.user_hub,
                    "market_hub": bare.market_hub, "user_name": "sim-user",
                    "api_key": "sim-api-key",
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
    assert {c["id"] for c in found} == {MNQ, NQ}
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
    procs = Procs(tmp_path)
    try:
        info = procs.riskctl(bare.config, "sim", "info", "--json")
        assert info.returncode == 0, info.stderr
        assert set(json.loads(info.stdout)) == {"rest_url", "user_hub", "market_hub", "user_name",
                                                "api_key", "accounts"}
        bought = procs.riskctl(bare.config, "sim", "buy", "ES", "2", "--account", "SIM-DEMO-2")
        assert bought.returncode == 0 and "ES (CON.F.US.EP.Z26)" in bought.stdout, bought.stderr
        moved = procs.riskctl(bare.config, "sim", "price", "ES", "6010")
        assert moved.returncode == 0 and "last 6010.0" in moved.stdout, moved.stderr
        flat = procs.riskctl(bare.config, "sim", "flatten", "--account", "1002", "--json")
        assert json.loads(flat.stdout)["accounts"][0]["closed"] == [ES], flat.stderr
        unknown = procs.riskctl(bare.config, "sim", "buy", "ZZ", "1")
        assert unknown.returncode == 1 and "unknown symbol 'ZZ'" in unknown.stderr
        real = make_config(tmp_path, broker={"kind": "projectx", "api_key": "REAL-KEY-123"})
        refused = procs.riskctl(real, "sim", "info", "--json")
        assert refused.returncode == 1 and "only works with the built-in sim" in refused.stderr
        assert "REAL-KEY-123" not in refused.stdout + refused.stderr
    finally:
        procs.cleanup()


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
