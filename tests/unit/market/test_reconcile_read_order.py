"""A reconcile's REST answer against the hub events that arrived while it was read: the newer
one stays in market's state, whichever came last into market.

Chaos run finding (2026-12-07, python -m tests.chaos, account CHAOS-DRAWDOWN locked to the
roll): market, restarted, reconciled for ten seconds (five accounts, REST slow under load).
Meanwhile the trader's RTY buy came on the hub (Trade, Position long 1), the hubs dropped, and
the lockout's close of the buy filled. REST then read the account: flat, the close among the
trades. The close of the position was dropped as older than the buy's Position event ("hub
events newer than the snapshot are not rolled back"), so market kept the closed long 1; risk
took the trader's next buy as "added to" it and cut it down to 1 (enforcement: "at 1 (target
1): nothing left to do"), and the locked account kept its buy to the end.

The worker's loop driven by hand (tests/unit/market/test_stale_feed.py's rig); the REST job runs
against a broker whose state moves with the clock, each call taking CALL_S, and the hub events
come through the worker's own hub-event path.
"""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from services.market.brokerio import RestDone
from shared.clock import FakeClock
from shared.config.load import load_config
from shared.messages.market import (AccountUpdate, ContractInfo, Fill, PositionUpdate,
                                    SnapshotRequest)
from shared.projectx.models import Account, Position, Trade
from shared.projectx.realtime import EV_POSITION, EV_TRADE, USER_HUB, HubEvent
from shared.projectx.rest import iso
from tests.unit.market.test_stale_feed import worker
from tests.unit.risk.desk import SHIPPED, chi, shipped_engine

ACCOUNT = 3005
RTY = "CON.F.US.RTY.Z26"
NS = 1_000_000_000
CALL_S = 1.2                  # one REST call under load


class Broker:
    """The broker's state over time: what REST answers at the clock's time."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.t0 = clock.now_ns()
        self.trades: list[tuple[float, Trade]] = []      # (seconds after t0, trade)
        self.positions: list[tuple[float, list[Position]]] = [(0.0, [])]
        self.calls: list[str] = []
        self.on_call = None           # (call name, broker) -> None: a hub event meanwhile

    def at(self, s: float) -> int:
        return self.t0 + int(s * NS)

    def now_s(self) -> float:
        return (self.clock.now_ns() - self.t0) / NS

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.on_call is not None:
            self.on_call(name, self)
        self.clock.advance(CALL_S)

    # -- the REST client's calls read_broker makes ---------------------------------------
    def search_accounts(self, only_active=True):
        self._call("accounts")
        return [Account(id=ACCOUNT, name="CHAOS-DRAWDOWN", balance=Decimal(50_000),
                        can_trade=True)]

    def open_positions(self, account_id):
        self._call("positions")
        now = self.now_s()
        return [p for s, ps in self.positions if s <= now for p in [ps]][-1]

    def query_orders(self, account_id, statuses=()):
        self._call("orders")
        return SimpleNamespace(orders=[])

    def search_trades(self, account_id, start_ns):
        self._call("trades")
        now = self.now_s()
        return [t for s, t in self.trades if s <= now]

    def search_orders(self, account_id, start_ns):
        self._call("day orders")
        return []


def trade(broker: Broker, tid: int, s: float, side: int, order_id: int, pnl=None) -> Trade:
    return Trade(id=tid, account_id=ACCOUNT, contract_id=RTY, created_ns=broker.at(s),
                 price=Decimal("2200.10"), profit_and_loss=None if pnl is None else Decimal(pnl),
                 fees=Decimal("1.40"), side=side, size=1, order_id=order_id)


def long_1(broker: Broker, s: float, pid: int) -> Position:
    return Position(id=pid, account_id=ACCOUNT, contract_id=RTY, created_ns=broker.at(s),
                    type=1, size=1, average_price=Decimal("2200.10"))


def hub_trade(t: Trade) -> HubEvent:
    return HubEvent(USER_HUB, 1, EV_TRADE, [{
        "id": t.id, "accountId": t.account_id, "contractId": t.contract_id,
        "creationTimestamp": iso(t.created_ns), "price": float(t.price),
        "profitAndLoss": None if t.profit_and_loss is None else float(t.profit_and_loss),
        "fees": float(t.fees), "side": t.side, "size": t.size, "voided": False,
        "orderId": t.order_id}])


def hub_position(p: Position, size: int) -> HubEvent:
    return HubEvent(USER_HUB, 1, EV_POSITION, [{
        "id": p.id, "accountId": p.account_id, "contractId": p.contract_id,
        "creationTimestamp": iso(p.created_ns), "type": p.type, "size": size,
        "averagePrice": float(p.average_price)}])


class Rest:
    """The REST thread: jobs kept, run by hand."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, job, fn, tag=None) -> None:
        self.jobs.append((job, fn, tag))


def market(clock: FakeClock):
    w = worker(clock)
    w.rest = Rest()
    w.published = []

    def publish(msg) -> bool:              # the worker's own: news goes out, duplicates die
        if msg is None or not w.state.apply(msg):
            return False
        w.published.append(msg)
        return True
    w._publish = publish
    w._after_change = lambda: None
    w._adopt_accounts = lambda _accounts: None
    w.account_ids, w.reconciled, w.reconciling, w.reconcile_again = [ACCOUNT], False, False, False
    w.touched, w.unsettled_rereads = {}, 0
    w.reading_ns = w.read_ns = 0
    w.retry_due = False
    w.pub, w.user_pubs = SimpleNamespace(seq=0, epoch=1), []
    w.calendar.start_of = lambda _day: 0
    return w


def run_reconcile(w, broker: Broker) -> None:
    """The oldest REST job (a reconcile) runs now and its answer reaches the loop."""
    job, fn, tag = w.rest.jobs.pop(0)
    assert job == "reconcile"
    w._done_reconcile(RestDone(job, tag, result=fn(broker)))


def fills_and_positions(w) -> list:
    """What market published of the account's fills and positions, in order."""
    return [(type(m).__name__, getattr(m, "trade_id", None), m.size) for m in w.published
            if isinstance(m, (Fill, PositionUpdate))]


def held(w) -> dict:
    return {cid: p.size for (aid, cid), p in w.state.positions.items()}


def test_a_close_rest_read_after_the_buys_hub_event_is_published():
    """The chaos run's order: the reconcile starts; the buy's Trade and Position come on the
    hub; the hubs drop; the lockout's close fills; REST reads the account (flat, both trades).
    Market ends flat, and the close's size-0 Position is published after its fill."""
    clock = FakeClock()
    w = market(clock)
    broker = Broker(clock)
    buy = trade(broker, 7000045, 3.6, 0, 9000065)
    opened = long_1(broker, 3.6, 25)
    close = trade(broker, 7000047, 4.8, 1, 9000067, pnl="-5.00")
    broker.trades = [(3.6, buy), (4.8, close)]
    broker.positions = [(0.0, []), (3.6, [opened]), (4.8, [])]
    w._reconcile()                                  # the reconcile starts (at 0)
    clock.advance(3.7)
    w._user_event(hub_trade(buy))                   # the buy, on the hub, while it runs
    w._user_event(hub_position(opened, 1))
    clock.advance(1.2)                              # the hubs drop; the close fills (4.8)
    run_reconcile(w, broker)                        # REST reads the account after that
    assert held(w) == {}, held(w)
    assert fills_and_positions(w) == [("Fill", 7000045, 1), ("PositionUpdate", None, 1),
                                      ("Fill", 7000047, 1), ("PositionUpdate", None, 0)]
    assert w.rest.jobs == []                        # nothing left to settle: no second read


def test_a_hub_event_newer_than_rests_read_is_kept_and_the_broker_read_again():
    """The other side: REST reads the account (long 1, the buy); then the close fills and its
    Trade and Position (size 0) come on the hub before REST's answer reaches the loop: the
    hub's are newer and stay. An event that arrived after REST began reading its account may
    be newer or older than what REST read: when they differ, the broker is read again, and
    that read settles it."""
    clock = FakeClock()
    w = market(clock)
    broker = Broker(clock)
    buy = trade(broker, 7000045, 0.5, 0, 9000065)
    opened = long_1(broker, 0.5, 25)
    broker.trades = [(0.5, buy)]
    broker.positions = [(0.0, []), (0.5, [opened])]
    clock.advance(0.6)
    w._user_event(hub_trade(buy))
    w._user_event(hub_position(opened, 1))
    w._reconcile()
    job, fn, tag = w.rest.jobs.pop(0)
    answer = fn(broker)                             # REST read: long 1
    s = broker.now_s()
    close = trade(broker, 7000047, s, 1, 9000067, pnl="-5.00")
    broker.trades.append((s, close))
    broker.positions.append((s, []))
    w._user_event(hub_trade(close))                 # the close, on the hub, meanwhile
    w._user_event(hub_position(opened, 0))
    w._done_reconcile(RestDone(job, tag, result=answer))
    assert held(w) == {}, held(w)                   # REST's older long 1 not taken
    assert [j[0] for j in w.rest.jobs] == ["reconcile"]     # read again: it differed
    run_reconcile(w, broker)
    assert held(w) == {} and w.rest.jobs == []
    assert w.unsettled_rereads == 0
    assert fills_and_positions(w) == [("Fill", 7000045, 1), ("PositionUpdate", None, 1),
                                      ("Fill", 7000047, 1), ("PositionUpdate", None, 0)]


def test_a_close_between_the_positions_read_and_the_trades_read():
    """REST reads the account's positions (long 1), the close fills, REST reads its trades
    (the close among them): the positions are read again, and market ends flat, the close's
    Position published after its fill, never a fill whose Position does not come."""
    clock = FakeClock()
    w = market(clock)
    broker = Broker(clock)
    buy = trade(broker, 7000045, 0.5, 0, 9000065)
    opened = long_1(broker, 0.5, 25)
    broker.trades = [(0.5, buy)]
    broker.positions = [(0.0, []), (0.5, [opened])]
    clock.advance(0.6)
    w._user_event(hub_trade(buy))
    w._user_event(hub_position(opened, 1))
    clock.advance(1.0)                               # the hubs drop

    def close_after_positions(name, b):
        if name == "positions" and b.on_call is not None:
            b.on_call = None
            s = b.now_s() + CALL_S + 0.1             # fills while the orders are read
            close = trade(b, 7000047, s, 1, 9000067, pnl="-5.00")
            b.trades.append((s, close))
            b.positions.append((s, []))
    broker.on_call = close_after_positions
    w._reconcile()
    run_reconcile(w, broker)
    assert held(w) == {}, held(w)
    assert fills_and_positions(w) == [("Fill", 7000045, 1), ("PositionUpdate", None, 1),
                                      ("Fill", 7000047, 1), ("PositionUpdate", None, 0)]
    # read again after the trades (moved), then once more to see it stays
    assert broker.calls.count("positions") == 3, broker.calls


def test_a_quiet_account_is_read_once():
    """No trade of the account in the last minute: its positions are read once (the REST
    budget: 200 calls a minute for every account riskd watches)."""
    clock = FakeClock()
    w = market(clock)
    broker = Broker(clock)
    clock.advance(120.0)
    w._reconcile()
    run_reconcile(w, broker)
    assert broker.calls == ["accounts", "positions", "orders", "trades"], broker.calls


@pytest.mark.parametrize("position_first", [False, True], ids=["trade-first", "position-first"])
def test_risk_closes_the_next_buy_of_the_locked_account(position_first):
    """What risk then decides, fed what market published (the shipped rules, etc/riskd.toml;
    the account locked for the session by the trader, as the chaos run's to the roll): the
    buy while locked is closed by the lockout, its close is riskd's; the hubs stay down, the
    trader buys again, and the next reconcile brings that buy. It is a new position on a flat
    account: closed, not "added to" a long 1 market still held (a reduce to 1 that left it
    open). The buy's Trade and Position on the hub in either order."""
    clock = FakeClock(chi(2026, 11, 25, 9, 0))
    risk = shipped_engine(load_config(SHIPPED), clock.now_ns())
    risk.on_event(ContractInfo(contract_id=RTY, name="RTYZ6", tick_size=Decimal("0.1"),
                               tick_value=Decimal("5"), symbol="F.US.RTY"), clock.now_ns())
    risk.on_event(AccountUpdate(account_id=ACCOUNT, name="CHAOS-DRAWDOWN",
                                balance=Decimal(50_000), can_trade=True), clock.now_ns())
    _out, refused = risk.self_lock(ACCOUNT, clock.now_ns(), session=True)
    assert not refused, refused
    w = market(clock)
    broker = Broker(clock)
    fed = 0
    decisions = []

    def to_risk():
        nonlocal fed
        for msg in w.published[fed:]:
            decisions.extend(d for d in risk.on_event(msg, clock.now_ns()).decisions
                             if not d.suppressed)
        fed = len(w.published)

    buy = trade(broker, 7000045, 3.6, 0, 9000065)
    opened = long_1(broker, 3.6, 25)
    close = trade(broker, 7000047, 4.8, 1, 9000067, pnl="-5.00")
    broker.trades = [(3.6, buy), (4.8, close)]
    broker.positions = [(0.0, []), (3.6, [opened]), (4.8, [])]
    w._reconcile()
    clock.advance(3.7)
    events = [hub_trade(buy), hub_position(opened, 1)]
    for event in events[::-1] if position_first else events:
        w._user_event(event)
    to_risk()
    assert [(d.rule, d.action) for d in decisions] == [("lockout", "close_position")]
    clock.advance(1.2)
    run_reconcile(w, broker)
    to_risk()
    for _ in range(30):                              # the hubs stay down for a while
        clock.advance(1.0)
        risk.tick(clock.now_ns())
    s = broker.now_s()
    again = trade(broker, 7000049, s, 0, 9000071)
    reopened = long_1(broker, s, 26)
    broker.trades.append((s, again))
    broker.positions.append((s, [reopened]))
    clock.advance(1.0)
    w._reconcile()                                   # the hubs back: the next reconcile
    run_reconcile(w, broker)
    to_risk()
    assert [(d.rule, d.action) for d in decisions] == [("lockout", "close_position")] * 2, \
        [(d.rule, d.action, d.reason) for d in decisions]
    assert risk.accounts[ACCOUNT].trades_today == 2      # the trader's two buys, not the close


def test_risk_past_its_window_has_the_broker_read_again_and_takes_that_read():
    """market holds a stale long 1 (the close's size-0 Position lost on the hub: its Trade
    came). Risk, its fills flat and the Position long 1 past its window, asks for a snapshot
    from a broker read begun after that (SnapshotRequest.read_after_ns): market reads the
    broker once (not again for every ask while that read runs), publishes the close of the
    position, and its next snapshot says the read (read_ns) that settles risk's doubt.
    A snapshot from the older read leaves risk waiting; nothing is closed meanwhile."""
    clock = FakeClock(chi(2026, 11, 25, 9, 0))
    risk = shipped_engine(load_config(SHIPPED), clock.now_ns())
    risk.on_event(ContractInfo(contract_id=RTY, name="RTYZ6", tick_size=Decimal("0.1"),
                               tick_value=Decimal("5"), symbol="F.US.RTY"), clock.now_ns())
    w = market(clock)
    broker = Broker(clock)
    w._reconcile()
    run_reconcile(w, broker)                         # the first read: nothing open
    first_read = w.read_ns
    assert first_read
    t = broker.now_s()
    buy = trade(broker, 7000045, t + 0.5, 0, 9000065)
    opened = long_1(broker, t + 0.5, 25)
    sell = trade(broker, 7000047, t + 2.0, 1, 9000067, pnl="-5.00")
    broker.trades = [(t + 0.5, buy), (t + 2.0, sell)]
    broker.positions = [(0.0, []), (t + 0.5, [opened]), (t + 2.0, [])]
    fed = 0
    decisions = []

    def to_risk(msgs=None):
        nonlocal fed
        for msg in msgs if msgs is not None else w.published[fed:]:
            decisions.extend(d for d in risk.on_event(msg, clock.now_ns()).decisions
                             if not d.suppressed)
        if msgs is None:
            fed = len(w.published)

    risk.on_event(AccountUpdate(account_id=ACCOUNT, name="CHAOS-DRAWDOWN",
                                balance=Decimal(50_000), can_trade=True), clock.now_ns())
    clock.advance(0.5)
    w._user_event(hub_trade(buy))
    w._user_event(hub_position(opened, 1))
    clock.advance(1.5)
    w._user_event(hub_trade(sell))                   # its size-0 Position never comes
    to_risk()
    assert held(w) == {RTY: 1}
    for _ in range(12):
        clock.advance(1.0)
        risk.tick(clock.now_ns())
    wanted = risk.read_after()
    assert wanted > first_read
    reply = w._on_snapshot(SnapshotRequest(read_after_ns=wanted))
    snap = reply.body
    assert snap.read_ns == first_read                # the older read: not what risk wants
    risk.apply_snapshot(snap, clock.now_ns())
    assert risk.read_after() == wanted
    assert [j[0] for j in w.rest.jobs] == ["reconcile"]
    w._on_snapshot(SnapshotRequest(read_after_ns=wanted))     # asked again meanwhile
    assert [j[0] for j in w.rest.jobs] == ["reconcile"]       # the same read
    run_reconcile(w, broker)
    assert held(w) == {}
    to_risk()                                        # the close of the position, published
    snap = w._on_snapshot(SnapshotRequest(read_after_ns=wanted)).body
    assert snap.read_ns >= wanted and w.rest.jobs == []
    risk.apply_snapshot(snap, clock.now_ns())
    assert risk.read_after() == 0
    assert risk.accounts[ACCOUNT].positions == {} and risk.accounts[ACCOUNT].ahead == {}
    assert decisions == [], [(d.rule, d.action, d.reason) for d in decisions]


def test_a_failed_reads_retry_keeps_its_pace():
    """A reconcile that failed waits for its retry: risk's asks start no read meanwhile (a
    broker that does not answer is not called twice a second)."""
    clock = FakeClock()
    w = market(clock)
    broker = Broker(clock)
    w._reconcile()
    run_reconcile(w, broker)
    w.later = lambda delay, fn: None
    w._reconcile()
    job, fn, tag = w.rest.jobs.pop(0)
    w._done_reconcile(RestDone(job, tag, error="HTTP 503"))
    w._on_snapshot(SnapshotRequest(read_after_ns=clock.now_ns()))
    assert w.rest.jobs == []
