"""The sim's test and demo controls, /sim/... on the REST port (no auth; loopback only).

POST /sim/quote      {"contractId" (id or ticker), "lastPrice", "bestBid"?, "bestAsk"?}
POST /sim/account    {"accountId", "canTrade"?, "balance"?, "apiRejected"?}
POST /sim/market     {"open": bool}      closed: orders and closes fail OrderRejected, null message
POST /sim/disconnect {"mode": "close"|"abort", "seconds": 0}   drop every websocket
POST /sim/fail       {"endpoint", "status", "count", "retryAfter"?, "apply"?, "body"?, "delay"?,
                      "accountId"?, "hold"?}   accountId: only calls for that account fail
                     delay: answer only after that many seconds (the caller times out)
                     body: answer this text instead (garbage JSON, an HTML error page)
                     hold (status 200 with a delay): the slow success waits for
                     /sim/release instead, the delay only the longest it waits
POST /sim/release    {"endpoint"}: the calls of that endpoint held now are carried out and
                     answered; the answer, once they are (3 s at most), says what each did:
                     {"released", "calls": [{account, contractId, letGoBy, heldSeconds,
                     finished, status, errorCode, errorMessage, tookEffect}], "earlier": [the
                     held calls their cap let go since the last release, the same fields]}
GET|POST /sim/calls  counts per endpoint since start or the last POST /sim/calls/reset:
                     calls, failed (injected), tookEffect, refused (e.g. a flat close),
                     byAccount {account: {endpoint: {errorCode: n}}},
                     refusedCloses [{atNs, account, endpoint, errorCode}] (the last 100)
POST /sim/burst      {"contracts", "quotes_per_second", "seconds", "accountId", "trades"}
GET /sim/burst       the last burst's progress
POST /sim/history    {"days", "accountIds"?, "seed"?}  past trading days of activity (history.py)
GET|POST /sim/hubs   {"connections": {"user", "market"}, "negotiated", "pendingNegotiations"}
POST /sim/pause      {"paused": true}: stop the random walk; {"paused": false}: resume it
                     (the older {"ticks": false|true}, still taken: ticks true = walking)
POST /sim/quirks     {"duplicateTrades"?, "positionBeforeTrade"?, "randomOrder"?,
                      "duplicateFills"?, "quotesSilent"?: bool, "seed"?: int}
                     randomOrder: each fill's Trade/Position/Order/Account events in a random
                     order (seed restarts it); duplicateFills: each of them twice
                     (services/simbroker/ordering.py)
GET /sim/info        {"rest_url", "user_hub", "market_hub", "user_name", "api_key" (masked: "***"),
                      "api_key_in" (where to read it), "accounts"}
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Optional

from services.simbroker.burst import Burst
from services.simbroker.gateway import (BadRequest, Gateway, Response, bad_request, field_int,
                                        field_price, field_str, json_response, parse_body)
from services.simbroker.wire import iso

MAX_HISTORY_DAYS = 260          # a year of trading days
from shared.symbols import UnknownSymbol


def _ok(**fields: Any) -> Response:
    return json_response({"success": True, "errorCode": 0, "errorMessage": None, **fields})


def _error(message: str, status: int = 400) -> Response:
    return json_response({"success": False, "errorCode": -1, "errorMessage": message}, status)


def _bool(body: dict, key: str) -> Optional[bool]:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise BadRequest(key, f"expected true or false for {key}, got {value!r}")
    return value


def _number(body: dict, key: str, default: float) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(key, f"expected a number for {key}, got {value!r}")
    return float(value)


class Controls:
    def __init__(self, gateway: Gateway, hubs, info: dict):
        self.gateway = gateway
        self.hubs = hubs
        self.info = info
        self.burst = Burst(gateway)
        self._routes: dict[tuple[str, str], Callable[[dict], Response]] = {
            ("POST", "/sim/quote"): self._quote,
            ("POST", "/sim/account"): self._account,
            ("POST", "/sim/market"): self._market,
            ("POST", "/sim/disconnect"): self._disconnect,
            ("POST", "/sim/fail"): self._fail,
            ("POST", "/sim/release"): self._release,
            ("GET", "/sim/calls"): self._calls,
            ("POST", "/sim/calls"): self._calls,
            ("POST", "/sim/calls/reset"): self._calls_reset,
            ("POST", "/sim/burst"): self._burst_start,
            ("GET", "/sim/burst"): self._burst_status,
            ("POST", "/sim/history"): self._history,
            ("GET", "/sim/hubs"): self._hubs,
            ("POST", "/sim/hubs"): self._hubs,
            ("POST", "/sim/pause"): self._pause,
            ("POST", "/sim/quirks"): self._quirks,
            ("GET", "/sim/info"): self._info,
            ("POST", "/sim/info"): self._info,
        }

    def handle(self, method: str, path: str, raw: bytes) -> Response:
        handler = self._routes.get((method, path.rstrip("/")))
        if handler is None:
            known = ", ".join(f"{m} {p}" for m, p in self._routes)
            return _error(f"no control {method} {path}; known: {known}", 404)
        try:
            return handler(parse_body(raw))
        except BadRequest as exc:
            return bad_request(exc)
        except (ValueError, UnknownSymbol) as exc:
            return _error(str(exc))

    def stop(self) -> None:
        self.burst.stop()

    # -- handlers ---------------------------------------------------------------------------
    def _quote(self, body: dict) -> Response:
        cid = self.gateway.resolve_contract(field_str(body, "contractId"))
        last = field_price(body, "lastPrice")
        if last is None:
            raise BadRequest("lastPrice", "expected a number for lastPrice, got None")
        fills = self.gateway.move(cid, last, field_price(body, "bestBid"),
                                  field_price(body, "bestAsk"))
        return _ok(contractId=cid, fills=fills, quote=self.gateway.full_quote(cid))

    def _account(self, body: dict) -> Response:
        balance = field_price(body, "balance")
        result = self.gateway.set_account(field_int(body, "accountId"),
                                          can_trade=_bool(body, "canTrade"),
                                          balance=None if balance is None else Decimal(balance),
                                          api_rejected=_bool(body, "apiRejected"))
        return json_response(result.answer(), 200 if result.success else 404)

    def _market(self, body: dict) -> Response:
        is_open = _bool(body, "open")
        if is_open is None:
            raise BadRequest("open", "expected true or false for open, got None")
        with self.gateway.lock:
            self.gateway.market.is_open = is_open
        return _ok(open=is_open)

    def _disconnect(self, body: dict) -> Response:
        mode = body.get("mode", "close")
        if mode not in ("close", "abort"):
            raise BadRequest("mode", f"expected mode 'close' or 'abort', got {mode!r}")
        seconds = _number(body, "seconds", 0.0)
        dropped = self.hubs.disconnect_all(mode, seconds)
        return _ok(dropped=dropped, downSeconds=seconds)

    def _fail(self, body: dict) -> Response:
        endpoint = self.gateway.canonical(field_str(body, "endpoint"))
        if endpoint is None:
            raise BadRequest("endpoint", f"expected one of {', '.join(self.gateway.endpoints())}, "
                                         f"got {body.get('endpoint')!r}")
        status, count = field_int(body, "status"), field_int(body, "count", required=False)
        with self.gateway.lock:
            text = body.get("body")
            if text is not None and not isinstance(text, str):
                raise BadRequest("body", f"expected the answer text as a string, got {text!r}")
            account = field_int(body, "accountId", required=False)
            hold = bool(_bool(body, "hold"))
            self.gateway.faults.arm(endpoint, status, 1 if count is None else count,
                                    _number(body, "retryAfter", 1.0), bool(_bool(body, "apply")),
                                    text, _number(body, "delay", 0.0), account, hold)
            if hold:
                self.gateway.hold(endpoint)
            return _ok(armed=self.gateway.faults.armed())

    def _release(self, body: dict) -> Response:
        endpoint = self.gateway.canonical(field_str(body, "endpoint"))
        if endpoint is None:
            raise BadRequest("endpoint", f"expected one of {', '.join(self.gateway.endpoints())}, "
                                         f"got {body.get('endpoint')!r}")
        now, earlier = self.gateway.release(endpoint)
        return _ok(released=endpoint, calls=[c.doc() for c in now],
                   earlier=[c.doc() for c in earlier])

    def _calls(self, _body: dict) -> Response:
        with self.gateway.lock:
            f = self.gateway.faults
            return _ok(**f.counts(), since=iso(f.since_ns))

    def _calls_reset(self, _body: dict) -> Response:
        with self.gateway.lock:
            self.gateway.faults.reset_counts()
        return _ok()

    def _burst_start(self, body: dict) -> Response:
        names = body.get("contracts") or self.gateway.market.ids()
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise BadRequest("contracts", f"expected a list of contract ids or tickers, got {names!r}")
        contracts = [self.gateway.resolve_contract(n) for n in names]
        status = self.burst.start(contracts, _number(body, "quotes_per_second", 1000.0),
                                  _number(body, "seconds", 1.0),
                                  field_int(body, "accountId", required=False),
                                  field_int(body, "trades", required=False) or 0)
        return _ok(burst=status.doc())

    def _burst_status(self, _body: dict) -> Response:
        return _ok(burst=self.burst.status.doc())

    def _history(self, body: dict) -> Response:
        days = field_int(body, "days")
        if not 1 <= days <= MAX_HISTORY_DAYS:
            raise BadRequest("days", f"expected days from 1 to {MAX_HISTORY_DAYS}, got {days}")
        ids = body.get("accountIds")
        if ids is None:
            ids = list(self.gateway.ledger.accounts)
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                for i in ids):
            raise BadRequest("accountIds", f"expected a list of account ids, got {ids!r}")
        seed = field_int(body, "seed", required=False)
        return _ok(**self.gateway.add_history(days, ids, self.gateway.sim.seed
                                              if seed is None else seed))

    def _hubs(self, _body: dict) -> Response:
        return _ok(**self.hubs.stats())

    def _pause(self, body: dict) -> Response:
        """{"paused": true} stops the random walk, {"paused": false} resumes it. The older
        {"ticks": bool} still works the other way round (ticks true: the walk runs, so
        {"ticks": true} resumes): a trial found "pause" with {"ticks": true} read as pausing.
        An empty body no longer pauses by accident; both fields must agree."""
        paused, ticks = _bool(body, "paused"), _bool(body, "ticks")
        if paused is None and ticks is None:
            raise BadRequest("paused", 'expected {"paused": true} (stop the random walk) or '
                                       '{"paused": false} (resume it)')
        if paused is not None and ticks is not None and paused == ticks:
            raise BadRequest("paused", f"paused {str(paused).lower()} and ticks "
                                       f"{str(ticks).lower()} disagree (ticks true means the "
                                       f"walk runs): give paused only")
        self.gateway.ticks_enabled = (not paused) if paused is not None else ticks
        return _ok(paused=not self.gateway.ticks_enabled, ticks=self.gateway.ticks_enabled)

    def _quirks(self, body: dict) -> Response:
        seed = field_int(body, "seed", required=False)
        changes = {key: _bool(body, key) for key in body if key != "seed"}
        return _ok(quirks=self.hubs.set_quirks(seed=seed, **changes))

    def _info(self, _body: dict) -> Response:
        return json_response(self.info)
