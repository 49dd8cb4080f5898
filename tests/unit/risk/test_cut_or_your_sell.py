"""The trader's own market sell of exactly a reduce's lost cut during riskd's wait for that
cut, then the cut carried out by the broker (check23 N1: long 3, buy 4 against max_contracts
5, riskd's cut of 2 held at the broker; the trader sold 2 at 13 s, 7 -> 5; the held cut
landed at 28 s, 5 -> 3). Before, the trader's sell was riskd's, riskd's late cut the
trader's trade (trade_frequency_limit counted it), and the over-cut was said nowhere. Now the
result lists the cut as unsettled (enforcement cannot tell the two sells apart:
services/enforcement/actions/reduce_position.py), the later sell is riskd's cut carried out
late, said as its over-cut, and the earlier one the trader's trade (services/risk/eitherway.py).
Every order of the trader's sell's Order, Trade and Position and the result, then of the late
cut's Order, Trade and Position."""
from __future__ import annotations

import itertools

import pytest

from shared import latewords
from shared.latewords import LATE_CLOSE, RESTARTED, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import SIDE_SELL
from tests.unit.risk.desk import ACCOUNT, MNQ
from tests.unit.risk.test_late_reduce_words import NS, breached, late_cut


def traders_sell(desk, cmd, sent, mine: list, how: str = TIMED_OUT):
    """The trader's market sell of 2 (order 300) during riskd's wait, and the reduce's result
    that cannot tell it from its lost cut (it names that order, found in the lost call's
    window, and lists the cut as unsettled, naming that order as the one it cannot tell).
    how: TIMED_OUT, the round's cut timed out; RESTARTED, the cut a killed enforcement sent,
    the reduce resumed after the restart (round 24: the restart path, 2 of 2 by hand)."""
    def result():
        desk.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
            rule=cmd.rule, attempts=1, orders_known=True,
            detail="MNQ on account 1001 went from 4 contracts to 2: cut by a market sell of 2 "
                   "(order 300): either this close, which got no answer within 10s (timed "
                   "out), carried out by the broker, or the trader's own sell; riskd cannot "
                   "tell which",
            close_orders=[CloseOrder(order_id=300, contract_id=MNQ, side=SIDE_SELL, size=2,
                                     answered=False)],
            unsettled=[LostCall(contract_id=MNQ, size=2,
                                lost_ns=sent + 10 * NS if how == TIMED_OUT else sent,
                                how=how, either=300)]), desk.now)
    return {**late_cut(desk, mine, order_id=300, left=2, tag="1"), "R": result}


FIRST = list(itertools.permutations(["O1", "T1", "P1", "R"]))
LATE = list(itertools.permutations(["O3", "T3", "P3"]))


@pytest.mark.parametrize("how", [TIMED_OUT, RESTARTED])
@pytest.mark.parametrize("first,late", list(itertools.product(FIRST, LATE)))
def test_the_later_sell_is_riskds_cut_the_earlier_the_traders(first, late, how):
    desk, cmd, sent = breached()
    desk.wait(3)                                   # 13 s: the trader sells 2 (4 -> 2)
    mine: list = []
    events = traders_sell(desk, cmd, sent, mine, how)
    for name in first:
        events[name]()
        desk.wait(0.1)
    desk.wait(13)                                  # the broker carries riskd's cut out
    cut: list = []
    events = late_cut(desk, cut)
    for name in late:
        events[name]()
    desk.wait(1)
    cut = [f for f in cut if f.order_id == 400]     # (the step hands the sell back too)
    assert cut and all(f.by_riskd for f in cut), cut
    assert not desk.account.trades[mine[0].trade_id].by_riskd      # the trader's trade
    assert desk.account.trades_today == 2, desk.account.trades_today   # the buy, the sell
    [note] = [w for w in desk.warnings() if w.rule == LATE_CLOSE]
    assert latewords.is_overcut(note.reason), note.reason
    # a market sell of the cut's size: riskd's cut or the trader's, said so (trial25c F8)
    assert note.reason.startswith("riskd cut 2 MNQ more than the limit needed, or you sold 2 "
                                  "yourself: riskd cannot tell which and takes it as its own; "
                                  "a market sell of 2 at "), note.reason
    assert ", after your sell of 2 at " in note.reason, note.reason
    assert "(order 300) had brought MNQ to the limit, is its earlier cut (" \
           + ("timed out at " if how == TIMED_OUT else "sent at ") in note.reason, note.reason
    assert ") carried out late, or your own; your MNQ +2 -> flat; that earlier sell is your " \
           "trade, this one is not" in note.reason, note.reason
