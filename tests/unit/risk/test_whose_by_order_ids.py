"""Whose trade it is, by the broker's facts: enforcement's final result names the orders its
closes created (CommandResult.close_orders, found by Order/search), and their fills are
riskd's whatever their timing or size (RULES.md "Whose trade it is"; services/risk/exits.py
take_orders, hold). A fill on the closing side of a close still in flight that fits none of
riskd's exits is held, counted as no one's trade, until that close's result says whose it is:
no cooldown is started and taken back. The cases the whose17 helper left open:
(b) enforcement resumes a close after its crash and closes a later buy; risk sees those fills
    only after the result;
(c) a fill of riskd's close delivered more than 15 s after its command's result;
(d) a live close of more contracts than risk had seen, before market's reconciliation brings
    the buy back.
Each fails on main's code (its exits alone count the sell as the trader's trade)."""
from __future__ import annotations

from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_BUY, SIDE_SELL
from tests.unit.risk.desk import ACCOUNT, MNQ
from tests.unit.risk.test_riskd_closes_in_a_burst import frequency_decisions, locked, result


def closes(desk):
    return [c for c in desk.engine.outbox.entries.values()
            if c.command.action in ("close_position", "reduce_position", "flatten")]


def answered(desk, cmd, *orders):
    out = desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, orders_known=True,
        close_orders=[CloseOrder(order_id=oid, contract_id=MNQ, side=side, size=size)
                      for oid, side, size in orders]), desk.now)
    desk.history.append(out)
    return out


def test_c_a_close_s_fill_long_after_its_result_is_riskds_by_its_order_id():
    desk = locked(per_minute=2)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=500)
    desk.long(1, MNQ, 21000)                        # bought while locked: the lockout closes
    [close] = [e.command for e in closes(desk)]
    answered(desk, close, (501, SIDE_SELL, 1))      # done; its fill is still on its way
    desk.wait(20)                                   # the websocket dropped: 20 s late
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1, order_id=501)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 1
    assert frequency_decisions(desk) == []


def test_b_a_resumed_close_of_a_later_buy_seen_after_its_result_is_riskds():
    desk = locked(per_minute=3)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=600)
    desk.long(1, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    # enforcement closed the 1 (order 601) and crashed; the trader bought 2 more, which risk
    # has not seen yet; enforcement resumed the close and closed them too (order 602); its
    # result comes first, then the broker's events, late
    answered(desk, close, (601, SIDE_SELL, 1), (602, SIDE_SELL, 2))
    desk.wait(3)
    # market's reconciliation after a websocket drop: the trades oldest first, then the
    # position (flat)
    outs = [desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1, order_id=601)]
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=2, order_id=603)
    outs.append(desk.trade("0", contract=MNQ, side=SIDE_SELL, size=2, order_id=602))
    desk.flat(MNQ)
    finish_all(desk)
    assert [o.fills[0].by_riskd for o in outs] == [True, True]
    assert desk.account.trades_today == 2              # the trader's buys of 1 and 2
    assert frequency_decisions(desk) == []


def test_d_a_live_close_of_more_than_risk_saw_is_riskds_once_its_result_names_it():
    desk = locked(per_minute=3)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=700)
    desk.long(1, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    # the trader's second buy (order 701) is lost with a websocket drop; riskd's close
    # closes both: its sell of 2 comes live, before market's reconciliation
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=2, order_id=702)
    assert desk.account.trades_today == 1               # held: no one's trade yet
    assert frequency_decisions(desk) == []
    answered(desk, close, (702, SIDE_SELL, 2))
    assert desk.account.trades[out.fills[0].trade_id].by_riskd
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=701)  # reconciliation
    desk.flat(MNQ)
    finish_all(desk)
    assert desk.account.trades_today == 2              # the two buys
    assert frequency_decisions(desk) == []             # 3 a minute: no cooldown


def test_a_held_sell_that_is_the_traders_counts_from_its_own_time():
    """The trader's own sell of more than riskd's close in flight expects (a flip) is held;
    the close's result names another order: the sell is the trader's, and
    trade_frequency_limit judges it then, its cooldown running from the sell's own time."""
    desk = locked(per_minute=2)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=800)
    desk.long(1, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    sold_at = desk.now
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=3, order_id=801)   # flips short 2
    desk.short(2, MNQ, 21000)
    assert frequency_decisions(desk) == []
    desk.wait(0.2)
    answered(desk, close, (802, SIDE_BUY, 2))            # it closed the short 2
    assert not desk.account.trades[out.fills[0].trade_id].by_riskd
    assert desk.account.trades_today == 2
    [d] = frequency_decisions(desk)
    assert d.event_ns == sold_at, (d.event_ns, sold_at)
    # the short it opened while locked is closed, as it would have been on the fill
    assert [(c.action, c.contract_id) for c in closes_sent(desk)] == [("close_position", MNQ)]


def closes_sent(desk):
    return [e.command for e in closes(desk)]


def finish_all(desk):
    for e in list(desk.engine.outbox.entries.values()):
        result(desk, e.command.id, e.command.action)


def test_a_traders_sell_of_the_size_riskd_expects_is_the_traders_once_the_close_names_its_order():
    """Until now the price of telling fills by expectation: the trader's own sell of exactly
    what riskd's close in flight expects counted as riskd's. Its result names the orders the
    close created, not the sell's: the sell is the trader's, counted from its own time."""
    desk = locked(per_minute=10)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=2, order_id=900)
    desk.long(2, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=2, order_id=901)   # the trader's
    desk.flat(MNQ)
    trade = out.fills[0].trade_id
    assert desk.account.trades_today == 1                 # taken for riskd's close for now
    answered(desk, close)                                 # flat when it ran: no order made
    assert not desk.account.trades[trade].by_riskd
    assert desk.account.trades_today == 2
    assert 901 not in desk.account.riskd.orders           # nor a later fill of that order
