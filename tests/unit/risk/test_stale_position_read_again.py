"""Fills and the broker's Position disagreeing for longer than the window (ahead.py WINDOW_NS):
risk asks for the broker read afresh and keeps reading the account by its fills until that read
is in; it never takes the disagreeing Position as the truth on its own.

The chaos run of 2026-12-07 (CHAOS-DRAWDOWN, locked to the roll): the restarted market kept
a long 1 RTY that riskd's close had closed (its reconcile dropped the close's size-0
Position; fixed in market: tests/unit/market/test_reconcile_read_order.py). Risk had the
close's fill, the Position never followed; ten seconds later risk dropped the disagreement and
took market's long 1 as true, then read the trader's next buy as "added to" it: "reduce to 1",
enforcement "at 1 (target 1)", and the locked account kept its buy. Any other stale Position
(a dropped hub event, a slow reconcile) does the same: risk needs a fresh read, not a guess.

The shipped rules (etc/riskd.toml); the account locked by its trader for the session, as the
chaos run's was to the roll. The broker's events come in no guaranteed order: the buy's Trade
and Position either way, the close's result before or after its fill, the next buy's Position
(a new position: a new id) before, after, or not at all before the read.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import attrs
import pytest

from services.risk.ahead import WINDOW_NS
from shared.config.load import load_config
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate,
                                    ContractInfo, Fill, MarketSnapshot, PositionUpdate)
from tests.unit.risk.desk import NS, SHIPPED, chi, shipped_engine

ACCOUNT = 3005              # not listed in etc/riskd.toml: guarded by the default profile
RTY = "CON.F.US.RTY.Z26"
LOADED = load_config(SHIPPED)
PRICE = Decimal("2200.10")


class Story:
    def __init__(self) -> None:
        self.now = chi(2026, 11, 25, 9, 0)
        self.risk = shipped_engine(LOADED, self.now)
        self.outs: list = []
        self.on(ContractInfo(contract_id=RTY, name="RTYZ6", tick_size=Decimal("0.1"),
                             tick_value=Decimal("5"), symbol="F.US.RTY"))
        self.on(AccountUpdate(account_id=ACCOUNT, name="CHAOS-DRAWDOWN", balance=Decimal(50_000),
                              can_trade=True))
        out, refused = self.risk.self_lock(ACCOUNT, self.now, session=True)
        assert not refused, refused          # its flatten found nothing open: not kept

    def on(self, event):
        out = self.risk.on_event(event, self.now)
        self.outs.append(out)
        return out

    def wait(self, seconds: float) -> None:
        for _ in range(int(seconds * 10)):           # the worker's 0.1 s tick
            self.now += NS // 10
            self.outs.append(self.risk.tick(self.now))

    def fill(self, tid: int, side: int, order_id: int, pnl=None) -> Fill:
        return Fill(account_id=ACCOUNT, trade_id=tid, contract_id=RTY, ts_ns=self.now,
                    price=PRICE, pnl=None if pnl is None else Decimal(pnl), fees=Decimal("1.40"),
                    side=side, size=1, order_id=order_id)

    def position(self, pid: int, size: int) -> PositionUpdate:
        return PositionUpdate(account_id=ACCOUNT, position_id=pid, contract_id=RTY,
                              ts_ns=self.now, type=POSITION_LONG if size else 0, size=size,
                              average_price=PRICE if size else Decimal(0))

    def acted(self) -> list[tuple[str, str]]:
        return [(d.rule, d.action) for o in self.outs for d in o.decisions if not d.suppressed]

    def commands(self) -> list:
        return [c for o in self.outs for c in o.commands]

    def done(self, cmd, order_id: int) -> None:
        self.outs.append(self.risk.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status="done", detail="closed", attempts=1,
            broker_calls=1, started_ns=self.now, finished_ns=self.now, first_answer_ns=self.now,
            action=cmd.action, rule=cmd.rule, issued_ns=cmd.issued_ns,
            close_orders=[CloseOrder(order_id=order_id, contract_id=RTY, side=SIDE_SELL,
                                     size=1)], orders_known=True), self.now))

    def snapshot(self, positions: list[PositionUpdate], read_ns: int) -> None:
        """market's complete snapshot, from a broker read begun at read_ns."""
        self.outs.append(self.risk.apply_snapshot(MarketSnapshot(
            seq=1, epoch=1, complete=True, read_ns=read_ns,
            accounts=[AccountUpdate(account_id=ACCOUNT, name="CHAOS-DRAWDOWN", balance=Decimal(50_000),
                                    can_trade=True)],
            positions=positions), self.now))


def stale_long(position_first: bool, result_first: bool) -> Story:
    """The trader buys RTY while locked; riskd's close of it fills; market's Position stays
    at long 1 (stale): fills flat, Position long 1."""
    s = Story()
    s.wait(3.7)
    events = [s.fill(7000045, SIDE_BUY, 9000065), s.position(25, 1)]
    for ev in events[::-1] if position_first else events:
        s.on(ev)
    assert s.acted() == [("lockout", "close_position")], s.acted()
    [close] = [c for c in s.commands() if c.action == "close_position"]
    s.wait(0.3)
    steps = [lambda: s.done(close, 9000067),
             lambda: s.on(s.fill(7000047, SIDE_SELL, 9000067, pnl="-5.00"))]
    for step in steps if result_first else steps[::-1]:
        step()
    return s


ORDERS = list(itertools.product([False, True], [False, True]))
IDS = [f"{'position' if p else 'trade'}-first,{'result' if r else 'fill'}-first"
       for p, r in ORDERS]


@pytest.mark.parametrize("position_first,result_first", ORDERS, ids=IDS)
@pytest.mark.parametrize("next_position", ["before", "after", "none"])
def test_the_next_buy_after_a_stale_position_is_a_new_position_closed_whole(
        position_first, result_first, next_position):
    """30 s after the close's fill, the Position still long 1: the trader buys again (a new
    position at the broker, id 26). Risk reads it by its fills: a new long 1 on a flat
    account, closed whole by the lockout, not "added to" a long 1 and reduced to 1."""
    s = stale_long(position_first, result_first)
    s.wait(30)
    assert s.risk.accounts[ACCOUNT].live_size(s.risk.accounts[ACCOUNT].positions[RTY]) == 0
    buy = s.fill(7000049, SIDE_BUY, 9000071)
    events = {"before": [s.position(26, 1), buy], "after": [buy, s.position(26, 1)],
              "none": [buy]}[next_position]
    for ev in events:
        s.on(ev)
    s.wait(1.5)                  # a Position alone waits up to a second for its fill
    assert s.acted() == [("lockout", "close_position")] * 2, s.acted()
    assert [c.action for c in s.commands()] == ["close_position"] * 2


@pytest.mark.parametrize("position_first,result_first", ORDERS, ids=IDS)
def test_risk_asks_for_a_fresh_read_and_takes_it(position_first, result_first):
    """Past the window risk wants a broker read begun after the disagreement went stale
    (Engine.read_after); a snapshot from an older read does not settle it; a fresh one does,
    whichever it says: flat (the Position was stale) or long 1 (the broker holds it: its
    Position is the truth of size, a fill risk took for this contract was not)."""
    s = stale_long(position_first, result_first)
    since = s.now
    assert s.risk.read_after() == 0              # inside the window: no read asked
    s.wait(WINDOW_NS / NS + 0.5)
    wanted = s.risk.read_after()
    assert since < wanted <= s.now, (since, wanted, s.now)
    s.snapshot([s.position(25, 1)], read_ns=wanted - 1)      # an older read: not news
    assert s.risk.read_after() == wanted
    assert s.risk.accounts[ACCOUNT].exposure(RTY) == 0
    s.snapshot([], read_ns=wanted + 1)                       # fresh: flat
    assert s.risk.read_after() == 0
    assert s.risk.accounts[ACCOUNT].positions == {}
    assert s.risk.accounts[ACCOUNT].ahead == {}
    assert s.acted() == [("lockout", "close_position")]


@pytest.mark.parametrize("position_first,result_first", ORDERS, ids=IDS)
def test_a_fresh_read_that_holds_the_position_makes_it_the_truth(position_first, result_first):
    s = stale_long(position_first, result_first)
    s.wait(WINDOW_NS / NS + 0.5)
    wanted = s.risk.read_after()
    s.snapshot([s.position(25, 1)], read_ns=wanted)
    assert s.risk.read_after() == 0
    acct = s.risk.accounts[ACCOUNT]
    assert acct.ahead == {} and acct.exposure(RTY) == 1
    assert acct.live_size(acct.positions[RTY]) == 1


def test_the_worker_asks_market_once_and_again_only_while_the_read_is_older(tmp_path):
    """The risk worker (its 0.1 s tick, its snapshot requests to market): past the window it
    sends one SnapshotRequest carrying the read it wants, not one per tick; a snapshot from
    an older read makes it ask again FRESH_RETRY later; the fresh one ends the asking."""
    from services.risk.app import FRESH_RETRY
    from shared.clock import FakeClock
    from tests.unit.risk.worker_rig import risk_worker
    accounts = [{"id": ACCOUNT, "name": "CHAOS-DRAWDOWN"}]
    with risk_worker(tmp_path, accounts, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w = rig[0]
        w._first_ask_at = 0.0                # the rig's snapshot is the first one
        asked: list[int] = []
        w.ask.send = lambda: asked.append(w.engine.read_after())
        w._event(ContractInfo(contract_id=RTY, name="RTYZ6", tick_size=Decimal("0.1"),
                              tick_value=Decimal("5"), symbol="F.US.RTY"))

        def at(event):
            return attrs.evolve(event, ts_ns=w.clock.now_ns())
        story = Story()                      # its events, stamped with the worker's clock
        w._event(at(story.fill(1, SIDE_BUY, 11)))
        w._event(at(story.position(25, 1)))
        w.clock.advance(0.5)
        w._event(at(story.fill(2, SIDE_SELL, 12, pnl="-5.00")))    # its Position never comes
        for _ in range(110):
            w.clock.advance(0.1)
            w._tick()
        assert len(asked) == 1 and asked[0], asked
        wanted = asked[0]
        for _ in range(30):
            w.clock.advance(0.1)
            w._tick()
        assert len(asked) == 1, asked                  # its answer not in yet: no second ask

        def snapshot(read_ns):
            w.on_snapshot(MarketSnapshot(
                seq=0, epoch="test", complete=True, read_ns=read_ns,
                accounts=[AccountUpdate(account_id=ACCOUNT, name="CHAOS-DRAWDOWN",
                                        balance=Decimal(50_000), can_trade=True)],
                positions=[at(story.position(25, 1))]))
        snapshot(wanted - 1)                           # market's older read
        for _ in range(int(FRESH_RETRY * 10) + 2):
            w.clock.advance(0.1)
            w._tick()
        assert asked == [wanted, wanted], asked
        snapshot(wanted)                               # the fresh read: long 1 is the truth
        for _ in range(50):
            w.clock.advance(0.1)
            w._tick()
        assert asked == [wanted, wanted], asked
        assert w.engine.read_after() == 0 and w.engine.accounts[ACCOUNT].ahead == {}


def test_the_worker_backs_off_while_markets_reads_fail_one_ask_for_every_account(tmp_path):
    """Market's broker reads keep failing (each snapshot it sends is from its last good read):
    risk asks again 1, 2, 4 ... s later, never more than 30 s apart, not every second (each
    ask is a full snapshot, and market's read costs broker calls under the broker's rate
    limits). A second account going stale meanwhile adds no ask of its own: the next one
    carries the later time, covering both. Once a read as fresh as wanted is in, the pace
    starts again at 1 s. Old code: an ask every FRESH_RETRY (1 s) for as long as it lasted."""
    from services.risk.app import FRESH_RETRY, FRESH_RETRY_MAX
    from shared.clock import FakeClock
    from tests.unit.risk.worker_rig import risk_worker
    other = ACCOUNT + 1
    accounts = [{"id": ACCOUNT, "name": "CHAOS-DRAWDOWN"}, {"id": other, "name": "OTHER"}]
    with risk_worker(tmp_path, accounts, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w = rig[0]
        w._first_ask_at = 0.0                # the rig's snapshot is the first one
        asked: list[tuple[float, int]] = []
        w.ask.send = lambda: asked.append((w.clock.monotonic(), w.engine.read_after()))
        w._event(ContractInfo(contract_id=RTY, name="RTYZ6", tick_size=Decimal("0.1"),
                              tick_value=Decimal("5"), symbol="F.US.RTY"))

        def at(event, account=ACCOUNT):
            return attrs.evolve(event, ts_ns=w.clock.now_ns(), account_id=account)
        story = Story()
        held = {ACCOUNT: [], other: []}      # what market's last good read holds

        def run(seconds, read_ns):           # market answers each ask from a read at read_ns
            for _ in range(int(seconds * 10)):
                w.clock.advance(0.1)
                n = len(asked)
                w._tick()
                if len(asked) > n:
                    snapshot(read_ns)

        def stale_apart(account, read_ns, n=1):     # a close's fill whose Position never comes
            w._event(at(story.fill(2 * n - 1, SIDE_BUY, 10 + 2 * n - 1), account))
            w._event(at(story.position(24 + n, 1), account))
            run(0.5, read_ns)
            w._event(at(story.fill(2 * n, SIDE_SELL, 10 + 2 * n, pnl="-5.00"), account))
            held[account] = [at(story.position(24 + n, 1), account)]

        def snapshot(read_ns):
            w.on_snapshot(MarketSnapshot(
                seq=0, epoch="test", complete=True, read_ns=read_ns,
                accounts=[AccountUpdate(account_id=a, name=n, balance=Decimal(50_000),
                                        can_trade=True)
                          for a, n in ((ACCOUNT, "CHAOS-DRAWDOWN"), (other, "OTHER"))],
                positions=held[ACCOUNT] + held[other]))

        stale_apart(ACCOUNT, 1)
        run(11, 1)
        assert len(asked) == 1, asked
        stale_apart(other, 1)                # goes stale while the retry waits
        run(95, 1)
        gaps = [round(b[0] - a[0], 1) for a, b in zip(asked, asked[1:])]
        assert FRESH_RETRY == 1 and FRESH_RETRY_MAX == 30
        assert gaps == pytest.approx([1, 2, 4, 8, 16, 30, 30, 30, 30][:len(gaps)], abs=0.11) \
            and len(gaps) >= 7, gaps
        latest = w.engine.read_after()
        assert latest > asked[0][1] and asked[-1][1] == latest, asked   # one ask covers both
        run(FRESH_RETRY_MAX + 1, latest)     # a read as fresh as wanted: the asking ends
        assert w.engine.read_after() == 0, w.engine.read_after()
        n = len(asked)
        run(5, latest)
        assert len(asked) == n, asked[n:]
        stale_apart(ACCOUNT, latest, 2)      # a new disagreement: the pace starts at 1 s again
        run(13, latest)
        gaps = [round(b[0] - a[0], 1) for a, b in zip(asked[n:], asked[n + 1:])]
        assert gaps and gaps[0] == pytest.approx(FRESH_RETRY, abs=0.11), gaps
