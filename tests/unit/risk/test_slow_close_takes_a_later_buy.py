"""riskd's close that takes a buy the trader made while it was in flight is riskd's, all of it
(fresh-user trial18a, 4 of 4: an unlocked account, riskd's close held 6 s at the broker, the
trader bought 1 meanwhile, the closeContract sold 3 for a close decided on 2, and that sell
counted as the trader's 3rd trade of the minute: a trade_frequency_limit cooldown started at
riskd's own close, and the extra count later started the hourly one).

In-process, the engine with the shipped trade_frequency_limit (3 a minute) and a
daily_unrealized_loss that closes the position (no lockout: the account stays unlocked, as in
the trial). The broker's events of riskd's close come in either order against enforcement's
result, which names the close's order (CommandResult.close_orders) or, its search having failed,
names none.
"""
from __future__ import annotations

import pytest

from shared.messages.enforce import CloseOrder, CommandResult
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, SIDE_SELL, Desk

CLOSE_ORDER = 9000047


def desk_with_a_slow_close():
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60},
                daily_unrealized_loss={"limit": 200})
    desk.price(MNQ, 21000)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=9000045)
    desk.long(2, MNQ, 21000)
    desk.now += 1_000_000_000
    desk.price(MNQ, 20949)                               # -204 open: the position is closed
    [close] = [c for c in desk.commands() if c.action == "close_position"]
    desk.now += 2_000_000_000                            # the close held at the broker
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price="20949", order_id=9000046)
    desk.long(3, MNQ, "20982")
    assert desk.account.trades_today == 2
    return desk, close


def answer(desk, close, named: bool):
    orders = [CloseOrder(order_id=CLOSE_ORDER, contract_id=MNQ, side=SIDE_SELL, size=3)] \
        if named else []
    out = desk.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, orders_known=named, close_orders=orders), desk.now)
    desk.history.append(out)


def sell_all(desk):
    desk.trade("-306", contract=MNQ, side=SIDE_SELL, size=3, price="20949",
               order_id=CLOSE_ORDER)
    desk.flat(MNQ)


@pytest.mark.parametrize("named", [True, False], ids=["orders named", "search failed"])
@pytest.mark.parametrize("result_first", [False, True], ids=["fill first", "result first"])
def test_the_close_that_took_the_later_buy_is_riskds(result_first, named):
    desk, close = desk_with_a_slow_close()
    desk.now += 4_000_000_000                            # the broker carries it out: sell 3
    if result_first:
        answer(desk, close, named)
        sell_all(desk)
    else:
        sell_all(desk)
        answer(desk, close, named)
    desk.wait(1)
    [sell] = [t for t in desk.account.trades.values() if t.side == SIDE_SELL]
    assert sell.by_riskd, sell
    assert desk.account.trades_today == 2                # the trader's two buys
    assert not desk.decisions("trade_frequency_limit", acted=False), \
        desk.decisions("trade_frequency_limit", acted=False)
