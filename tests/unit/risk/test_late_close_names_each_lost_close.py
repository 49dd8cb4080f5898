"""A fill riskd takes as its close carried out late names every lost close of riskd's it may be,
when more than one may: riskd cannot tell which of them the broker carried out.

check25 item 1 ("new, minor"): two closes of MNQ had calls whose outcome riskd never learned
(one sent at 17:54:28, one at 17:55:46, before enforcement restarted); the broker carried out
the one sent at 17:55:46, and the note said "riskd's earlier close of MNQ (sent at 17:54:28,
before enforcement restarted) carried out late": a call that was not the one. Late exits are
taken oldest first, and the note named only the one taken.
"""
from __future__ import annotations

import itertools

import pytest

from shared.latewords import LATE_CLOSE, RESTARTED, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, SIDE_SELL, Desk

NS = 1_000_000_000


def notes(desk: Desk) -> list:
    return [w for w in desk.warnings() if w.rule == LATE_CLOSE]


def _clock(desk: Desk, ns: int) -> str:
    from shared.latewords import clock
    return clock(ns, desk.engine.zone)


@pytest.mark.parametrize("first_how, second_how", list(itertools.product(
    (TIMED_OUT, RESTARTED), repeat=2)))
def test_a_late_fill_names_both_lost_closes_it_may_be(first_how, second_how):
    desk = Desk(daily_unrealized_loss={"limit": 200},
                trade_frequency_limit={"per_minute": 9, "per_minute_cooldown": 60})
    # the first close: its first call lost, its second call closed the long 2 (done)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20800)
    [first] = desk.commands()
    sent1 = desk.now
    desk.wait(10)
    assert desk.trade("-800", contract=MNQ, side=SIDE_SELL, size=2, price="20800",
                      order_id=200).fills[0].by_riskd
    desk.flat(MNQ)
    desk.engine.on_result(CommandResult(
        command_id=first.id, account_id=ACCOUNT, status="done", action=first.action,
        rule=first.rule, detail=f"{MNQ} on account 1001 closed", attempts=2,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent1, how=first_how)],
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=2)],
        orders_known=True), desk.now)
    # the trader buys 1; its loss breaches again: the second close, its one call lost, fails
    desk.wait(20)
    desk.price(MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)
    desk.price(MNQ, 20880)                                   # -240 open
    second = [c for c in desk.commands() if c.id != first.id][-1]
    sent2 = desk.now
    desk.wait(12)
    desk.price(MNQ, 20905)                                   # -190: back within
    desk.engine.on_result(CommandResult(
        command_id=second.id, account_id=ACCOUNT, status="failed", action=second.action,
        rule=second.rule, detail="close_position gave up", attempts=4, broker_calls=4,
        orders_known=True,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent2, how=second_how)]),
        desk.now)
    # a market sell of the 1 the trader did not make: one of the two lost calls carried out
    desk.wait(5)
    out = desk.trade("-95", contract=MNQ, side=SIDE_SELL, size=1, price="20905", order_id=400)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    [note] = notes(desk)
    for sent in (sent1, sent2):
        assert _clock(desk, sent) in note.reason, (note.reason, _clock(desk, sent))
    assert note.reason.startswith("Your MNQ +1 closed at ") and "one of riskd's earlier closes of MNQ (" \
        in note.reason and "riskd cannot tell which" in note.reason, note.reason
