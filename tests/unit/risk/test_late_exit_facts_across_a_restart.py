"""What risk saw of the trader's orders while a late exit (a close call whose answer was lost:
services/risk/exits.py Exit.late) may still be carried out survives a restart of risk.

A lost partial close takes only a market order of its size, and no late exit takes a fill of a
stop or limit order (Exit.fits_late). The Order event that names the order may come before
its fill, and once the order is no longer working the book forgets it: risk kept what it had
seen (gone_sizes, not_market) in memory only (late20b's leftover). After a kill -9 of risk
between the order's last Order event and its fill (market's snapshot replays the fill), the
trader's market sell of 1 was taken for riskd's lost cut of 2, and the trader's stop filling
for riskd's lost close: an uncounted trade, said as riskd's late close. Now they are saved with
the fills held or claimed (the store's riskd_pending: exits.py dump_pending), written by the
step that saw the order go. Also across a restart: a lost call that came behind another of its
command's (Exit.until_ns) stays no longer than it would have. Every step is committed as the
worker commits it; the restart is a fresh engine loaded from the reopened store, the same clock.
The first two fail on the code before this fix (checked on main 10886a20 in a detached
worktree: the fill taken as riskd's late close); the third too (no such end before)."""
from __future__ import annotations

from services.risk.store import Store
from shared.latewords import LATE_CLOSE, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import ORDER_MARKET, ORDER_STOP, STATUS_FILLED
from tests.unit.risk.desk import ACCOUNT, MNQ, NS, SIDE_BUY, SIDE_SELL, Desk

SIZE = {"max_contracts": {"limit": 4},
        "trade_frequency_limit": {"per_minute": 5, "per_minute_cooldown": 60}}
LOSS = {"daily_unrealized_loss": {"limit": 200},
        "trade_frequency_limit": {"per_minute": 5, "per_minute_cooldown": 60}}


class Saved:
    """The store beside a desk: each step committed as the worker commits it, after it ran."""

    def __init__(self, tmp_path, desk: Desk):
        self.path, self.desk, self.done = str(tmp_path), desk, 0
        self.store, _ = Store.open(self.path)

    def commit(self) -> None:
        for out in self.desk.history[self.done:]:
            self.store.commit(out, self.desk.engine)
        self.done = len(self.desk.history)

    def restarted(self, rules: dict) -> Desk:
        """risk killed -9 after the last committed step and started again."""
        self.commit()
        self.store.close()
        later = Desk(start=self.desk.now, **rules)
        self.store, _ = Store.open(self.path)
        self.store.load(later.engine, later.now)
        self.desk, self.done = later, len(later.history)
        return later


def notes(desk: Desk) -> list:
    return [w for w in desk.warnings() if w.rule == LATE_CLOSE]


def test_a_market_sell_of_another_size_than_a_lost_cut_stays_the_traders_after_a_restart(
        tmp_path):
    """max_contracts' reduce of 6 to 4: its cut of 2 timed out, a second round cut the 2, the
    result lists the lost call (size 2). The trader's market sell of 1: its Order events (new,
    filled) reach risk, risk is killed, and its fill comes after the restart. An order of 1 is
    not a cut of 2: the trader's trade, counted, no late close said."""
    desk = Desk(**SIZE)
    saved = Saved(tmp_path, desk)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=6, order_id=100)
    desk.long(6, MNQ, 21000)
    [cmd] = desk.commands()
    assert (cmd.action, cmd.size) == ("reduce_position", 2)
    out = desk.trade("-2", contract=MNQ, side=SIDE_SELL, size=2, price=20999, order_id=200)
    assert out.fills[0].by_riskd
    desk.long(4, MNQ, 21000)
    desk.wait(1)
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="reduced MNQ on account 1001 from 6 contracts to 4",
        unsettled=[LostCall(contract_id=MNQ, size=2, lost_ns=desk.now - NS,
                            how=TIMED_OUT)]), desk.now))
    desk.wait(20)
    saved.commit()
    desk.order(300, contract=MNQ, side=SIDE_SELL, size=1, type=ORDER_MARKET)
    desk.order(300, contract=MNQ, side=SIDE_SELL, size=1, type=ORDER_MARKET,
               status=STATUS_FILLED)
    saved.store.commit(desk.history[-1], desk.engine)    # the step that saw it filled, alone
    saved.done = len(desk.history)
    later = saved.restarted(SIZE)
    out = later.trade("1", contract=MNQ, side=SIDE_SELL, size=1, price=21001, order_id=300,
                      trade_id=9001)        # a new trade id: the restarted desk counts from 1
    later.long(3, MNQ, 21000)
    assert not out.fills[0].by_riskd, "the trader's sell of 1 taken for a lost cut of 2"
    assert notes(later) == []
    saved.store.close()


def lost_close(desk: Desk):
    """MNQ +1 past daily_unrealized_loss; riskd's close: its first call timed out, the second
    closed it; the result (done) lists the lost call."""
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=100)
    desk.long(1, MNQ, 21000)
    desk.price(MNQ, 20800)
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(11)
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail=f"{MNQ} on account 1001 closed", attempts=2,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent + 10 * NS, how=TIMED_OUT)],
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=1)],
        orders_known=True), desk.now))
    out = desk.trade("-400", contract=MNQ, side=SIDE_SELL, size=1, price="20800", order_id=200)
    assert out.fills[0].by_riskd
    desk.flat(MNQ)
    desk.price(MNQ, 21000)
    return cmd


def test_the_traders_stop_filling_stays_the_traders_after_a_restart(tmp_path):
    """The trader buys 1 again and places a stop; the stop fills: its Order events (working,
    filled) reach risk, then risk is killed; the stop's fill, after the restart, closes all
    that was open, within the lost close's 2 minutes. A stop is never a close of riskd's:
    the trader's trade, no late close said."""
    desk = Desk(**LOSS)
    saved = Saved(tmp_path, desk)
    lost_close(desk)
    desk.wait(5)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)
    desk.stop(400, MNQ, SIDE_SELL, 1, "20990")
    desk.wait(5)
    saved.commit()
    desk.order(400, contract=MNQ, side=SIDE_SELL, size=1, type=ORDER_STOP,
               stop_price="20990", status=STATUS_FILLED)
    saved.store.commit(desk.history[-1], desk.engine)    # the step that saw it filled, alone
    saved.done = len(desk.history)
    later = saved.restarted(LOSS)
    later.flat(MNQ)
    out = later.trade("-5", contract=MNQ, side=SIDE_SELL, size=1, price="20990", order_id=400,
                      trade_id=9001)
    assert not out.fills[0].by_riskd, "the trader's stop taken for riskd's lost close"
    assert notes(later) == []
    saved.store.close()


def test_a_lost_call_behind_one_carried_out_ends_as_soon_after_a_restart(tmp_path):
    """Two lost calls of one close, sent 10 s apart; the first is carried out on the trader's
    +1 (riskd's late close). risk is killed and started again; the trader's own market close
    of a new +1, 40 s after that fill, is the trader's trade: the second call came about 10 s
    behind the first or never (exits.py _behind), restart or not."""
    rules = {"daily_unrealized_loss": {"limit": 200},
             "trade_frequency_limit": {"per_minute": 5, "per_minute_cooldown": 60}}
    desk = Desk(**rules)
    saved = Saved(tmp_path, desk)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=100)
    desk.long(1, MNQ, 21000)
    desk.price(MNQ, 20800)
    [cmd] = desk.commands()
    sent = desk.now
    desk.wait(21)
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail=f"{MNQ} on account 1001 closed", attempts=3,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent + 10 * NS, how=TIMED_OUT),
                   LostCall(contract_id=MNQ, size=0, lost_ns=sent + 20 * NS, how=TIMED_OUT)],
        close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL, size=1)],
        orders_known=True), desk.now))
    assert desk.trade("-400", contract=MNQ, side=SIDE_SELL, size=1, price="20800",
                      order_id=200).fills[0].by_riskd
    desk.flat(MNQ)
    desk.price(MNQ, 21000)
    desk.wait(5)
    desk.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=300)
    desk.long(1, MNQ, 21000)
    desk.wait(5)
    assert desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1, price="21000",
                      order_id=400).fills[0].by_riskd         # the first lost call
    desk.flat(MNQ)
    later = saved.restarted(rules)
    later.wait(30)
    later.trade(contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=500, trade_id=9001)
    later.long(1, MNQ, 21000)
    later.wait(10)
    out = later.trade("1", contract=MNQ, side=SIDE_SELL, size=1, price="21000.50",
                      order_id=600, trade_id=9002)
    later.flat(MNQ)
    assert not out.fills[0].by_riskd, "the second lost call took the trader's sell after a restart"
    assert notes(later) == []
    saved.store.close()
