"""The sim's realtime hubs, /hubs/user and /hubs/market: SignalR JSON over websockets.

An asyncio websockets server in its own thread, on [broker.sim] hub_port.
A client may negotiate first (POST <hub>/negotiate, the token in the query or
an Authorization header, then the websocket with ?id=; see negotiate.py) or
skip negotiation; either way the websocket needs the token, as `?access_token=`
or an Authorization header (401 without a valid one; 503 while /sim/disconnect holds the hubs down). Per connection: the handshake, then invocations answered
with a completion when they carry an invocationId, a SignalR ping every
ping_interval, a close when the client stays silent for client_timeout or
its token expires (what the real gateway does around the 24 h mark).

Market hub topics: quotes (GatewayQuote, the full quote on subscribing), trades
(GatewayTrade prints) and depth (GatewayDepth; a reset and the whole book on
subscribing); unsubscribing stops them.

Other threads publish through publish_user / publish_quote / publish_market: items go into a
deque and one wake-up per batch hands them to the loop, which routes each to
the subscribed connections; a writer task per connection sends every record
queued so far in ONE websocket frame. Subscribing twice doubles the events
(like the real gateway). Quirks switched on through /sim/quirks (or at
start by [broker.sim] event_order and duplicate_fills) reproduce what the
real gateway does at its worst: trade events twice, a position before the
trade that made it, each fill's events in a seeded random order or twice
(services/simbroker/ordering.py), quotes that stop while the socket stays up.
Websocket-level pings are off: SignalR clients such
as signalrcore do not answer them.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import random
import threading
import time
from typing import Any, Iterable, Optional
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from services.simbroker import ordering, signalr
from services.simbroker.entities import Event
from services.simbroker.negotiate import NO_CONNECTION, Negotiations, negotiate_version
from services.simbroker.tokens import bearer
from shared.clock import NS_PER_S
from shared.porttaken import BindFailed

log = logging.getLogger(__name__)

MAX_BATCH_RECORDS = 500
MAX_BATCH_CHARS = 256 * 1024
MAX_PENDING = 200_000          # records queued for one connection before it is dropped

USER_TOPICS = {"GatewayUserAccount": "accounts", "GatewayUserOrder": "orders",
               "GatewayUserPosition": "positions", "GatewayUserTrade": "trades"}
USER_METHODS = {"SubscribeOrders": "orders", "SubscribePositions": "positions",
                "SubscribeTrades": "trades"}
HUB_PATHS = {"/hubs/user": "user", "/hubs/market": "market"}
MARKET_METHODS = {"SubscribeContractQuotes": "quotes", "SubscribeContractTrades": "trades",
                  "SubscribeContractMarketDepth": "depth"}
MARKET_EVENTS = {"trades": "GatewayTrade", "depth": "GatewayDepth"}


def _arg_error(method: str, given: int, expected: int) -> str:
    return (f"Failed to invoke '{method}' due to an error on the server. InvalidDataException: "
            f"Invocation provides {given} argument(s) but target expects {expected}.")


def _binding_error(method: str) -> str:
    return (f"Failed to invoke '{method}' due to an error on the server. InvalidDataException: "
            f"Error binding arguments. Make sure that the types of the provided values match "
            f"the types of the hub method being invoked.")


class Connection:
    """One hub client: its subscriptions (a multiset), outgoing records and timers."""

    _ids = itertools.count(1)

    def __init__(self, ws: ServerConnection, hub: str, token_expires_ns: int):
        self.id = next(self._ids)
        self.ws = ws
        self.hub = hub
        self.token_expires_ns = token_expires_ns
        self.subs: collections.Counter = collections.Counter()
        self.out: collections.deque = collections.deque()
        self.wake = asyncio.Event()
        self.last_recv = time.monotonic()
        self.closing = False

    def push(self, text: str, times: int = 1) -> None:
        for _ in range(times):
            self.out.append(text)
        self.wake.set()


class HubServer:
    """The user and market hubs; start() binds and runs them in a daemon thread."""

    def __init__(self, gateway, host: str, port: int, ping_interval: float = 15.0,
                 client_timeout: float = 30.0, wrap_events: bool = True,
                 negotiate_ttl: float = 5.0, ssl_context=None):
        self.gateway = gateway
        self.negotiations = Negotiations(time.monotonic, negotiate_ttl)
        self.negotiated = 0              # websockets opened with a negotiated id
        self.ssl_context = ssl_context   # None: plain ws://; else wss:// (tls.py)
        self.host = host
        self.port = port
        self.ping_interval = ping_interval
        self.client_timeout = client_timeout
        self.wrap_events = wrap_events
        self.conns: set[Connection] = set()
        self._by_topic: dict[tuple, set[Connection]] = collections.defaultdict(set)
        self._inbox: collections.deque = collections.deque()
        self._user_inbox: collections.deque = collections.deque()   # routed before quotes
        self._quote_heads: dict[str, str] = {}
        self._silent_quotes: dict[str, str] = {}    # quotesSilent: the quotes as it began
        self._kicked = False
        self._event_count = 0
        self._down_until = 0.0
        self.quirks = {"duplicateTrades": False, "positionBeforeTrade": False,
                       "randomOrder": False, "duplicateFills": False, "quotesSilent": False}
        self.seed = 0
        self._rng = random.Random(self.seed)         # the random order, reproducible by seed
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._stop: Optional[asyncio.Event] = None
        self._thread: Optional[threading.Thread] = None
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self.sent_records = 0

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._run, name="simbroker-hubs", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise OSError(f"the hub server did not start within {timeout} s")
        if self._error is not None:
            err = self._error
            if not isinstance(err, OSError):
                raise OSError(f"cannot serve the hubs on {self.host}:{self.port}: {err}")
            raise BindFailed(f"{self.host}:{self.port}", err.strerror or str(err), err.errno,
                             setting="[broker.sim] hub_port")

    def stop(self, timeout: float = 5.0) -> None:
        if self._loop is not None and self._stop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # bind errors surface through start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._serve, self.host, self.port, process_request=self._admit,
                         ssl=self.ssl_context,
                         ping_interval=None, compression=None, max_size=2 ** 20,
                         close_timeout=2):
            self._ready.set()
            await self._stop.wait()
            conns = list(self.conns)
            try:              # say goodbye as a deploying gateway would, briefly
                await asyncio.wait_for(asyncio.gather(
                    *(self._close(c, "Server is shutting down") for c in conns)), 1.0)
            except asyncio.TimeoutError:
                pass
            for conn in conns:
                conn.ws.transport.abort()

    # -- publishing (any thread) -------------------------------------------------------------
    def publish_user(self, events: Iterable[Event]) -> None:
        self._user_inbox.append(tuple(events))
        self._kick()

    def publish_quote(self, contract_id: str, payload: str | dict, kick: bool = True) -> None:
        """payload: the GatewayQuote data as JSON text (Market.quote_json) or a dict.
        kick=False: the caller calls kick() later, after releasing the gateway lock (waking
        the loop is a syscall, and a thread that gives up the GIL while holding that lock
        makes every REST call wait for it to get the GIL back)."""
        self._inbox.append(("quote", contract_id, payload))
        if kick:
            self._kick()

    def wants_quotes(self, contract_id: str) -> bool:
        return bool(self._by_topic.get(("quotes", contract_id)))

    def wants(self, topic: str, contract_id: str) -> bool:
        """Is anyone subscribed to this market topic ("trades", "depth") of the contract?"""
        return bool(self._by_topic.get((topic, contract_id)))

    def publish_market(self, topic: str, contract_id: str, data: str, kick: bool = True) -> None:
        """GatewayTrade / GatewayDepth (contractId, data) to the topic's subscribers; data is
        the JSON array already written (the hot path writes it by hand)."""
        self._inbox.append(("market", topic, contract_id, data))
        if kick:
            self._kick()

    def kick(self) -> None:
        """Wake the loop for what was published with kick=False (any thread)."""
        if self._inbox:
            self._kick()

    def _kick(self) -> None:
        if not self._kicked and self._loop is not None:
            self._kicked = True
            try:
                self._loop.call_soon_threadsafe(self._drain)
            except RuntimeError:          # the loop is closed: stopping
                pass

    def _drain(self) -> None:
        self._kicked = False
        if self._user_inbox:
            # user events first, and their writers run before the market data queued ahead of
            # them is encoded (a fill never waits behind a quote storm; the real gateway serves
            # the user hub apart from the market hub)
            while self._user_inbox:
                for event in self._with_quirks(self._user_inbox.popleft()):
                    self._route_user(event)
            if self._inbox:
                self._kick()
            return
        while self._inbox and not self._user_inbox:
            item = self._inbox.popleft()
            if item[0] == "market":
                _kind, topic, cid, data = item
                self._route((topic, cid), signalr.invocation_raw(MARKET_EVENTS[topic], cid, data))
                continue
            _kind, cid, payload = item
            if not self.quirks["quotesSilent"]:
                self._route(("quotes", cid), self._quote_record(cid, payload))

    def _quote_record(self, contract_id: str, payload: str | dict) -> str:
        """The GatewayQuote invocation record: its opening text is made once per contract."""
        if not isinstance(payload, str):
            return signalr.invocation("GatewayQuote", [contract_id, payload])
        head = self._quote_heads.get(contract_id)
        if head is None:
            head = self._quote_heads[contract_id] = signalr.invocation_head("GatewayQuote",
                                                                            contract_id)
        return head + payload + signalr.INVOCATION_END

    def _with_quirks(self, events: tuple) -> list:
        """The misbehaviours of the real gateway that clients must survive, when switched on."""
        q = self.quirks
        order = (ordering.RANDOM if q["randomOrder"] else
                 ordering.POSITION_FIRST if q["positionBeforeTrade"] else ordering.TRADE_FIRST)
        return ordering.arrange(events, order, q["duplicateFills"], q["duplicateTrades"],
                                self._rng)

    def set_quirks(self, seed: Optional[int] = None, **changes: bool) -> dict:
        """Switch quirks on or off (any thread); a seed restarts the random order from it.
        Unknown names raise ValueError."""
        unknown = set(changes) - set(self.quirks)
        if unknown:
            raise ValueError(f"expected quirks from {', '.join(self.quirks)} (and seed), "
                             f"got {sorted(unknown)}")
        if changes.get("quotesSilent") and not self.quirks["quotesSilent"]:
            # the quotes as the silence starts: what a new subscriber gets while it lasts
            self._silent_quotes = {cid: self.gateway.full_quote_json(cid)
                                   for cid in self.gateway.market.specs}
        self.quirks.update(changes)
        if seed is not None:
            self.seed = seed
            self._rng = random.Random(seed)
        return {**self.quirks, "seed": self.seed}

    def _route_user(self, event: Event) -> None:
        topic = USER_TOPICS[event.target]
        key = ("accounts",) if topic == "accounts" else (topic, event.account_id)
        if not self._by_topic.get(key):
            return
        if self.wrap_events:
            self._event_count += 1
            args = signalr.wrap(event.payload, event.action, self._event_count)
        else:
            args = [event.payload]
        self._route(key, signalr.invocation(event.target, args))

    def _route(self, key: tuple, text: str) -> None:
        for conn in list(self._by_topic.get(key, ())):
            conn.push(text, conn.subs[key])
            if len(conn.out) > MAX_PENDING and not conn.closing:
                log.warning("hub connection %d is too slow (%d records queued): dropping it",
                            conn.id, len(conn.out))
                conn.closing = True
                conn.ws.transport.abort()

    # -- control (any thread) ------------------------------------------------------------------
    def disconnect_all(self, mode: str = "close", seconds: float = 0.0,
                       timeout: float = 5.0) -> int:
        """Drop every websocket; refuse new ones for `seconds`. Returns how many were dropped."""
        if self._loop is None:
            return 0
        future = asyncio.run_coroutine_threadsafe(self._disconnect(mode, seconds), self._loop)
        return future.result(timeout)

    async def _disconnect(self, mode: str, seconds: float) -> int:
        self._down_until = time.monotonic() + seconds
        conns = list(self.conns)
        for conn in conns:
            conn.closing = True
            if mode == "abort":
                conn.ws.transport.abort()
        if mode != "abort":
            await asyncio.gather(*(self._close(c, "Server disconnected (simulated)") for c in conns))
        return len(conns)

    def connection_count(self) -> dict:
        return {"user": sum(1 for c in self.conns if c.hub == "user"),
                "market": sum(1 for c in self.conns if c.hub == "market")}

    def stats(self) -> dict:
        """/sim/hubs (another thread: reads copies): open connections per hub, websockets
        opened after negotiating, ids not used yet."""
        conns = list(self.conns)
        return {"connections": {hub: sum(1 for c in conns if c.hub == hub)
                                for hub in ("user", "market")}, "negotiated": self.negotiated,
                "pendingNegotiations": self.negotiations.pending()}

    # -- one connection ------------------------------------------------------------------------
    def _admit(self, ws: ServerConnection, request) -> Any:
        url = urlsplit(request.path)
        path = url.path.rstrip("/")
        query = parse_qs(url.query)
        negotiating = path.endswith("/negotiate")
        hub_path = path[:-len("/negotiate")] if negotiating else path
        if hub_path not in HUB_PATHS:
            return ws.respond(404, "no hub here: expected /hubs/user or /hubs/market\n")
        with self.gateway.lock:
            self.gateway.faults.on_hub_attempt(url.path.rstrip("/").rsplit("/", 1)[-1])
        if time.monotonic() < self._down_until:
            return ws.respond(503, "the hubs are down (simulated)\n")
        token = (query.get("access_token") or [None])[0]
        if token is None:                       # ASP.NET takes a bearer header as well
            token = bearer(request.headers.get("Authorization"))
        claims, problem = self.gateway.tokens.check(token)
        if claims is None:
            return ws.respond(401, f"{problem}\n")
        hub = HUB_PATHS[hub_path]
        if negotiating:
            return self._negotiate(ws, request, hub, query)
        if request.method != "GET":
            return ws.respond(405, "a hub connection is a websocket GET\n")
        if "id" in query:
            if not self.negotiations.take(hub, query["id"][0]):
                return ws.respond(404, f"{NO_CONNECTION}\n")
            self.negotiated += 1
        ws.sim_token_expires = claims.expires_ns  # type: ignore[attr-defined]
        return None

    def _negotiate(self, ws: ServerConnection, request, hub: str, query: dict) -> Any:
        """POST <hub>/negotiate: the ASP.NET Core answer (see negotiate.py)."""
        if request.method != "POST":
            return ws.respond(405, "negotiate takes POST\n")
        version = negotiate_version(query)
        if version is None:
            return ws.respond(400, "negotiateVersion must be a whole number\n")
        response = ws.respond(200, json.dumps(self.negotiations.negotiate(hub, version)))
        del response.headers["Content-Type"]          # respond() wrote text/plain
        response.headers["Content-Type"] = "application/json"
        return response

    async def _serve(self, ws: ServerConnection) -> None:
        hub = HUB_PATHS[urlsplit(ws.request.path).path.rstrip("/")]
        conn = Connection(ws, hub, getattr(ws, "sim_token_expires", 0))
        try:
            first = await asyncio.wait_for(ws.recv(), timeout=max(5.0, self.client_timeout or 15))
        except (asyncio.TimeoutError, ConnectionClosed):
            return
        records = signalr.split_records(first if isinstance(first, str) else first.decode())
        problem = signalr.parse_handshake(records[0]) if records else "expected a handshake"
        if problem is not None:
            await ws.send(signalr.handshake_error(problem))
            await ws.close()
            return
        await ws.send(signalr.HANDSHAKE_OK)
        self.conns.add(conn)
        tasks = [asyncio.create_task(self._writer(conn)), asyncio.create_task(self._keepalive(conn))]
        try:
            for text in records[1:]:
                await self._on_record(conn, text)
            async for frame in ws:
                conn.last_recv = time.monotonic()
                for text in signalr.split_records(frame if isinstance(frame, str) else frame.decode()):
                    await self._on_record(conn, text)
        except ConnectionClosed:
            pass
        finally:
            self._forget(conn)
            for task in tasks:
                task.cancel()

    def _forget(self, conn: Connection) -> None:
        self.conns.discard(conn)
        for key in conn.subs:
            subscribers = self._by_topic.get(key)
            if subscribers is not None:
                subscribers.discard(conn)
                if not subscribers:
                    del self._by_topic[key]
        conn.subs.clear()

    async def _writer(self, conn: Connection) -> None:
        try:
            while True:
                await conn.wake.wait()
                conn.wake.clear()
                while conn.out:
                    batch = list(conn.out) if len(conn.out) <= MAX_BATCH_RECORDS else None
                    if batch is not None and sum(map(len, batch)) < MAX_BATCH_CHARS:
                        conn.out.clear()          # all of it fits one frame (the usual case)
                    else:
                        batch, size = [], 0
                        while conn.out and len(batch) < MAX_BATCH_RECORDS and \
                                size < MAX_BATCH_CHARS:
                            text = conn.out.popleft()
                            batch.append(text)
                            size += len(text)
                    await conn.ws.send("".join(batch))
                    self.sent_records += len(batch)
        except ConnectionClosed:
            pass

    async def _keepalive(self, conn: Connection) -> None:
        """Ping every ping_interval; close on client silence or token expiry."""
        next_ping = time.monotonic() + self.ping_interval
        while True:
            now = time.monotonic()
            waits = [next_ping - now]
            if conn.token_expires_ns:
                waits.append((conn.token_expires_ns - self.gateway.clock.now_ns()) / NS_PER_S)
            if self.client_timeout:
                waits.append(conn.last_recv + self.client_timeout - now)
            await asyncio.sleep(max(0.01, min(waits)))
            now = time.monotonic()
            if conn.token_expires_ns and self.gateway.clock.now_ns() >= conn.token_expires_ns:
                await self._close(conn, "Token expired")
                return
            if self.client_timeout and now - conn.last_recv >= self.client_timeout:
                await self._close(conn, "Server timeout elapsed without receiving a message "
                                        "from the client.")
                return
            if now >= next_ping:
                conn.push(signalr.PING_RECORD)
                next_ping = now + self.ping_interval

    async def _close(self, conn: Connection, error: str) -> None:
        conn.closing = True
        try:
            await conn.ws.send(signalr.close(error))
            await conn.ws.close()
        except ConnectionClosed:
            pass

    # -- invocations -------------------------------------------------------------------------------
    async def _on_record(self, conn: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            log.info("hub connection %d sent a record that is not JSON (%d chars)", conn.id, len(text))
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == signalr.CLOSE:
            await conn.ws.close()
        elif kind in (signalr.INVOCATION, signalr.STREAM_INVOCATION):
            invocation_id = message.get("invocationId")
            args = message.get("arguments")
            if kind == signalr.STREAM_INVOCATION:
                error = "The hub method does not support streaming."
            elif args is not None and not isinstance(args, list):
                error = f"expected the invocation's arguments as an array, got {args!r}"
            else:
                try:
                    error = self._invoke(conn, str(message.get("target")), args or [])
                except Exception as exc:       # a bad invocation never ends the connection
                    log.exception("hub invocation %s failed", message.get("target"))
                    error = f"Failed to invoke '{message.get('target')}': {exc}"
            if invocation_id is not None:
                conn.push(signalr.completion(str(invocation_id), error))
            if error is None and conn.hub == "market":
                self._snapshot(conn, str(message.get("target")), message["arguments"])

    def _invoke(self, conn: Connection, method: str, args: list) -> Optional[str]:
        """Run a hub method; None on success, else the completion's error text."""
        if conn.hub == "user":
            if method in ("SubscribeAccounts", "UnsubscribeAccounts"):
                if args:
                    return _arg_error(method, len(args), 0)
                return self._subscribe(conn, ("accounts",), method.startswith("Subscribe"))
            topic = USER_METHODS.get(method.replace("Unsubscribe", "Subscribe"))
            if topic is None:
                return f"Unknown hub method '{method}'"
            if len(args) != 1:
                return _arg_error(method, len(args), 1)
            if isinstance(args[0], bool) or not isinstance(args[0], int):
                return _binding_error(method)
            return self._subscribe(conn, (topic, args[0]), method.startswith("Subscribe"))
        topic = MARKET_METHODS.get(method.replace("Unsubscribe", "Subscribe"))
        if topic is not None:
            if len(args) != 1:
                return _arg_error(method, len(args), 1)
            if not isinstance(args[0], str):
                return _binding_error(method)
            if args[0] not in self.gateway.market.specs:
                return f"contract {args[0]!r} not found"
            return self._subscribe(conn, (topic, args[0]), method.startswith("Subscribe"))
        return f"Unknown hub method '{method}'"

    def _snapshot(self, conn: Connection, method: str, args: list) -> None:
        """What a new market subscriber gets at once: the full quote, or the whole book."""
        if method == "SubscribeContractQuotes":
            # a silent feed's (quotesSilent) new subscriber gets the last quote unchanged, as
            # the real gateway re-sends its last one, not the sim's walked price of now (a
            # quote whose time moved on read as prices back after every stale-feed reconnect:
            # market's backoff never doubled; trial 2026-12-06)
            silent = self._silent_quotes.get(args[0]) if self.quirks["quotesSilent"] else None
            conn.push(self._quote_record(args[0],
                                         silent or self.gateway.full_quote_json(args[0])))
        elif method == "SubscribeContractMarketDepth":
            conn.push(signalr.invocation_raw("GatewayDepth", args[0], self.gateway.depth(args[0])))

    def _subscribe(self, conn: Connection, key: tuple, on: bool) -> None:
        if on:
            conn.subs[key] += 1
            self._by_topic[key].add(conn)
        else:
            conn.subs.pop(key, None)
            subscribers = self._by_topic.get(key)
            if subscribers is not None:
                subscribers.discard(conn)
                if not subscribers:
                    del self._by_topic[key]
        return None
