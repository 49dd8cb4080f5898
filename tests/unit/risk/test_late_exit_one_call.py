"""A late exit (a close call whose answer was lost: services/risk/exits.py Exit.late) is ONE
call: the broker carries it out once, so once it took a fill, a later fill is never its.
Trial20c finding 1: riskd's earlier close, its held call long answered, was named as having
"carried out late" the trader's own market sell, which then went uncounted, and the day listed
two late closes where one happened. Here the late exit was sized 2 (the result came before the
second call's fill: the book still showed 2), the held call was carried out on the trader's
+1 bought since (riskd's late close, said once), and the trader's next own sell of a new +1,
inside the late window, is the trader's trade: counted, no second late close said.
docs/rules.md "Whose trade it is"."""
from __future__ import annotations

from shared.latewords import LATE_CLOSE, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, SIDE_SELL, Desk

NS = 1_000_000_000


def notes(desk: Desk) -> list:
    return [w for w in desk.warnings() if w.rule == LATE_CLOSE]


def test_a_late_exit_takes_one_fill_then_the_traders_sell_is_the_traders():
    desk = Desk(daily_unrealized_loss={"limit": 200},
                trade_frequency_limit={"per_minute": 5, "per_minute_cooldown": 60})
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20800)                       # -800 open: over the 200 limit
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(10)                                # the first call: no answer within 10 s
    # the result (done, the first call unsettled) comes before the second call's fill: the
    # book still shows 2, so the late exit expects 2
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail=f"{MNQ} on account 1001 closed", attempts=2,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent + 10 * NS, how=TIMED_OUT)],
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=2)],
        orders_known=True), desk.now)
    out = desk.trade("-800", contract=MNQ, side=SIDE_SELL, size=2, price="20800",
                     order_id=200)               # the second call's close
    assert out.fills[0].by_riskd
    desk.flat(MNQ)
    # a minute later the trader buys 1; the held first call is carried out on it
    desk.wait(60)
    desk.price(MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)
    desk.wait(5)
    out = desk.trade("-0.5", contract=MNQ, side=SIDE_SELL, size=1, price="20999.75",
                     order_id=400)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    assert len(notes(desk)) == 1
    # the trader buys 1 again and sells it (a market order), 20 s later: inside the late
    # window, but the held call was carried out already: the trader's trade
    desk.wait(10)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=500)
    desk.long(1, MNQ, 21000)
    desk.wait(10)
    out = desk.trade("0.5", contract=MNQ, side=SIDE_SELL, size=1, price="21000.25",
                     order_id=600)
    desk.flat(MNQ)
    assert not out.fills[0].by_riskd, "a late exit's call carried out once took a second fill"
    assert len(notes(desk)) == 1, [n.reason for n in notes(desk)]
    assert desk.account.trades_today == 4        # buy 2, buy 1, buy 1, the trader's sell


def test_a_failed_close_whose_one_lost_call_was_carried_out_claims_no_later_fill():
    """A FAILED close lists its one lost call; the broker carries it out 5 s after the result
    (riskd's late close, said). The trader then buys 1 and sells it, 10 s after the result:
    the command's own exits, remembered 15 s, must not take that sell (the command closed
    nothing else: only that call could still be carried out, and it was)."""
    desk = Desk(daily_unrealized_loss={"limit": 200},
                trade_frequency_limit={"per_minute": 5, "per_minute_cooldown": 60})
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=100)
    desk.long(1, MNQ, 21000)
    desk.price(MNQ, 20880)                       # -240 open: over the 200 limit
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(45)
    desk.price(MNQ, 20905)                       # -190: back within
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="failed", action=cmd.action,
        rule=cmd.rule, detail="close_position gave up after 4 rounds", attempts=4,
        broker_calls=4, orders_known=True,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent + 10 * NS,
                            how=TIMED_OUT)]), desk.now)
    desk.wait(5)
    out = desk.trade("-95", contract=MNQ, side=SIDE_SELL, size=1, price="20905",
                     order_id=400)               # the lost call, carried out now
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    assert len(notes(desk)) == 1
    desk.wait(2)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="20905", order_id=500)
    desk.long(1, MNQ, 20905)
    desk.wait(3)
    out = desk.trade("5", contract=MNQ, side=SIDE_SELL, size=1, price="20906",
                     order_id=600)               # the trader's own market sell
    desk.flat(MNQ)
    assert not out.fills[0].by_riskd, "the FAILED close's own exit took the trader's sell"
    assert len(notes(desk)) == 1
    assert desk.account.trades_today == 3        # buy, buy, the trader's sell


def test_a_market_sell_of_another_size_than_a_lost_cut_is_the_traders():
    """max_contracts' reduce of 6 to 4: its partialCloseContract of 2 timed out, a second
    round cut the 2, the result lists the lost call (size 2). The trader's own market sell
    of 1 (its Order event names the order: 1 contract) inside the late window is not that
    call (a cut of 2 is one order of 2): the trader's trade, counted."""
    from shared.messages.market import ORDER_MARKET, STATUS_FILLED
    desk = Desk(max_contracts={"limit": 4},
                trade_frequency_limit={"per_minute": 5, "per_minute_cooldown": 60})
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=6, order_id=100)
    desk.long(6, MNQ, 21000)
    [cmd] = desk.commands()
    assert (cmd.action, cmd.size) == ("reduce_position", 2)
    out = desk.trade("-2", contract=MNQ, side=SIDE_SELL, size=2, price=20999, order_id=200)
    assert out.fills[0].by_riskd
    desk.long(4, MNQ, 21000)
    desk.wait(1)
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="reduced MNQ on account 1001 from 6 contracts to 4",
        unsettled=[LostCall(contract_id=MNQ, size=2, lost_ns=desk.now - NS,
                            how=TIMED_OUT)]), desk.now)
    desk.wait(20)
    desk.order(300, contract=MNQ, side=SIDE_SELL, size=1, type=ORDER_MARKET)
    out = desk.trade("1", contract=MNQ, side=SIDE_SELL, size=1, price=21001, order_id=300)
    desk.order(300, contract=MNQ, side=SIDE_SELL, size=1, type=ORDER_MARKET,
               status=STATUS_FILLED)
    desk.long(3, MNQ, 21000)
    assert not out.fills[0].by_riskd, "the trader's sell of 1 taken for a lost cut of 2"
    assert desk.account.trades_today == 2
    assert notes(desk) == []


# -- a close with several lost calls (one per round that got no answer) -------------------------

def closed_with_two_lost_calls(desk: Desk):
    """MNQ +1 past daily_unrealized_loss: the close's first two rounds got no answer (10 s
    each), the third closed it. The result (before the third's fill: the book still shows 1)
    lists both lost calls; they were sent 10 s apart and may still be carried out, in the
    order they came."""
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=100)
    desk.long(1, MNQ, 21000)
    desk.price(MNQ, 20800)                       # -400 open: over the 200 limit
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(21)
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail=f"{MNQ} on account 1001 closed", attempts=3,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent + 10 * NS, how=TIMED_OUT),
                   LostCall(contract_id=MNQ, size=0, lost_ns=sent + 20 * NS, how=TIMED_OUT)],
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=1)],
        orders_known=True), desk.now)
    out = desk.trade("-400", contract=MNQ, side=SIDE_SELL, size=1, price="20800",
                     order_id=200)               # the third round's close
    assert out.fills[0].by_riskd
    desk.flat(MNQ)
    desk.price(MNQ, 21000)
    return cmd


def test_one_fill_is_one_lost_calls_even_when_larger_than_that_call_was_sized():
    """The trader buys 2; the first held call, carried out, sells the 2 (a close of all that
    is open). That fill is ONE call's: the second lost call, carried out 10 s after it (as it
    was sent 10 s after), closes the trader's next +1, and that sell is riskd's late close
    too, not the trader's trade. Before: the fill of 2 used up both calls' exits (sized 1
    each, by the book at the result), and the second call's sell was counted as the trader's
    3rd trade of the minute: a trade the trader never made."""
    desk = Desk(daily_unrealized_loss={"limit": 200},
                trade_frequency_limit={"per_minute": 5, "per_minute_cooldown": 60})
    closed_with_two_lost_calls(desk)
    desk.wait(5)
    desk.long(2, MNQ, 21000)                     # its Position first, then its Trade
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=300)
    desk.wait(5)
    desk.flat(MNQ)
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=2, price="21000", order_id=400)
    assert out.fills[0].by_riskd                 # the first lost call
    desk.wait(3)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=500)
    desk.long(1, MNQ, 21000)
    desk.wait(7)
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1, price="21000", order_id=600)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd, "the second lost call's fill counted as the trader's trade"
    assert len(notes(desk)) == 2
    assert desk.account.trades_today == 3        # buy 1, buy 2, buy 1


def test_the_other_lost_calls_stay_only_as_far_behind_the_first_as_they_were_sent():
    """The first held call is carried out on the trader's +1 (riskd's late close). The broker
    carries calls out in the order they came, about as far apart as they were sent: the
    second, sent 10 s after the first, comes about 10 s after it or not at all (it finds the
    position flat: no fill). The trader's own market close of a new +1, 40 s after the first
    call's fill and well inside the 2 minutes, is the trader's trade, counted, with no second
    late close said. Before: each lost call took one such close as riskd's for 2 minutes."""
    desk = Desk(daily_unrealized_loss={"limit": 200},
                trade_frequency_limit={"per_minute": 5, "per_minute_cooldown": 60})
    closed_with_two_lost_calls(desk)
    desk.wait(5)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)
    desk.wait(5)
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1, price="21000", order_id=400)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd                 # the first lost call
    assert len(notes(desk)) == 1
    desk.wait(30)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=500)
    desk.long(1, MNQ, 21000)
    desk.wait(10)
    out = desk.trade("1", contract=MNQ, side=SIDE_SELL, size=1, price="21000.50",
                     order_id=600)               # the trader's own market sell
    desk.flat(MNQ)
    assert not out.fills[0].by_riskd, "a second lost call took the trader's sell 40 s later"
    assert len(notes(desk)) == 1, [n.reason for n in notes(desk)]
    assert desk.account.trades_today == 4        # buy 1, buy 1, buy 1, the trader's sell
