"""A lockout's cancel of one order is answered with what the order was and that it was
cancelled. Trial 2026-12-06: "✅ Done ... order 9000040 on account Demo 1: cancel order
9000040". Risk, which saw the order, gives it in words on the command (Command.order_text,
shared/orderwords.py); enforcement's answer names it: "order 9000040 (sell stop MNQ 2 @
20880.00) cancelled on account Demo 1". The risk side on the Desk (shipped rule values: the
daily_realized_loss of 500 locks until the roll), the enforcement side on the fake broker."""
from __future__ import annotations

from shared.messages.enforce import DONE
from shared.messages.market import ORDER_STOP, SIDE_SELL
from tests.unit.enforcement.fakebroker import FakeBroker, order
from tests.unit.enforcement.test_executor import A, MNQ, command, run
from tests.unit.enforcement.test_executor import executor  # noqa: F401
from tests.unit.risk.desk import MNQ as RISK_MNQ, Desk
from tests.unit.risk.test_lockouts import finish


def test_risk_s_cancel_command_names_the_order():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    [flatten] = desk.commands()
    finish(desk, flatten)
    desk.order(9000040, RISK_MNQ, side=SIDE_SELL, size=2, type=ORDER_STOP, stop_price="20880")
    [cancel] = [c for c in desk.commands() if c.action == "cancel_orders"]
    assert cancel.order_text == "sell stop MNQ 2 @ 20880.00", cancel


def test_the_done_answer_says_which_order_was_cancelled(executor, journal):  # noqa: F811
    broker = FakeBroker(A)
    broker.orders = {9000040: order(A, 9000040, MNQ, type=4, side=1, size=2)}
    out = run(executor, journal, broker, command("cancel_orders", order_id=9000040,
                                                 order_text="sell stop MNQ 2 @ 20880.00"))
    assert out.result.status == DONE
    assert out.result.detail == ("order 9000040 (sell stop MNQ 2 @ 20880.00) cancelled on "
                                 "account 7"), out.result.detail
    again = run(executor, journal, broker, command("cancel_orders", cid="d2.1",
                                                   order_id=9000040))
    assert again.result.detail == ("order 9000040 on account 7 was no longer working (filled "
                                   "or cancelled already)"), again.result.detail
