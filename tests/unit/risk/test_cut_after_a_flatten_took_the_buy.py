"""A locked account's buy is cut to nothing when riskd's earlier close of another buy is done
but its fill has not come (guarantee 3: any position a locked account opens is closed).

The headline bench's rare "close of breach 2" timeout (2026-12-06, reproduced with the run's
folder kept): the trader's self-lockout sends a flatten (the account flat); buy 1 fills and
the flatten, still running, closes it; risk, behind, decides close_position for buy 1 and
enforcement answers "already flat" (done). Buy 2 comes before the flatten's sell reaches risk:
the fills show 2, the lockout cut "the 1 contract added", down to 1. Enforcement read 1 held
(buy 2 alone), nothing to do; the account stayed long 1 with nothing outstanding until the
unmet exit was forgotten 15 s later. Done closes the fills do not show yet are closed at the
broker: the cut's target leaves them out, priced or not.
"""
from __future__ import annotations

import pytest

from shared.messages.market import SIDE_BUY, SIDE_SELL
from shared.messages.risk import REDUCE_POSITION
from tests.unit.risk.desk import ACCOUNT, MNQ, NS, Desk
from tests.unit.risk.test_riskd_closes_in_a_burst import result


@pytest.mark.parametrize("priced", [False, True], ids=["no quote", "a quote"])
def test_the_second_buy_is_cut_to_nothing(priced):
    desk = Desk(trade_frequency_limit={"per_minute": 10})   # the bench's: no cooldown here
    if priced:
        desk.price(MNQ, 21000)
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, until_ns=desk.now + 1800 * NS)
    assert not refusal
    desk.history.append(out)
    flatten = out.commands[0]
    desk.now += 5_000_000
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1)          # buy 1: closed by riskd
    desk.now += 5_000_000
    result(desk, flatten.id, "flatten")                            # it took buy 1
    [close] = [c for c in desk.commands() if c.action == "close_position"]
    desk.now += 5_000_000
    result(desk, close.id, "close_position")                       # "already flat": done
    desk.now += 5_000_000
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1)          # buy 2
    [cut] = [c for c in desk.commands() if c.action == REDUCE_POSITION]
    assert cut.target == 0, cut                                    # it was 1: nothing to do
    desk.now += 5_000_000
    sell = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1)   # the flatten's sell
    assert sell.fills[0].by_riskd
    assert desk.account.trades_today == 2
