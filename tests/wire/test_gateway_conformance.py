"""The sim speaks the ProjectX Gateway on the wire: every endpoint, both hub handshakes, every event.

Client side: requests and the `websockets` package only (tests/wire/rawclient.py),
nothing of riskd. Shapes are those of the gateway docs' examples
(../shared/PROJECTX.md is our summary): exact field sets of every answer and
event, error envelopes and per-endpoint codes, 401 without a token, 429 from
both rate limits.
"""
from __future__ import annotations

import time

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.wire.rawclient import RS, hub, negotiate, ws_url

pytestmark = pytest.mark.slow

A1, A2 = 1001, 1002
ES, MES, MNQ = "CON.F.US.EP.Z26", "CON.F.US.MES.Z26", "CON.F.US.MNQ.Z26"
ENVELOPE = {"success", "errorCode", "errorMessage"}
ACCOUNT = {"id", "name", "balance", "canTrade", "isVisible", "simulated"}
CONTRACT = {"id", "name", "description", "tickSize", "tickValue", "activeContract", "symbolId"}
POSITION = {"id", "accountId", "contractId", "creationTimestamp", "type", "size", "averagePrice"}
ORDER = {"id", "accountId", "contractId", "symbolId", "creationTimestamp", "updateTimestamp",
         "status", "type", "side", "size", "limitPrice", "stopPrice", "fillVolume",
         "filledPrice", "customTag"}
TRADE = {"id", "accountId", "contractId", "creationTimestamp", "price", "profitAndLoss", "fees",
         "side", "size", "voided", "orderId"}
BAR = {"t", "o", "h", "l", "c", "v"}
QUOTE = {"symbol", "symbolName", "lastPrice", "bestBid", "bestAsk", "change", "changePercent",
         "open", "high", "low", "volume", "lastUpdated", "timestamp"}
PRINT = {"symbolId", "price", "timestamp", "type", "volume"}
LEVEL = {"timestamp", "type", "price", "volume", "currentVolume"}
AUTHED = ["/api/Auth/validate", "/api/Auth/logout", "/api/Account/search",
          "/api/Contract/searchById", "/api/Contract/search", "/api/Contract/available",
          "/api/Position/searchOpen", "/api/Position/closeContract",
          "/api/Position/partialCloseContract", "/api/Order/searchOpen", "/api/Order/v2/query",
          "/api/Order/search", "/api/Order/searchById", "/api/Order/place", "/api/Order/cancel",
          "/api/Order/modify", "/api/Trade/search", "/api/History/retrieveBars"]


def login(sim) -> str:
    doc = requests.post(sim.rest + "/api/Auth/loginKey",
                        json={"userName": sim.user_name, "apiKey": sim.api_key}, timeout=5).json()
    assert set(doc) == ENVELOPE | {"token"} and doc["success"] and doc["errorCode"] == 0
    return doc["token"]


def call(sim, path: str, body, token: str | None, status: int = 200) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = requests.post(sim.rest + path, json=body, headers=headers, timeout=10)
    assert reply.status_code == status, (path, reply.status_code, reply.text)
    return reply.json() if reply.content else {}


def ok(sim, path: str, body, token: str, fields: set = frozenset()) -> dict:
    doc = call(sim, path, body, token)
    assert set(doc) == ENVELOPE | set(fields), (path, doc)
    assert doc["success"] is True and doc["errorCode"] == 0 and doc["errorMessage"] is None
    return doc


def refused(sim, path: str, body, token: str, code: int) -> dict:
    doc = call(sim, path, body, token)
    assert doc["success"] is False and doc["errorCode"] == code, (path, doc)
    return doc


def quote(sim, contract: str, price: float) -> None:
    assert requests.post(sim.rest + "/sim/quote", json={"contractId": contract,
                                                         "lastPrice": price}, timeout=5).ok


def flatten(sim, token: str) -> None:
    for account in (A1, A2):
        for p in call(sim, "/api/Position/searchOpen", {"accountId": account}, token)["positions"]:
            call(sim, "/api/Position/closeContract", {"accountId": account,
                                                      "contractId": p["contractId"]}, token)
        query = {"filter": {"accountId": account, "statuses": [1, 6, 7, 8]}}
        for o in call(sim, "/api/Order/v2/query", query, token)["orders"]:
            call(sim, "/api/Order/cancel", {"accountId": account, "orderId": o["id"]}, token)


@pytest.fixture
def wrapped(wire_sims):
    return wire_sims["wrapped"]


@pytest.fixture
def bare(wire_sims):
    return wire_sims["bare"]


# -- REST ------------------------------------------------------------------------------------
def test_auth_login_validate_logout_and_ping(wrapped):
    pong = requests.get(wrapped.rest + "/api/Status/ping", timeout=5)
    assert (pong.status_code, pong.text) == (200, "pong")           # no token needed
    wrong = call(wrapped, "/api/Auth/loginKey", {"userName": "sim-user", "apiKey": "nope"}, None)
    assert set(wrong) == ENVELOPE | {"token"} and wrong["success"] is False
    assert wrong["token"] is None and wrong["errorCode"] != 0
    token = login(wrapped)
    renewed = ok(wrapped, "/api/Auth/validate", {}, token, {"newToken"})["newToken"]
    ok(wrapped, "/api/Account/search", {"onlyActiveAccounts": True}, renewed, {"accounts"})
    ok(wrapped, "/api/Auth/logout", {}, token)
    call(wrapped, "/api/Account/search", {"onlyActiveAccounts": True}, token, status=401)
    with pytest.raises(InvalidStatus) as caught:
        with hub(wrapped.user_hub, token):
            pass
    assert caught.value.response.status_code == 401
    assert negotiate(wrapped.user_hub, token).status_code == 401


@pytest.mark.parametrize("path", AUTHED)
def test_every_endpoint_answers_401_without_a_valid_token(wrapped, path):
    for token in (None, "not.a.token"):
        reply = requests.post(wrapped.rest + path, json={}, timeout=5, headers=(
            {"Authorization": f"Bearer {token}"} if token else {}))
        assert reply.status_code == 401 and "Bearer" in reply.headers["WWW-Authenticate"]


def test_accounts_and_contracts(wrapped):
    t = login(wrapped)
    accounts = ok(wrapped, "/api/Account/search", {"onlyActiveAccounts": True}, t,
                  {"accounts"})["accounts"]
    assert [set(a) for a in accounts] == [ACCOUNT, ACCOUNT]
    assert [(a["id"], a["name"]) for a in accounts] == [(A1, "SIM-DEMO-1"), (A2, "SIM-DEMO-2")]
    es = ok(wrapped, "/api/Contract/searchById", {"contractId": ES}, t, {"contract"})["contract"]
    assert es == {"id": ES, "name": "ESZ6", "description": "E-mini S&P 500: December 2026",
                  "tickSize": 0.25, "tickValue": 12.5, "activeContract": True,
                  "symbolId": "F.US.EP"}
    missing = refused(wrapped, "/api/Contract/searchById", {"contractId": "CON.F.US.XX.Z26"}, t, 1)
    assert missing["contract"] is None
    found = ok(wrapped, "/api/Contract/search", {"searchText": "ES", "live": False}, t,
               {"contracts"})["contracts"]
    assert all(set(c) == CONTRACT for c in found)
    assert [c["name"] for c in found] == ["ESZ6", "ESH7", "MESZ6", "MESH7"]   # E-mini first
    micro = ok(wrapped, "/api/Contract/search", {"searchText": "MES", "live": False}, t,
               {"contracts"})["contracts"]
    assert [c["id"] for c in micro] == [MES, "CON.F.US.MES.H27"]
    nq = ok(wrapped, "/api/Contract/search", {"searchText": "NQ", "live": False}, t,
            {"contracts"})["contracts"]
    assert nq[0]["id"] == "CON.F.US.ENQ.Z26" and nq[0]["name"] == "NQZ6"
    available = ok(wrapped, "/api/Contract/available", {"live": False}, t,
                   {"contracts"})["contracts"]
    assert all(set(c) == CONTRACT and c["activeContract"] for c in available)
    assert len({c["symbolId"] for c in available}) == len(available) == 11   # one per product
    assert {ES, MNQ, "CON.F.US.CLE.F27", "CON.F.US.GCE.G27"} <= {c["id"] for c in available}


def test_orders_positions_trades_and_their_error_codes(wrapped):
    t = login(wrapped)
    flatten(wrapped, t)
    start = "2026-01-01T00:00:00Z"
    quote(wrapped, MNQ, 21000)
    tag = f"wire-{time.time_ns()}"
    placed = ok(wrapped, "/api/Order/place", {
        "accountId": A1, "contractId": MNQ, "type": 2, "side": 0, "size": 3, "limitPrice": None,
        "stopPrice": None, "trailPrice": None, "customTag": tag, "stopLossBracket": None,
        "takeProfitBracket": None}, t, {"orderId"})["orderId"]
    (pos,) = ok(wrapped, "/api/Position/searchOpen", {"accountId": A1}, t,
                {"positions"})["positions"]
    assert set(pos) == POSITION and (pos["contractId"], pos["type"], pos["size"]) == (MNQ, 1, 3)
    ok(wrapped, "/api/Position/partialCloseContract", {"accountId": A1, "contractId": MNQ,
                                                        "size": 1}, t)
    refused(wrapped, "/api/Position/partialCloseContract", {"accountId": A1, "contractId": MNQ,
                                                             "size": 9}, t, 5)
    resting = ok(wrapped, "/api/Order/place", {
        "accountId": A1, "contractId": MNQ, "type": 1, "side": 0, "size": 1, "limitPrice": 100,
        "stopLossBracket": {"ticks": 8, "type": 4}, "takeProfitBracket": {"ticks": 8, "type": 1}},
        t, {"orderId"})["orderId"]
    (open_order,) = ok(wrapped, "/api/Order/searchOpen", {"accountId": A1}, t,
                       {"orders"})["orders"]
    assert set(open_order) == ORDER and open_order["id"] == resting
    page = ok(wrapped, "/api/Order/v2/query", {
        "filter": {"accountId": A1, "statuses": [1, 6, 7, 8], "contractId": None,
                   "createdAfter": None, "createdBefore": None}, "pageSize": 10, "pageOffset": 0,
        "sortBy": "id", "sortDirection": "asc", "includeTotalCount": True}, t,
        {"orders", "totalCount"})
    assert page["totalCount"] == 3 and sorted(o["status"] for o in page["orders"]) == [1, 8, 8]
    ok(wrapped, "/api/Order/modify", {"accountId": A1, "orderId": resting, "size": 2,
                                      "limitPrice": 101, "stopPrice": None, "trailPrice": None}, t)
    one = ok(wrapped, "/api/Order/searchById", {"accountId": A1, "orderId": resting}, t,
             {"order"})["order"]
    assert set(one) == ORDER and (one["size"], one["limitPrice"]) == (2, 101.0)
    ok(wrapped, "/api/Order/cancel", {"accountId": A1, "orderId": resting}, t)
    refused(wrapped, "/api/Order/cancel", {"accountId": A1, "orderId": resting}, t, 2)
    refused(wrapped, "/api/Order/cancel", {"accountId": 4242, "orderId": resting}, t, 1)
    refused(wrapped, "/api/Order/modify", {"accountId": A1, "orderId": resting, "size": 1}, t, 2)
    assert refused(wrapped, "/api/Order/searchById", {"accountId": A1, "orderId": 1}, t,
                   1)["order"] is None
    refused(wrapped, "/api/Order/place", {"accountId": A1, "contractId": "CON.F.US.XX.Z26",
                                          "type": 2, "side": 0, "size": 1}, t, 8)
    refused(wrapped, "/api/Order/place", {"accountId": 4242, "contractId": MNQ, "type": 2,
                                          "side": 0, "size": 1}, t, 1)
    orders = ok(wrapped, "/api/Order/search", {"accountId": A1, "startTimestamp": start,
                                               "endTimestamp": None}, t, {"orders"})["orders"]
    assert all(set(o) == ORDER for o in orders) and {placed, resting} <= {o["id"] for o in orders}
    ok(wrapped, "/api/Position/closeContract", {"accountId": A1, "contractId": MNQ}, t)
    refused(wrapped, "/api/Position/closeContract", {"accountId": A1, "contractId": MNQ}, t, 2)
    refused(wrapped, "/api/Position/closeContract", {"accountId": 4242, "contractId": MNQ}, t, 1)
    trades = ok(wrapped, "/api/Trade/search", {"accountId": A1, "startTimestamp": start,
                                               "endTimestamp": None}, t, {"trades"})["trades"]
    mine = [tr for tr in trades if tr["orderId"] == placed]
    assert len(mine) == 1 and set(mine[0]) == TRADE and mine[0]["profitAndLoss"] is None
    refused(wrapped, "/api/Trade/search", {"accountId": 4242, "startTimestamp": start}, t, 1)
    refused(wrapped, "/api/Position/searchOpen", {"accountId": 4242}, t, 1)


def test_model_binding_errors_are_400_with_the_field(wrapped):
    t = login(wrapped)
    doc = call(wrapped, "/api/Position/searchOpen", {"accountId": "x"}, t, status=400)
    assert set(doc) == {"title", "status", "errors"} and "accountId" in doc["errors"]
    reply = requests.post(wrapped.rest + "/api/Account/search", data=b"{not json", timeout=5,
                          headers={"Authorization": f"Bearer {t}",
                                   "Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json()["status"] == 400
    assert requests.post(wrapped.rest + "/api/Nope", json={}, timeout=5).status_code == 404
    assert requests.get(wrapped.rest + "/api/Account/search", timeout=5).status_code == 405


def bars_request(**changes) -> dict:
    body = {"contractId": ES, "live": False, "startTime": "2026-01-01T00:00:00Z",
            "endTime": "2030-01-01T00:00:00Z", "unit": 1, "unitNumber": 1, "limit": 100,
            "includePartialBar": True}
    body.update(changes)
    return body


def test_retrieve_bars_every_unit_and_the_limits(bare):
    t = login(bare)
    for price in (6000, 6002.5, 5999.25, 6001):
        quote(bare, ES, price)
    for unit in range(1, 7):
        bars = ok(bare, "/api/History/retrieveBars", bars_request(unit=unit), t,
                  {"bars"})["bars"]
        assert bars and all(set(b) == BAR for b in bars), unit
        newest = bars[0]
        assert newest["c"] == 6001.0 and newest["l"] <= 5999.25 and newest["h"] >= 6002.5 \
            or unit == 1, (unit, newest)
        assert [b["t"] for b in bars] == sorted((b["t"] for b in bars), reverse=True)
    closed = ok(bare, "/api/History/retrieveBars", bars_request(unit=6, includePartialBar=False),
                t, {"bars"})["bars"]
    assert closed == []                       # this month is still running
    for field, value in (("unit", 7), ("unitNumber", 0), ("limit", 20_001), ("limit", 0),
                         ("startTime", "yesterday")):
        doc = call(bare, "/api/History/retrieveBars", bars_request(**{field: value}), t, 400)
        assert field in doc["errors"], (field, doc)
    missing = refused(bare, "/api/History/retrieveBars",
                      bars_request(contractId="CON.F.US.XX.Z26"), t, 1)
    assert missing["bars"] is None


def test_rate_limits_answer_429_with_retry_after(wire_sims):
    sim = wire_sims["limited"]                # rate_limit = 20 per 60 s, history 50 per 30 s
    t = login(sim)
    statuses = [requests.post(sim.rest + "/api/Account/search", json={}, timeout=5,
                              headers={"Authorization": f"Bearer {t}"}).status_code
                for _ in range(25)]
    assert 429 in statuses and statuses.index(429) == 19            # the login was the first
    limited = requests.post(sim.rest + "/api/Account/search", json={}, timeout=5,
                            headers={"Authorization": f"Bearer {t}"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    history = [requests.post(sim.rest + "/api/History/retrieveBars", json=bars_request(),
                             timeout=5, headers={"Authorization": f"Bearer {t}"}).status_code
               for _ in range(52)]
    assert history[:50] == [200] * 50 and history[50:] == [429, 429]   # its own limit


# -- hubs: handshakes --------------------------------------------------------------------------
def test_negotiate_as_aspnet_core_answers_it(wrapped):
    t = login(wrapped)
    for in_header in (True, False):
        reply = negotiate(wrapped.user_hub, t, 1, in_header)
        assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/json"
        doc = reply.json()
        assert set(doc) == {"negotiateVersion", "connectionId", "connectionToken",
                            "availableTransports"} and doc["negotiateVersion"] == 1
        assert doc["connectionToken"] != doc["connectionId"]
        assert {"transport": "WebSockets", "transferFormats": ["Text", "Binary"]} in \
            doc["availableTransports"]
        with hub(wrapped.user_hub, t, doc["connectionToken"]) as h:
            assert "error" not in h.completion(h.invoke("SubscribeAccounts"))
        with pytest.raises(InvalidStatus) as reused:                 # single use
            with hub(wrapped.user_hub, t, doc["connectionToken"]):
                pass
        assert reused.value.response.status_code == 404
    v0 = negotiate(wrapped.market_hub, t, None).json()               # no version: 0
    assert v0["negotiateVersion"] == 0 and "connectionToken" not in v0
    with pytest.raises(InvalidStatus) as other_hub:                  # issued for the market hub
        with hub(wrapped.user_hub, t, v0["connectionId"]):
            pass
    assert other_hub.value.response.status_code == 404
    late = negotiate(wrapped.market_hub, t).json()["connectionToken"]
    time.sleep(2.0)                                                  # negotiate_ttl = 1.5 s
    with pytest.raises(InvalidStatus) as expired:
        with hub(wrapped.market_hub, t, late):
            pass
    assert expired.value.response.status_code == 404
    assert negotiate(wrapped.user_hub, None).status_code == 401
    assert negotiate(wrapped.user_hub, "not.a.token").status_code == 401
    with hub(wrapped.market_hub, t) as h:                           # skipping negotiation
        assert "error" not in h.completion(h.invoke("SubscribeContractQuotes", ES))
        h.until(lambda m: m.get("type") == 6, pings=True)            # the server pings
    with pytest.raises(InvalidStatus) as no_token:
        with hub(wrapped.user_hub, ""):
            pass
    assert no_token.value.response.status_code == 401
    doc = negotiate(wrapped.user_hub, t).json()                      # the token as a header
    with connect(f"{ws_url(wrapped.user_hub)}?id={doc['connectionToken']}", open_timeout=5,
                 additional_headers={"Authorization": f"Bearer {t}"}) as ws:
        ws.send('{"protocol":"json","version":1}' + RS)
        assert ws.recv(timeout=5) == "{}" + RS


# -- hubs: events ------------------------------------------------------------------------------
def payloads(message: dict, wrapped_style: bool) -> list[dict]:
    args = message["arguments"]
    assert len(args) == 1
    if not wrapped_style:
        assert "action" not in args[0]
        return [args[0]]
    assert set(args[0]) == {"action", "data"} and isinstance(args[0]["action"], int)
    data = args[0]["data"]
    return [d for d in data if d is not None] if isinstance(data, list) else [data]


@pytest.mark.parametrize("style", ["wrapped", "bare"])
def test_user_events_with_their_fields_only_for_subscribed_accounts(wire_sims, style):
    sim = wire_sims[style]
    t = login(sim)
    flatten(sim, t)
    with hub(sim.user_hub, t) as h:
        for target, args in (("SubscribeAccounts", ()), ("SubscribeOrders", (A1,)),
                             ("SubscribePositions", (A1,)), ("SubscribeTrades", (A1,))):
            assert "error" not in h.completion(h.invoke(target, *args))
        assert "error" in h.completion(h.invoke("SubscribeAccounts", A1))   # no argument
        ok(sim, "/api/Order/place", {"accountId": A2, "contractId": MNQ, "type": 2, "side": 0,
                                     "size": 1}, t, {"orderId"})         # not subscribed
        order_id = ok(sim, "/api/Order/place", {"accountId": A1, "contractId": MNQ, "type": 2,
                                                "side": 1, "size": 2}, t, {"orderId"})["orderId"]
        seen: dict = {}
        for target, fields in (("GatewayUserOrder", ORDER), ("GatewayUserTrade", TRADE),
                               ("GatewayUserPosition", POSITION),
                               ("GatewayUserAccount", ACCOUNT)):
            found = payloads(h.event(target, lambda a: True), style == "wrapped")
            assert all(set(p) == fields for p in found), (target, found)
            seen[target] = found
        assert seen["GatewayUserTrade"][0]["orderId"] == order_id
        assert all(p["accountId"] == A1 for name in ("GatewayUserOrder", "GatewayUserTrade",
                                                     "GatewayUserPosition")
                   for p in seen[name])
        ok(sim, "/api/Position/closeContract", {"accountId": A1, "contractId": MNQ}, t)
        h.event("GatewayUserPosition", lambda a: any(
            p["size"] == 0 for p in payloads({"arguments": a}, style == "wrapped")))
        everything = h.backlog + [m for m in list(h.pending)]
        assert not any(m.get("type") == 1 and m["target"] != "GatewayUserAccount" and any(
            p.get("accountId") == A2 for p in payloads(m, style == "wrapped"))
            for m in everything)
    flatten(sim, t)


def test_market_events_quotes_trades_depth_and_unsubscribe(bare):
    t = login(bare)
    flatten(bare, t)
    quote(bare, ES, 6000)
    with hub(bare.market_hub, t) as h:
        for target in ("SubscribeContractQuotes", "SubscribeContractTrades",
                       "SubscribeContractMarketDepth"):
            assert "error" not in h.completion(h.invoke(target, ES))
        full = h.event("GatewayQuote")["arguments"]
        assert full[0] == ES and set(full[1]) == QUOTE
        snapshot = h.event("GatewayDepth")["arguments"]
        assert snapshot[0] == ES and snapshot[1][0]["type"] == 6        # a reset first
        assert all(set(level) == LEVEL for level in snapshot[1])
        book: dict = {1: {}, 2: {}}

        def apply(levels: list) -> dict:
            best = {}
            for lv in levels:
                if lv["type"] == 6:
                    book[1].clear()
                    book[2].clear()
                elif lv["type"] in (1, 2):
                    side = book[lv["type"]]
                    side.pop(lv["price"], None) if lv["volume"] == 0 else \
                        side.__setitem__(lv["price"], lv["volume"])
                elif lv["type"] in (3, 4):
                    best[lv["type"]] = lv["price"]
            return best
        apply(snapshot[1])
        assert len(book[1]) == len(book[2]) == 5                         # five levels a side
        quote(bare, ES, 6001)
        update = h.event("GatewayDepth", lambda a: any(
            lv["type"] == 4 and lv["price"] == 6001.0 for lv in a[1]))["arguments"][1]
        assert all(set(level) == LEVEL for level in update)
        best = apply(update)
        sparse = h.event("GatewayQuote", lambda a: a[1].get("lastPrice") == 6001.0)["arguments"][1]
        assert (best[4], best[3]) == (sparse["bestBid"], sparse["bestAsk"])
        assert min(book[1]) == best[3] and max(book[2]) == best[4]       # the book agrees
        assert len(book[1]) == len(book[2]) == 5
        ok(bare, "/api/Order/place", {"accountId": A1, "contractId": ES, "type": 2, "side": 0,
                                      "size": 2}, t, {"orderId"})
        prints = h.event("GatewayTrade")["arguments"]
        assert prints[0] == ES and isinstance(prints[1], list)
        assert all(set(p) == PRINT for p in prints[1])
        assert (prints[1][0]["price"], prints[1][0]["type"], prints[1][0]["volume"]) == (
            6001.25, 0, 2)                                                # bought at the ask
        assert requests.post(bare.rest + "/sim/burst", json={"contracts": [ES],
                             "quotes_per_second": 200, "seconds": 0.1}, timeout=5).ok
        h.event("GatewayTrade", timeout=5)                               # the synthetic tape
        for target in ("UnsubscribeContractTrades", "UnsubscribeContractMarketDepth"):
            assert "error" not in h.completion(h.invoke(target, ES))
        h.backlog.clear()
        quote(bare, ES, 6003)
        ok(bare, "/api/Order/place", {"accountId": A1, "contractId": ES, "type": 2, "side": 1,
                                      "size": 2}, t, {"orderId"})
        quote(bare, ES, 6004)
        h.event("GatewayQuote", lambda a: a[1].get("lastPrice") == 6004.0)   # quotes go on...
        assert not [m for m in h.backlog + list(h.pending)
                    if m.get("target") in ("GatewayTrade", "GatewayDepth")]   # ...the rest stop
    flatten(bare, t)
