"""A close still waiting for its result across a restart does not stand for a later position.

Chaos run finding (2026-12-05, make chaos run 3, the 'loser' account): daily_unrealized_loss
closed the 5 MNQ (command C1); its fill realized the loss, daily_realized_loss locked the
account and flattened. riskd was then restarted (twice) before risk read C1's result, so the
new risk reloaded C1 from its outbox as in flight. The trader bought 1 MNQ while locked: the
lockout's close of it is the same target (close_position, MNQ) and was taken for C1 ("the same
action is in flight"): no decision, no record, and the buy stayed open (every later buy was
then reduced back to it). C1 cannot close it: it was issued before that position opened, and
enforcement answers a repeat of a finished command with the result it already has.

Three risk processes share one store, the way the worker runs them (engine step, then
commit): the first issues C1; the second (restarted, C1's position still open) sees riskd's
close in either event order and locks; the third (restarted again) gets market's incomplete
snapshot, then, in every order, the trader's buy (its Position and Trade), market's complete
snapshot and C1's result. The buy is closed once, whatever the order. The rules are the
shipped ones (etc/riskd.toml), nothing changed.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from services.risk.store import Store
from shared.config.load import load_config
from shared.messages.enforce import DONE, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
LOADED = load_config(SHIPPED)
T0 = chi(2026, 11, 25, 9, 0)                 # a Wednesday morning
BALANCE = Decimal(50_000)


def account(balance=BALANCE) -> AccountUpdate:
    return AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=balance, can_trade=True)


def position(size: int, created_ns: int, position_id: int) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=position_id, contract_id=MNQ,
                          ts_ns=created_ns, type=POSITION_LONG if size else 0, size=size,
                          average_price=Decimal("21000.25"))


def fill(trade_id: int, ts_ns: int, side: int, size: int, price: str, pnl=None) -> Fill:
    return Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=ts_ns,
                price=Decimal(price), pnl=None if pnl is None else Decimal(pnl),
                fees=Decimal("0.37") * size, side=side, size=size, order_id=trade_id + 100)


def snapshot(positions, fills, complete: bool, seq: int, last="21000") -> MarketSnapshot:
    return MarketSnapshot(seq=seq, epoch=seq, complete=complete, accounts=[account()],
                          positions=positions, orders=[], fills=fills,
                          quotes=[Quote(contract_id=MNQ, ts_ns=T0, last=Decimal(last))])


class Risk:
    """One risk process: an engine loaded from the store, each step committed."""

    def __init__(self, data_dir: str, now: int, name: str):
        self.engine = shipped_engine(LOADED, now, prefix=name)
        self.store, _ = Store.open(data_dir)
        self.store.load(self.engine, now)
        self.now = now
        self.outs = []

    def step(self, out):
        self.store.commit(out, self.engine)
        self.outs.append(out)
        return out

    def feed(self, event):
        return self.step(self.engine.on_event(event, self.now))

    def sync(self, snap):
        return self.step(self.engine.apply_snapshot(snap, self.now))

    def result(self, command_id: str, status=DONE):
        cmd = self.engine.outbox.entries[command_id].command
        return self.step(self.engine.on_result(CommandResult(
            command_id=command_id, account_id=ACCOUNT, status=status, action=cmd.action,
            rule=cmd.rule, detail="already flat"), self.now))

    def decisions(self):
        return [d for o in self.outs for d in o.decisions]

    def stop(self):
        self.store.close()


BOUGHT_5 = fill(1, T0, SIDE_BUY, 5, "21000.25")
OPEN_5 = position(5, T0, position_id=1)


def locked_with_c1_in_flight(data_dir: str, trade_first: bool):
    """Returns C1's command id and the lock's start: risk has restarted once since C1 was
    issued, and has not read C1's result."""
    first = Risk(data_dir, T0, "a")
    first.sync(snapshot([OPEN_5], [BOUGHT_5], complete=True, seq=1))
    first.now += NS
    first.feed(Quote(contract_id=MNQ, ts_ns=first.now, last=Decimal("20949")))
    [c1] = [d for d in first.decisions() if d.action == "close_position"]
    assert c1.rule == "daily_unrealized_loss"
    first.stop()

    second = Risk(data_dir, first.now + 2 * NS, "b")     # C1's position is still open
    second.sync(snapshot([OPEN_5], [BOUGHT_5], complete=True, seq=2, last="20949"))
    assert [d.action for d in second.decisions() if not d.suppressed] == []   # C1 covers it
    second.now += NS // 2
    closed = fill(2, second.now, SIDE_SELL, 5, "20949", pnl="-512.5")
    events = [closed, position(0, T0, 1)] if trade_first else [position(0, T0, 1), closed]
    for event in events + [account(BALANCE - Decimal("516.20"))]:
        second.feed(event)
    [flatten] = [d for d in second.decisions() if d.rule == "daily_realized_loss"]
    assert flatten.action == "flatten" and not flatten.suppressed
    second.result(f"{flatten.id}.1")          # the flatten is done; C1's result never came
    [lock] = [lk for lk in second.engine.lockouts.all() if lk.rule == "daily_realized_loss"]
    second.stop()
    return f"{c1.id}.1", lock.since_ns, second.now


BUY_EVENTS = ("position", "trade")


def orders():
    """Every order of the buy's Position and Trade, market's complete snapshot and C1's
    result; the snapshot holds what came before it, what comes after it comes live."""
    items = BUY_EVENTS + ("snapshot", "result")
    for perm in itertools.permutations(items):
        yield "-".join(perm)


@pytest.mark.parametrize("trade_first", [True, False], ids=["riskd-close-trade-first",
                                                            "riskd-close-position-first"])
@pytest.mark.parametrize("order", list(orders()))
def test_a_buy_after_the_restart_is_closed_whatever_comes_first(tmp_path, trade_first, order):
    c1, lock_start, then = locked_with_c1_in_flight(str(tmp_path), trade_first)
    third = Risk(str(tmp_path), then + 2 * NS, "c")
    assert c1 in third.engine.outbox.entries      # reloaded: in flight again
    third.sync(snapshot([], [], complete=False, seq=3))        # market not reconciled yet
    third.now += NS
    bought = third.now
    assert bought > lock_start
    buy = fill(3, bought, SIDE_BUY, 1, "21000.25")
    reopened = position(1, bought, position_id=2)
    seen = []
    for item in order.split("-"):
        if item == "position":
            third.feed(reopened)
        elif item == "trade":
            third.feed(buy)
            third.feed(buy)                      # the sim's duplicated Trade
        elif item == "snapshot":
            held = [reopened] if "position" in seen else []
            fills = [BOUGHT_5, buy] if "trade" in seen else [BOUGHT_5]
            third.sync(snapshot(held, fills, complete=True, seq=4))
        elif item == "result":
            third.result(c1)
        seen.append(item)
    cuts = [(d.action, d.contract_id, d.size, bool(d.suppressed)) for d in third.decisions()
            if d.rule == "lockout"]
    assert cuts == [("close_position", MNQ, None, False)], cuts
    commands = [o.commands for o in third.outs if o.commands]
    assert [(c.action, c.rule) for cs in commands for c in cs] == [("close_position", "lockout")]
    third.stop()


def test_a_close_in_flight_still_covers_the_position_it_was_issued_for(tmp_path):
    """The other side: restarted while C1's position is still open, the rule that issued C1
    breaches again on every price; no second close goes out beside it."""
    data_dir = str(tmp_path)
    first = Risk(data_dir, T0, "a")
    first.sync(snapshot([OPEN_5], [BOUGHT_5], complete=True, seq=1))
    first.now += NS
    first.feed(Quote(contract_id=MNQ, ts_ns=first.now, last=Decimal("20949")))
    first.stop()
    second = Risk(data_dir, first.now + 5 * NS, "b")
    second.sync(snapshot([OPEN_5], [BOUGHT_5], complete=True, seq=2, last="20949"))
    for i in range(3):
        second.now += NS
        second.feed(Quote(contract_id=MNQ, ts_ns=second.now, last=Decimal(20948 - i)))
    assert [o.commands for o in second.outs if o.commands] == []
    second.stop()
