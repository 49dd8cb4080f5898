"""riskd's own closes are never the trader's trades, whatever the broker's events do across
restarts and resyncs (RULES.md "Whose trade it is"; DESIGN.md guarantees 4 and 8).

Chaos finding (make test at 10a8c0b, seed 7, the selflock story): the trader locked themself
out while long 2 ENQ; the flatten's close was applied at the broker, its answer lost, and riskd
was killed -9 and started again. The new risk had the flatten's expected exit (sell 2, saved)
but never saw the position go flat (risk's book starts empty; market restarted too and its
first snapshot held nothing). The trader then bought 1 while locked: its Position (a new
position, opened seconds after the flatten was issued) made the lockout close it, and that
close's expectation was merged into the flatten's as if they were the same contracts (the
flatten's exit gave 1 of its 2 to the new exit: 2 expected where riskd was to close 3). The
lockout's closing fill used one up; the flatten's fill of 2, reaching risk last (in market's
complete snapshot), fitted in none and was counted as the trader's 3rd trade of the minute:
trade_frequency_limit's cooldown, a decision the calm run never made.

A hypothesis state machine plays that story's parts in any order: the trader's buys while
locked, enforcement carrying out riskd's closes at the broker (a close reads the position when
it runs), each fill's Trade, Position and Order delivered in any order, late, twice, or lost
(a dropped websocket: market's reconciliation brings them back; a restart: the snapshot),
the fills made after a dropped websocket's reconnect delivered before market's
reconciliation, market's incomplete and complete snapshots, enforcement's results delivered
or lost (a lost one's command resumed later: it closes what is open then, a later buy
included), each naming the broker orders its closes made (CommandResult.close_orders), risk
killed and started again from its store (every step committed, as the worker commits before
it publishes) and its first snapshot, up to three times, and time passing (20 s at once
too: a fill delivered past 15 s after its close's result). After every step each trade risk
knows is riskd's exactly when riskd's command made it (a fill held for a close in flight,
counted as no one's, while that close has no result), and the trader's trade count is the
number of the trader's buys risk has seen. The rules are the shipped ones (etc/riskd.toml),
nothing changed.

`make test` runs a bounded number of examples, the same ones each run (derandomized);
RISKD_HYPOTHESIS_EXAMPLES=N runs N. Widened by branch whose18 (riskd's closes told by the
orders enforcement's results name): results lost and their commands resumed, hub events
before market's reconciliation, more restarts, 20 s steps; by branch exits19: market
restarted with risk (market_restarted_with_risk: its first snapshot incomplete, what it had
published and risk not read lost, its reconciliation or complete snapshot later).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from decimal import Decimal

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from services.risk.store import Store
from shared.config.load import load_config
from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import (ORDER_MARKET, POSITION_LONG, SIDE_BUY, SIDE_SELL,
                                    STATUS_FILLED, AccountUpdate, Fill, MarketSnapshot,
                                    OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import CLOSE_POSITION, FLATTEN, REDUCE_POSITION
from tests.unit.risk.desk import NQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
LOADED = load_config(SHIPPED)
T0 = chi(2026, 11, 25, 9, 0)                 # a Wednesday morning
PRICE = Decimal("21000")
FEE = Decimal("0.37")
EXAMPLES = int(os.environ.get("RISKD_HYPOTHESIS_EXAMPLES", "60"))
CLOSING = (CLOSE_POSITION, REDUCE_POSITION, FLATTEN)


def account() -> AccountUpdate:
    return AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                         can_trade=True)


class Risk:
    """One risk process: an engine loaded from the store, each step committed before the next."""

    def __init__(self, data_dir: str, now: int, name: str):
        self.engine = shipped_engine(LOADED, now, prefix=name)
        self.store, _ = Store.open(data_dir)
        self.store.load(self.engine, now)

    def step(self, out):
        self.store.commit(out, self.engine)
        return out

    def stop(self):
        self.store.close()


class RiskdFillsAcrossRestarts(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="riskd-fills-")
        self.now = T0
        self.generation = 0
        self.risk = Risk(self.dir, self.now, "r0")
        # the broker: one contract, long or flat; every trade with whose it is
        self.size = 0
        self.position_id = 0
        self.created = 0
        self.ids = iter(range(1, 10**9))
        self.trades: dict[int, Fill] = {}
        self.riskds: set[int] = set()
        self.queue: list[list] = []         # published by market, not yet read by risk
        self.results: list[str] = []        # enforcement's answers on their way
        self.ran: set[str] = set()          # command ids enforcement carried out
        self.lost: list[str] = []           # carried out, the answer lost (to be resumed)
        self.made: dict[str, list] = {}     # command id -> the broker orders its closes made
        self.reconcile_due = False          # the websocket dropped; market has not read yet
        self._sync(complete=True)
        self._feed(Quote(contract_id=NQ, ts_ns=self.now, last=PRICE))
        self._deliver_all(self._fill(SIDE_BUY, 2))           # long 2
        out, refusal = self.risk.engine.self_lock(ACCOUNT, self.now, session=True,
                                                  reason="tilt")
        assert not refusal, refusal
        self.risk.step(out)

    def teardown(self):
        self.risk.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- the broker ---------------------------------------------------------------------------
    def _fill(self, side: int, size: int, riskd: bool = False) -> list:
        """A market order fills now: its Trade, Position and Order events."""
        before = self.size
        self.size += size if side == SIDE_BUY else -size
        if before == 0:
            self.position_id += 1
            self.created = self.now
        trade_id, order_id = next(self.ids), next(self.ids)
        trade = Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=NQ, ts_ns=self.now,
                     price=PRICE, pnl=None if side == SIDE_BUY else Decimal(0),
                     fees=FEE * size, side=side, size=size, order_id=order_id)
        self.trades[trade_id] = trade
        if riskd:
            self.riskds.add(trade_id)
        order = OrderUpdate(account_id=ACCOUNT, order_id=order_id, contract_id=NQ,
                            created_ns=self.now, updated_ns=self.now, status=STATUS_FILLED,
                            type=ORDER_MARKET, side=side, size=size, fill_volume=size,
                            filled_price=PRICE)
        return [trade, self._position(), order]

    def _position(self) -> PositionUpdate:
        return PositionUpdate(account_id=ACCOUNT, position_id=self.position_id,
                              contract_id=NQ, ts_ns=self.created,
                              type=POSITION_LONG if self.size else 0, size=self.size,
                              average_price=PRICE)

    def _snapshot(self, complete: bool) -> MarketSnapshot:
        if not complete:        # market started and has not read the broker yet
            return MarketSnapshot(seq=0, epoch=self.generation, complete=False)
        return MarketSnapshot(seq=0, epoch=self.generation, complete=True,
                              accounts=[account()],
                              positions=[self._position()] if self.size else [],
                              fills=list(self.trades.values()),
                              quotes=[Quote(contract_id=NQ, ts_ns=self.now, last=PRICE)])

    # -- risk ---------------------------------------------------------------------------------
    def _feed(self, event):
        return self.risk.step(self.risk.engine.on_event(event, self.now))

    def _sync(self, complete: bool):
        return self.risk.step(self.risk.engine.apply_snapshot(self._snapshot(complete),
                                                              self.now))

    def _deliver_all(self, events):
        for ev in events:
            self._feed(ev)

    def _closing_commands(self) -> list:
        return sorted(cid for cid, e in self.risk.engine.outbox.entries.items()
                      if e.command.action in CLOSING and cid not in self.ran)

    # -- what happens ---------------------------------------------------------------------------
    @precondition(lambda self: len(self.trades) < 14)
    @rule(size=st.integers(1, 2))
    def trader_buys_while_locked(self, size):
        """The trader's orders are seconds apart, as in the chaos story (within the 1 s clock
        skew riskd allows between the broker and itself, an order's time says nothing)."""
        self.now += int(1.5 * NS)
        self.risk.step(self.risk.engine.tick(self.now))
        self.queue.append(self._fill(SIDE_BUY, size))

    @precondition(lambda self: self._closing_commands())
    @rule(data=st.data())
    def enforcement_closes(self, data):
        """riskd's close, reduce or flatten runs at the broker: it closes what it reads now."""
        cid = data.draw(st.sampled_from(self._closing_commands()), label="command")
        self.ran.add(cid)
        self._carry_out(cid)
        if data.draw(st.booleans(), label="answer lost"):
            self.lost.append(cid)           # enforcement crashed, or its answer was lost
            return
        self.results.append(cid)

    @precondition(lambda self: self.lost)
    @rule(data=st.data())
    def enforcement_resumes(self, data):
        """Enforcement resumes a command whose answer never came (after its crash, or risk
        re-sending it): it re-reads the broker and closes what is open now, a later buy of
        the trader's included; then it answers, naming every order its closes made."""
        cid = self.lost.pop(data.draw(st.integers(0, len(self.lost) - 1), label="resumed"))
        if cid not in self.risk.engine.outbox.entries:
            return
        self._carry_out(cid)
        self.results.append(cid)

    def _carry_out(self, cid: str) -> None:
        """A close or flatten closes the position it reads; a reduce cuts it down to its
        target (or by its size)."""
        cmd = self.risk.engine.outbox.entries[cid].command
        n = self.size
        if cmd.action == REDUCE_POSITION:
            n = max(0, self.size - cmd.target) if cmd.target is not None \
                else min(cmd.size or 0, self.size)
        if n:
            events = self._fill(SIDE_SELL, n, riskd=True)
            self.made.setdefault(cid, []).append(events[0].order_id)
            self.queue.append(events)

    @precondition(lambda self: self.queue)
    @rule(data=st.data())
    def market_delivers(self, data):
        """One event of the first fill on its way, its events in any order, sometimes twice
        (the hub keeps the fills' order; a later fill's events overtake an earlier one's only
        through a restart or a snapshot)."""
        g = 0
        group = self.queue[g]
        i = data.draw(st.integers(0, len(group) - 1), label="event")
        ev = group[i] if data.draw(st.booleans(), label="twice") else group.pop(i)
        if not group:
            self.queue.pop(g)
        self._feed(ev)

    @precondition(lambda self: self.queue)
    @rule()
    def websocket_dropped(self):
        """Events sent while the hubs were down are never delivered; the fills made after the
        reconnect come live, maybe before market's reconciliation (market_reconciles)."""
        self.queue.clear()
        self.reconcile_due = True

    @precondition(lambda self: self.reconcile_due)
    @rule()
    def market_reconciles(self):
        """Market's reconnect reads the broker and publishes what changed as events, today's
        trades oldest first, then the position (services/market/reconcile.py)."""
        self.reconcile_due = False
        for trade in sorted(self.trades.values(), key=lambda t: (t.ts_ns, t.trade_id)):
            self._feed(trade)
        self._feed(self._position())

    @rule(complete=st.booleans())
    def market_snapshot(self, complete):
        self._sync(complete)

    @precondition(lambda self: self.results)
    @rule(data=st.data())
    def enforcement_answers(self, data):
        cid = self.results.pop(data.draw(st.integers(0, len(self.results) - 1), label="result"))
        if cid in self.risk.engine.outbox.entries:
            orders = [CloseOrder(order_id=oid, contract_id=NQ, side=SIDE_SELL,
                                 size=self._order_size(oid)) for oid in self.made.get(cid, [])]
            self.risk.step(self.risk.engine.on_result(CommandResult(
                command_id=cid, account_id=ACCOUNT, status=DONE, detail="closed",
                close_orders=orders, orders_known=True), self.now))

    def _order_size(self, order_id: int) -> int:
        return next(t.size for t in self.trades.values() if t.order_id == order_id)

    @precondition(lambda self: self.generation < 3)
    @rule()
    def risk_killed_and_started(self):
        """A new risk asks market for its snapshot first; up to three times a run (with
        market_restarted_with_risk). test_the_selflock_story_of_the_chaos_run plays the chaos
        run's own order of a restart of both."""
        self.risk.stop()
        self.generation += 1
        self.risk = Risk(self.dir, self.now, f"r{self.generation}")
        self._sync(complete=True)

    @precondition(lambda self: self.generation < 3)
    @rule()
    def market_restarted_with_risk(self):
        """risk and market killed and started again together (a host restart, `riskctl
        restart`): what market had published and risk not read is lost, the new market's
        first snapshot is incomplete (it has not read the broker yet), and its complete
        snapshot or its reconciliation comes later (market_snapshot, market_reconciles)."""
        self.risk.stop()
        self.generation += 1
        self.risk = Risk(self.dir, self.now, f"r{self.generation}")
        self.queue.clear()
        self._sync(complete=False)
        self.reconcile_due = True

    @rule(seconds=st.sampled_from([0.1, 0.5, 2, 5, 20]))
    def time_passes(self, seconds):
        self.now += int(seconds * NS)
        self.risk.step(self.risk.engine.tick(self.now))

    # -- what must hold ---------------------------------------------------------------------------
    @invariant()
    def riskds_closes_are_never_the_traders_trades(self):
        acct = self.risk.engine.accounts.get(ACCOUNT)
        if acct is None:
            return
        # a fill held for a close in flight (services/risk/exits.py hold) is no one's trade
        # until that close's result names its orders: only while a close is in flight
        held = set(acct.riskd.held) | set(acct.riskd.claimed)
        assert not held or self.risk.engine.outbox.entries, held
        wrong = {tid: f.by_riskd for tid, f in acct.trades.items()
                 if tid not in held and f.by_riskd != (tid in self.riskds)}
        assert not wrong, (f"trades taken for the wrong side's (trade id: by_riskd): {wrong}; "
                           f"riskd's: {sorted(self.riskds)}")
        assert acct.trades_today == sum(1 for tid in acct.trades
                                        if tid not in self.riskds and tid not in held)


RiskdFillsAcrossRestarts.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=30, deadline=None, derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestRiskdFillsAcrossRestarts = RiskdFillsAcrossRestarts.TestCase


def test_the_selflock_story_of_the_chaos_run():
    """The chaos run's order, step by step (fails on main's code: the flatten's fill of 2 is
    taken for the trader's 3rd trade of the minute and trade_frequency_limit locks)."""
    m = RiskdFillsAcrossRestarts()          # long 2, the self-lockout's flatten issued
    try:
        [flatten] = m._closing_commands()
        m.ran.add(flatten)                  # applied at the broker, its answer lost (500)
        m.queue.append(m._fill(SIDE_SELL, 2, riskd=True))
        m.time_passes(0.5)
        m.queue.clear()                     # riskd killed -9 mid-flatten, market with it
        m.risk.stop()
        m.risk = Risk(m.dir, m.now, "r1")
        outs = [m._sync(complete=False)]    # the new market has not read the broker yet
        m.time_passes(3)
        trade, position, order = m._fill(SIDE_BUY, 1)      # the trader's buy while locked
        outs += [m._feed(ev) for ev in (position, trade, order)]   # the sim's Position first
        [close] = m._closing_commands()
        m.ran.add(close)
        trade, position, order = m._fill(SIDE_SELL, 1, riskd=True)  # the lockout's close
        outs += [m._feed(ev) for ev in (position, trade, order)]
        outs.append(m._sync(complete=True))   # market's snapshot: the flatten's fill last
        m.riskds_closes_are_never_the_traders_trades()
        decisions = [(d.rule, d.action) for o in outs for d in o.decisions if not d.suppressed]
        assert decisions == [("lockout", "close_position")], decisions
        assert m.risk.engine.accounts[ACCOUNT].trades_today == 2
    finally:
        m.teardown()


class Draws:
    """Hypothesis's data.draw, played back: the values in order."""

    def __init__(self, *values):
        self.values = list(values)

    def draw(self, _strategy, label=None):
        return self.values.pop(0)


def test_market_restarted_with_risk_reads_no_short_position_that_never_was():
    """The order market_restarted_with_risk found (fails before the fix: riskd's flatten's
    sell of 3 and its resumed sell of 1 counted as the trader's, a trade_frequency_limit
    cooldown of riskd's own closes). risk and market restart together twice; the Position
    that market's reconciliation brings (long 2) was read as growth from flat that no fill
    explained (its buys were known from before the restart), so the flatten's later sell of 3
    read a short 2 that never was: the flatten's exit was moved to the buying side, and the
    trader's next buy looked like its close."""
    m = RiskdFillsAcrossRestarts()
    try:
        m.risk_killed_and_started()
        m.market_restarted_with_risk()
        m.trader_buys_while_locked(1)
        m.market_reconciles()
        m.market_restarted_with_risk()
        reduce_, = [c for c in m._closing_commands()
                    if m.risk.engine.outbox.entries[c].command.action == REDUCE_POSITION]
        flatten, = [c for c in m._closing_commands()
                    if m.risk.engine.outbox.entries[c].command.action == FLATTEN]
        m.enforcement_closes(Draws(reduce_, False))
        m.market_reconciles()
        m.trader_buys_while_locked(1)
        m.websocket_dropped()
        m.enforcement_closes(Draws(flatten, True))       # its answer lost
        m.market_reconciles()
        m.trader_buys_while_locked(1)
        m.enforcement_resumes(Draws(0))                  # it closes the last buy too
        m.websocket_dropped()
        m.market_reconciles()
        m.riskds_closes_are_never_the_traders_trades()
        m.enforcement_answers(Draws(0))                  # the reduce's result
        m.riskds_closes_are_never_the_traders_trades()
        acct = m.risk.engine.accounts[ACCOUNT]
        assert acct.trades_today == 4, acct.trades_today       # the trader's 4 buys
    finally:
        m.teardown()
