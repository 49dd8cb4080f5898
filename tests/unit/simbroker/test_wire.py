"""SignalR framing, tokens, injected faults and the REST gateway without HTTP."""
from __future__ import annotations

import json
import time

from services.simbroker import signalr
from services.simbroker.faults import Faults
from services.simbroker.gateway import Gateway
from services.simbroker.tokens import Tokens, bearer
from services.simbroker.wire import iso
from shared.config.sections import SimConfig
from tests.unit.simbroker.conftest import MNQ


def test_records_split_and_handshake():
    assert signalr.split_records('{"type":6}\x1e{"type":1}\x1e\x1e') == ['{"type":6}', '{"type":1}']
    assert signalr.parse_handshake('{"protocol":"json","version":1}') is None
    assert "not supported" in signalr.parse_handshake('{"protocol":"messagepack","version":1}')
    assert json.loads(signalr.completion("7", error="boom").rstrip(signalr.RS)) == {
        "type": 3, "invocationId": "7", "error": "boom"}
    assert signalr.invocation("X", [1]).endswith(signalr.RS)


def test_wrapped_shapes_cycle():
    shapes = [signalr.wrap({"id": 1}, 0, n)[0]["data"] for n in range(3)]
    assert shapes == [{"id": 1}, [{"id": 1}], [{"id": 1}, None]]


def test_tokens_expire_and_refuse_tampering(clock):
    tokens = Tokens(b"secret", clock, ttl=10)
    token = tokens.issue("u")
    claims, problem = tokens.check(token)
    assert claims.user == "u" and problem == ""
    assert tokens.check(token[:-2] + "xx") == (None, "invalid token")
    assert tokens.check("nope") == (None, "invalid token")
    clock.advance(10)
    assert tokens.check(token) == (None, "token expired")
    assert bearer("Bearer abc") == "abc" and bearer("Basic abc") is None and bearer(None) is None


def test_faults_count_fail_and_rate_limit(clock):
    f = Faults(clock, rate_limit=2)
    f.arm("/a", 429, 1, retry_after=2.5)
    first = f.on_call("/a")
    assert first.status == 429 and first.headers == {"Retry-After": "3"}
    assert f.on_call("/a") is None and f.on_call("/b") is None
    limited = f.on_call("/b")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    clock.advance(61)
    assert f.on_call("/b") is None
    assert f.calls == {"/a": 2, "/b": 3} and f.failed == {"/a": 1, "/b": 1}


def test_iso_has_seven_fraction_digits():
    assert iso(1_700_000_000_123_456_789) == "2023-11-14T22:13:20.1234567+00:00"


def _login(g):
    body = json.dumps({"userName": "u", "apiKey": "k"}).encode()
    return "Bearer " + json.loads(g.api_call("/api/Auth/loginKey", None, body).body)["token"]


def test_gateway_auth_bad_requests_and_fault_with_apply(clock):
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock)
    bad_login = json.loads(g.api_call("/api/Auth/loginKey", None, b'{"userName":"u","apiKey":"x"}').body)
    assert bad_login["success"] is False and bad_login["token"] is None
    auth = _login(g)
    assert g.api_call("/api/Account/search", None, b"{}").status == 401
    assert g.api_call("/api/account/SEARCH", auth, b"{}").status == 200      # case-insensitive
    bad = g.api_call("/api/Position/searchOpen", auth, b'{"accountId": "x"}')
    assert bad.status == 400 and "accountId" in json.loads(bad.body)["errors"]
    assert g.api_call("/api/Nope", auth, b"{}").status == 404
    g.faults.arm("/api/Order/place", 500, 1, apply=True)
    place = json.dumps({"accountId": 1001, "contractId": MNQ, "type": 2, "side": 0, "size": 1})
    lost = g.api_call("/api/Order/place", auth, place.encode())
    assert lost.status == 500
    open_positions = json.loads(g.api_call("/api/Position/searchOpen", auth, b'{"accountId":1001}').body)
    assert open_positions["positions"][0]["size"] == 1          # it took effect, the answer was lost
    clock.advance(SimConfig().token_ttl)
    assert g.api_call("/api/Auth/validate", auth, b"{}").status == 401


def test_the_counts_say_what_each_call_did_per_account_and_count_hub_attempts(clock):
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock)
    auth = _login(g)
    close = json.dumps({"accountId": 1001, "contractId": MNQ}).encode()
    g.market.set_last(MNQ, 21000)
    g.api_call("/api/Order/place", auth, json.dumps(
        {"accountId": 1001, "contractId": MNQ, "type": 2, "side": 0, "size": 1}).encode())
    g.faults.arm("/api/Position/closeContract", 500, 1, apply=True)
    assert g.api_call("/api/Position/closeContract", auth, close).status == 500   # applied
    assert g.api_call("/api/Position/closeContract", auth, close).status == 200   # flat now
    g.faults.on_hub_attempt("user")
    counts = g.faults.counts()
    assert counts["calls"]["/api/Position/closeContract"] == 2
    assert counts["calls"]["/hubs/user"] == 1
    assert counts["failed"] == {"/api/Position/closeContract": 1}
    assert counts["tookEffect"]["/api/Position/closeContract"] == 1    # the lost answer's
    assert counts["refused"] == {"/api/Position/closeContract": {"2": 1}}   # no position
    assert counts["byAccount"]["1001"]["/api/Position/closeContract"] == {"0": 1, "2": 1}
    assert counts["refusedCloses"] == [{"atNs": clock.now_ns(), "account": 1001,     # when
                                        "endpoint": "/api/Position/closeContract",
                                        "errorCode": 2}]
    g.faults.reset_counts()
    assert g.faults.counts()["byAccount"] == {} and g.faults.counts()["refused"] == {}
    assert g.faults.counts()["refusedCloses"] == []


def test_a_close_applied_whose_answer_comes_too_late(clock):
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock)
    auth = _login(g)
    g.market.set_last(MNQ, 21000)
    g.api_call("/api/Order/place", auth, json.dumps(
        {"accountId": 1001, "contractId": MNQ, "type": 2, "side": 0, "size": 1}).encode())
    g.faults.arm("/api/Position/closeContract", 504, 1, apply=True, delay=0.2)
    started = time.monotonic()
    late = g.api_call("/api/Position/closeContract", auth,
                      json.dumps({"accountId": 1001, "contractId": MNQ}).encode())
    assert late.status == 504 and time.monotonic() - started >= 0.2
    assert g.faults.counts()["tookEffect"]["/api/Position/closeContract"] == 1   # it happened


def test_a_fault_armed_for_one_account_fails_only_that_accounts_calls(clock):
    """The chaos run's "riskd mid-flatten" armed the next closeContract of anyone: the one it
    hit was whichever account closed next, not the flatten the moment was about."""
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock)
    auth = _login(g)
    g.market.set_last(MNQ, 21000)
    for account in (1001, 1002):
        g.api_call("/api/Order/place", auth, json.dumps(
            {"accountId": account, "contractId": MNQ, "type": 2, "side": 0, "size": 1}).encode())
    g.faults.arm("/api/Position/closeContract", 500, 1, apply=True, account=1002)
    close = lambda a: json.dumps({"accountId": a, "contractId": MNQ}).encode()   # noqa: E731
    assert g.api_call("/api/Position/closeContract", auth, close(1001)).status == 200
    assert g.api_call("/api/Position/closeContract", auth, close(1002)).status == 500
    assert g.faults.armed() == {}                                     # used up by 1002's


def test_tokens_remember_a_valid_token_until_it_expires_or_is_revoked(clock):
    """Round 15: a token checked once is not signed again on every call (an HMAC and a JSON
    decode per REST call); its expiry and a logout still end it."""
    tokens = Tokens(b"secret", clock, ttl=10)
    token, other = tokens.issue("u"), tokens.issue("u")
    signed = []
    sign = tokens._sign
    tokens._sign = lambda body: signed.append(body) or sign(body)
    assert tokens.check(token)[0].user == "u" and len(signed) == 1
    assert tokens.check(token)[0].user == "u" and len(signed) == 1      # remembered
    assert tokens.check(other)[0].user == "u" and len(signed) == 2
    tokens.revoke(other)
    assert tokens.check(other) == (None, "invalid token")
    clock.advance(10)
    assert tokens.check(token) == (None, "token expired")
    assert tokens.check(token) == (None, "token expired")
