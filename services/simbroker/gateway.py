"""The sim gateway's state and its ProjectX REST endpoints (/api/...), transport-free.

One Gateway holds the market, the ledger, the tokens and the faults behind one
lock; the HTTP server hands it (path, Authorization header, body bytes) and
sends back the Response it returns. Every change is pushed to the hubs
through `self.hub` (publish_user / publish_quote / publish_market) while the lock
is held, so events leave in the order the changes happened.
"""
from __future__ import annotations

import datetime
import json
import logging
import os
import random
import time
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional

import attrs

from services.simbroker.accounts import Ledger
from services.simbroker.entities import BUY, MARKET, SELL, Account, Event, Result
from services.simbroker.faults import Faults
from services.simbroker.bars import MAX_BARS, MINUTE, UNIT_NAMES, BarStore
from services.simbroker.gatelock import GatewayLock
from services.simbroker.holds import HeldCall, Holds
from services.simbroker.contracts import listed, products_with_fees, search_rank, tick_size_of
from services.simbroker.history import day_bounds_ns, generate_day, trading_days
from services.simbroker.market import Market
from services.simbroker.store import SimStore
from services.simbroker.tokens import Claims, Tokens, bearer
from services.simbroker.wire import bars_json, optional_time, to_decimal
from shared.clock import NS_PER_S, Clock, from_ns
from shared.config.sections import SimConfig
from shared.plural import plural
from shared.symbols import contract_for, is_contract_id

log = logging.getLogger(__name__)

DIRTY_KINDS = ("accounts", "orders", "positions", "trades")
DIRTY_BY_TARGET = {"GatewayUserAccount": "accounts", "GatewayUserOrder": "orders",
                   "GatewayUserPosition": "positions", "GatewayUserTrade": "trades"}

JSON = {"Content-Type": "application/json; charset=utf-8"}


@attrs.frozen
class Response:
    status: int
    body: bytes = b""
    headers: dict = attrs.Factory(dict)


class RawJson(str):
    """A value that is JSON text already (a large answer written by hand)."""


def encode_json(doc: dict) -> bytes:
    """json.dumps, except that RawJson values go in as they are."""
    raw = {k: v for k, v in doc.items() if isinstance(v, RawJson)}
    if not raw:
        return json.dumps(doc).encode()
    rest = json.dumps({k: v for k, v in doc.items() if k not in raw})
    parts = ", ".join(f"{json.dumps(k)}: {v}" for k, v in raw.items())
    return ("{" + parts + (", " + rest[1:] if rest != "{}" else "}")).encode()


def json_response(doc: Any, status: int = 200, headers: Optional[dict] = None) -> Response:
    body = encode_json(doc) if isinstance(doc, dict) else json.dumps(doc).encode()
    return Response(status, body, {**JSON, **(headers or {})})


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


def field_bool(body: dict, key: str, required: bool = False) -> Optional[bool]:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, bool):
        raise BadRequest(key, f"expected true or false for {key}, got {value!r}")
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


def body_account(raw: bytes) -> Optional[int]:
    """The accountId a call's body names (None: none, or not a JSON object)."""
    try:
        body = parse_body(raw)
    except BadRequest:
        return None
    account = body.get("accountId")
    return account if isinstance(account, int) and not isinstance(account, bool) else None


class NullHub:
    """Stands in for the hub server when none is attached (unit tests, tools)."""

    def publish_user(self, events: Iterable[Event]) -> None:
        pass

    def publish_quote(self, contract_id: str, payload: str, kick: bool = True) -> None:
        pass

    def kick(self) -> None:
        pass

    def wants_quotes(self, contract_id: str) -> bool:
        return False

    def wants(self, topic: str, contract_id: str) -> bool:
        return False

    def publish_market(self, topic: str, contract_id: str, data: str, kick: bool = True) -> None:
        pass


# -- the gateway ------------------------------------------------------------------------
class Gateway:
    """The sim broker's state and REST API; thread-safe through self.lock."""

    def __init__(self, sim: SimConfig, user_name: str, api_key: str, clock: Clock,
                 rng: Optional[random.Random] = None, secret: Optional[bytes] = None,
                 store: Optional[SimStore] = None):
        self.sim = sim
        self.user_name = user_name
        self.api_key = api_key
        self.clock = clock
        self.lock = GatewayLock()       # the burst steps aside for REST and hub callers
        self.products = products_with_fees(sim.fees)
        self._calendar_day = self.calendar_date()
        self.market = Market(listed(self.products, self._calendar_day), clock,
                             rng or random.Random(sim.seed), sim.spread_ticks)
        self.ledger = Ledger(self.market, clock, [
            Account(id=a.id, name=a.name, balance=Decimal(str(a.balance)), can_trade=a.can_trade)
            for a in sim.accounts])
        self.tokens = Tokens(secret or os.urandom(32), clock, sim.token_ttl)
        self.faults = Faults(clock, sim.rate_limit, history_limit=sim.history_rate_limit)
        self.holds = Holds(clock)                       # calls held until /sim/release
        self.bars = BarStore(track_dirty=store is not None)
        self._pruned_s = 0
        self._volume_seen: dict[str, int] = {}
        self._last_seen: dict[str, int] = {}
        self.hub: Any = NullHub()
        self._saved_next_ids: Optional[dict] = None     # as the store last wrote them
        self.ticks_enabled = True
        self._routes: dict[str, tuple[str, Callable[[dict], Result], bool]] = {
            path.lower(): (path, handler, needs_auth) for path, handler, needs_auth in (
                ("/api/Auth/loginKey", self._login, False),
                ("/api/Auth/validate", self._validate, True),
                ("/api/Auth/logout", self._logout, True),
                ("/api/Account/search", self._accounts, True),
                ("/api/Contract/searchById", self._contract_by_id, True),
                ("/api/Contract/search", self._contract_search, True),
                ("/api/Contract/available", self._contract_available, True),
                ("/api/Position/searchOpen", self._positions, True),
                ("/api/Position/closeContract", self._close, True),
                ("/api/Position/partialCloseContract", self._partial_close, True),
                ("/api/Order/searchOpen", self._open_orders, True),
                ("/api/Order/v2/query", self._query_orders, True),
                ("/api/Order/search", self._search_orders, True),
                ("/api/Order/searchById", self._order_by_id, True),
                ("/api/Order/place", self._place, True),
                ("/api/Order/cancel", self._cancel, True),
                ("/api/Order/modify", self._modify, True),
                ("/api/Trade/search", self._trades, True),
                ("/api/History/retrieveBars", self._retrieve_bars, True),
            )}
        self._claims: Optional[Claims] = None
        self._token: Optional[str] = None
        self.store = store
        self._dirty: dict[str, set] = {k: set() for k in DIRTY_KINDS}
        if store is not None:
            self._restore(store)

    # -- persistence (store.py) -------------------------------------------------------------
    def _restore(self, store: SimStore) -> None:
        now_s = self.clock.now_ns() // NS_PER_S
        saved = store.load(now_s - self.bars.second_retention)
        self.ledger.restore(saved.accounts, saved.orders, saved.positions, saved.trades,
                            saved.next_ids)
        self.bars.load(saved.bars)
        for cid in self.market.ids():
            minutes = self.bars.series(cid, MINUTE)
            if minutes.bars:
                self.market.restore_last(cid, minutes.bars[-1][3])
        log.info("sim state restored from %s: %s", store.path, ", ".join(
            plural(n, word) for n, word in ((len(saved.accounts), "account"),
                                            (len(saved.orders), "order"),
                                            (len(saved.positions), "open position"),
                                            (len(saved.trades), "trade"),
                                            (len(saved.bars), "bar row"))))

    def _mark(self, events: Iterable[Event]) -> None:
        for e in events:
            kind = DIRTY_BY_TARGET.get(e.target)
            if kind == "positions":
                self._dirty[kind].add((e.account_id, e.payload["contractId"]))
            elif kind is not None:
                self._dirty[kind].add(e.payload["id"])

    def save(self, bars: bool = True) -> None:
        """Write what changed since the last save. Records are saved as soon as they change
        (before the call that changed them answers: a broker never forgets a fill); bars,
        many small changes a second, by the worker's timer every second."""
        if self.store is None:
            return
        with self.lock:
            led, d = self.ledger, self._dirty
            if not bars and not any(d.values()):
                return
            records = dict(
                accounts=[led.accounts[i] for i in d["accounts"] if i in led.accounts],
                orders=[led.orders[i] for i in d["orders"] if i in led.orders],
                positions=[(a, c, led.positions.get((a, c))) for a, c in d["positions"]],
                trades=[led.trade_index[i] for i in d["trades"] if i in led.trade_index],
                bars=self.bars.take_dirty() if bars else [])
            # the next ids only when they moved: the worker's 1 s save of an idle sim writes
            # nothing (it woke the idle sim's loop 4 times a second: tests/integration/
            # test_idle_wakes.py)
            next_ids = led.next_ids()
            if next_ids != self._saved_next_ids:
                records["next_ids"] = self._saved_next_ids = next_ids
            for kind in d.values():
                kind.clear()
            self.store.save(**records)
            now_s = self.clock.now_ns() // NS_PER_S
            if now_s - self._pruned_s >= 3600:
                self._pruned_s = now_s
                self.store.prune_second_bars(now_s - self.bars.second_retention)

    def add_history(self, days: int, account_ids: list[int], seed: int) -> dict:
        """riskctl sim history: `days` past trading days for these accounts (history.py).
        A day an account already has trades on is left alone, so running it twice adds
        nothing; the bars behind a day are written once. A day is generated outside the
        gateway lock and added under it one day at a time, so the worker's loop (its
        heartbeat, the per-second save) never waits more than one day's insert."""
        with self.lock:
            unknown = [a for a in account_ids if a not in self.ledger.accounts]
            if unknown:
                known = ", ".join(str(a) for a in self.ledger.accounts)
                raise ValueError(f"no account {unknown[0]} in the sim; known: {known}")
        written, skipped, trades = [], [], 0
        for day in trading_days(self.calendar_date(), days):
            lo, hi = day_bounds_ns(day)
            with self.lock:
                fresh = [a for a in account_ids if not any(
                    t.account_id == a and lo <= t.created_ns < hi for t in self.ledger.trades)]
            if not fresh:
                skipped.append(day.isoformat())
                continue
            generated = generate_day(day, self.products, fresh, seed, self._new_id_locked)
            with self.lock:
                barred = {cid for cid in {p[0] for p in generated.points}
                          if self._has_bars(cid, lo, hi)}
                now_s = self.clock.now_ns() // NS_PER_S
                recent = (now_s - self.bars.second_retention) * NS_PER_S
                for cid, t_ns, ticks, volume in generated.points:
                    if cid not in barred:
                        self.bars.record(cid, t_ns, ticks, volume, seconds=t_ns >= recent)
                self.ledger.add_history(generated.orders, generated.trades)
                if self.store is not None:
                    self._dirty["orders"].update(o.id for o in generated.orders)
                    self._dirty["trades"].update(t.id for t in generated.trades)
            self.save()
            written.append(day.isoformat())
            trades += len(generated.trades)
        return {"written": written, "skipped": skipped, "trades": trades,
                "accounts": account_ids, "seed": seed}

    def _new_id_locked(self, kind: str) -> int:
        with self.lock:                  # ids are drawn while live trading may go on
            return self.ledger.new_id(kind)

    def _has_bars(self, contract_id: str, lo_ns: int, hi_ns: int) -> bool:
        lo, hi = self.bars.series(contract_id, MINUTE).window(lo_ns // NS_PER_S, hi_ns // NS_PER_S)
        return hi > lo

    # -- the contract calendar ------------------------------------------------------------
    def calendar_date(self) -> datetime.date:
        """The day the contract calendar is at: [broker.sim] calendar_date, else today (UTC)."""
        if self.sim.calendar_date:
            return datetime.date.fromisoformat(self.sim.calendar_date)
        return from_ns(self.clock.now_ns()).date()

    def roll(self) -> None:
        """List the months of the current day (the front month changes on its roll date)."""
        day = self.calendar_date()
        if day != self._calendar_day:
            self._calendar_day = day
            self.market.list(listed(self.products, day))
            log.info("contract calendar at %s: active %s", day, ", ".join(
                self.market.specs[c].name for c in self.market.active_ids()))

    def hold(self, endpoint: str) -> None:
        """The next held calls of `endpoint` wait for release() (a fault armed with hold)."""
        with self.lock:
            self.holds.arm(endpoint)

    def release(self, endpoint: str) -> tuple[list[HeldCall], list[HeldCall]]:
        """Let the held calls of `endpoint` go on, and wait (briefly) until each is carried
        out: (the calls this release let go, those their cap let go before it)."""
        with self.lock:
            now, earlier = self.holds.release(endpoint)
        self.holds.finished(now)
        return now, earlier

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
        held: Optional[HeldCall] = None
        with self.lock:
            self.roll()
            # the token first, as at the gateway: a call it refuses is never slow nor held (a
            # stale token after a sim restart, held, then answered 401 at its release: trial19b)
            denied = self._authorize(needs_auth, authorization)
            failure = self.faults.on_call(canonical, body_account(raw)
                                          if self.faults.for_accounts() else None,
                                          authorized=denied is None)
            if failure is not None and failure.slow:
                caller = self._claims, self._token     # carried out later, as this caller
                if failure.hold:
                    held = self.holds.take(canonical, raw, failure.delay)
            elif failure is None or failure.apply:     # apply: it happens, the answer is lost
                response = denied or self._carry_out(handler, raw, canonical)
            if failure is None:
                return response
        if held is not None:                           # until released, at most the delay
            self.holds.wait(held)
        elif failure.delay > 0 and not failure.hold:   # outside the lock: the sim goes on
            time.sleep(failure.delay)
        if failure.slow:                               # a slow success: done now, answered
            with self.lock:
                self.roll()
                if held is not None:
                    self.holds.let_go(held)
                self._claims, self._token = caller
                response = self._carry_out(handler, raw, canonical)
                if held is not None:
                    self.holds.finish(held, response.status, response.body)
                return response
        return Response(failure.status, failure.text.encode(),
                        {"Content-Type": "text/plain", **failure.headers})

    def _authorize(self, needs_auth: bool, authorization: Optional[str]) -> Optional[Response]:
        """None when the call may go on (its claims kept for the handler), else the 401."""
        if not needs_auth:
            return None
        token = bearer(authorization)
        claims, problem = self.tokens.check(token)
        if claims is None:
            return Response(401, b"", {"WWW-Authenticate":
                                       f'Bearer error="invalid_token", error_description="{problem}"'})
        self._claims, self._token = claims, token
        return None

    def _carry_out(self, handler, raw: bytes, endpoint: str) -> Response:
        try:
            body = parse_body(raw)
            result = handler(body)
        except BadRequest as exc:
            return bad_request(exc)
        self.faults.on_result(endpoint, result.code,
                              body.get("accountId") if isinstance(body, dict) else None)
        self._emit(result.events)
        return json_response(result.answer())

    # -- auth --------------------------------------------------------------------------------
    def _login(self, body: dict) -> Result:
        user, key = body.get("userName"), body.get("apiKey")
        if user != self.user_name or key != self.api_key:
            return Result(code=3, message="invalid user name or API key", body={"token": None})
        return Result(body={"token": self.tokens.issue(self.user_name)})

    def _validate(self, _body: dict) -> Result:
        return Result(body={"newToken": self.tokens.issue(self._claims.user)})

    def _logout(self, _body: dict) -> Result:
        """The token stops working at once (REST and hubs)."""
        self.tokens.revoke(self._token)
        return Result()

    def get_call(self, path: str) -> Response:
        """The API's one GET: /api/Status/ping answers `pong`, no token needed."""
        if path.rstrip("/").lower() == "/api/status/ping":
            return Response(200, b"pong", {"Content-Type": "text/plain; charset=utf-8"})
        if path.rstrip("/").lower() in self._routes:
            return Response(405, b"", {"Allow": "POST"})
        return Response(404, b"", {})

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
        """Listed contracts matching searchText: name prefix first (ES before MES), at most 20."""
        text = field_str(body, "searchText", required=False) or ""
        field_bool(body, "live")
        ranked = sorted((rank, i, spec) for i, spec in enumerate(self.market.listed_specs())
                        if (rank := search_rank(spec, text)) is not None)
        return Result(body={"contracts": [spec.payload() for _r, _i, spec in ranked[:20]]})

    def _contract_available(self, body: dict) -> Result:
        """The active month of every product (it follows the roll)."""
        field_bool(body, "live")
        return Result(body={"contracts": [self.market.specs[cid].payload()
                                          for cid in self.market.active_ids()]})

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

    def _order_by_id(self, body: dict) -> Result:
        return self.ledger.order_by_id(field_int(body, "accountId"), field_int(body, "orderId"))

    def _retrieve_bars(self, body: dict) -> Result:
        """History/retrieveBars from the sim's own recorded price path (bars.py)."""
        cid = field_str(body, "contractId")
        field_bool(body, "live")
        start, end = field_time(body, "startTime"), field_time(body, "endTime")
        if start is None or end is None:
            raise BadRequest("startTime" if start is None else "endTime",
                             "expected an ISO 8601 timestamp, got None")
        unit = field_int(body, "unit")
        if unit not in UNIT_NAMES:
            raise BadRequest("unit", f"expected a unit from 1 (second) to 6 (month), got {unit}")
        number = field_int(body, "unitNumber")
        if number < 1:
            raise BadRequest("unitNumber", f"expected a unitNumber of 1 or more, got {number}")
        limit = field_int(body, "limit")
        if not 1 <= limit <= MAX_BARS:
            raise BadRequest("limit", f"expected a limit from 1 to {MAX_BARS}, got {limit}")
        partial = bool(field_bool(body, "includePartialBar"))
        try:
            tick = tick_size_of(cid)
        except (KeyError, IndexError):
            return Result(code=1, message=f"contract {cid!r} not found", body={"bars": None})
        rows = self.bars.bars(cid, unit, number, start // NS_PER_S, -(-end // NS_PER_S), limit,
                              partial, self.clock.now_ns() // NS_PER_S)
        texts: dict[int, str] = {}

        def price(ticks: int) -> str:
            value = texts.get(ticks)
            if value is None:
                value = texts[ticks] = repr(float(tick * ticks))
            return value
        return Result(body={"bars": RawJson(bars_json(rows, price))})

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
        """A contract id (any listed month) or a ticker (its active month) -> a contract id;
        UnknownSymbol naming the known ones."""
        if is_contract_id(text):
            return contract_for(text, self.market.specs)
        return contract_for(text, self.market.active_ids())

    def _emit(self, events: Iterable[Event]) -> None:
        """User events to the user hub (and to the store); every fill is a print on the tape."""
        if not events:
            return
        if self.store is not None:
            self._mark(events)
            self.save(bars=False)
        self.hub.publish_user(events)
        for e in events:
            if e.target == "GatewayUserTrade":
                cid = e.payload["contractId"]
                if self.hub.wants("trades", cid):
                    self.hub.publish_market("trades", cid, self.market.prints(
                        cid, e.payload["price"], e.payload["side"], e.payload["size"]))

    def _after_move(self, contract_id: str) -> int:
        m = self.market
        volume, last = m.volume(contract_id), m.last_ticks(contract_id)
        traded = volume - self._volume_seen.get(contract_id, volume)
        before = self._last_seen.get(contract_id, last)
        self.bars.record(contract_id, self.clock.now_ns(), last, traded)
        self._volume_seen[contract_id], self._last_seen[contract_id] = volume, last
        events = self.ledger.on_price(contract_id)
        if events:
            self._emit(events)
        # market data wakes the hub loop in tick()/move(), once the lock is released
        if self.hub.wants_quotes(contract_id):
            self.hub.publish_quote(contract_id, m.quote_json(contract_id), kick=False)
        if traded > 0 and self.hub.wants("trades", contract_id):     # the synthetic tape
            self.hub.publish_market("trades", contract_id, m.prints(
                contract_id, m.price_json(contract_id, last), SELL if last < before else BUY,
                traded), kick=False)
        if self.hub.wants("depth", contract_id):
            self.hub.publish_market("depth", contract_id, m.depth(contract_id), kick=False)
        return sum(1 for e in events if e.target == "GatewayUserTrade") if events else 0

    def move(self, contract_id: str, last: Decimal, bid: Optional[Decimal] = None,
             ask: Optional[Decimal] = None) -> int:
        """Set a contract's price (POST /sim/quote); returns the number of fills it caused."""
        try:
            with self.lock:
                self.market.set_last(contract_id, last, bid, ask)
                return self._after_move(contract_id)
        finally:
            self.hub.kick()

    def tick(self, contract_ids: Optional[Iterable[str]] = None, kick: bool = True) -> None:
        """One random-walk step for the given contracts (default: all). kick=False: the caller
        wakes the hub loop itself (hub.kick()), once for several ticks (the burst)."""
        with self.lock:
            for cid in contract_ids or self.market.ids():
                self.market.step(cid)
                self._after_move(cid)
        if kick:
            self.hub.kick()

    def random_walk(self) -> None:
        """The timer's step: every product's active month, unless paused."""
        if self.ticks_enabled:
            with self.lock:
                self.roll()
                self.tick(self.market.active_ids())

    def full_quote(self, contract_id: str) -> dict:
        with self.lock:
            return self.market.quote(contract_id, full=True)

    def full_quote_json(self, contract_id: str) -> str:
        """A new quote subscriber's full GatewayQuote, as JSON text."""
        with self.lock:
            return self.market.quote_json(contract_id, full=True)

    def depth(self, contract_id: str) -> str:
        """The whole book for a new depth subscriber: a reset, then every level."""
        with self.lock:
            return self.market.depth(contract_id, reset=True)

    def market_order(self, account_id: int, contract_id: str, side: int, size: int) -> Result:
        """A market order placed from inside the sim (the burst generator)."""
        with self.lock:
            result = self.ledger.place(account_id, contract_id, MARKET, side, size)
            self._emit(result.events)
            return result

    def set_account(self, account_id: int, **changes) -> Result:
        with self.lock:
            result = self.ledger.set_account(account_id, **changes)
            self._emit(result.events)
            return result
