"""A fill the command's result names as the order of its own answered call is that command's
close, never an earlier close's carried out late (docs/rules.md "Whose trade it is": one fill
is one call's).

Trial21c finding 1 (3 of 3), and findings 3 and 2 at the end: the lockout's close got no answer 4 times (held at the sim) and
FAILED; its retry's round 1 was held too (no answer within 10 s), its round 2 answered done
and closed MNQ. The retry's result named that order, yet riskd said both "done on the 2nd
attempt ... MNQ closed" and "Your MNQ +1 closed: riskd's earlier close (timed out at ...)
carried out late, or your own close" for the one fill, and history's FAILED line of the first
attempt read "then taken as carried out late". The engine with its injected clock (tests/
unit/risk/desk.py), as test_failed_close_carried_late.py (its gave_up: the first close
FAILED, MNQ still past its limit, so its retry waits 5 s in the outbox); every order of the
fill, the flat Position and the retry's result.
"""
from __future__ import annotations

import itertools

import pytest

from shared.latewords import TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, SIDE_SELL, Desk
from tests.unit.risk.test_failed_close_carried_late import (FREQ, LOSS, NS, clock, gave_up,
                                                          notes)

ORDERS = list(itertools.permutations(("fill", "flat", "result")))


def _retry_done(desk: Desk, order: tuple, answered: bool = True):
    """The first close FAILED (its 4 calls got no answer); its retry goes out after 5 s, its
    round 1 gets no answer within 10 s, its round 2 closes MNQ (order 500): the fill, the
    flat Position and the retry's result (naming order 500, found in round 2's window:
    answered) in the given order. (the first command, the retry, the fill's outcome)"""
    first, _ = gave_up(desk, back_within=False)
    [retry] = [c for c in desk.commands() if c.id != first.id]
    assert retry.decision_id == first.decision_id
    desk.wait(5.1)
    assert [c.id for c in desk.engine.outbox.due(desk.now)] == [retry.id]   # it goes out
    round1 = desk.now
    desk.wait(10)                               # round 1: no answer within 10 s
    lost_at = desk.now
    desk.wait(0.3)                              # round 2 answered: closed
    fill = None
    for step in order:
        if step == "fill":
            fill = desk.trade("-240", fees="0.74", contract=MNQ, side=SIDE_SELL, size=2,
                              price="20940", order_id=500)
        elif step == "flat":
            desk.flat(MNQ)
        else:
            desk.history.append(desk.engine.on_result(CommandResult(
                command_id=retry.id, account_id=ACCOUNT, status="done", action=retry.action,
                rule=retry.rule, attempts=2, broker_calls=4, orders_known=True,
                first_timed_out_s=10.0, issued_ns=retry.issued_ns,
                first_answer_ns=lost_at,
                detail="close_position (in 2 rounds): MNQ closed",
                close_orders=[CloseOrder(order_id=500, contract_id=MNQ, side=SIDE_SELL,
                                         size=2, answered=answered)],
                unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=lost_at,
                                    how=TIMED_OUT)]), desk.now))
        desk.wait(0.05)
    assert round1 < lost_at
    return first, retry, fill


def _bought_and_breached_again(desk):
    """The trader buys 2 MNQ at 21,000; the price drops to 20,940 (-240): a new breach, whose
    new close command is returned."""
    desk.price(MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=600)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20940)                           # -240: a new breach, a new decision
    known = {c.id for o in desk.history[:-1] for c in o.commands}
    [cmd] = [c for c in desk.history[-1].commands if c.id not in known]
    return cmd


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_the_retrys_own_answered_close_is_not_said_as_an_earlier_close_carried_late(order):
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    first, _retry, fill = _retry_done(desk, order)
    assert fill.fills[0].by_riskd
    assert desk.account.trades_today == 1       # the trader's buy only
    assert notes(desk) == [], [n.reason for n in notes(desk)]
    ended = desk.engine.ended_views(ACCOUNT).get(first.decision_id, "")
    assert "carried out late" not in ended, ended
    # the first close's lost calls may still be carried out (on a position opened since),
    # and the retry's own lost round 1 too: they are still expected, not spent
    assert desk.account.riskd.has_late(desk.now)


def test_an_order_found_only_in_a_lost_calls_window_may_still_be_the_earlier_close():
    """The same retry whose result names order 500 only through its lost round's window (no
    call of it answered done: trial20b's second run, test_failed_close_carried_late): the
    earlier close, carried out late, still takes the fill and it is said so."""
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    first, _retry, fill = _retry_done(desk, ("fill", "flat", "result"), answered=False)
    assert fill.fills[0].by_riskd
    assert desk.account.trades_today == 1
    [note] = notes(desk)
    assert "riskd's earlier close of MNQ" in note.reason, note.reason
    assert desk.engine.ended_views(ACCOUNT)[first.decision_id].startswith(
        "taken as carried out late at ")


def test_a_fill_while_a_failed_closes_retry_waits_is_that_failed_closes_not_an_older_ones():
    """Trial21c finding 3: right after such an episode (its lost calls still "may be carried
    out"), the trader buys again; the new close gets no answer 4 times and FAILS, its retry
    waits 5 s, and a sell of the position comes in those 5 s. It is taken as riskd's late
    close (docs/rules.md: the failed close's lost call), so it must name the failed close's
    call and end that failed action "then taken as carried out late", never name the older
    episode's call while the failed action ends "closed outside riskd" (one fill, one call)."""
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    _retry_done(desk, ("fill", "flat", "result"))
    assert desk.account.riskd.has_late(desk.now)     # the older episode's lost calls
    desk.wait(4)
    cmd = _bought_and_breached_again(desk)
    desk.wait(41)
    lost_at = desk.now
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="failed", action=cmd.action,
        rule=cmd.rule, detail="close_position gave up after 4 rounds", attempts=4,
        broker_calls=8, orders_known=True, first_timed_out_s=10.0, issued_ns=cmd.issued_ns,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=lost_at - 31 * NS, how=TIMED_OUT),
                   LostCall(contract_id=MNQ, size=0, lost_ns=lost_at, how=TIMED_OUT)]),
        desk.now))
    [retry] = [c for c in desk.history[-1].commands if c.decision_id == cmd.decision_id]
    assert desk.engine.outbox.waiting(retry.id)
    before = len(notes(desk))
    desk.wait(3.5)
    out = desk.trade("-120", fees="0.74", contract=MNQ, side=SIDE_SELL, size=2,
                     price="20940", order_id=700)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    [note] = notes(desk)[before:]
    assert f"riskd's earlier close of MNQ (timed out at {clock(lost_at - 31 * NS)})" \
        in note.reason, note.reason
    resolved = [n for n in desk.wait(0.1).notices if n.kind == "action_resolved"]
    assert resolved and all("outside riskd" not in n.title for n in resolved), resolved
    assert desk.engine.ended_views(ACCOUNT)[cmd.decision_id].startswith(
        "taken as carried out late at ")


def test_a_newer_close_found_flat_keeps_the_traders_sell_from_an_older_episodes_lost_call():
    """Trial21c finding 2 (2 of 2): within 2 minutes after such an episode the trader buys
    again, the new close's call is held at the broker, the trader sells the position; the new
    close's call gets no answer within 10 s and its round 2 finds MNQ flat. Its Done says
    "closed by a market sell ...: either this close ... carried out by the broker, or the
    trader's own sell", and riskd ALSO said "riskd's earlier close of MNQ (timed out at ...)
    carried out late" naming the older episode's lost round, sent before that episode's own
    close was answered done: the broker carries calls out in the order they came, so that
    call came before the answered one (or is held out of order). One fill, one call: the
    newer close's own words stand, and no second claim is made."""
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    _retry_done(desk, ("fill", "flat", "result"))
    desk.wait(4)
    cmd = _bought_and_breached_again(desk)
    desk.wait(3)                                     # the trader's own sell, riskd's held
    out = desk.trade("-120", fees="0.74", contract=MNQ, side=SIDE_SELL, size=2,
                     price="20940", order_id=800)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd                     # riskd's close is in flight: held
    desk.wait(7.5)
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, attempts=2, orders_known=True, first_timed_out_s=10.0,
        issued_ns=cmd.issued_ns,
        detail="MNQ is flat: closed by a market sell of 2 (order 800): either this close, "
               "which got no answer within 10s (timed out), carried out by the broker, or "
               "the trader's own sell; riskd cannot tell which",
        close_orders=[CloseOrder(order_id=800, contract_id=MNQ, side=SIDE_SELL, size=2)],
        unsettled=[]), desk.now))
    desk.wait(0.1)
    assert notes(desk) == [], [n.reason for n in notes(desk)]
    assert desk.account.trades_today == 2            # the trader's two buys
