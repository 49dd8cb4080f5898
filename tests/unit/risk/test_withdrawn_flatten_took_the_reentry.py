"""A self-lockout's flatten whose close was held at the broker when the admin's unlock withdrew
it, carried out after the trader bought 1 again: riskd's fill is its close's sell of 2 alone,
the trader's buy their own trade, in every order of the events (trial25c F1, "F2 on another
path").

Enforcement's result now names the close's order alone (services/enforcement/withdrawnclose.py:
its read after the fill tells the trader's buy in the close's window from riskd's close), so
risk says "closed MNQ +2 at 20960.00, PnL -1.00, fees 0.74" (the long 2: the long 1 riskd
decided on and the long 1 bought after the unlock), the trader's two buys count as their two
trades, and no rule acts (flat, the lockout gone). Every merge of the broker's streams after the
unlock (the Trades: the buy, then the close's sell; the Positions: long 2, then flat; the buy's
Order event) with the flatten's result is played. Shipped rules (etc/riskd.toml)."""
from __future__ import annotations

import pytest

from services.risk.views import account_status
from shared.closefillwords import CLOSE_FILLS
from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import ORDER_MARKET, SIDE_BUY, SIDE_SELL, STATUS_FILLED
from tests.unit.risk.desk import MNQ, NS, shipped_desk
from tests.unit.risk.engine_run import ACCOUNT, LOADED
from tests.unit.risk.test_locked_reentry_beside_a_close_in_flight import _merges

CLOSE_ORDER, REENTRY = 9001, 8001
WORDS = "flatten by trader (self-lockout): closed MNQ +2 at 20960.00, PnL -1.00, fees 0.74"


def _unlocked_with_the_flatten_held():
    desk = shipped_desk(LOADED)
    desk.price(MNQ, 20960)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price="20960.25", order_id=700,
               fees="0.37")
    desk.long(1, MNQ, 20960.25)
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, until_ns=desk.now + 1800 * NS,
                                         reason="trial v2")
    assert refusal == ""
    desk.history.append(out)
    [flatten] = [c for c in out.commands if c.action == "flatten"]
    desk.wait(0.8)
    out, refusal = desk.engine.unlock(ACCOUNT, None, "admin:root", "trial re-entry v2",
                                      desk.now)
    assert refusal == "" and [w.command_id for w in out.withdraws] == [flatten.id], out
    desk.history.append(out)
    return desk, flatten


def _events(desk, flatten):
    def result():
        return desk.engine.on_result(CommandResult(
            command_id=flatten.id, account_id=ACCOUNT, status=DONE, action="flatten",
            rule=flatten.rule, orders_known=True,
            detail="flatten on account 1001: close MNQ; then stopped, withdrawn while it ran",
            started_ns=desk.now - NS, first_answer_ns=desk.now - NS // 2, finished_ns=desk.now,
            close_orders=[CloseOrder(order_id=CLOSE_ORDER, contract_id=MNQ, side=SIDE_SELL,
                                     size=2, answered=True)]), desk.now)
    return {
        "buy": lambda: desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price="20960.25",
                                  order_id=REENTRY, fees="0.37"),
        "sell": lambda: desk.trade("-1.00", contract=MNQ, side=SIDE_SELL, size=2,
                                   price="20960", order_id=CLOSE_ORDER, fees="0.74"),
        "long": lambda: desk.long(2, MNQ, 20960.25),
        "flat": lambda: desk.flat(MNQ),
        "order": lambda: desk.order(REENTRY, MNQ, SIDE_BUY, 1, ORDER_MARKET,
                                    status=STATUS_FILLED),
        "result": result}


ORDERS = list(_merges([("buy", "sell"), ("long", "flat"), ("order",), ("result",)]))


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_riskds_fill_is_its_close_alone_and_the_buy_is_the_traders_trade(order):
    desk, flatten = _unlocked_with_the_flatten_held()
    before = len(desk.history)
    events = _events(desk, flatten)
    for name in order:
        desk.wait(0.05)
        out = events[name]()
        if name == "result":
            desk.history.append(out)
    desk.wait(2)
    outs = desk.history[before:]
    notes = [w.reason for o in outs for w in o.warnings if w.rule == CLOSE_FILLS]
    assert notes == [WORDS], (order, notes)
    # the trader's two buys are their trades; riskd's sell of 2 is not
    assert desk.account.trades_in(0, desk.now + NS) == 2, order
    assert not [d for o in outs for d in o.decisions if not d.suppressed], \
        (order, [(d.rule, d.action, d.reason) for o in outs for d in o.decisions])
    # the close's PnL -1.00 (long 2 at 20960.25 sold at 20960), less the three fills' fees
    status = account_status(desk.engine, ACCOUNT, desk.now)
    assert str(status.realized) == "-2.48", (order, status.realized)
