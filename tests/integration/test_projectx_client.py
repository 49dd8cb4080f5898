"""The real ProjectX client against the sim broker's real HTTP and websocket endpoints.

Two sims run for the module: one answering like a plain gateway (bare hub
payloads, wrap_events = false; Contract/searchById -> contract) and one like
TopstepX (the sim's default: hub payloads wrapped as [{action, data}]; and the
legacy `contracts: [...]` answer), so every event type is seen both ways. The
hub client connects both ways too: skipping negotiation (riskd's default) and
negotiating first (POST <hub>/negotiate, then ?id=).
"""
from __future__ import annotations

import queue
import subprocess
import time
from decimal import Decimal

import pytest
import requests

from shared.clock import FakeClock
from shared.config import load_config
from shared.projectx.errors import AuthError, BrokerUnavailable, ProjectXError, TlsError
from shared.projectx.models import (Account, BarUnit, Order, OrderStatus, Position,
                                    PositionType, QuoteUpdate, Trade)
from shared.projectx.realtime import (EV_ACCOUNT, EV_ORDER, EV_POSITION, EV_QUOTE, EV_TRADE,
                                      HubAck, HubClient, HubClosed, HubEvent, HubOpened, QuoteBook,
                                      market_payloads, quote_subscription, user_payloads,
                                      user_subscriptions)
from shared.projectx.rest import ProjectXRest
from shared.messages.market import Fill
from tests.support.bustap import Bus, connected
from tests.support.sim import wait_sim_up
from tests.support.env import SIM_CALENDAR_DATE, make_config, wait_for
from tests.support.procs import Procs

pytestmark = pytest.mark.slow

ACCOUNT, OTHER = 1001, 1002
MNQ, ES = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26"
LIMIT, MARKET, STOP = 1, 2, 4
BUY, SELL = 0, 1
TOKEN_TTL = 2.5
CALENDAR = SIM_CALENDAR_DATE         # the sim's contract calendar: the Z26 equity months are active


class Sim:
    def __init__(self, config: str):
        self.config = config
        self.broker = load_config(config).config.broker
        self.rest_url, self.user_hub, self.market_hub = self.broker.endpoints()

    def client(self, **kw) -> ProjectXRest:
        kw.setdefault("timeout", 5)
        return ProjectXRest(self.rest_url, self.broker.user_name, self.broker.api_key, **kw)

    def post(self, path: str, body: dict) -> dict:
        answer = requests.post(self.rest_url + path, json=body, timeout=5)
        assert answer.ok, answer.text
        return answer.json()

    def calls(self, endpoint: str) -> int:
        return requests.get(self.rest_url + "/sim/calls", timeout=5).json()["calls"].get(endpoint, 0)


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    """{'bare': Sim, 'wrapped': Sim}; both always stopped afterwards."""
    procs = Procs(tmp_path_factory.mktemp("sims"))
    out = {}
    try:
        for style, extra in (("bare", {"wrap_events": False}),
                             ("wrapped", {"legacy_contract_by_id": True})):
            path = tmp_path_factory.mktemp(style)
            config = make_config(path, broker={"sim": {"tick_interval": 0, "calendar_date": CALENDAR,
                                                       "token_ttl": TOKEN_TTL, **extra}})
            procs.worker("services.simbroker", config)
            out[style] = Sim(config)
        for sim in out.values():
            wait_sim_up(sim.rest_url)
        yield out
    finally:
        procs.end()


@pytest.fixture(params=["bare", "wrapped"])
def sim(request, sims) -> Sim:
    return sims[request.param]


def flatten(sim: Sim, client: ProjectXRest) -> None:
    for account in (ACCOUNT, OTHER):
        for order in client.open_orders(account):
            client.cancel_order(account, order.id)
        for position in client.open_positions(account):
            client.close_contract(account, position.contract_id)


# -- REST -----------------------------------------------------------------------------------
def test_login_and_every_read(sim):
    client = sim.client()
    client.login()
    assert client.token and client.logins == 1
    accounts = client.search_accounts()
    assert [(a.id, a.name) for a in accounts] == [(1001, "SIM-DEMO-1"), (1002, "SIM-DEMO-2")]
    assert all(isinstance(a, Account) and a.can_trade for a in accounts)
    es = client.contract_by_id(ES)            # `contract` or the legacy `contracts` answer
    assert (es.id, es.tick_size, es.tick_value) == (ES, Decimal("0.25"), Decimal("12.5"))
    assert MNQ in [c.id for c in client.search_contracts("MNQ")]
    flatten(sim, client)
    assert client.open_positions(ACCOUNT) == [] and client.open_orders(ACCOUNT) == []


def test_orders_positions_and_trades_round_trip(sim):
    client = sim.client()
    flatten(sim, client)
    start = time.time_ns() - 10**9
    buy = client.place_order(ACCOUNT, MNQ, MARKET, BUY, 3, custom_tag=f"t-{time.time_ns()}")
    (position,) = client.open_positions(ACCOUNT)
    assert isinstance(position, Position) and position.type == PositionType.LONG
    assert (position.contract_id, position.size) == (MNQ, 3)
    client.partial_close_contract(ACCOUNT, MNQ, 1)
    assert client.open_positions(ACCOUNT)[0].size == 2

    resting = client.place_order(ACCOUNT, MNQ, LIMIT, BUY, 1, limit_price=Decimal("100.25"),
                                 stop_loss_bracket={"ticks": 8, "type": STOP},
                                 take_profit_bracket={"ticks": 8, "type": LIMIT})
    client.modify_order(ACCOUNT, resting, limit_price=Decimal("100.5"))
    (working,) = client.open_orders(ACCOUNT)         # searchOpen hides the suspended children
    assert (working.id, working.limit_price, working.status) == (
        resting, Decimal("100.5"), OrderStatus.OPEN)
    page = client.query_orders(ACCOUNT, statuses=[1, 6, 7, 8])
    assert len(page.orders) == 3 and page.total_count == 3
    assert sorted(o.status for o in page.orders) == [1, 8, 8]

    client.cancel_order(ACCOUNT, resting)
    client.close_contract(ACCOUNT, MNQ)
    assert client.open_positions(ACCOUNT) == []
    orders = client.search_orders(ACCOUNT, start)
    assert {buy, resting} <= {o.id for o in orders}
    trades = client.search_trades(ACCOUNT, start)
    assert all(isinstance(t, Trade) for t in trades) and len(trades) == 3
    opening, partial, closing = sorted(trades, key=lambda t: t.id)
    assert opening.profit_and_loss is None and opening.order_id == buy
    assert partial.profit_and_loss is not None and closing.profit_and_loss is not None
    assert all(t.fees > 0 for t in trades)


def test_success_false_surfaces_the_brokers_code_and_message(sim):
    client = sim.client()
    with pytest.raises(ProjectXError) as caught:
        client.cancel_order(ACCOUNT, 424242)
    assert caught.value.endpoint == "/api/Order/cancel"
    assert caught.value.code == 2 and caught.value.message
    assert str(caught.value).startswith("/api/Order/cancel failed with error code 2: ")


def test_bars_and_the_other_reads(sims):
    sim = sims["bare"]
    client = sim.client()
    assert client.ping()                                 # no token needed
    client.login()
    for price in ("21000.25", "21001", "20999.5"):
        sim.post("/sim/quote", {"contractId": MNQ, "lastPrice": price})
    now = time.time_ns()
    seconds = client.retrieve_bars(MNQ, now - 600 * 10**9, now + 10**9, BarUnit.SECOND,
                                   include_partial_bar=True)
    assert seconds and seconds[-1].close == Decimal("20999.5")
    assert [b.ts_ns for b in seconds] == sorted(b.ts_ns for b in seconds)   # oldest first
    assert all(b.low <= min(b.open, b.close) <= max(b.open, b.close) <= b.high for b in seconds)
    minutes = client.retrieve_bars(MNQ, now - 600 * 10**9, now + 10**9, BarUnit.MINUTE,
                                   include_partial_bar=True)
    assert max(b.high for b in minutes[-2:]) >= Decimal("21001")
    assert client.retrieve_bars(MNQ, now - 600 * 10**9, now + 10**9, BarUnit.MINUTE,
                                include_partial_bar=False) == [b for b in minutes
                                                               if b.ts_ns + 60 * 10**9 <= now]
    available = client.available_contracts()
    assert MNQ in [c.id for c in available] and all(c.active_contract for c in available)
    order_id = client.place_order(ACCOUNT, MNQ, LIMIT, BUY, 1, limit_price=Decimal("100"))
    client.cancel_order(ACCOUNT, order_id)
    order = client.order_by_id(ACCOUNT, order_id)
    assert (order.id, order.status) == (order_id, OrderStatus.CANCELLED)
    with pytest.raises(ProjectXError) as caught:
        client.order_by_id(ACCOUNT, 1)
    assert caught.value.code == 1
    token = client.token
    client.logout()
    assert requests.post(sim.rest_url + "/api/Account/search", json={}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert len(client.search_accounts()) == 2 and client.logins == 2    # a new login


def test_a_wrong_api_key_is_a_clear_login_error(sim):
    client = ProjectXRest(sim.rest_url, sim.broker.user_name, "not-the-key", timeout=5)
    with pytest.raises(AuthError) as caught:
        client.search_accounts()
    assert caught.value.endpoint == "/api/Auth/loginKey"
    assert "not-the-key" not in str(caught.value)


def test_a_500_is_retried_and_then_succeeds(sims):
    sim = sims["bare"]
    waits = []
    client = sim.client(sleep=waits.append)
    client.login()
    before = sim.calls("/api/Account/search")
    sim.post("/sim/fail", {"endpoint": "/api/Account/search", "status": 500, "count": 2})
    assert len(client.search_accounts()) == 2
    assert sim.calls("/api/Account/search") - before == 3
    assert waits == [0.5, 1.0]                       # exponential backoff


def test_an_html_error_page_is_retried_and_garbage_json_is_a_clear_error(sims):
    sim = sims["bare"]
    client = sim.client(sleep=lambda s: None)
    client.login()
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    sim.post("/sim/fail", {"endpoint": "/api/Account/search", "status": 502, "count": 1,
                           "body": page})
    assert len(client.search_accounts()) == 2            # a proxy's error page: retried
    sim.post("/sim/fail", {"endpoint": "/api/Position/searchOpen", "status": 200, "count": 1,
                           "body": '{"positions": [{"id": 1, "accountId": '})
    with pytest.raises(ProjectXError) as caught:
        client.open_positions(ACCOUNT)
    assert "not JSON" in str(caught.value) and caught.value.endpoint == "/api/Position/searchOpen"
    sim.post("/sim/fail", {"endpoint": "/api/Position/searchOpen", "status": 200, "count": 1,
                           "body": "[1, 2, 3]"})
    with pytest.raises(ProjectXError, match="expected a JSON object"):
        client.open_positions(ACCOUNT)
    assert client.open_positions(ACCOUNT) == []          # and the next answer is fine again


def test_a_429_backs_off_as_long_as_retry_after_says(sims):
    sim = sims["bare"]
    client = sim.client()
    client.login()
    sim.post("/sim/fail", {"endpoint": "/api/Position/searchOpen", "status": 429, "count": 1,
                           "retryAfter": 1})
    started = time.monotonic()
    client.open_positions(ACCOUNT)
    assert time.monotonic() - started >= 1.0
    assert client.budget.available() < client.budget.burst     # the budget paused too


def test_a_place_is_not_retried_when_it_may_have_arrived(sims):
    sim = sims["bare"]
    client = sim.client(sleep=lambda s: None)
    client.login()
    before = sim.calls("/api/Order/place")
    sim.post("/sim/fail", {"endpoint": "/api/Order/place", "status": 500, "count": 1})
    with pytest.raises(BrokerUnavailable, match="after 1 call"):
        client.place_order(ACCOUNT, MNQ, LIMIT, BUY, 1, limit_price=Decimal("100"))
    assert sim.calls("/api/Order/place") - before == 1


def test_the_token_is_renewed_before_it_expires(sims):
    client = sims["bare"].client()
    client.login()
    first = client.token
    wait_for(lambda: client.search_accounts() and client.renewals >= 1, TOKEN_TTL * 3,
             what="a token renewal")
    assert client.token != first and client.logins == 1


def test_an_expired_token_means_a_new_login(sims):
    clock = FakeClock(time.time_ns())           # the client believes no time passes...
    client = sims["bare"].client(clock=clock)
    client.login()
    # ...so only the broker's 401 can tell it the token has expired
    wait_for(lambda: client.search_accounts() and client.logins >= 2, TOKEN_TTL * 3,
             what="a login after the token expired")


# -- realtime -------------------------------------------------------------------------------
class Hubs:
    def __init__(self, sim: Sim, token: str, negotiate: bool = False):
        self.q: queue.Queue = queue.Queue()
        self.user = HubClient("user", sim.user_hub, self.q.put, negotiate=negotiate)
        self.market = HubClient("market", sim.market_hub, self.q.put, negotiate=negotiate)
        self.gens = {"user": self.user.connect(token), "market": self.market.connect(token)}
        self.events: list[HubEvent] = []
        self.acks: list[HubAck] = []
        opened = set()

        def both_open():
            self._pump(opened)
            return opened == {"user", "market"}
        wait_for(both_open, 10, what="both hubs to open")

    def _pump(self, opened=None) -> None:
        while True:
            try:
                item = self.q.get(timeout=0.02)
            except queue.Empty:
                return
            if isinstance(item, HubOpened) and opened is not None:
                opened.add(item.hub)
            elif isinstance(item, HubEvent):
                self.events.append(item)
            elif isinstance(item, HubAck):
                self.acks.append(item)

    def wait(self, name: str, cond, what: str) -> list:
        def found():
            self._pump()
            return [e for e in self.events if e.name == name and cond(e)]
        return wait_for(found, 10, what=what)

    def close(self) -> None:
        self.user.close()
        self.market.close()


@pytest.mark.parametrize("negotiate", [False, True], ids=["skip-negotiation", "negotiate"])
def test_every_realtime_event_type(sim, negotiate):
    client = sim.client()
    flatten(sim, client)
    before = sim.post("/sim/hubs", {})["negotiated"]
    hubs = Hubs(sim, client.ensure_token(), negotiate)
    try:
        calls = user_subscriptions([ACCOUNT])
        for method, args in calls:
            assert hubs.user.invoke(hubs.gens["user"], method, args)
        assert hubs.market.invoke(hubs.gens["market"], *quote_subscription(ES))
        wait_for(lambda: hubs._pump() or len(hubs.acks) == len(calls) + 1, 10,
                 what="the server to confirm every subscription")
        order_id = client.place_order(ACCOUNT, ES, MARKET, SELL, 2)
        sim.post("/sim/quote", {"contractId": ES, "lastPrice": 5000.25})
        sim.post("/sim/account", {"accountId": ACCOUNT, "balance": 51234.5})

        def parsed(name, parse):
            return [parse(p) for e in hubs.events if e.name == name
                    for p in user_payloads(e.args)]
        hubs.wait(EV_TRADE, lambda e: True, "a GatewayUserTrade")
        trades = parsed(EV_TRADE, Trade.parse)
        assert [(t.order_id, t.side, t.size) for t in trades] == [(order_id, SELL, 2)]
        hubs.wait(EV_POSITION, lambda e: True, "a GatewayUserPosition")
        position = parsed(EV_POSITION, Position.parse)[-1]
        assert (position.contract_id, position.type, position.size) == (ES, PositionType.SHORT, 2)
        hubs.wait(EV_ORDER, lambda e: True, "a GatewayUserOrder")
        assert order_id in {o.id for o in parsed(EV_ORDER, Order.parse)}
        hubs.wait(EV_ACCOUNT, lambda e: any(a.balance == Decimal("51234.5") for a in [
            Account.parse(p) for p in user_payloads(e.args)]), "the new balance")
        wrapped = [e.args[0] for e in hubs.events if e.hub == "user"]
        is_wrapper = [isinstance(a, dict) and "action" in a and "data" in a for a in wrapped]
        assert all(is_wrapper) if sim.broker.sim.wrap_events else not any(is_wrapper)
        assert sim.post("/sim/hubs", {})["negotiated"] - before == (2 if negotiate else 0)
        book = QuoteBook()

        def priced(event) -> bool:
            cid, payloads = market_payloads(event.args)
            return any(book.apply(cid, p).last_price == Decimal("5000.25") for p in payloads)
        hubs.wait(EV_QUOTE, priced, "a GatewayQuote with the new price")
        quote = book.get(ES)
        assert isinstance(quote, QuoteUpdate) and quote.best_bid is not None
    finally:
        hubs.close()
        flatten(sim, client)


# -- TLS ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tls_sims(tmp_path_factory):
    """Two sims with tls = true, each with the CA it made in its own data dir."""
    procs = Procs(tmp_path_factory.mktemp("tls"))
    out = []
    try:
        for name in ("a", "b"):
            path = tmp_path_factory.mktemp(f"tls-{name}")
            config = make_config(path, broker={"sim": {"tick_interval": 0, "tls": True,
                                                       "calendar_date": CALENDAR}})
            procs.worker("services.simbroker", config)
            sim = Sim(config)
            sim.ca = str(path / "data" / "sim-tls" / "ca.pem")
            out.append(sim)
        for sim in out:
            wait_for(lambda s=sim: requests.get(s.rest_url + "/sim/info", timeout=1,
                                                verify=s.ca).ok, 20, what="a TLS sim")
        yield out
    finally:
        procs.cleanup()


def test_tls_with_the_ca_bundle_from_the_config_rest_and_both_hubs(tls_sims):
    sim = tls_sims[0]
    assert sim.rest_url.startswith("https://") and sim.user_hub.startswith("https://")
    client = sim.client(ca_bundle=sim.ca)
    assert client.ping() and len(client.search_accounts()) == 2
    for negotiate in (False, True):
        q: queue.Queue = queue.Queue()
        hub = HubClient("market", sim.market_hub, q.put, ca_bundle=sim.ca, negotiate=negotiate)
        gen = hub.connect(client.token)
        try:
            assert isinstance(q.get(timeout=10), HubOpened)
            assert hub.invoke(gen, *quote_subscription(ES))
            wait_for(lambda: any(isinstance(x, HubEvent) and x.name == EV_QUOTE
                                 for x in [q.get(timeout=5)]), 10, what="a quote over wss")
        finally:
            hub.close()


def test_a_wrong_certificate_is_a_clear_error_never_a_fallback(tls_sims):
    sim, other = tls_sims
    for ca in (other.ca, None):          # another CA, or only the system's
        client = sim.client(ca_bundle=ca, sleep=lambda s: None)
        with pytest.raises(TlsError) as caught:
            client.login()
        text = str(caught.value)
        assert "certificate verif" in text and sim.rest_url in text and "ca_bundle" in text
        assert isinstance(caught.value, BrokerUnavailable) and caught.value.attempts == 1
        assert not client.ping()
    q: queue.Queue = queue.Queue()
    token = sim.client(ca_bundle=sim.ca).login()
    hub = HubClient("user", sim.user_hub, q.put, ca_bundle=other.ca)
    hub.connect(token)
    try:
        closed = q.get(timeout=10)
        assert isinstance(closed, HubClosed) and "TLS certificate verification failed" in \
            closed.reason and "ca_bundle" in closed.reason
    finally:
        hub.close()
    with pytest.raises(ValueError, match="is not a file"):
        sim.client(ca_bundle="/nonexistent/ca.pem")


def _tls_env(tmp_path, procs, ca_bundle_of):
    """A TLS sim and riskd's market worker whose config names ca_bundle_of(data dir)."""
    config = make_config(tmp_path, broker={
        "ca_bundle": ca_bundle_of(tmp_path / "data"),
        "sim": {"tick_interval": 0, "tls": True, "calendar_date": CALENDAR}})
    loaded = load_config(config).config
    rest_url = loaded.broker.endpoints()[0]
    sim_ca = str(tmp_path / "data" / "sim-tls" / "ca.pem")
    procs.worker("services.simbroker", config)
    wait_for(lambda: requests.get(rest_url + "/sim/info", verify=sim_ca, timeout=1).ok, 20,
             what="the TLS sim")
    return loaded, rest_url, sim_ca


def test_the_market_worker_verifies_with_the_ca_bundle_of_its_config(tmp_path, procs):
    loaded, rest_url, sim_ca = _tls_env(tmp_path, procs,
                                        lambda data: str(data / "sim-tls" / "ca.pem"))
    bus = Bus(loaded.bus.market_pub)
    procs.worker("services.market", loaded_path(tmp_path))
    try:
        bus.wait(lambda: connected(bus, "user") and connected(bus, "market"), 30,
                 "market's hubs to connect over wss")
        client = ProjectXRest(rest_url, loaded.broker.user_name, loaded.broker.api_key,
                              timeout=5, ca_bundle=loaded.broker.ca_bundle)
        client.place_order(ACCOUNT, MNQ, MARKET, BUY, 1)
        bus.wait(lambda: len(bus.of(Fill)) == 1, 15, "the fill, over https and wss")
    finally:
        bus.close()


def test_the_market_worker_refuses_a_certificate_its_ca_bundle_does_not_sign(tmp_path, procs):
    other = tmp_path / "other-ca.pem"           # a CA that did not sign the sim's certificate
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(tmp_path / "other.key"), "-out", str(other), "-days", "2", "-subj",
                    "/CN=not the sim"], check=True, capture_output=True, timeout=60)
    loaded, _rest, _ca = _tls_env(tmp_path, procs, lambda data: str(other))
    bus = Bus(loaded.bus.market_pub)
    market = procs.worker("services.market", loaded_path(tmp_path))
    try:
        wait_for(lambda: "TLS certificate verification failed" in market.output(), 30,
                 what="the market worker to say why it cannot reach the broker")
        assert "broker.ca_bundle" in market.output()
        bus.pump(1.0)
        assert not connected(bus, "user") and not connected(bus, "market")   # no fallback
    finally:
        bus.close()


def loaded_path(tmp_path) -> str:
    return str(tmp_path / "riskd.toml")
