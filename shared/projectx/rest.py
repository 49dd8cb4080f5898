"""The ProjectX REST client: login and token renewal, bounded retries, the rate budget, typed answers.

Every call is a POST with a timeout. Timeouts, connection errors, 5xx and 429
are retried with exponential backoff (429 honours Retry-After), a bounded
number of times; calls that must not run twice (place, partial close) are
retried only when the request surely did not reach the broker. Every attempt
takes a token from the rate budget. A 401 (or an ExpiredToken answer) logs in
again once. `success: false` becomes ProjectXError(code, message, endpoint).
Tokens and the API key never appear in an exception or a log line.

Thread-safety: one ProjectXRest per thread (its connection pool is not shared). HTTP goes
through shared/projectx/transport.py (urllib3, with error types of the same kinds as requests').
"""
from __future__ import annotations

import base64
import json
import logging
import os
import ssl
import time
from decimal import Decimal
from typing import Any, Callable, Iterable, Optional

import attrs
import tenacity

from shared.clock import NS_PER_S, SYSTEM_CLOCK, Clock, from_ns
from shared.projectx.errors import (AuthError, BrokerUnavailable, ProjectXError,
                                    RateBudgetExhausted, RetryableStatus, TlsError)
from shared.projectx.models import (Account, Bar, Contract, Order, Position, Trade, loads,
                                    parse_list)
from shared.projectx.ratebudget import RateBudget
from shared.projectx import transport as http
from shared.projectx.transport import Answer, Transport

log = logging.getLogger(__name__)

LOGIN_NO_SUBSCRIPTION = 9
DEFAULT_TOKEN_LIFETIME = 23 * 3600.0     # when the token is not a JWT with `exp`
RENEW_AT_FRACTION = 0.75                 # renew once this much of the lifetime has passed
RETRY_AFTER_MAX = 60.0
MAX_BARS = 20_000                        # History/retrieveBars: bars per request


@attrs.frozen
class OrderPage:
    orders: list[Order]
    total_count: Optional[int]


def iso(ns: int) -> str:
    """UTC ns -> the ISO 8601 form the gateway takes."""
    return from_ns(ns).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _jwt_expiry_s(token: str) -> Optional[float]:
    """The `exp` claim (epoch seconds) of a JWT, or None if the token is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
        exp = claims.get("exp")
        return float(exp) if isinstance(exp, (int, float)) else None
    except (ValueError, TypeError, AttributeError):
        return None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)     # prices have <= 10 digits: repr round-trips exactly
    raise TypeError(f"cannot send {type(value).__name__} to the broker")


def _retry_after(response: Answer) -> Optional[float]:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, min(RETRY_AFTER_MAX, float(value)))
    except ValueError:
        return None


class ProjectXRest:
    """Typed calls to the ProjectX Gateway REST API for one login."""

    def __init__(self, base_url: str, user_name: str, api_key: str, *, timeout: float = 10.0,
                 clock: Clock = SYSTEM_CLOCK, budget: RateBudget | None = None,
                 attempts: int = 4, backoff_base: float = 0.5, backoff_max: float = 8.0,
                 budget_wait: float = 5.0, sleep: Callable[[float], None] = time.sleep,
                 ca_bundle: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.user_name = user_name
        self._api_key = api_key
        self.timeout = timeout
        self.clock = clock
        self.budget = budget or RateBudget(clock=clock)
        self.attempts = max(1, attempts)
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.budget_wait = budget_wait
        self._sleep = sleep
        # never False: the configured bundle, else the environment's or certifi's (transport.py)
        self.verify: str | bool = check_ca_bundle(ca_bundle) or True
        self.transport = Transport(self.base_url, self.verify)
        self._token: Optional[str] = None
        self._renew_at_ns = 0
        self.calls = 0            # HTTP requests sent (for tests and status)
        self.logins = 0
        self.renewals = 0

    def __repr__(self) -> str:
        return f"ProjectXRest({self.base_url!r}, user={self.user_name!r})"

    # -- tokens ---------------------------------------------------------------------
    @property
    def token(self) -> Optional[str]:
        """The current session token (for the hubs' query string). Never log it."""
        return self._token

    def _set_token(self, token: str) -> None:
        now_ns = self.clock.now_ns()
        exp = _jwt_expiry_s(token)
        lifetime = DEFAULT_TOKEN_LIFETIME if exp is None else max(0.0, exp - now_ns / NS_PER_S)
        self._token = token
        self._renew_at_ns = now_ns + int(lifetime * RENEW_AT_FRACTION * NS_PER_S)

    def login(self) -> str:
        """POST /api/Auth/loginKey; returns the token (also kept for later calls)."""
        endpoint = "/api/Auth/loginKey"
        try:
            answer = self._call(endpoint, {"userName": self.user_name, "apiKey": self._api_key},
                                auth=False)
        except ProjectXError as exc:
            if exc.code == LOGIN_NO_SUBSCRIPTION:
                raise AuthError(exc.code, f"the user {self.user_name!r} has no API subscription "
                                "(ProjectX API access must be bought for this login)",
                                endpoint) from None
            raise AuthError(exc.code, exc.message or "login refused", endpoint) from None
        token = answer.get("token")
        if not isinstance(token, str) or not token:
            raise AuthError(-1, "the login answer carries no token", endpoint)
        self.logins += 1
        self._set_token(token)
        return token

    def validate(self) -> str:
        """POST /api/Auth/validate: renew the token; an expired one means logging in again."""
        try:
            answer = self._call("/api/Auth/validate", {}, relogin=False, renew=False)
        except ProjectXError:
            log.info("token renewal refused; logging in again")
            return self.login()
        token = answer.get("newToken") or self._token
        self.renewals += 1
        self._set_token(token)
        return token

    def ensure_token(self) -> str:
        """A valid token: log in if there is none, renew it once it is due."""
        if self._token is None:
            return self.login()
        if self.clock.now_ns() >= self._renew_at_ns:
            return self.validate()
        return self._token

    def replace_token(self, refused: Optional[str]) -> str:
        """A token in place of `refused`, one the broker answered with HTTP 401 (a hub's
        handshake): log in again, unless the token held now is already a newer one (another
        hub, or a REST call's own 401, logged in since). Raises AuthError when the broker
        refuses the login itself (user name, API key), BrokerUnavailable when it is down."""
        if self._token is None or self._token == refused:
            self._token = None
            return self.login()
        return self._token

    # -- the transport ----------------------------------------------------------------
    def _wait(self, state: tenacity.RetryCallState, before: int = 0) -> float:
        """The wait after a failed attempt; `before`: attempts made before this Retrying."""
        exc = state.outcome.exception() if state.outcome else None
        return self._backoff(exc, before + state.attempt_number)

    def _backoff(self, exc: Optional[BaseException], attempt: int) -> float:
        """The wait after failed attempt number `attempt` (from 1) that raised `exc`."""
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            return exc.retry_after
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))

    def _call(self, endpoint: str, body: dict, *, auth: bool = True, idempotent: bool = True,
              relogin: bool = True, renew: bool = True) -> dict:
        """POST with bounded retries; the decoded answer (success checked)."""
        if auth and (renew or self._token is None):
            self.ensure_token()
        if idempotent:
            retry_on = (http.Timeout, http.ConnectionError, RetryableStatus)
        else:   # only failures where the broker cannot have acted
            retry_on = (http.ConnectTimeout,)

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, http.SSLError):
                return False                  # a certificate does not get better by retrying
            if isinstance(exc, RetryableStatus) and exc.status == 429:
                return True
            return isinstance(exc, retry_on)

        # the first attempt without tenacity (its Retrying and its rounds of actions cost
        # more Python than the attempt's own before the request leaves: round 18,
        # docs/performance.md); a retryable failure waits as tenacity would have, and
        # tenacity runs the attempts left, numbered on from the first
        retrying = None
        try:
            try:
                return self._attempt(endpoint, body, auth, relogin)
            except Exception as exc:
                if self.attempts <= 1 or not retryable(exc):
                    raise
                self._sleep(self._backoff(exc, 1))
            retrying = tenacity.Retrying(
                stop=tenacity.stop_after_attempt(self.attempts - 1),
                wait=lambda state: self._wait(state, 1),
                retry=tenacity.retry_if_exception(retryable), sleep=self._sleep, reraise=True)
            answer = retrying(self._attempt, endpoint, body, auth, relogin)
        except http.SSLError as exc:
            raise TlsError(endpoint, self.base_url, ssl_reason(exc)) from None
        except (http.TransportError, RetryableStatus) as exc:
            attempts = 1 + (retrying.statistics.get("attempt_number", 1) if retrying else 0)
            raise BrokerUnavailable(endpoint, attempts, _describe(exc),
                                    exc.status if isinstance(exc, RetryableStatus) else None
                                    ) from None
        return answer

    def _attempt(self, endpoint: str, body: dict, auth: bool, relogin: bool) -> dict:
        response = self._post(endpoint, body, auth)
        if response.status_code == 401 and auth and relogin:
            log.info("%s: token refused (HTTP 401); logging in again", endpoint)
            self.login()
            response = self._post(endpoint, body, auth)
        if response.status_code == 429:
            retry_after = _retry_after(response)
            self.budget.pause(retry_after if retry_after is not None else self.backoff_base)
            raise RetryableStatus(endpoint, 429, retry_after)
        if response.status_code >= 500:
            raise RetryableStatus(endpoint, response.status_code, _retry_after(response))
        if response.status_code == 401:
            raise AuthError(401, "the broker refused the session token", endpoint)
        if response.status_code >= 400:
            raise ProjectXError(response.status_code, f"HTTP {response.status_code}", endpoint)
        try:
            answer = loads(response.content) if response.content else {}
        except ValueError:
            raise ProjectXError(-1, f"the answer is not JSON ({len(response.content)} bytes)",
                                endpoint) from None
        if not isinstance(answer, dict):
            raise ProjectXError(-1, f"expected a JSON object, got {type(answer).__name__}",
                                endpoint)
        if answer.get("success") is False:
            code = answer.get("errorCode")
            message = answer.get("errorMessage") or ""
            if auth and relogin and _is_expired_token(code, message):
                self.login()
                return self._attempt(endpoint, body, auth, relogin=False)
            raise ProjectXError(code if isinstance(code, int) else -1, message, endpoint)
        return answer

    def _post(self, endpoint: str, body: dict, auth: bool) -> Answer:
        waited = 0.0
        while not self.budget.try_take():
            wait = self.budget.wait_time()
            if waited + wait > self.budget_wait:
                raise RateBudgetExhausted(endpoint, wait)
            self._sleep(wait)
            waited += wait
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self._token}"
        self.calls += 1
        return self.transport.request(
            "POST", self.base_url + endpoint, headers=headers, timeout=self.timeout,
            body=json.dumps(body, default=_json_default).encode("utf-8"))

    # -- typed endpoints ----------------------------------------------------------------
    def search_accounts(self, only_active: bool = True) -> list[Account]:
        answer = self._call("/api/Account/search", {"onlyActiveAccounts": only_active})
        return parse_list(answer.get("accounts"), Account.parse, "accounts")

    def contract_by_id(self, contract_id: str) -> Contract:
        endpoint = "/api/Contract/searchById"
        answer = self._call(endpoint, {"contractId": contract_id})
        one = answer.get("contract")
        if one is None:
            many = parse_list(answer.get("contracts"), Contract.parse, "contracts")
            match = [c for c in many if c.id == contract_id] or many
            if not match:
                raise ProjectXError(-1, f"no contract {contract_id!r}", endpoint)
            return match[0]
        return Contract.parse(one)

    def search_contracts(self, text: str, live: bool = False) -> list[Contract]:
        answer = self._call("/api/Contract/search", {"searchText": text, "live": live})
        return parse_list(answer.get("contracts"), Contract.parse, "contracts")

    def available_contracts(self, live: bool = False) -> list[Contract]:
        """Contract/available: the contracts trading now (each product's active month)."""
        answer = self._call("/api/Contract/available", {"live": live})
        return parse_list(answer.get("contracts"), Contract.parse, "contracts")

    def retrieve_bars(self, contract_id: str, start_ns: int, end_ns: int, unit: int,
                      unit_number: int = 1, limit: int = MAX_BARS,
                      include_partial_bar: bool = False, live: bool = False) -> list[Bar]:
        """History/retrieveBars: bars starting in [start, end), oldest first (the gateway
        answers newest first). unit: BarUnit (1 second .. 6 month); at most 20,000 bars a
        request, and the endpoint has its own rate limit (50 per 30 s on ProjectX)."""
        if not 1 <= limit <= MAX_BARS:
            raise ValueError(f"expected a limit from 1 to {MAX_BARS}, got {limit}")
        answer = self._call("/api/History/retrieveBars", {
            "contractId": contract_id, "live": live, "startTime": iso(start_ns),
            "endTime": iso(end_ns), "unit": int(unit), "unitNumber": unit_number,
            "limit": limit, "includePartialBar": include_partial_bar})
        bars = parse_list(answer.get("bars"), Bar.parse, "bars")
        return sorted(bars, key=lambda b: b.ts_ns)

    def order_by_id(self, account_id: int, order_id: int) -> Order:
        """Order/searchById: one order whatever its status (ProjectXError 1 if not found)."""
        endpoint = "/api/Order/searchById"
        answer = self._call(endpoint, {"accountId": account_id, "orderId": order_id})
        one = answer.get("order")
        if one is None:
            raise ProjectXError(1, f"order {order_id} not found", endpoint)
        return Order.parse(one)

    def logout(self) -> None:
        """Auth/logout: the session token stops working; the next call logs in again."""
        if self._token is not None:
            self._call("/api/Auth/logout", {}, relogin=False, renew=False)
            self._token = None

    def ping(self) -> bool:
        """GET /api/Status/ping (no token): True when the gateway answers `pong`."""
        try:
            response = self.transport.request("GET", self.base_url + "/api/Status/ping",
                                              timeout=self.timeout)
        except http.TransportError:
            return False
        return response.status_code == 200 and response.text.strip().strip('"') == "pong"

    def open_positions(self, account_id: int) -> list[Position]:
        answer = self._call("/api/Position/searchOpen", {"accountId": account_id})
        return parse_list(answer.get("positions"), Position.parse, "positions")

    def close_contract(self, account_id: int, contract_id: str) -> None:
        # not retried after the broker may have acted (a 500 or a timeout can hide a close
        # that worked): the caller re-reads the position and closes only what is still open
        self._call("/api/Position/closeContract",
                   {"accountId": account_id, "contractId": contract_id}, idempotent=False)

    def partial_close_contract(self, account_id: int, contract_id: str, size: int) -> None:
        self._call("/api/Position/partialCloseContract",
                   {"accountId": account_id, "contractId": contract_id, "size": size},
                   idempotent=False)

    def open_orders(self, account_id: int) -> list[Order]:
        answer = self._call("/api/Order/searchOpen", {"accountId": account_id})
        return parse_list(answer.get("orders"), Order.parse, "orders")

    def query_orders(self, account_id: int, statuses: Iterable[int] | None = None,
                     contract_id: str | None = None, created_after_ns: int | None = None,
                     created_before_ns: int | None = None, page_size: int = 500,
                     page_offset: int = 0, sort_by: str = "id",
                     sort_direction: str = "asc") -> OrderPage:
        """Order v2 query: the only way to see suspended (8) bracket children."""
        filt: dict[str, Any] = {"accountId": account_id}
        if statuses is not None:
            filt["statuses"] = [int(s) for s in statuses]
        if contract_id is not None:
            filt["contractId"] = contract_id
        if created_after_ns is not None:
            filt["createdAfter"] = iso(created_after_ns)
        if created_before_ns is not None:
            filt["createdBefore"] = iso(created_before_ns)
        answer = self._call("/api/Order/v2/query", {
            "filter": filt, "pageSize": page_size, "pageOffset": page_offset,
            "sortBy": sort_by, "sortDirection": sort_direction, "includeTotalCount": True})
        total = answer.get("totalCount")
        return OrderPage(parse_list(answer.get("orders"), Order.parse, "orders"),
                         total if isinstance(total, int) else None)

    def search_orders(self, account_id: int, start_ns: int,
                      end_ns: int | None = None) -> list[Order]:
        body: dict[str, Any] = {"accountId": account_id, "startTimestamp": iso(start_ns)}
        if end_ns is not None:
            body["endTimestamp"] = iso(end_ns)
        answer = self._call("/api/Order/search", body)
        return parse_list(answer.get("orders"), Order.parse, "orders")

    def place_order(self, account_id: int, contract_id: str, type: int, side: int, size: int, *,
                    limit_price: Decimal | None = None, stop_price: Decimal | None = None,
                    trail_price: Decimal | None = None, custom_tag: str | None = None,
                    stop_loss_bracket: dict | None = None,
                    take_profit_bracket: dict | None = None) -> int:
        """POST /api/Order/place; the new order's id. Not retried once it may have arrived."""
        endpoint = "/api/Order/place"
        answer = self._call(endpoint, {
            "accountId": account_id, "contractId": contract_id, "type": int(type),
            "side": int(side), "size": size, "limitPrice": limit_price, "stopPrice": stop_price,
            "trailPrice": trail_price, "customTag": custom_tag,
            "stopLossBracket": stop_loss_bracket, "takeProfitBracket": take_profit_bracket},
            idempotent=False)
        order_id = answer.get("orderId")
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise ProjectXError(-1, f"expected an orderId, got {order_id!r}", endpoint)
        return order_id

    def cancel_order(self, account_id: int, order_id: int) -> None:
        self._call("/api/Order/cancel", {"accountId": account_id, "orderId": order_id})

    def modify_order(self, account_id: int, order_id: int, *, size: int | None = None,
                     limit_price: Decimal | None = None, stop_price: Decimal | None = None,
                     trail_price: Decimal | None = None) -> None:
        self._call("/api/Order/modify", {
            "accountId": account_id, "orderId": order_id, "size": size,
            "limitPrice": limit_price, "stopPrice": stop_price, "trailPrice": trail_price})

    def search_trades(self, account_id: int, start_ns: int,
                      end_ns: int | None = None) -> list[Trade]:
        body: dict[str, Any] = {"accountId": account_id, "startTimestamp": iso(start_ns)}
        if end_ns is not None:
            body["endTimestamp"] = iso(end_ns)
        answer = self._call("/api/Trade/search", body)
        return parse_list(answer.get("trades"), Trade.parse, "trades")

    def close(self) -> None:
        self.transport.close()


def check_ca_bundle(path: str | None) -> str | None:
    """A configured CA bundle must be a readable file: a clear error, not a silent default."""
    if not path:
        return None
    if not os.path.isfile(path):
        raise ValueError(f"broker.ca_bundle {path!r} is not a file: expected the PEM file of "
                         f"the CA(s) to trust (docs/simbroker.md, 'TLS')")
    return path


def ssl_reason(exc: BaseException) -> str:
    """The innermost certificate error's text ('certificate verify failed: ...')."""
    seen = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return getattr(seen, "verify_message", None) or seen.reason or str(seen)
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(
            seen.args[0], BaseException) else None)
    return str(exc).split("(Caused by")[-1].strip(" )") or type(exc).__name__


def _is_expired_token(_code: Any, message: str) -> bool:
    return "expiredtoken" in str(message).replace(" ", "").lower()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, http.Timeout):
        return "timed out"
    if isinstance(exc, http.ConnectionError):
        return "connection failed"
    return str(exc)
