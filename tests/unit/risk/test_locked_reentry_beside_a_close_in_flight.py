"""A locked trader's re-entry half a second after riskd's lockout close was carried out is
closed by a close of its own, in every order of the events, while the first close's result is
still out (or after it came), and across a restart of risk.

Enforcement no longer lets a close take a position opened after the one it was decided on
(services/enforcement/newerposition.py; trial24b F1: the check read of rule 4's close found
the trader's new position after an unlock, and closed it). Which position is newer is
shared/openedafter.py's test, by the broker's opening times (Command.opened_ns); risk must
take the same view, or a position the in-flight close now leaves is one risk takes as that
close's ("the same action is in flight"), and a locked account keeps it open. Risk's old test
compared the book's position opening (still the closed one's while its flat Position had not
come) with the close's issue time plus a second of clock skew: a re-entry 0.5 s later, with
no flat Position between (the broker may send only the latest), was left to the close in
flight. On the code before e10c777f the orders without the flat Position fail.

Both Positions (flat, then the new long 1) before both Trades: risk read the new Position as
the old position whose close had not filled yet, grown back by nothing, took the close's
Trade for an earlier position's (not a move of the one held), and the re-entry's buy as
growth of 1 on top of it: "reduce MNQ by 1" down to 1, nothing closed it
(services/risk/state.py _reopened_from_flat now starts the new position from zero, as a new
position id does). Those orders fail on the code before that fix (checked in a detached
worktree of main at e10c777f: one close, and the reduce to 1).

The streams: the Trades in the broker's order (the close's sell, the re-entry's buy), the
Positions (with or without the flat one between), the re-entry's market order's Order event,
and the close's result (done, naming its order), each anywhere: every merge of them is
played. Across a restart: risk down from one event (each step before it committed as the
worker commits it) and started again at the same or a later one, or after the last (the new
risk loaded from the store and given market's complete snapshot of every event before it,
those risk never saw too; C1's result sent while it was down comes after the snapshot:
enforcement answers the re-sent command again). Every restart point, drawn from all 6300
(RISKD_HYPOTHESIS_EXAMPLES=N runs N, `make test` a few; all of them run by hand: pass), and
every restart point of three orders with one stream ahead (AHEAD).

One stream ahead of the other in market's snapshot is the usual case, not a corner: market
keeps the broker's state as its hub events arrive (services/market/state.py MarketState.apply:
a Trade goes into `fills`, a Position into `positions`, each on its own) and its snapshot is
that state as it is when risk asks (services/market/app.py _on_snapshot), so between a fill's
Trade and its Position, in whichever order the broker sends them, the snapshot a restarting
risk reads holds one and not the other; a broker read (services/market/reconcile.py) runs
only at market's start and reconnects, or when risk asks after a disagreement past its
window. Taking such a snapshot's positions as holding every fill, a restarted risk misread
363 of the 1380 restart points before the events (round 24's limit, those points then left
out): with the Trades ahead (C1's sell in, the long it closed still listed), the re-entry's
buy was read as a buy added to that long and cut "by 1" down to 1, leaving the re-entry open
on a locked account, or the closed long was closed a second time (C1's result in); with the
Positions ahead (the new long in, its buy not), the buy was read as growth on top of it and
cut again beside its own close. A restarted risk now reads which stream is ahead from the
broker's times, as live (services/risk/coldahead.py). Only trade_frequency_limit is on, 3 a
minute: the scenario's lock. Every fill is at the same price (no loss), so the shipped loss
rules (daily_net_loss, cooldown_after_loss, ...) could not act
here; left off, the engine's decisions are the lock's alone."""
from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.risk.store import Store
from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import (ORDER_MARKET, POSITION_LONG, SIDE_BUY, SIDE_SELL,
                                    STATUS_OPEN, AccountUpdate, Fill,
                                    MarketSnapshot, OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import CLOSE_POSITION, REDUCE_POSITION
from shared.openedafter import opened_after
from tests.unit.risk.desk import ACCOUNT, D, MNQ, NS, Desk

LIMIT = {"per_minute": 3, "per_hour": 0, "per_session": 0}
CLOSE_ORDER, REENTRY_ORDER = 9500, 9501
EXAMPLES = int(os.environ.get("RISKD_HYPOTHESIS_EXAMPLES", "15"))


def _locked_with_a_close_in_flight() -> Desk:
    """3 trades a minute: buy 1, buy 1, sell 2 (flat: the 3rd trade starts the cooldown);
    then a buy of 1 while locked, which lockout enforcement closes (that close's result not
    in yet)."""
    desk = Desk(trade_frequency_limit=LIMIT)
    desk.price(MNQ, 21000)
    desk.filled(1, MNQ, 21000)
    desk.wait(0.2)
    desk.filled(2, MNQ, 21000)
    desk.wait(0.2)
    desk.trade(contract=MNQ, side=SIDE_SELL, size=2, price="21000", pnl="0")
    desk.flat(MNQ)
    assert desk.engine.lockouts.covering(ACCOUNT), "the 3rd trade of the minute locks"
    desk.wait(0.2)
    desk.filled(1, MNQ, 21000)              # bought while locked: closed
    closes = [c for c in desk.commands() if c.action == CLOSE_POSITION]
    assert len(closes) == 1 and closes[0].opened_ns == desk.now, closes
    return desk


class Story:
    """The broker's events after the lockout's close C1 (their times: C1 carried out at
    t_close, the trader's buy 0.5 s later), by name."""

    def __init__(self, desk: Desk):
        [self.c1] = desk.commands()
        self.t_close = desk.now + NS // 100
        self.t_new = self.t_close + NS // 2
        t_close, t_new = self.t_close, self.t_new
        self.events = {
            "sell": Fill(account_id=ACCOUNT, trade_id=500, contract_id=MNQ, ts_ns=t_close,
                         price=D(21000), pnl=D(0), fees=D("0.37"), side=SIDE_SELL, size=1,
                         order_id=CLOSE_ORDER),
            "buy": Fill(account_id=ACCOUNT, trade_id=501, contract_id=MNQ, ts_ns=t_new,
                        price=D(21000), pnl=None, fees=D("0.37"), side=SIDE_BUY, size=1,
                        order_id=REENTRY_ORDER),
            "flat": PositionUpdate(account_id=ACCOUNT, position_id=0, contract_id=MNQ,
                                   ts_ns=t_close, type=0, size=0, average_price=D(0)),
            "long": PositionUpdate(account_id=ACCOUNT, position_id=77, contract_id=MNQ,
                                   ts_ns=t_new, type=POSITION_LONG, size=1,
                                   average_price=D(21000)),
            "order": _order(t_new, STATUS_OPEN),
        }

    def at_of(self, name: str) -> int:
        """The broker's time of the event (C1's result: as soon as C1's sell was made)."""
        return self.t_close if name in ("sell", "flat", "result") else self.t_new

    def result(self) -> CommandResult:
        return CommandResult(command_id=self.c1.id, account_id=ACCOUNT, status=DONE,
                             action=CLOSE_POSITION, rule=self.c1.rule, detail="closed",
                             close_orders=[CloseOrder(order_id=CLOSE_ORDER, contract_id=MNQ,
                                                      side=SIDE_SELL, size=1)],
                             orders_known=True)


def _order(t_new: int, status: int) -> OrderUpdate:
    return OrderUpdate(account_id=ACCOUNT, order_id=REENTRY_ORDER, contract_id=MNQ,
                       created_ns=t_new, updated_ns=t_new, status=status, type=ORDER_MARKET,
                       side=SIDE_BUY, size=1)


def _merges(streams: list[tuple]):
    """Every merge of the streams, each kept in its own order."""
    streams = [s for s in streams if s]
    if not streams:
        yield ()
        return
    for i, s in enumerate(streams):
        for rest in _merges(streams[:i] + [s[1:]] + streams[i + 1:]):
            yield (s[0],) + rest


def _orders(flat_between: bool) -> list[tuple]:
    """Every order of the four streams: the Trades, the Positions, the re-entry's Order
    event, C1's result."""
    positions = ("flat", "long") if flat_between else ("long",)
    return list(_merges([("sell", "buy"), positions, ("order",), ("result",)]))


def _committed(store: Store, desk: Desk) -> None:
    """Every step the desk took since the last call, committed as risk's worker commits it."""
    done = getattr(desk, "_committed", 0)
    for out in desk.history[done:]:
        store.commit(out, desk.engine)
    desk._committed = len(desk.history)


def _restarted(path: str, store: Store, desk: Desk, seen: list, story: Story, at: int):
    """risk killed and started again at `at`: a new engine loaded from the store (its
    decisions named apart), then market's complete snapshot of what the broker has shown
    (the events market took in, `seen`, those risk never did too: the latest Position, the
    fills, the working order)."""
    _committed(store, desk)
    store.close()
    later = Desk(start=at, trade_frequency_limit=LIMIT)
    count = itertools.count(1)
    later.engine.ids = lambda: f"b{next(count)}"
    store2, _ = Store.open(path)
    store2.load(later.engine, later.now)
    ev = story.events
    if "long" in seen:
        positions = [ev["long"]]
    elif "flat" in seen:
        positions = []
    else:                   # the position C1 was decided on
        positions = [PositionUpdate(account_id=ACCOUNT, position_id=2, contract_id=MNQ,
                                    ts_ns=story.c1.opened_ns, type=POSITION_LONG, size=1,
                                    average_price=D(21000))]
    fills = [f for f in desk.account.trades.values() if f.trade_id < 500] + \
        [ev[n] for n in ("sell", "buy") if n in seen]
    later.history.append(later.engine.apply_snapshot(MarketSnapshot(
        seq=2, epoch=2, complete=True,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(50_000),
                                can_trade=True)],
        positions=positions, orders=[ev["order"]] if "order" in seen else [], fills=fills,
        quotes=[Quote(contract_id=MNQ, ts_ns=desk.now, last=D(21000))]), later.now))
    later._committed = len(later.history)
    return later, store2


def _play(order: tuple, restart_before=None, path: str = "", down_from=None):
    """The story in this order (risk restarted before the event at restart_before, or after
    the last; down since the event at down_from: market took in the events between, and
    enforcement's answer to C1 among them reached the restarted risk): the story, the
    commands of every risk that ran, and the last desk."""
    desk = _locked_with_a_close_in_flight()
    story = Story(desk)
    store = Store.open(path)[0] if restart_before is not None else None
    down = restart_before if down_from is None else down_from
    commands = []
    desk.at(story.t_close)
    seen: list = []
    when, answer = desk.now, False

    def restart():
        nonlocal desk, store, commands
        commands += desk.commands()
        desk, store = _restarted(path, store, desk, seen, story, max(desk.now, when))
        if answer:
            _answer(desk, story)

    for i, name in enumerate(order):
        if i == restart_before:
            restart()
        if restart_before is not None and down <= i < restart_before:
            when = max(when + NS // 1000, story.at_of(name))
            if name == "result":
                answer = True       # sent to a risk that is down: it comes after the restart
            else:
                seen.append(name)
            continue
        desk.at(max(desk.now + NS // 1000, story.at_of(name)))
        if name == "result":
            _answer(desk, story)
        else:
            desk.feed(story.events[name])
        seen.append(name)
    if restart_before == len(order):
        restart()
    desk.wait(0.01)
    commands += desk.commands()
    if store is not None:
        store.close()
    return story, commands, desk


def _answer(desk: Desk, story: Story) -> None:
    """C1's result, done (enforcement answers a command re-sent by a restarted risk with
    the result it had)."""
    desk.history.append(desk.engine.on_result(story.result(), desk.now))


def _check(order, story: Story, commands: list, desk: Desk) -> None:
    # C1 and the re-entry's own close: a close, or lockout enforcement's cut of what was
    # bought while locked down to nothing (when risk saw the flat Position first, the buy
    # reads as growth of a new position); nothing else (a cut leaving the re-entry open, a
    # second close of it)
    closes = [c for c in commands
              if c.action == CLOSE_POSITION or c.action == REDUCE_POSITION and c.target == 0]
    assert len(closes) == 2 and len(commands) == 2, (
        order, [(c.action, c.target) for c in commands],
        [d.what + " | " + d.suppressed for d in desk.decisions(acted=False)][-4:])
    # enforcement leaves the re-entry to no close but its own: C1 was decided on the earlier
    # position, the second on this one (shared/openedafter.py, the test both sides use)
    assert opened_after(story.t_new, story.c1)
    assert not opened_after(story.t_new, closes[1]), closes[1]
    # the trader's trades: 3, the buy while locked, the re-entry; C1's sell is riskd's
    assert desk.account.trades_today == 5, (order, desk.account.trades_today)


@pytest.mark.parametrize("flat_between", [False, True], ids=["no-flat", "flat-between"])
def test_the_reentry_is_closed_beside_the_close_in_flight(flat_between):
    for order in _orders(flat_between):
        _check(order, *_play(order))


# every restart point: risk down from the event at `down` (its steps before it committed),
# started again before the event at `before` (len(order): after the last), market's snapshot
# holding every event before it; one stream ahead of the other in it wherever the order has
# one there
RESTARTS = [(order, before, down) for order in _orders(False) + _orders(True)
            for before in range(len(order) + 1) for down in range(before + 1)]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(story=st.sampled_from(RESTARTS))
def test_the_reentry_is_closed_across_a_restart_of_risk(tmp_path_factory, story):
    """risk down from one event of an order and started again at the same or a later one
    (the store reloaded, market's complete snapshot of what came before): the same two
    closes, none more."""
    order, before, down = story
    _check(story, *_play(order, before, str(tmp_path_factory.mktemp("store")), down))


FOUND = ("flat", "long", "sell", "buy", "order", "result")
# the orders whose snapshots have one stream ahead, every restart point of each played: the
# Positions first (the order found: market's snapshot lists the new long, opened at the
# re-entry's time, with neither Trade or with C1's sell only), the Trades first (C1's sell
# in, the long it closed still listed; C1's result after the re-entry, or before it)
AHEAD = {"positions-first": FOUND,
         "trades-first": ("sell", "buy", "long", "order", "result"),
         "trades-first-result": ("sell", "result", "buy", "long", "order")}


@pytest.mark.parametrize("name,before,down", [
    (name, before, down) for name, order in AHEAD.items()
    for before in range(len(order) + 1) for down in range(before + 1)])
def test_one_stream_ahead_at_every_restart_point(tmp_path, name, before, down):
    """Each of these orders with risk down from `down` and started again at `before`. On the
    code before coldahead.py: with the Positions ahead the re-entry's buy was read as growth
    on top of the snapshot's long and cut "by 1" beside its own close; with the Trades ahead
    the re-entry's buy was read as a buy added to the long C1 closed and cut "by 1" down to 1
    (the re-entry left open on a locked account), or, C1's result in, that long was closed a
    second time."""
    order = AHEAD[name]
    _check((order, before, down), *_play(order, before, str(tmp_path), down))
