"""The trader's own close that comes after riskd's close of the same contract finds it flat and
opens the other side: said, never silent (trial22a F7: max_unrealized_profit's close sold MNQ
long 1; the trader's sell of 1, sent at the same moment, opened short 1, and no line anywhere
said so). Words only: the fill stays the trader's trade (counted), the position theirs.

etc/riskd.toml's rules (EngineRun): MNQ long 1 bought at 21000, the price 110 points down
breaches daily_unrealized_loss (200 per position): riskd closes MNQ. Both orders of the
trader's sell and riskd's result are run (the sell before the result is held as riskd's until
the result names riskd's own order, then given to the trader)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.notify.templates import Context, build
from shared import afterclosewords
from shared.historywords import rows
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_BUY, SIDE_SELL, Fill, PositionUpdate
from shared.messages.risk import CLOSE_POSITION, HistoryReply
from tests.unit.risk.desk import MNQ, NS
from tests.unit.risk.engine_run import ACCOUNT, EngineRun

RISKD_ORDER, TRADER_ORDER = 500, 600


def fill(run, trade_id, side, price, pnl=None, order_id=None):
    return run.on(Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=run.now,
                       price=Decimal(price), pnl=None if pnl is None else Decimal(pnl),
                       fees=Decimal("0.74"), side=side, size=1, order_id=order_id))


def position(run, signed):
    return run.on(PositionUpdate(account_id=ACCOUNT, position_id=7 if signed else 0,
                                 contract_id=MNQ, ts_ns=run.now, type=1 if signed > 0 else 2
                                 if signed else 0, size=abs(signed),
                                 average_price=Decimal("21000")))


def riskd_closes(run):
    """MNQ long 1 breaches; riskd's close is sent and its sell fills (riskd's)."""
    run.price(21000)
    fill(run, 1, SIDE_BUY, "21000")
    position(run, 1)
    run.price(20890)                    # -220 vs 200: daily_unrealized_loss closes MNQ
    close, = [c for c in run.sent() if c.action == CLOSE_POSITION]
    run.wait(0.3)
    fill(run, 2, SIDE_SELL, "20890", pnl="-220", order_id=RISKD_ORDER)
    position(run, 0)
    return close


def result(run, close):
    out = run.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", detail="MNQ closed",
        attempts=1, broker_calls=1, started_ns=run.now, finished_ns=run.now,
        first_answer_ns=run.now, action=CLOSE_POSITION, rule=close.rule,
        close_orders=[CloseOrder(order_id=RISKD_ORDER, contract_id=MNQ, side=SIDE_SELL, size=1,
                                 answered=True)], orders_known=True), run.now)
    run.outs.append(out)


def notes(run):
    return [w for o in run.outs for w in o.warnings if w.rule == afterclosewords.OPENED_AFTER]


@pytest.mark.parametrize("result_first", [True, False])
def test_the_traders_sell_after_riskds_close_is_said_to_have_opened_a_short(result_first):
    run = EngineRun()
    close = riskd_closes(run)
    if result_first:
        result(run, close)
    run.wait(0.7)
    fill(run, 3, SIDE_SELL, "20889.50", order_id=TRADER_ORDER)    # the trader's own close
    position(run, -1)
    if not result_first:
        result(run, close)
    acct = run.engine.accounts[ACCOUNT]
    assert acct.trades[3].by_riskd is False and acct.trades[2].by_riskd is True
    note, = notes(run)
    assert note.reason.startswith("Your sell of 1 MNQ @ 20889.50 at ")
    assert " opened a new short 1: riskd had already closed MNQ at " in note.reason
    assert "(daily_unrealized_loss), so your sell found it flat" in note.reason
    # the phone, history and LAST ACTIONS say it
    alert = build(note, Context())
    assert alert.title.startswith("⚠️ Your order opened a new position on ")
    assert alert.lines == (note.reason,)
    row, = [r for r in rows(HistoryReply(decisions=[], warnings=[note], lockouts=[]))]
    assert row[2] == "trader (after riskd's close)" and row[5] == note.reason
    assert afterclosewords.row_words(note.reason) == ("sell", "MNQ", "opened short 1")


def test_a_sell_long_after_riskds_close_or_a_buy_is_not_said():
    run = EngineRun()
    close = riskd_closes(run)
    result(run, close)
    run.wait(16)                        # more than 15 s after riskd's close
    fill(run, 3, SIDE_SELL, "20889.50", order_id=TRADER_ORDER)
    position(run, -1)
    fill(run, 4, SIDE_BUY, "20889.50", order_id=TRADER_ORDER + 1)
    position(run, 0)
    fill(run, 5, SIDE_BUY, "20889.50", order_id=TRADER_ORDER + 2)   # a buy: not riskd's side
    position(run, 1)
    assert notes(run) == []


def last_actions_row(note, now: int) -> tuple:
    """The LAST ACTIONS row `watch` draws of risk's note alone: (rule, action, outcome,
    contract), after it checked the note's line is under it."""
    from cli.watch.model import build_screen
    from tests.unit.cli.screens import CALENDAR, CHICAGO, account, state
    s = state(account(account_id=ACCOUNT))
    s.apply(note)
    line, = build_screen(s, now, CHICAGO, CALENDAR).accounts[0].actions
    assert line.note == note.reason
    return line.rule, line.action, line.outcome, line.contract


def test_last_actions_has_its_row():
    run = EngineRun()
    result(run, riskd_closes(run))
    run.wait(0.7)
    fill(run, 3, SIDE_SELL, "20889.50", order_id=TRADER_ORDER)
    position(run, -1)
    note, = notes(run)
    assert last_actions_row(note, run.now) == (
        "trader (after riskd's close)", "sell", "opened short 1", "MNQ")


def admin_result(run, status):
    """The admin's kill switch (`riskctl flatten 1001`, sent to enforcement directly, not
    through risk's outbox): risk sees only its results."""
    from shared.messages.risk import FLATTEN
    done = status == "done"
    run.outs.append(run.engine.on_result(CommandResult(
        command_id="admin-1.1", account_id=ACCOUNT, status=status,
        detail="flattened account 1001: closed MNQ" if done else "", attempts=1,
        broker_calls=1 if done else 0, started_ns=run.now, finished_ns=run.now,
        first_answer_ns=run.now if done else 0, action=FLATTEN, rule="admin",
        reason="desk check", by="admin:root",
        close_orders=[CloseOrder(order_id=RISKD_ORDER, contract_id=MNQ, side=SIDE_SELL, size=1,
                                 answered=True)] if done else [], orders_known=done), run.now))


@pytest.mark.parametrize("order", ["done, then the trader's sell",
                                   "the trader's sell, then done",
                                   "the trader's sell, then its Position, then done"])
def test_after_the_admins_flatten_the_note_names_the_admin(order):
    """whose22b's leftover: the kill switch's flatten bypasses risk's outbox, so risk never
    recorded whose close it was and the note said "riskd had already closed MNQ at ...," with
    no "(admin:root)", where a rule's close is named. Every order of the trader's fill (and its
    Position) against the flatten's final result: the note names the admin."""
    run = EngineRun()
    run.price(21000)
    fill(run, 1, SIDE_BUY, "21000")
    position(run, 1)
    admin_result(run, "accepted")
    run.wait(0.3)
    fill(run, 2, SIDE_SELL, "21000", pnl="0", order_id=RISKD_ORDER)     # the flatten's sell
    position(run, 0)
    run.wait(0.7)
    if order.startswith("done"):
        admin_result(run, "done")
    fill(run, 3, SIDE_SELL, "20999.50", order_id=TRADER_ORDER)         # the trader's own
    if "Position" in order:
        position(run, -1)
    if order.endswith("then done"):
        admin_result(run, "done")
    if "Position" not in order:
        position(run, -1)
    acct = run.engine.accounts[ACCOUNT]
    assert acct.trades[3].by_riskd is False and acct.trades[2].by_riskd is True
    note, = notes(run)
    assert " opened a new short 1: riskd had already closed MNQ at " in note.reason
    assert "(admin:root), so your sell found it flat" in note.reason, note.reason
