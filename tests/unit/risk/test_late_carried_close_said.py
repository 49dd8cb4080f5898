"""A close riskd gave up on (its call timed out; a second close finished the command) that the
broker carries out LATER closes whatever the trader holds then: its fill is riskd's, never the
trader's trade, and riskd says so, one history line and one alert: "Your MNQ +1 closed at
...: riskd's earlier close of MNQ (timed out at ...) carried out late, or your own close;
riskd cannot tell which and takes it as its own" (riskd cannot: an order at the broker does
not say who sent it, and enforcement never hears the held call's late answer).
Trial18c section 1: the trader's MNQ +1, bought after an unlock, vanished with no line
anywhere, and once (enforcement killed during the held close) that sell counted as the
trader's trade. Every event order: the fill's Trade or its Position first, before or after
the command's result, after a restart of risk; and what stays the trader's (a stop, a partial
sell, a sell after the late window). docs/rules.md "Whose trade it is"."""
from __future__ import annotations

import datetime as dt
import itertools

from services.risk.outcome import Outcome
from services.risk.store import Store
from shared.latewords import LATE_CLOSE, RESTARTED, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import AccountUpdate, Fill, MarketSnapshot
from tests.unit.risk.desk import ACCOUNT, MNQ, ORDER_STOP, SIDE_BUY, SIDE_SELL, D, Desk

NS = 1_000_000_000
LOSS = {"limit": 200}
FREQ = {"per_minute": 2, "per_minute_cooldown": 60}


def desk_(**kw) -> Desk:
    return Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ, **kw)


def closed_with_a_timed_out_call(desk: Desk, how: str = TIMED_OUT, result: bool = True):
    """The trader's long 2 breaches daily_unrealized_loss; riskd's first close call times out
    10 s later, its second one closes the 2 (riskd's sell, Trade then Position); the result
    (done) lists the timed-out call as unsettled. The close command."""
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20800)                       # -800 open: over the 200 limit
    [cmd] = desk.commands()
    assert cmd.action == "close_position"
    sent = desk.now
    desk.wait(10)                                # the first call: no answer within 10 s
    out = desk.trade("-800", contract=MNQ, side=SIDE_SELL, size=2, price="20800",
                     order_id=200)               # the second call's close
    assert out.fills[0].by_riskd
    desk.flat(MNQ)
    if result:
        finish(desk, cmd, sent, how)
    return cmd


def finish(desk: Desk, cmd, sent: int, how: str = TIMED_OUT) -> None:
    lost_ns = sent + 10 * NS if how == TIMED_OUT else sent
    desk.result_out = desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail=f"{MNQ} on account 1001 closed", attempts=2,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=lost_ns, how=how)],
        # the second call's order, found by the search after it (the held call's order
        # did not exist at the broker yet: the sim creates it when it carries the call out)
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=2)],
        orders_known=True), desk.now)


def bought_again(desk: Desk, after_s: float = 60) -> None:
    """After an unlock (or a minute later), the trader buys 1 MNQ again."""
    desk.wait(after_s)
    desk.price(MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)


def late_fill(desk: Desk, position_first: bool = False) -> Outcome:
    """The held first call carried out now: a market sell of 1 the trader did not make."""
    desk.wait(10)
    if position_first:
        desk.flat(MNQ)
    out = desk.trade("-0.5", contract=MNQ, side=SIDE_SELL, size=1, price="20999.75",
                     order_id=400)
    if not position_first:
        desk.flat(MNQ)
    return out


def notes(desk: Desk) -> list:
    return [w for w in desk.warnings() if w.rule == LATE_CLOSE]


def clock(ns: int) -> str:
    return f"{dt.datetime.fromtimestamp(ns / NS, dt.timezone.utc):%H:%M:%S}"


def test_carried_out_after_the_result_it_is_riskds_and_said_trade_first():
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    timed_out = desk.now                         # 10 s after the first call: the second close
    bought_again(desk)
    out = late_fill(desk)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 2        # the trader's buy of 2 and buy of 1
    assert not [c for c in desk.lockout_changes() if c.lockout.rule == "trade_frequency_limit"]
    [note] = notes(desk)
    assert note.value is None and note.account_id == ACCOUNT
    assert note.reason == (
        f"Your MNQ +1 closed at {clock(desk.now)}: riskd's earlier close of MNQ (timed out at "
        f"{clock(timed_out)}) carried out late, or your own close; riskd cannot tell which and "
        f"takes it as its own; MNQ is flat now; not counted as your trade"), note.reason


def test_carried_out_after_the_result_position_first():
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    out = late_fill(desk, position_first=True)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 2
    [note] = notes(desk)
    assert "Your MNQ +1 closed at" in note.reason and "MNQ is flat now" in note.reason


def test_a_larger_position_opened_since_is_closed_all_and_said():
    """closeContract closes all that is open when the broker carries it out: the trader's
    +3 bought since, a sell of 3 the late exit (expected 1) still takes."""
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    desk.wait(61)
    desk.price(MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=3, price="21000", order_id=300)
    desk.long(3, MNQ, 21000)
    desk.wait(5)
    out = desk.trade("-1.5", contract=MNQ, side=SIDE_SELL, size=3, price="20999.75",
                     order_id=400)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 2
    [note] = notes(desk)
    assert "Your MNQ +3 closed at" in note.reason


def test_carried_out_before_the_result_it_is_riskds_and_no_late_words():
    """The held call let go while the command still runs: riskd's close, said by its Done;
    no late-close line."""
    desk = desk_()
    cmd = closed_with_a_timed_out_call(desk, result=False)
    sent = desk.now - 10 * NS
    desk.wait(1)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)
    out = late_fill(desk)                        # before the result: riskd's close in flight
    assert out.fills[0].by_riskd
    finish(desk, cmd, sent)
    assert notes(desk) == []


def test_the_closes_own_fill_seen_after_the_result_is_not_a_late_close():
    """The second call's fill, carried out before the result, reaching risk only after it
    (its Trade late): riskd's, and not said as a late close (the broker's time is before the
    result)."""
    desk = desk_()
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20800)
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(10)
    closed_at = desk.now
    desk.flat(MNQ)                               # its Position first
    finish(desk, cmd, sent)
    desk.wait(3)
    out = desk.feed(Fill(account_id=ACCOUNT, trade_id=77, contract_id=MNQ, ts_ns=closed_at,
                         price=D(20800), pnl=D(-800), fees=D(0), side=SIDE_SELL, size=2,
                         order_id=200))
    assert out.fills[0].by_riskd
    assert notes(desk) == []


def test_after_a_restart_of_risk_the_late_fill_is_still_riskds_and_said(tmp_path):
    desk = desk_()
    store, _ = Store.open(str(tmp_path))
    closed_with_a_timed_out_call(desk)
    for out in desk.history + [desk.result_out]:
        store.commit(out, desk.engine)
    store.close()
    later = Desk(start=desk.now, daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    later._trade_ids = itertools.count(100)      # the broker's next trades
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    late = [e for e in later.account.riskd.expected if e.late]
    assert late and late[0].how == TIMED_OUT and late[0].lost_ns
    bought_again(later)
    out = late_fill(later)
    assert out.fills[0].by_riskd
    assert later.account.trades_today == 2
    [note] = notes(later)
    assert "(timed out at " in note.reason and "Your MNQ +1 closed" in note.reason
    store.close()


def test_enforcement_restarted_during_the_close_says_so():
    desk = desk_()
    closed_with_a_timed_out_call(desk, how=RESTARTED)
    bought_again(desk)
    out = late_fill(desk)
    assert out.fills[0].by_riskd
    [note] = notes(desk)
    assert "(sent at " in note.reason and ", before enforcement restarted)" in note.reason


def test_the_traders_stop_filled_meanwhile_is_the_traders():
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    desk.stop(500, MNQ, SIDE_SELL, 1, "20990")
    desk.wait(5)
    desk.order(500, MNQ, SIDE_SELL, 1, ORDER_STOP, stop_price="20990", status=2)   # filled
    out = desk.trade("-5", contract=MNQ, side=SIDE_SELL, size=1, price="20990", order_id=500)
    desk.flat(MNQ)
    assert not out.fills[0].by_riskd
    assert desk.account.trades_today == 3
    assert notes(desk) == []


def test_the_traders_partial_sell_meanwhile_is_the_traders():
    """A late closeContract closes all that is open: a sell that leaves a position is not it."""
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    desk.wait(61)
    desk.price(MNQ, 21000)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=300)
    desk.long(2, MNQ, 21000)
    desk.wait(5)
    out = desk.trade("-0.5", contract=MNQ, side=SIDE_SELL, size=1, price="20999.75",
                     order_id=400)
    desk.long(1, MNQ, 21000)
    assert not out.fills[0].by_riskd
    assert desk.account.trades_today == 3
    assert notes(desk) == []


def test_after_the_late_window_a_sell_is_the_traders():
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk, after_s=125)              # past LATE_NS (120 s after the result)
    out = late_fill(desk)
    assert not out.fills[0].by_riskd
    assert notes(desk) == []


def test_a_late_partial_close_says_what_is_left():
    """A reduce's partialCloseContract carried out late: it closed 1 of the trader's 3, and
    the note says what is held now."""
    desk = Desk(max_contracts={"limit": 4}, trade_frequency_limit=FREQ)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=5, order_id=100)
    desk.long(5, MNQ, 21000)
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(10)
    desk.trade("-1", contract=MNQ, side=SIDE_SELL, size=1, price="20999", order_id=200)
    desk.long(4, MNQ, 21000)
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="reduced", attempts=2, orders_known=True,
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=1)],
        unsettled=[LostCall(contract_id=MNQ, size=1, lost_ns=sent + 10 * NS, how=TIMED_OUT)]),
        desk.now)
    desk.wait(30)
    out = desk.trade("-1", contract=MNQ, side=SIDE_SELL, size=1, price="20999", order_id=400)
    desk.long(3, MNQ, 21000)
    assert out.fills[0].by_riskd
    [note] = notes(desk)
    assert "; your MNQ +4 -> +3; " in note.reason, note.reason   # (latewords.reduce_sentence)


def test_riskds_next_close_of_the_new_position_is_not_said_late():
    """The trader's new position breaches too: riskd's own close of it uses its own exit, not
    the late one, and is not said as a late close (its Done says it)."""
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    desk.wait(2)
    desk.price(MNQ, 20700)                       # -600 on the new +1: daily_unrealized_loss
    second = [c for c in desk.commands() if c.action == "close_position"][-1]
    assert second.id != desk.commands()[0].id
    out = desk.trade("-600", contract=MNQ, side=SIDE_SELL, size=1, price="20700", order_id=600)
    desk.flat(MNQ)
    assert out.fills[0].by_riskd
    desk.wait(1)
    desk.engine.on_result(CommandResult(
        command_id=second.id, account_id=ACCOUNT, status="done", action=second.action,
        rule=second.rule, detail="closed", attempts=1, orders_known=True,
        close_orders=[CloseOrder(order_id=600, contract_id=MNQ, side=SIDE_SELL, size=1)]),
        desk.now)
    assert notes(desk) == []
    assert desk.account.trades_today == 2


# -- a late close closes the contract's orders (trial20a section 1) -----------------------------

def cancels(desk: Desk) -> list:
    return [c for c in desk.commands() if c.action == "cancel_orders"]


def test_a_late_close_cancels_the_traders_stop_left_working_on_the_flat_contract():
    """Trial20a section 1: the trader bought again and placed a stop; riskd's held close,
    carried out late, closed the position, and the stop stayed working on a flat MNQ (it later
    opened a short nothing guarded). A late close is riskd's close: it cancels the contract's
    orders, through one command (exactly once: the outbox), and the note names them."""
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    desk.stop(500, MNQ, SIDE_SELL, 1, "20900")          # the trader's stop for the new +1
    desk.wait(5)
    out = late_fill(desk)
    assert out.fills[0].by_riskd
    [cmd] = cancels(desk)
    assert cmd.rule == LATE_CLOSE and cmd.contract_id == MNQ and cmd.order_id is None
    assert cmd.mode == "enforce" and cmd.by == ""
    # only the orders placed by the late fill: one placed after it is the trader's
    assert cmd.placed_by_ns == out.fills[0].ts_ns
    [d] = desk.decisions(LATE_CLOSE)
    assert d.by == "riskd (late close)" and d.action == "cancel_orders"
    assert "sell stop MNQ 1 @ 20900.00 (order 500)" in d.reason, d.reason
    [note] = notes(desk)
    assert ("; MNQ is flat now; riskd cancels your sell stop MNQ 1 @ 20900.00 (order 500) "
            "with it (left working, it would open a new position); not counted as your "
            "trade") in note.reason, note.reason
    # the cancel's Order event, then the same fill again (a replay): nothing more is sent
    desk.cancelled(500)
    desk.feed(out.fills[0])
    assert len(cancels(desk)) == 1


def test_an_order_placed_after_the_late_close_came_is_not_riskds_to_cancel():
    """The trader's new order placed after the late fill (the broker's times), its Order
    event reaching risk before that fill's Trade: not named, not cancelled; the one placed
    before it is."""
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    desk.stop(500, MNQ, SIDE_SELL, 1, "20900")
    desk.wait(10)
    filled_at = desk.now
    desk.wait(1)
    desk.order(501, MNQ, SIDE_BUY, 1, limit_price="20800")   # placed 1 s after the late fill
    desk.flat(MNQ)
    out = desk.feed(Fill(account_id=ACCOUNT, trade_id=900, contract_id=MNQ, ts_ns=filled_at,
                         price=D("20999.75"), pnl=D("-0.5"), fees=D(0), side=SIDE_SELL,
                         size=1, order_id=400))
    assert out.fills[0].by_riskd
    [cmd] = cancels(desk)
    assert cmd.placed_by_ns == filled_at
    [note] = notes(desk)
    assert "(order 500)" in note.reason and "501" not in note.reason, note.reason


def test_a_late_close_with_no_order_left_cancels_nothing():
    desk = desk_()
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    late_fill(desk)
    assert cancels(desk) == []
    [note] = notes(desk)
    assert "cancels" not in note.reason


def test_a_late_partial_close_leaving_a_position_cancels_nothing():
    """What a late reduce leaves open keeps its orders (their sizes: a rule's matter)."""
    desk = Desk(max_contracts={"limit": 4}, trade_frequency_limit=FREQ)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=5, order_id=100)
    desk.long(5, MNQ, 21000)
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(10)
    desk.trade("-1", contract=MNQ, side=SIDE_SELL, size=1, price="20999", order_id=200)
    desk.long(4, MNQ, 21000)
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="reduced", attempts=2, orders_known=True,
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=1)],
        unsettled=[LostCall(contract_id=MNQ, size=1, lost_ns=sent + 10 * NS, how=TIMED_OUT)]),
        desk.now)
    desk.stop(500, MNQ, SIDE_SELL, 4, "20900")
    desk.wait(30)
    out = desk.trade("-1", contract=MNQ, side=SIDE_SELL, size=1, price="20999", order_id=400)
    desk.long(3, MNQ, 21000)
    assert out.fills[0].by_riskd
    assert cancels(desk) == []


def test_a_late_close_made_while_risk_was_down_cancels_from_the_first_snapshot(tmp_path):
    """risk killed -9 (or down) when the broker carried the held close out: the late fill
    comes in the restarted risk's first snapshot, with the trader's stop still working. It
    is riskd's late close all the same, and the stop placed before it is cancelled."""
    desk = desk_()
    store, _ = Store.open(str(tmp_path))
    closed_with_a_timed_out_call(desk)
    bought_again(desk)
    desk.stop(500, MNQ, SIDE_SELL, 1, "20900")
    stop = desk.account.orders[500]
    for out in desk.history + [desk.result_out]:
        store.commit(out, desk.engine)
    store.close()
    desk.wait(10)
    filled_at = desk.now                         # the late close, while risk is down
    later = Desk(start=desk.now + 5 * NS, daily_unrealized_loss=LOSS,
                 trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    out = later.engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1",
                                                balance=D(50_000), can_trade=True)],
        orders=[stop],
        fills=[Fill(account_id=ACCOUNT, trade_id=900, contract_id=MNQ, ts_ns=filled_at,
                    price=D("20999.75"), pnl=D("-0.5"), fees=D(0), side=SIDE_SELL, size=1,
                    order_id=400)]), later.now)
    later.history.append(out)
    assert [f.by_riskd for f in out.fills if f.trade_id == 900] == [True]
    [cmd] = cancels(later)
    assert cmd.contract_id == MNQ and cmd.placed_by_ns == filled_at
    store.close()


def test_two_orders_cancelled_with_a_late_close_read_as_they():
    """Trial25c F7: "(left working, them would open a new position)". Fails before."""
    from shared.latewords import sentence
    text = sentence("MNQ", "timed out at 22:12:35", "22:14:45", 1, 1, 0,
                    ("your sell stop MNQ 1 @ 20900.00 (order 1)",
                     "your sell limit MNQ 1 @ 21100.00 (order 2)"))
    assert "(left working, they would open a new position)" in text, text
