"""riskd's held close, carried out by the broker on the trader's NEW position while riskd's next
close of that position is in flight (that close's call then finds no position), is riskd's
late close and is said as one (docs/rules.md "Whose trade it is"; README: "riskd's earlier
close of MNQ (timed out at ...) carried out late, or your own close").

Trial21c 1b (2 of 2): the first close's call held at the sim, riskd gave up on it after 10 s
and its second call closed MNQ; the trader bought 1 again, riskd closed it again (a new
close in flight), and the held call, carried out then, closed the trader's new MNQ +1. The new
close's call found no position: its Done said "was already flat: closed by a market sell of 1
at ... (order N), not this close (its call found no position)", and risk, whose new close had
taken the sell by expectation, gave it to the trader when that result left it out (a trade
counted, no late close said), or kept it silently as the new close's when the sell's Order
event came first (the sim sends it first). Now an earlier close's late exit that fits such a
fill takes it (services/risk/exits.py late_instead): not counted, one late-close line.

Every order of the held call's events (its Order working, its Trade, the flat Position, its
Order filled) and the newer close's result, after the trader's buy's Trade or Position
first (alternately); a restart of risk (store committed, a fresh engine loaded) after each event of every
order; and what stays the trader's (a stop's fill; a sell after the earlier close's 2
minutes). The engine with its injected clock (tests/unit/risk/desk.py) and the rules of
test_late_carried_close_said.py: daily_unrealized_loss makes both closes; trade_frequency_limit
(3 a minute) shows a sell wrongly counted as the trader's (a cooldown). The shipped config's
other rules would lock the account after the first close's loss and make the second close a
lockout's: the same close in flight, the same path.
"""
from __future__ import annotations

import itertools

import pytest

from shared.latewords import TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import ORDER_MARKET, ORDER_STOP, STATUS_FILLED
from tests.unit.risk.desk import ACCOUNT, MNQ, NS, SIDE_BUY, SIDE_SELL, Desk
from tests.unit.risk.test_late_carried_close_said import clock, notes
from tests.unit.risk.test_late_exit_facts_across_a_restart import Saved

RULES = {"daily_unrealized_loss": {"limit": 200},
         "trade_frequency_limit": {"per_minute": 3, "per_minute_cooldown": 60}}
HELD = ("order", "trade", "flat", "filled", "result")
# the filled Order event comes after the working one (two events about one order never swap)
ORDERS = [o for o in itertools.permutations(HELD) if o.index("order") < o.index("filled")]
FOUND_FLAT = ("MNQ on account 1001 was already flat: closed by a market sell of 1 (order 400), "
              "not this close (its call found no position)")


def first_close(desk: Desk) -> int:
    """The trader's long 2 breaches daily_unrealized_loss; riskd's first close call is held
    at the broker and times out after 10 s; its second call closes the 2 (answered done: the
    held call is now out of order, as at the sim). The time riskd gave up on the held call."""
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20800)
    [cmd] = desk.commands()
    desk.wait(10)
    lost = desk.now
    desk.trade("-800", contract=MNQ, side=SIDE_SELL, size=2, price="20800", order_id=200)
    desk.flat(MNQ)
    desk.wait(0.3)
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="MNQ on account 1001 closed", attempts=2, orders_known=True,
        first_timed_out_s=10.0, issued_ns=cmd.issued_ns, first_answer_ns=lost,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=lost, how=TIMED_OUT)],
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=2,
                                 answered=True)]), desk.now))
    return lost


def bought_again(desk: Desk, position_first: bool, after_s: float = 40):
    """The trader buys 1 MNQ again; the price falls: riskd's next close of it (in flight)."""
    desk.wait(after_s)
    desk.price(MNQ, 21000)
    if position_first:
        desk.long(1, MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300, trade_id=3)
    if not position_first:
        desk.long(1, MNQ, 21000)
    out = desk.price(MNQ, 20700)                # -150 open, -800 realized: past 200
    [cmd] = out.commands
    assert cmd.action == "close_position"
    desk.wait(0.01)
    return cmd


def held_event(desk: Desk, step: str, cmd, order_type: int = ORDER_MARKET):
    """One event of the held call carried out now (a market sell of the trader's 1, order
    400), or the newer close's result (its call found no position, no order of its own)."""
    if step == "order":
        return desk.order(400, contract=MNQ, side=SIDE_SELL, size=1, type=order_type)
    if step == "filled":
        return desk.order(400, contract=MNQ, side=SIDE_SELL, size=1, type=order_type,
                          status=STATUS_FILLED)
    if step == "trade":
        return desk.trade("-0.5", contract=MNQ, side=SIDE_SELL, size=1, price="20999.75",
                          order_id=400, trade_id=4)
    if step == "flat":
        return desk.flat(MNQ)
    out = desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail=FOUND_FLAT, attempts=1, orders_known=True,
        issued_ns=cmd.issued_ns, close_orders=[]), desk.now)
    desk.history.append(out)
    return out


def said_late(desk: Desk, lost: int) -> None:
    """The sell is riskd's late close: not the trader's trade, said once, as the README says."""
    acct = desk.account
    assert acct.trades[4].by_riskd, "the held call's sell counted as the trader's trade"
    assert acct.trades_today == 2                # the trader's buy of 2 and buy of 1
    assert not [c for c in desk.lockout_changes() if c.lockout.rule == "trade_frequency_limit"]
    [note] = notes(desk)
    assert note.reason.startswith("Your MNQ +1 closed at "), note.reason
    assert (f"riskd's earlier close of MNQ (timed out at {clock(lost)}) carried out late, or "
            f"your own close; riskd cannot tell which and takes it as its own; MNQ is flat "
            f"now; not counted as your trade") in note.reason, note.reason


@pytest.mark.parametrize("n,order", list(enumerate(ORDERS)),
                         ids=["-".join(o) for o in ORDERS])
def test_the_held_call_on_the_new_position_is_riskds_late_close(n, order):
    """The trader's buy's Trade first in half the orders, its Position first in the others
    (test time is scarce: each pairing of the two is the same step for the held call)."""
    desk = Desk(**RULES)
    lost = first_close(desk)
    cmd = bought_again(desk, position_first=n % 2 == 1)
    for step in order:
        held_event(desk, step, cmd)
        desk.wait(0.05)
    said_late(desk, lost)


# a restart matters while the sell or its order waits for the newer close's result (held or
# claimed): every order of the held call's first events and the result, the sell before the
# result, cut after each event from the sell's (or its Order's) on (the filled Order last)
CUTS = [(o + ("filled",), cut) for o in itertools.permutations(("order", "trade", "flat",
                                                                 "result"))
        if o.index("trade") < o.index("result")
        for cut in range(min(o.index("trade"), o.index("order")) + 1, o.index("result") + 1)]


@pytest.mark.parametrize("order,cut", CUTS, ids=[f"{'-'.join(o[:c])}|{'-'.join(o[c:])}"
                                                  for o, c in CUTS])
def test_a_restart_of_risk_in_the_middle(tmp_path, order, cut):
    """risk killed -9 after the cut-th event (the store committed as the worker commits each
    step) and started again: the same facts, the same words."""
    desk = Desk(**RULES)
    saved = Saved(tmp_path, desk)
    lost = first_close(desk)
    cmd = bought_again(desk, position_first=cut % 2 == 1)
    for step in order[:cut]:
        held_event(desk, step, cmd)
        desk.wait(0.05)
    said = notes(desk)
    desk = saved.restarted(RULES)
    desk._trade_ids = itertools.count(100)
    for step in order[cut:]:
        held_event(desk, step, cmd)
        desk.wait(0.05)
    acct = desk.account
    assert acct.trades[4].by_riskd, "the held call's sell counted as the trader's trade"
    assert acct.trades_today == 2
    [note] = said + notes(desk)
    assert (f"riskd's earlier close of MNQ (timed out at {clock(lost)}) carried out "
            f"late") in note.reason, note.reason
    saved.store.close()


def test_the_traders_stop_filling_then_stays_the_traders():
    """A stop of the trader's (not a market order) filling while riskd's newer close is in
    flight is never a late close: the newer close's result leaves it out, the trader's trade,
    counted, nothing said late."""
    desk = Desk(**RULES)
    first_close(desk)
    cmd = bought_again(desk, position_first=False)
    for step in ("order", "trade", "flat", "filled", "result"):
        held_event(desk, step, cmd, order_type=ORDER_STOP)
        desk.wait(0.05)
    assert not desk.account.trades[4].by_riskd
    assert desk.account.trades_today == 3
    assert notes(desk) == []


def test_a_sell_after_the_earlier_closes_two_minutes_stays_the_traders():
    """The earlier close's lost call is no longer expected 2 minutes after its result: a
    market sell then, under the newer close whose call found no position, is the trader's."""
    desk = Desk(**RULES)
    first_close(desk)
    cmd = bought_again(desk, position_first=False, after_s=125)
    for step in ("order", "trade", "flat", "filled", "result"):
        held_event(desk, step, cmd)
        desk.wait(0.05)
    assert not desk.account.trades[4].by_riskd
    assert desk.account.trades_today == 3
    assert notes(desk) == []


def test_the_newer_closes_own_order_stays_its_own():
    """The newer close's result names the sell as its own order (its call closed it, the held
    call then found nothing): its close, said by its Done, never a late close."""
    desk = Desk(**RULES)
    first_close(desk)
    cmd = bought_again(desk, position_first=False)
    for step in ("order", "trade", "flat", "filled"):
        held_event(desk, step, cmd)
        desk.wait(0.05)
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="MNQ on account 1001 closed", attempts=1, orders_known=True,
        issued_ns=cmd.issued_ns, first_answer_ns=desk.now,
        close_orders=[CloseOrder(order_id=400, contract_id=MNQ, side=SIDE_SELL, size=1,
                                 answered=True)]), desk.now))
    assert desk.account.trades[4].by_riskd
    assert desk.account.trades_today == 2
    assert notes(desk) == []
