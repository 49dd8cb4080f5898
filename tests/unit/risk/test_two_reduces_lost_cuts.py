"""Two reduces of one contract whose cuts got no answer: the late fill of the second one's cut
is that cut's, not the first one's "either" (round 24, by hand on the sim, Demo 1, max_contracts
5): reduce A's cut landed 15 s late as the only sell of 2, so its result said "either this close
... or the trader's own sell; riskd cannot tell which" and kept its cut listed for 2 minutes
(LostCall.either). 94 s later the trader bought 4 again; reduce B's cut was held, its next
round cut 7 -> 5, and B's held cut then landed (5 -> 3). Risk gave that fill to A's window:
"its cut of 2, timed out at <A's time> ... after your sell of 2 (order <A's own cut>) had
already brought MNQ down to the limit ... that sell of yours ... is your own trade" (riskd's
own cut counted as the trader's trade), and B's cut stayed listed, so the trader's own sell of
2 a minute later was said as "riskd cut 2 more than the limit needed" a second time and not
counted. A cut known lost (B's: its next round cut again) comes before one that may already
have been carried out (A's 'either'): its fill is B's. Every order of the late cut's Order,
Trade and Position, after B's next cut's Trade, Position and result in any order."""
from __future__ import annotations

import itertools

import pytest

from shared import latewords
from shared.latewords import LATE_CLOSE, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import SIDE_BUY, SIDE_SELL
from tests.unit.risk.desk import ACCOUNT, MNQ
from tests.unit.risk.test_late_reduce_words import NS, breached, late_cut, second_cut


def first_reduce_either(desk, cmd, sent):
    """Reduce A's lost cut carried out 15 s late (4 -> 2) as order 300, the only sell: its
    result cannot tell it from the trader's own sell and lists the cut with that order."""
    desk.wait(5)
    desk.order(300, MNQ, SIDE_SELL, 2, 2, status=2)
    mine = desk.trade("-2", contract=MNQ, side=SIDE_SELL, size=2, price="20999",
                      order_id=300).fills
    desk.long(2, MNQ, 21000)
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, attempts=1, orders_known=True,
        detail="MNQ on account 1001 went from 4 contracts to 2: cut by a market sell of 2 "
               "(order 300): either this close, which got no answer within 10s (timed out), "
               "carried out by the broker, or the trader's own sell; riskd cannot tell which",
        close_orders=[CloseOrder(order_id=300, contract_id=MNQ, side=SIDE_SELL, size=2,
                                 answered=False)],
        unsettled=[LostCall(contract_id=MNQ, size=2, lost_ns=sent + 10 * NS, how=TIMED_OUT,
                            either=300)]), desk.now)
    return mine


@pytest.mark.parametrize("first,late", list(itertools.product(
    itertools.permutations(["T2", "P2", "R"]), itertools.permutations(["O3", "T3", "P3"]))))
def test_the_late_fill_is_the_cut_known_lost_not_an_earlier_either(first, late):
    desk, a, a_sent = breached()
    a_cut = first_reduce_either(desk, a, a_sent)
    desk.wait(30)                                  # the trader buys 2 again: 4 of 2
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, order_id=101)
    desk.long(4, MNQ, 21000)
    b = [c for c in desk.commands() if c.id != a.id and c.action == "reduce_position"]
    assert len(b) == 1, desk.commands()
    b, b_sent = b[0], desk.now
    desk.wait(20)                                  # B's cut: no answer; its next cut 4 -> 2
    events = second_cut(desk, b, b_sent)
    for name in first:
        events[name]()
    desk.wait(8)                                   # B's held cut carried out, late: 2 -> 0
    fills: list = []
    events = late_cut(desk, fills, order_id=500)
    for name in late:
        events[name]()
    desk.wait(1)
    fills = [f for f in fills if f.order_id == 500]  # (a step may hand another fill back too)
    assert fills and all(f.by_riskd for f in fills), fills      # riskd's: B's cut
    assert desk.account.trades[a_cut[0].trade_id].by_riskd, a_cut   # A's cut stays riskd's
    assert desk.account.trades_today == 2, desk.account.trades_today   # the trader's 2 buys
    [note] = [w for w in desk.warnings() if w.rule == LATE_CLOSE]
    b_lost = latewords.clock(b_sent + 10 * NS, desk.engine.zone)
    assert note.reason.startswith("riskd cut 2 MNQ more than the limit needed, or you sold 2 "
                                  "yourself: riskd cannot tell which"), note.reason
    assert "after its next cut had brought MNQ to the limit, is its earlier cut (timed out at " \
           f"{b_lost}) carried out late, or your own; " in note.reason, (b_lost, note.reason)
    assert "your sell" not in note.reason, note.reason
    # B's cut is used up: the trader's own market sell of 2 after A's window (2 minutes after
    # its result; within it, such a sell is taken as A's cut: docs/rules.md) but within B's is
    # the trader's, unsaid (before, B's cut, still listed, took it as a second over-cut)
    desk.wait(70)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, order_id=102)
    desk.long(2, MNQ, 21000)
    desk.wait(1)
    own = desk.trade("-2", contract=MNQ, side=SIDE_SELL, size=2, price="20999",
                     order_id=600).fills
    desk.flat(MNQ)
    desk.wait(1)
    assert own and not any(f.by_riskd for f in own), own
    assert len([w for w in desk.warnings() if w.rule == LATE_CLOSE]) == 1
