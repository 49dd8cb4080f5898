"""The sim gateway's state and its ProjectX REST endpoints (/api/...), transport-free.

One Gateway holds the market, the ledger, the tokens and the faults behind one
lock; the HTTP server hands it (path, Authorization header, body bytes) and
sends back the Response it returns. Every change is pushed to the hubs
through `self.hub` (publish_user / publish_quote / wants_quotes) while the lock
is held, so events leave in the order the changes happened.
"""
from __future__ import annotations

import json
import logging
import os
import random
import threading
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional

import attrs

from services.simbroker.accounts import Ledger
from services.simbroker.entities import MARKET, Account, Event, Result
from services.simbroker.faults import Faults
from services.simbroker.market import Market, contracts_with_fees
from services.simbroker.tokens import Claims, Tokens, bearer
from services.simbroker.wire import optional_time, to_decimal
from shared.clock import Clock
from shared.config.sections import SimConfig
from shared.symbols import contract_for, ticker_of

log = logging.getLogger(__name__)

JSON = {"Content-Type": "application/json; charset=utf-8"}


@attrs.frozen
class Response:
    status: int
    body: bytes = b""
    headers: dict = attrs.Factory(dict)


def json_response(doc: Any, status: int = 200, headers: Optional[dict] = None) -> Response:
    return Response(status, json.dumps(doc).encode(), {**JSON, **(headers or {})})


class BadRequest(ValueError):
    """A request the gateway's model binding refuses (HTTP 400), naming the field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def bad_request(exc: BadRequest) -> Response:
    return json_response({"title": "One or more validation errors occurred.", "status": 400,
                          "errors": {exc.field: [str(exc)]}}, 400)


# -- request fields ---------------------------------------------------------------------
def field_int(body: dict, key: str, required: bool = True) -> Optional[int]:
    value = body.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(key, f"expected a whole number for {key}, got {value!r}")
    return value


def field_str(body: dict, key: str, required: bool = True) -> Optional[str]:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise BadRequest(key, f"expected a string for {key}, got {value!r}")
    return value


def field_price(body: dict, key: str) -> Optional[Decimal]:
    value = body.get(key)
    if value is None:
        return None
    try:
        return to_decimal(value, key)
    except ValueError as exc:
        raise BadRequest(key, str(exc)) from None


def field_time(body: dict, key: str) -> Optional[int]:
    try:
        return optional_time(body.get(key), key)
    except ValueError as exc:
        raise BadRequest(key, str(exc)) from None


def parse_body(raw: bytes) -> dict:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("$", f"expected a JSON object, got {raw[:60]!r}") from None
    if not isinstance(body, dict):
        raise BadRequest("$", f"expected a JSON object, got {type(body).__name__}")
    return body


class NullHub:
    """Stands in for the hub server when none is attached (unit tests, tools)."""

    def publish_user(self, events: Iterable[Event]) -> None:
        pass

    def publish_quote(self, contract_id: str, payload: dict) -> None:
        pass

    def wants_quotes(self, contract_id: str) -> bool:
        return False


# -- the gateway ------------------------------------------------------------------------
class Gateway:
    """The sim broker's state and REST API; thread-safe through self.lock."""

    def __init__(self, sim: SimConfig, user_name: str, api_key: str, clock: Clock,
                 rng: Optional[random.Random] = None, secret: Optional[bytes] = None):
        self.sim = sim
        self.user_name = user_name
        self.api_key = api_key
        self.clock = clock
        self.lock = threading.RLock()
        self.market = Market(contracts_with_fees(sim.fees), clock,
                             rng or random.Random(sim.seed), sim.spread_ticks)
        self.ledger = Ledger(self.market, clock, [
            Account(id=a.id, name=a.name, balance=Decimal(str(a.balance)), can_trade=a.can_trade)
            for a in sim.accounts])
        self.tokens = Tokens(secret or os.urandom(32), clock, sim.token_ttl)
        self.faults = Faults(clock, sim.rate_limit)
        self.hub: Any = NullHub()
        self.ticks_enabled = True
        self._routes: dict[str, tuple[str, Callable[[dict], Result], bool]] = {
            path.lower(): (path, handler, needs_auth) for path, handler, needs_auth in (
                ("/api/Auth/loginKey", self._login, False),
                ("/api/Auth/validate", self._validate, True),
                ("/api/Account/search", self._accounts, True),
                ("/api/Contract/searchById", self._contract_by_id, True),
                ("/api/Contract/search", self._contract_search, True),
                ("/api/Position/searchOpen", self._positions, True),
                ("/api/Position/closeContract", self._close, True),
                ("/api/Position/partialCloseContract", self._partial_close, True),
                ("/api/Order/searchOpen", self._open_orders, True),
                ("/api/Order/v2/query", self._query_orders, True),
                ("/api/Order/search", self._search_orders, True),
                ("/api/Order/place", self._place, True),
                ("/api/Order/cancel", self._cancel, True),
                ("/api/Order/modify", self._modify, True),
                ("/api/Trade/search", self._trades, True),
            )}
        self._claims: Optional[Claims] = None

    def endpoints(self) -> list[str]:
        return [canonical for canonical, _h, _a in self._routes.values()]

    def canonical(self, path: str) -> Optional[str]:
        route = self._routes.get(path.rstrip("/").lower())
        return route[0] if route else None

    # -- the REST entry point ---------------------------------------------------------------
    def api_call(self, path: str, authorization: Optional[str], raw: bytes) -> Response:
        route = self._routes.get(path.rstrip("/").lower())
        if route is None:
            return Response(404, b"", {})
        canonical, handler, needs_auth = route
        with self.lock:
            failure = self.faults.on_call(canonical)
            if failure is None or failure.apply:       # apply: it happens, the answer is lost
                response = self._answer(handler, needs_auth, authorization, raw, canonical)
            if failure is None:
                return response
            return Response(failure.status, failure.text.encode(),
                            {"Content-Type": "text/plain", **failure.headers})

    def _answer(self, handler, needs_auth: bool, authorization: Optional[str],
                raw: bytes, endpoint: str = "") -> Response:
        if needs_auth:
            claims, problem = self.tokens.check(bearer(authorization))
            if claims is None:
                return Response(401, b"", {"WWW-Authenticate":
                                           f'Bearer error="invalid_token", error_description="{problem}"'})
            self._claims = claims
        try:
            body = parse_body(raw)
            result = handler(body)
        except BadRequest as exc:
            return bad_request(exc)
        self.faults.on_result(endpoint, result.code,
                              body.get("accountId") if isinstance(body, dict) else None)
        if result.events:
            self.hub.publish_user(result.events)
        return json_response(result.answer())

    # -- auth --------------------------------------------------------------------------------
    def _login(self, body: dict) -> Result:
        user, key = body.get("userName"), body.get("apiKey")
        if user != self.user_name or key != self.api_key:
            return Result(code=3, message="invalid user name or API key", body={"token": None})
        return Result(body={"token": self.tokens.issue(self.user_name)})

    def _validate(self, _body: dict) -> Result:
        return Result(body={"newToken": self.tokens.issue(self._claims.user)})

    # -- reads ----------------------------------------------------------------------------------
    def _accounts(self, body: dict) -> Result:
        return Result(body={"accounts": self.ledger.account_list(bool(body.get("onlyActiveAccounts")))})

    def _contract_by_id(self, body: dict) -> Result:
        cid = field_str(body, "contractId")
        spec = self.market.specs.get(cid)
        legacy = self.sim.legacy_contract_by_id
        if spec is None:
            return Result(code=1, message=f"contract {cid!r} not found",
                          body={"contracts": []} if legacy else {"contract": None})
        return Result(body={"contracts": [spec.payload()]} if legacy else {"contract": spec.payload()})

    def _contract_search(self, body: dict) -> Result:
        text = (field_str(body, "searchText", required=False) or "").strip().upper()
        found = [c.payload() for c in self.market.specs.values()
                 if not text or any(text in s.upper() for s in (
                     c.id, c.name, c.description, c.symbol_id, ticker_of(c.id)))]
        return Result(body={"contracts": found[:20]})

    def _positions(self, body: dict) -> Result:
        return self.ledger.open_positions(field_int(body, "accountId"))

    def _open_orders(self, body: dict) -> Result:
        return self.ledger.open_orders(field_int(body, "accountId"))

    def _search_orders(self, body: dict) -> Result:
        return self.ledger.search_orders(field_int(body, "accountId"),
                                         field_time(body, "startTimestamp"),
                                         field_time(body, "endTimestamp"))

    def _query_orders(self, body: dict) -> Result:
        flt = body.get("filter") or {}
        if not isinstance(flt, dict):
            raise BadRequest("filter", f"expected an object for filter, got {flt!r}")
        statuses = flt.get("statuses")
        if statuses is not None and (not isinstance(statuses, list) or not all(
                isinstance(s, int) and not isinstance(s, bool) for s in statuses)):
            raise BadRequest("filter.statuses", f"expected a list of whole numbers, got {statuses!r}")
        direction = str(body.get("sortDirection", "asc")).lower()
        return self.ledger.query_orders(
            field_int(flt, "accountId"), statuses=statuses,
            contract_id=field_str(flt, "contractId", required=False),
            after_ns=field_time(flt, "createdAfter"), before_ns=field_time(flt, "createdBefore"),
            page_size=field_int(body, "pageSize", required=False) or 0,
            page_offset=field_int(body, "pageOffset", required=False) or 0,
            sort_by=str(body.get("sortBy") or "creationTimestamp"),
            descending=direction in ("desc", "descending", "1"),
            include_total=bool(body.get("includeTotalCount")))

    def _trades(self, body: dict) -> Result:
        return self.ledger.search_trades(field_int(body, "accountId"),
                                         field_time(body, "startTimestamp"),
                                         field_time(body, "endTimestamp"))

    # -- trading ----------------------------------------------------------------------------------
    def _place(self, body: dict) -> Result:
        def ticks(key: str) -> Optional[int]:
            bracket = body.get(key)
            if bracket is None:
                return None
            if not isinstance(bracket, dict):
                raise BadRequest(key, f"expected an object like {{\"ticks\": 8, \"type\": 4}}, got {bracket!r}")
            return field_int(bracket, "ticks")
        return self.ledger.place(
            field_int(body, "accountId"), field_str(body, "contractId"),
            field_int(body, "type"), field_int(body, "side"), field_int(body, "size"),
            limit_price=field_price(body, "limitPrice"), stop_price=field_price(body, "stopPrice"),
            trail_price=field_price(body, "trailPrice"),
            custom_tag=field_str(body, "customTag", required=False),
            stop_loss_ticks=ticks("stopLossBracket"), take_profit_ticks=ticks("takeProfitBracket"))

    def _cancel(self, body: dict) -> Result:
        return self.ledger.cancel(field_int(body, "accountId"), field_int(body, "orderId"))

    def _modify(self, body: dict) -> Result:
        return self.ledger.modify(field_int(body, "accountId"), field_int(body, "orderId"),
                                  size=field_int(body, "size", required=False),
                                  limit_price=field_price(body, "limitPrice"),
                                  stop_price=field_price(body, "stopPrice"),
                                  trail_price=field_price(body, "trailPrice"))

    def _close(self, body: dict) -> Result:
        return self.ledger.close_contract(field_int(body, "accountId"),
                                          field_str(body, "contractId"))

    def _partial_close(self, body: dict) -> Result:
        return self.ledger.partial_close(field_int(body, "accountId"),
                                         field_str(body, "contractId"), field_int(body, "size"))

    # -- the market moving -------------------------------------------------------------------------
    def resolve_contract(self, text: str) -> str:
        """A contract id or ticker -> a known contract id (ValueError naming the known ones)."""
        return contract_for(text, self.market.ids())

    def _after_move(self, contract_id: str) -> int:
        events = self.ledger.on_price(contract_id)
        if events:
            self.hub.publish_user(events)
        if self.hub.wants_quotes(contract_id):
            self.hub.publish_quote(contract_id, self.market.quote(contract_id))
        return sum(1 for e in events if e.target == "GatewayUserTrade")

    def move(self, contract_id: str, last: Decimal, bid: Optional[Decimal] = None,
             ask: Optional[Decimal] = None) -> int:
        """Set a contract's price (POST /sim/quote); returns the number of fills it caused."""
        with self.lock:
            self.market.set_last(contract_id, last, bid, ask)
            return self._after_move(contract_id)

    def tick(self, contract_ids: Optional[Iterable[str]] = None) -> None:
        """One random-walk step for the given contracts (default: all)."""
        with self.lock:
            for cid in contract_ids or self.market.ids():
                self.market.step(cid)
                self._after_move(cid)

    def random_walk(self) -> None:
        """The timer's step: all contracts, unless paused."""
        if self.ticks_enabled:
            self.tick()

    def full_quote(self, contract_id: str) -> dict:
        with self.lock:
            return self.market.quote(contract_id, full=True)

    def market_order(self, account_id: int, contract_id: str, side: int, size: int) -> Result:
        """A market order placed from inside the sim (the burst generator)."""
        with self.lock:
            result = self.ledger.place(account_id, contract_id, MARKET, side, size)
            if result.events:
                self.hub.publish_user(result.events)
            return result

    def set_account(self, account_id: int, **changes) -> Result:
        with self.lock:
            result = self.ledger.set_account(account_id, **changes)
            if result.events:
                self.hub.publish_user(result.events)
            return result
