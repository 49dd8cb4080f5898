"""The ProjectX realtime hubs over signalrcore: connections, subscriptions, payload unwrapping.

signalrcore runs each connection on its own threads, so a HubClient turns
everything it sees into small signal objects handed to a thread-safe `sink`
(the owner's inbox): HubOpened, HubClosed, HubEvent, HubAck, HubFailed, each tagged
with the connection's generation so the owner ignores stale connections.

Rules of the gateway this module follows:
- websockets only, the token in the query string; negotiation skipped by
  default (TopstepX accepts that; `negotiate=True` does POST <hub>/negotiate first);
- a handler is registered for every event name before anything is
  subscribed (SignalR clients drop events without a handler, silently);
- every connect builds a fresh connection carrying the newest token, and the
  owner subscribes exactly once on each HubOpened (signalrcore's own
  automatic reconnect is not used: it would reconnect with the old token and
  never tell us to re-subscribe);
- JSON numbers with a fraction are parsed as Decimal (a quote's via its float's shortest
  repr, the same number for every price: DecimalJsonHubProtocol);
- the client sends a SignalR ping ({"type":6}) on each open connection every
  keepalive interval: a server drops a client silent for its ClientTimeoutInterval
  (30 s by default), and signalrcore pings only when its automatic reconnect is on.
  A ping that cannot be sent ends that connection (HubClosed), like any lost socket;
- a connect the broker answers with HTTP 401 (handshake or negotiate) is a HubClosed with
  token_refused set: the token is dead (expired, a login elsewhere, a gateway restart) and
  the owner logs in again rather than retrying it.

Reconnect timing, backoff and deadlines belong to the owner's state machine
(services/market/connection.py); signalrcore callbacks are not guaranteed
for every failure (a refused handshake is silent), hence the owner's deadline.
"""
from __future__ import annotations

import json
import json.scanner
import logging
import re
import socket
import ssl
import threading
import time
import urllib.parse as urlparse
from decimal import Decimal
from typing import Any, Callable, Optional

import attrs

from shared.networds import BROKER_UNREACHABLE
from shared.projectx.errors import tls_message
from shared.projectx.hublib import (HttpTransportType, HubConnectionBuilder, HubError,
                                    JsonHubProtocol, PingMessage, SocketHandshakeError,
                                    UnAuthorizedHubError)
from shared.projectx.models import QuoteUpdate, parse_quote, unwrap
from shared.projectx.rest import check_ca_bundle, ssl_reason

log = logging.getLogger(__name__)

USER_HUB, MARKET_HUB = "user", "market"
EV_ACCOUNT = "GatewayUserAccount"
EV_ORDER = "GatewayUserOrder"
EV_POSITION = "GatewayUserPosition"
EV_TRADE = "GatewayUserTrade"
EV_QUOTE = "GatewayQuote"
USER_EVENTS = (EV_ACCOUNT, EV_ORDER, EV_POSITION, EV_TRADE)
MARKET_EVENTS = (EV_QUOTE, "GatewayTrade", "GatewayDepth")
HUB_EVENTS = {USER_HUB: USER_EVENTS, MARKET_HUB: MARKET_EVENTS}

STOP_JOIN_TIMEOUT = 5.0
KEEPALIVE_INTERVAL = 10.0   # s between our pings on a hub (the server's timeout is 30 s)

logging.getLogger("SignalRCoreClient").setLevel(logging.WARNING)


# -- signals handed to the owner ------------------------------------------------------
@attrs.frozen
class HubOpened:
    hub: str
    gen: int


@attrs.frozen
class HubClosed:
    """The connection ended or never opened. token_refused: the broker answered the handshake
    (or the negotiate) with HTTP 401, i.e. it no longer accepts this session token (expired,
    logged in elsewhere, the gateway restarted): a fresh login helps, waiting does not."""
    hub: str
    gen: int
    reason: str
    token_refused: bool = False


@attrs.frozen
class HubFailed:
    """A hub method we invoked failed (e.g. a subscription the server refused)."""
    hub: str
    gen: int
    reason: str


@attrs.frozen
class HubAck:
    """The server completed an invocation of ours (e.g. a subscription is in place)."""
    hub: str
    gen: int
    method: str


@attrs.frozen
class HubEvent:
    hub: str
    gen: int
    name: str
    args: list


# -- subscriptions ------------------------------------------------------------------------
def user_subscriptions(account_ids) -> list[tuple[str, list]]:
    """SubscribeAccounts takes no argument; the rest are per account id (an integer)."""
    calls: list[tuple[str, list]] = [("SubscribeAccounts", [])]
    for account_id in account_ids:
        for method in ("SubscribeOrders", "SubscribePositions", "SubscribeTrades"):
            calls.append((method, [int(account_id)]))
    return calls


def quote_subscription(contract_id: str, subscribe: bool = True) -> tuple[str, list]:
    return ("SubscribeContractQuotes" if subscribe else "UnsubscribeContractQuotes",
            [contract_id])


# -- payloads -------------------------------------------------------------------------------
def user_payloads(args: list) -> list[dict]:
    """The entity payloads of a user-hub event, wrapped or bare, single or many."""
    return unwrap(list(args or []))


def market_payloads(args: list) -> tuple[Optional[str], list[dict]]:
    """(contractId, payloads) of a market-hub event `(contractId, data)`; data may be wrapped."""
    args = list(args or [])
    if len(args) >= 2 and isinstance(args[0], str):
        return args[0], unwrap(args[1])
    payloads = unwrap(args)
    cid = next((p.get("contractId") for p in payloads if isinstance(p.get("contractId"), str)),
               None)
    return cid, payloads


class QuoteBook:
    """Sparse quotes merged per contract: a field missing from an update keeps its last value,
    and a price never seen stays None (never 0). Not thread-safe: one owner."""

    def __init__(self) -> None:
        self._quotes: dict[str, QuoteUpdate] = {}

    def apply(self, contract_id: str, payload: dict) -> QuoteUpdate:
        update = parse_quote(contract_id, payload)
        old = self._quotes.get(contract_id)
        merged = update if old is None else old.merged(update)
        self._quotes[contract_id] = merged
        return merged

    def get(self, contract_id: str) -> Optional[QuoteUpdate]:
        return self._quotes.get(contract_id)

    def forget(self, contract_id: str) -> None:
        self._quotes.pop(contract_id, None)

    def all(self) -> list[QuoteUpdate]:
        return list(self._quotes.values())


# -- the connection -----------------------------------------------------------------------
class DecimalJsonHubProtocol(JsonHubProtocol):
    """signalrcore's JSON protocol with Decimal for every number that has a fraction.

    `direct` ({target: handler(batch)}) is the quote storm's short cut: the invocations of
    such a target (GatewayQuote on the market hub, 20,000 a second in a fast market) are read
    with float numbers, the whole frame in one `json.loads`, and handed to their handler once
    per frame as a list of their `arguments`, before signalrcore sees the rest of the frame,
    without signalrcore's message objects and dispatch: the thread whose GIL a fill on the
    other hub waits for. Their prices become Decimal from their shortest repr when the quote is
    read (services/market/quotes.py), which is the JSON text for every number of up to 15
    significant digits (every price). Anything else is read again with Decimal and goes
    through signalrcore as before. With a short cut, a record that is not JSON (or not a JSON
    object) is logged and dropped; the frame's other records are kept (signalrcore would end
    the connection).
    """

    def __init__(self, direct: Optional[dict[str, Callable[[list], None]]] = None):
        super().__init__()
        self.direct = direct or {}

    def parse_messages(self, raw):
        if not self.direct:
            result = []
            for record in raw.split(self.record_separator):
                if record:
                    message = _loads_decimal(record)
                    if message:
                        result.append(self.get_message(message))
            return result
        records = [r for r in raw.split(self.record_separator) if r]
        text = "[" + ",".join(records) + "]"
        try:
            messages, end = _scan(text, 0)          # json.loads(text) without its layers
        except (ValueError, StopIteration):
            messages = None
        else:
            if end != len(text):
                messages = None
        if messages is None or len(messages) != len(records):   # e.g. a record '{..},{..}'
            messages = [_loads_or_none(r) for r in records]
        direct, batches, result = self.direct, {}, []
        for record, message in zip(records, messages):
            if type(message) is dict and message.get("type") == 1:
                target = message.get("target")
                if target in direct:
                    batch = batches.get(target)
                    if batch is None:
                        batch = batches[target] = []
                    batch.append(message.get("arguments") or [])
                    continue
            if type(message) is dict:
                if message:
                    result.append(self.get_message(_loads_decimal(record)))
            elif message is not None:
                log.warning("hub: dropped a record that is not a SignalR message: %.200r",
                            record)
        for target, batch in batches.items():
            direct[target](batch)
        return result


_scan = json.scanner.make_scanner(json.JSONDecoder())     # floats; strict, like json.loads
_DECIMAL = json.JSONDecoder(parse_float=Decimal)


def _loads_decimal(record: str) -> Any:
    """json.loads(record, parse_float=Decimal) without a new JSONDecoder for every record (five
    a fill's frame: docs/performance.md round 22); its answer and its errors are json.loads's."""
    if record.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", record, 0)
    return _DECIMAL.decode(record)


def _loads_or_none(record: str) -> Any:
    try:
        return json.loads(record)
    except ValueError as exc:
        log.warning("hub: dropped a record that is not JSON (%s): %.200r", exc, record)
        return None


def hub_url_with_token(url: str, token: str) -> str:
    """<hub>?access_token=<token> (keeps any query the configured URL already has)."""
    parts = urlparse.urlsplit(url)
    query = urlparse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k != "access_token"] + [("access_token", token)]
    return urlparse.urlunsplit(parts._replace(query=urlparse.urlencode(query)))


def _shutdown_socket(conn: Any) -> None:
    """Wake signalrcore's blocked recv thread: close() alone does not on Linux, shutdown() does.
    signalrcore has no public handle to its socket, hence the guarded attribute walk."""
    sock = getattr(getattr(getattr(conn, "transport", None), "_client", None), "sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class HubClient:
    """One hub (user or market): connect with a token, invoke, stop; signals go to `sink`."""

    def __init__(self, hub: str, url: str, sink: Callable[[Any], None], *,
                 events: tuple[str, ...] | None = None, ca_bundle: str | None = None,
                 keepalive: float = KEEPALIVE_INTERVAL, negotiate: bool = False,
                 quotes: Optional[Callable[[list], None]] = None):
        """`quotes`: where a frame's GatewayQuote `arguments` go at once, as a list (the
        market worker's Inbox.put_quotes); without it each quote is a HubEvent to `sink`."""
        self.hub, self.url, self.sink = hub, url, sink
        self.quotes = quotes
        self.events = events if events is not None else HUB_EVENTS[hub]
        self.ca_bundle = check_ca_bundle(ca_bundle)     # verification is never switched off
        self.keepalive = keepalive
        self.negotiate = negotiate
        self.secure = urlparse.urlsplit(url).scheme in ("wss", "https")
        self._plain_tls: Optional[ssl.SSLContext] = None
        # quotes skip signalrcore's objects (DecimalJsonHubProtocol): the market hub's storm
        self.direct = (EV_QUOTE,) if EV_QUOTE in self.events else ()
        self.gen = 0
        self._conn = None
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()   # the pinger thread and invoke share the socket
        self._ended: set[int] = set()

    def _tls_context(self) -> ssl.SSLContext:
        """What signalrcore wraps a wss:// (https://) hub's socket in: a verifying context with
        the CA bundle (made at each connect, so a renewed bundle counts). A ws:// hub (the sim
        without TLS) never wraps its socket, and gets one context that loads no certificate:
        loading every CA certificate of the system, each connect, cost market ~0.8 MB a hub
        (docs/performance.md, "Memory")."""
        if self.secure:
            return ssl.create_default_context(cafile=self.ca_bundle)
        if self._plain_tls is None:
            self._plain_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return self._plain_tls

    def connect(self, token: str) -> int:
        """Drop any current connection and start a new one in a thread; returns its generation.
        HubOpened (or HubClosed) for that generation follows through the sink."""
        with self._lock:
            self.gen += 1
            gen = self.gen
            old, self._conn = self._conn, None
        if old is not None:
            self._stop_in_background(old)
        conn = (HubConnectionBuilder()
                .with_url(hub_url_with_token(self.url, token), options={
                    "skip_negotiation": not self.negotiate,
                    "transport": HttpTransportType.web_sockets,
                    "ssl_context": self._tls_context()})
                .with_hub_protocol(self.protocol(gen))
                .build())
        for name in self.events:    # every event has a handler before anything is subscribed
            conn.on(name, self._handler(gen, name))
        conn.on_open(lambda: self._opened(conn, gen))
        conn.on_close(lambda: self._closed(gen, "the connection closed"))
        conn.on_error(lambda msg: self._emit(HubFailed(
            self.hub, gen, str(getattr(msg, "error", msg)))))
        with self._lock:
            self._conn = conn
        threading.Thread(target=self._start, args=(conn, gen), daemon=True,
                         name=f"hub-{self.hub}-connect-{gen}").start()
        return gen

    def protocol(self, gen: int) -> "DecimalJsonHubProtocol":
        """The hub protocol of connection `gen`: its quote short cut hands each frame's quotes
        to `quotes` at once, or (without it) each quote as a HubEvent to the sink."""
        if self.quotes is not None:
            return DecimalJsonHubProtocol(direct={name: self.quotes for name in self.direct})
        return DecimalJsonHubProtocol(direct={name: self._batch_handler(gen, name)
                                              for name in self.direct})

    def _batch_handler(self, gen: int, name: str) -> Callable[[list], None]:
        on_event = self._handler(gen, name)

        def on_batch(batch: list) -> None:
            for args in batch:
                on_event(args)
        return on_batch

    def _handler(self, gen: int, name: str) -> Callable[[list], None]:
        hub, sink = self.hub, self.sink

        def on_event(args: list) -> None:
            sink(HubEvent(hub, gen, name, args))
        return on_event

    def _emit(self, signal: Any) -> None:
        try:
            self.sink(signal)
        except Exception:
            log.exception("%s hub: the sink refused %s", self.hub, type(signal).__name__)

    def _opened(self, conn: Any, gen: int) -> None:
        self._emit(HubOpened(self.hub, gen))
        threading.Thread(target=self._ping_loop, args=(conn, gen), daemon=True,
                         name=f"hub-{self.hub}-ping-{gen}").start()

    def _ping_loop(self, conn: Any, gen: int) -> None:
        """Ping every `keepalive` seconds while conn is the current, unclosed connection.
        On its own thread, never the owner's loop; _send_lock keeps a ping and an invoke
        from interleaving their frames on the socket."""
        while True:
            time.sleep(self.keepalive)
            with self._lock:
                if self._conn is not conn or gen in self._ended:
                    return
            try:
                with self._send_lock:
                    conn.transport.send(PingMessage())
            except Exception as exc:   # signalrcore raises ValueError for a closed socket
                self._closed(gen, f"ping failed: {_describe(exc)}")
                return

    def _closed(self, gen: int, reason: str, token_refused: bool = False) -> None:
        with self._lock:
            if gen in self._ended:
                return
            self._ended.add(gen)
        self._emit(HubClosed(self.hub, gen, reason, token_refused))

    def _start(self, conn: Any, gen: int) -> None:
        try:
            conn.start()
        except Exception as exc:   # refused, unreachable, bad handshake: all become HubClosed
            self._closed(gen, f"cannot connect: {_describe(exc, self.url)}",
                         token_refused=token_refused(exc))

    def invoke(self, gen: int, method: str, args: list) -> bool:
        """Invoke a hub method on connection `gen`; False (and a HubFailed) if it cannot."""
        with self._lock:
            conn = self._conn if gen == self.gen else None
        if conn is None:
            return False
        try:
            with self._send_lock:
                conn.invoke(method, args, on_invocation=lambda _completion: self._emit(
                    HubAck(self.hub, gen, method)))
            return True
        except Exception as exc:
            self._emit(HubFailed(self.hub, gen, f"{method} failed: {_describe(exc)}"))
            return False

    def drop(self, gen: int | None = None) -> None:
        """Close the current connection (or only `gen` if it is still the current one)."""
        with self._lock:
            if gen is not None and gen != self.gen:
                return
            conn, self._conn = self._conn, None
            self.gen += 1    # anything the old connection still says is stale now
        if conn is not None:
            self._stop_in_background(conn)

    def _stop_in_background(self, conn: Any) -> threading.Event:
        """Stop conn on a helper thread (signalrcore's stop joins its threads without a
        deadline); the returned event is set once it has stopped."""
        done = threading.Event()

        def stop() -> None:
            _shutdown_socket(conn)
            try:
                conn.stop()
            except Exception as exc:
                log.debug("%s hub: stop failed: %s", self.hub, exc)
            done.set()
        threading.Thread(target=stop, daemon=True, name=f"hub-{self.hub}-stop").start()
        return done

    def close(self, timeout: float = STOP_JOIN_TIMEOUT) -> None:
        """Stop for good (used at shutdown); waits at most `timeout` seconds."""
        with self._lock:
            conn, self._conn = self._conn, None
            self.gen += 1
        if conn is not None:
            self._stop_in_background(conn).wait(timeout)


_HANDSHAKE_401 = re.compile(r"^\s*(?:Handshake failed:\s*)?HTTP/\d(?:\.\d)?\s+401\b")


def _host_port(url: str) -> str:
    """'127.0.0.1:47231' of 'http://127.0.0.1:47231/hubs/user?x=y' (the url itself otherwise):
    both hubs of one broker then say the same words."""
    netloc = urlparse.urlsplit(url).netloc
    return netloc.rpartition("@")[2] if netloc else url.split("?")[0]


def token_refused(exc: BaseException) -> bool:
    """True when a failed connect means the broker refused the session token: HTTP 401 on the
    websocket handshake (signalrcore: SocketHandshakeError 'Handshake failed: HTTP/1.1 401
    Unauthorized') or on the negotiate (UnAuthorizedHubError, or HubError(401))."""
    if isinstance(exc, UnAuthorizedHubError):
        return True
    if isinstance(exc, HubError) and exc.args and str(exc.args[0]) == "401":
        return True
    if isinstance(exc, SocketHandshakeError):
        return bool(_HANDSHAKE_401.match(str(exc)))
    return False


def _describe(exc: BaseException, url: str = "the hub") -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return tls_message(url.split("?")[0], ssl_reason(exc))
    if isinstance(exc, ConnectionRefusedError) or "Connection refused" in str(exc):
        # in words, not "ConnectionRefusedError: [Errno 111] Connection refused" (trial19b
        # section 10: that was the NOT GUARDED reason on every screen while the sim was stopped)
        return (f"{BROKER_UNREACHABLE} at {_host_port(url)} (connection refused: nothing "
                f"listens there)")
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split("access_token=")[0]       # never echo the token from a URL
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
