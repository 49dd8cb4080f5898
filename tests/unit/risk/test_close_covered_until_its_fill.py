"""A position riskd is already closing is not closed a second time by a later price.

Chaos run 2026-12-06 (make test's short form, CHAOS-DRAWDOWN): enforcement killed; the price
fell past the line: daily_unrealized_loss decided close_position and daily_net_loss flatten in
the same step; the new enforcement ran the close ("done: RTY closed"); 16 ms later the next
quote made daily_unrealized_loss decide the close again, and it was sent while the flatten was
still in flight, the close's fills not in yet. Two causes, each covered here:
- the step's expected exits gave the contract to the flatten (its exit expects it) and none to
  the close, so "riskd's close of it is done, its fill on the way" did not hold for a close
  whose own exit had been taken over (services/risk/exits.py closed_by);
- a flatten in flight covered only decisions on events from before it was issued, so a later
  quote's close of a position the flatten is already closing was sent beside it (acting.py
  _in_flight): what it covers is what was open when it was issued.
What opened or grew after the flatten was issued is still closed on its own.

Shipped rules (etc/riskd.toml: daily_unrealized_loss 200 per position, daily_net_loss 600),
one account on risk's engine with its injected clock and the worker's 0.1 s tick.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill, PositionUpdate, Quote
from shared.messages.risk import CLOSE_POSITION, FLATTEN
from tests.unit.risk.desk import ES, MNQ, NS
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


class Run(EngineRun):
    def buy(self, contract, price, size=1, trade_id=1, position_id=5):
        self.on(Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=contract,
                     ts_ns=self.now, price=Decimal(price), pnl=None, fees=Decimal("0.37"),
                     side=SIDE_BUY, size=size))
        return self.on(PositionUpdate(account_id=ACCOUNT, position_id=position_id,
                                      contract_id=contract, ts_ns=self.now,
                                      type=POSITION_LONG, size=size,
                                      average_price=Decimal(price)))

    def done(self, cmd):
        return self.result(cmd, "done", detail="closed")

    def closes_sent(self, outs):
        return [c for o in outs for c in o.commands if c.action == CLOSE_POSITION]


def test_a_done_close_whose_exit_the_flatten_took_covers_the_position_until_its_fill():
    r = Run()
    r.price(21000)
    r.buy(MNQ, 21000)
    r.wait(2)
    first = r.price(20000)        # -2000 open: the position's line and the account's at once
    actions = sorted((c.rule, c.action) for c in first.commands)
    assert actions == [("daily_net_loss", FLATTEN), ("daily_unrealized_loss", CLOSE_POSITION)]
    close = next(c for c in first.commands if c.action == CLOSE_POSITION)
    r.wait(0.4)
    r.done(close)                 # enforcement's answer before the close's fills
    mark = len(r.outs)
    for p in (20000, 19999.75, 20000.25, 19990):
        r.price(p)
    r.wait(1)
    assert r.closes_sent(r.outs[mark:]) == []


@pytest.mark.parametrize("flatten_first", [False, True])
def test_the_flatten_naming_no_order_there_leaves_the_done_close_covering_it(flatten_first):
    """Chaos run 2026-12-07 (make test at d0b2360b, CHAOS-DRAWDOWN): the same close and flatten
    decided in one step, the flatten's exit took the close's RTY; the close's result named its
    order there, the flatten's (verified flat, cancelled an order) named every order it made,
    none on RTY: found_nothing let the flatten's exit there expect nothing more, so nothing
    covered the position any longer; market restarted (the close's fills never reached risk)
    and its first quote made daily_unrealized_loss close RTY again: a close of a position
    already flat. The close's own order there will still fill: its contracts stay expected
    (either result first)."""
    r = Run()
    r.price(21000)
    r.buy(MNQ, 21000)
    r.wait(2)
    first = r.price(20000)
    close = next(c for c in first.commands if c.action == CLOSE_POSITION)
    flatten = next(c for c in first.commands if c.action == FLATTEN)
    r.wait(0.4)
    results = [(close, [CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL,
                                           size=1)]),
               (flatten, [])]
    for cmd, named in results[::-1] if flatten_first else results:
        r.outs.append(r.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status="done", detail="closed",
            attempts=1, broker_calls=1, started_ns=r.now, finished_ns=r.now,
            first_answer_ns=r.now, action=cmd.action, rule=cmd.rule, issued_ns=cmd.issued_ns,
            close_orders=named, orders_known=True), r.now))
        r.wait(0.05)
    mark = len(r.outs)
    for p in (20000, 19999.75, 20000.25, 19990):
        r.price(p)
    r.wait(1)
    assert r.closes_sent(r.outs[mark:]) == []


def test_a_flatten_in_flight_covers_a_later_price_of_what_was_open_when_it_was_issued():
    r = Run()
    r.price(21000)
    r.buy(MNQ, 21000)
    r.wait(2)
    out, refused = r.engine.self_lock(ACCOUNT, r.now, until_ns=r.now + 3600 * NS)
    assert refused == "" and [c.action for c in out.commands] == [FLATTEN]
    r.wait(0.3)
    mark = len(r.outs)
    r.price(20800)                # past daily_unrealized_loss while the flatten closes it
    r.price(20790)
    assert r.closes_sent(r.outs[mark:]) == []
    noted = [d for o in r.outs[mark:] for d in o.decisions
             if d.rule == "daily_unrealized_loss"]
    assert all("flatten of the account is in flight" in d.suppressed for d in noted)


def test_what_opened_after_the_flatten_was_issued_is_still_closed():
    r = Run()
    r.price(21000)
    r.buy(MNQ, 21000)
    r.wait(2)
    out, _ = r.engine.self_lock(ACCOUNT, r.now, until_ns=r.now + 3600 * NS)
    assert [c.action for c in out.commands] == [FLATTEN]
    r.wait(2)                     # the flatten still in flight (enforcement slow)
    r.on(Quote(contract_id=ES, ts_ns=r.now, last=Decimal(6000)))
    mark = len(r.outs)
    r.buy(ES, 6000, trade_id=2, position_id=6)   # bought under the lockout, after the flatten
    closes = r.closes_sent(r.outs[mark:])
    assert [(c.contract_id, c.action) for c in closes] == [(ES, CLOSE_POSITION)]


def _close_then_flatten(close_named: bool, restart: bool):
    """RiskdExits alone: a close and a flatten of MNQ long 1 issued together (the flatten's
    exit takes the close's contract), the close done (naming its order there, or none: it
    found MNQ flat too), then the flatten done naming no order there. restart: risk restarted
    between the two results (the exits and their orders' commands reloaded from the store)."""
    from services.risk.exits import RiskdExits, dump_exit
    t0 = 1_000 * NS
    r = RiskdExits()
    r.expect(MNQ, 1, None, "close.1", t0)
    r.expect(MNQ, 1, None, "flatten.1", t0)
    r.settle("close.1", t0 + NS, closed=True, price_of=lambda _c: Decimal(20000))
    r.take_orders("close.1", [CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL, size=1)]
                  if close_named else [])
    r.found_nothing("close.1", [] if not close_named else [
        CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL, size=1)], t0 + NS)
    if restart:
        again = RiskdExits()
        again.load([dump_exit(e) for e in r.expected], r.orders)
        again.load_order_cmds(list(r.order_cmd.items()))
        r = again
    r.settle("flatten.1", t0 + 2 * NS, closed=True, price_of=lambda _c: Decimal(20000))
    r.take_orders("flatten.1", [], flatten=True)
    r.found_nothing("flatten.1", [], t0 + 2 * NS)
    return r.done_unfilled(MNQ, 1)


@pytest.mark.parametrize("restart", [False, True])
def test_the_closes_named_order_keeps_its_contract_expected_after_the_flattens_result(restart):
    assert _close_then_flatten(close_named=True, restart=restart) == [(1, Decimal(20000))]


def test_a_close_that_found_nothing_either_leaves_nothing_expected():
    """Both found MNQ flat (the trader closed it): no fill of riskd's will come there, and a
    later buy is not valued as riskd's close (found_nothing, order21)."""
    assert _close_then_flatten(close_named=False, restart=False) == []


def _cut_filled_then_close(restart: str):
    """RiskdExits alone: a cut of MNQ long 2 by 1, done naming its order, its fill in; then
    a close of the long 1 left, done naming no order (it found MNQ flat: the trader's own
    sell had closed it). restart: risk restarted before the close's result ('' none, 'now'
    the exits reloaded from the store, 'old' from rows saved before Exit.also_by was kept)."""
    from services.risk.exits import RiskdExits, dump_exit
    t0 = 1_000 * NS
    r = RiskdExits()
    r.expect(MNQ, 2, 1, "cut.1", t0)
    r.settle("cut.1", t0 + NS, closed=True, price_of=lambda _c: Decimal(20000))
    r.take_orders("cut.1", [CloseOrder(order_id=76, contract_id=MNQ, side=SIDE_SELL, size=1)])
    r.use_named(Fill(account_id=ACCOUNT, trade_id=9, contract_id=MNQ, ts_ns=t0 + NS,
                     price=Decimal(20000), pnl=Decimal(0), fees=Decimal("0.37"),
                     side=SIDE_SELL, size=1, order_id=76), t0 + NS)
    r.expect(MNQ, 1, None, "close.1", t0 + 2 * NS)
    if restart:
        again = RiskdExits()
        rows = [dump_exit(e) for e in r.expected]
        again.load([{k: v for k, v in row.items() if k != "also_by" or restart == "now"}
                    for row in rows], r.orders)
        again.load_order_cmds(list(r.order_cmd.items()))
        again.named_on = set(r.named_on)
        r = again
    r.settle("close.1", t0 + 3 * NS, closed=True, price_of=lambda _c: Decimal(19990))
    r.take_orders("close.1", [])
    r.found_nothing("close.1", [], t0 + 3 * NS)
    return r.done_unfilled(MNQ, 1)


@pytest.mark.parametrize("restart", ["", "now"])
def test_a_filled_cut_before_a_close_that_found_nothing_leaves_nothing_expected(restart):
    """The cut's contract was its own, filled before the close was sent: the close took
    nothing over from it (Exit.also_by), so its result naming no order means no fill of it
    will come, and a later buy is not valued at its price (the event-order model, round 24:
    daily_net_loss locked the account on such a buy; test_locked_open_after_reversed_close)."""
    assert _cut_filled_then_close(restart) == []


def test_exits_saved_before_also_by_was_kept_read_as_before():
    """A row from before Exit.also_by: which commands' orders may close its contracts is not
    known, so any close sent before it there done with an order of its own counts (as
    before)."""
    assert _cut_filled_then_close("old") == [(1, Decimal(19990))]
