"""A close riskd sent is riskd's whenever the broker carries it out within 2 minutes after its
command finished, whatever that command's final status: a FAILED close (given up, its reason
gone) whose held call the broker carries out a few seconds later is said as riskd's late
close, not as nothing riskd did (trial20b section 1).

Trial20b: enforcement was killed -9 while its close of MNQ long 2 was held at the sim; the
resumed close gave up after 14 calls ("riskd does not try again: MNQ long 2 is back within
daily_unrealized_loss"), and 10 s later the sim carried the killed process's call out. The
command's own exits, remembered 15 s after its result, took that fill silently: no "riskd
(late close)" line or alert, and history kept "FAILED ... gave up". The engine with its
injected clock (tests/unit/risk/desk.py); daily_unrealized_loss limit 200, and
trade_frequency_limit 2 a minute so that a fill counted as the trader's trade would show.
"""
from __future__ import annotations

import datetime as dt

from services.risk.store import Store
from shared.latewords import LATE_CLOSE, RESTARTED, TIMED_OUT
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import AccountUpdate, Fill, MarketSnapshot
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, SIDE_SELL, D, Desk

NS = 1_000_000_000
LOSS = {"limit": 200}
FREQ = {"per_minute": 2, "per_minute_cooldown": 60}


def clock(ns: int) -> str:
    return f"{dt.datetime.fromtimestamp(ns / NS, dt.timezone.utc):%H:%M:%S}"


def gave_up(desk: Desk, back_within: bool = True):
    """Long 2 MNQ breaches (-240 open); riskd's close is held at the broker, enforcement is
    killed and resumes it; 50 s later the resumed close gives up (FAILED), listing the killed
    process's call and its own timed-out one as unsettled. (the command, when it was sent)"""
    desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100)
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20940)
    [cmd] = desk.commands()
    assert cmd.action == "close_position" and cmd.rule == "daily_unrealized_loss"
    sent = desk.now
    desk.wait(50)
    if back_within:
        desk.price(MNQ, 20951)                   # -196: back within its limit
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="failed", action=cmd.action,
        rule=cmd.rule, detail="close_position gave up after 4 rounds", attempts=4,
        broker_calls=14, orders_known=True,
        unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent, how=RESTARTED),
                   LostCall(contract_id=MNQ, size=0, lost_ns=sent + 45 * NS, how=TIMED_OUT)]),
        desk.now))
    return cmd, sent


def late_fill(desk: Desk, position_first: bool = False):
    """The killed process's held call, carried out now: a market sell of the 2."""
    if position_first:
        desk.flat(MNQ)
    out = desk.trade("-189", fees="0.74", contract=MNQ, side=SIDE_SELL, size=2,
                     price="20952.75", order_id=400)
    if not position_first:
        desk.flat(MNQ)
    return out


def notes(desk: Desk) -> list:
    return [w for w in desk.warnings() if w.rule == LATE_CLOSE]


def test_a_failed_close_carried_out_10s_later_is_riskds_late_close_and_said():
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    cmd, sent = gave_up(desk)
    assert desk.engine.failing == {}            # "riskd does not try again: back within"
    desk.wait(10)                               # inside the 15 s its own exits are remembered
    out = late_fill(desk)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 1       # the trader's buy only
    assert not [lk for lk in desk.engine.lockouts.all() if lk.rule == "trade_frequency_limit"]
    [note] = notes(desk)
    assert note.reason == (
        f"Your MNQ +2 closed at {clock(desk.now)}: riskd's earlier close of MNQ (sent at "
        f"{clock(sent)}, before enforcement restarted) carried out late, or your own close; "
        f"riskd cannot tell which and takes it as its own; MNQ is flat now; not counted as "
        f"your trade"), note.reason
    # history's FAILED line of the decision is followed by what happened
    assert desk.engine.ended_views(ACCOUNT) == {
        cmd.decision_id: f"taken as carried out late at {clock(desk.now)}"}


def test_position_first_the_same():
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    gave_up(desk)
    desk.wait(3)
    out = late_fill(desk, position_first=True)
    assert out.fills[0].by_riskd
    [note] = notes(desk)
    assert note.reason.startswith("Your MNQ +2 closed at") and "MNQ is flat now" in note.reason


def test_after_a_restart_of_risk_the_same(tmp_path):
    """risk killed -9 and restarted after the FAILED result (trial20b killed risk too): the
    late fill comes in its first snapshot, still riskd's late close."""
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    cmd, _ = gave_up(desk)
    for out in desk.history:
        store.commit(out, desk.engine)
    store.close()
    desk.wait(10)
    filled_at = desk.now
    later = Desk(start=desk.now + 2 * NS, daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    out = later.engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1",
                                                balance=D(50_000), can_trade=True)],
        fills=[Fill(account_id=ACCOUNT, trade_id=900, contract_id=MNQ, ts_ns=filled_at,
                    price=D("20952.75"), pnl=D(-189), fees=D("0.74"), side=SIDE_SELL, size=2,
                    order_id=400)]), later.now)
    later.history.append(out)
    assert [f.by_riskd for f in out.fills if f.trade_id == 900] == [True]
    [note] = notes(later)
    assert "before enforcement restarted) carried out late, or your own close" in note.reason
    store.close()


def test_the_traders_sell_after_the_2_minutes_is_the_traders():
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    gave_up(desk)
    desk.wait(125)
    out = late_fill(desk)
    assert not out.fills[0].by_riskd
    assert notes(desk) == []


def test_a_newer_close_whose_call_got_no_answer_does_not_take_the_credit():
    """Trial20b's second run: the FAILED close's held call is carried out while a newer
    decision's close (sent after it, held at the broker too) is in flight. That newer close's
    call got no answer and it then found MNQ flat: the fill is the earlier close's, carried
    out late, and said so; the newer close took nothing."""
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    first, sent = gave_up(desk)
    desk.wait(5)
    desk.price(MNQ, 20930)                      # -280: a new breach, a new decision
    [newer] = [c for c in desk.commands() if c.id != first.id]
    assert newer.decision_id != first.decision_id and newer.action == "close_position"
    desk.wait(6)
    out = late_fill(desk)                       # the first call, carried out at its cap
    assert out.fills[0].by_riskd
    desk.wait(4)                                # the newer call timed out 10 s after it went
    desk.history.append(desk.engine.on_result(CommandResult(
        command_id=newer.id, account_id=ACCOUNT, status="done", action=newer.action,
        rule=newer.rule, attempts=2, orders_known=True, first_timed_out_s=10.0,
        issued_ns=newer.issued_ns,
        detail="MNQ on account 1001 is flat: closed, though the close got no answer within "
               "10s (timed out)",
        # the search's window of a call with no answer runs to the search: it holds the
        # late close's order
        close_orders=[CloseOrder(order_id=400, contract_id=MNQ, side=SIDE_SELL, size=2)]),
        desk.now))
    [note] = notes(desk)
    assert note.reason.startswith(
        f"Your MNQ +2 closed at {clock(out.fills[0].ts_ns)}: riskd's earlier close of MNQ (sent "
        f"at {clock(sent)}, before enforcement restarted) carried out late, or your own close; "
        f"riskd cannot tell which and takes it as its own; MNQ is flat now"), note.reason
    assert desk.engine.ended_views(ACCOUNT)[first.decision_id].startswith(
        "taken as carried out late at ")
    assert desk.account.trades_today == 1


def test_carried_out_while_the_failed_closes_retry_waits_is_said_late_not_outside_riskd():
    """The FAILED close still needed (MNQ still past its limit): its retry waits 5 s in the
    outbox. The held call is carried out 3 s after the FAILED result: the retry, not sent
    yet, cannot have closed anything; the fill is taken as the failed close's lost call
    carried out late, said so, and the failed action ends so. Before: the retry's exit took
    the fill silently (no late close said, the sell not counted) and the phone and history
    said "MNQ long 2 was closed outside riskd", a fact riskd did not know, of a fill it had
    itself taken as its own."""
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    cmd, sent = gave_up(desk, back_within=False)
    [retry] = [c for c in desk.commands() if c.id != cmd.id]
    assert desk.engine.outbox.waiting(retry.id)
    desk.wait(3)
    out = late_fill(desk)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 1       # the trader's buy only
    [note] = notes(desk)
    assert note.reason.startswith(
        f"Your MNQ +2 closed at {clock(desk.now)}: riskd's earlier close of MNQ (sent at "
        f"{clock(sent)}, before enforcement restarted) carried out late, or your own close"), \
        note.reason
    resolved = [n for n in desk.wait(0.1).notices if n.kind == "action_resolved"]
    assert [n.title for n in resolved] == [
        f"✅ Resolved on SIM-1 (id 1001): MNQ long 2 was closed by a close taken as carried "
        f"out late at {clock(desk.now - NS // 10)} (riskd's earlier close of it, or the "
        f"trader's own); riskd stops trying"], resolved
    assert desk.engine.ended_views(ACCOUNT) == {
        cmd.decision_id: f"taken as carried out late at {clock(desk.now - NS // 10)}"}


def test_the_failed_line_s_carried_late_ending_outlasts_a_restart_of_risk(tmp_path):
    """failedlate20's leftover: history's "FAILED ..., then taken as carried out late at ..."
    came from risk's memory only; after a restart of risk (or with riskd stopped, from
    the stored file) the line read "FAILED ... gave up" again. The note saved with the rest of
    the history says whose close it was (late_of), and a restarted risk, the stored history
    and LAST ACTIONS end the line as before. Fails on main's code (no late_of; nothing
    reloaded)."""
    from shared import historywords
    desk = Desk(daily_unrealized_loss=LOSS, trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    cmd, _sent = gave_up(desk)
    desk.wait(10)
    late_fill(desk)
    filled = clock(desk.now)
    for out in desk.history:
        store.commit(out, desk.engine)
    ending = {cmd.decision_id: f"taken as carried out late at {filled}"}
    assert desk.engine.ended_views(ACCOUNT) == ending
    # riskd stopped: the stored history alone (no risk to say how it ended)
    body = store.history(ACCOUNT)
    assert body.ended == {}
    failed = [r for r in historywords.rows(body, {cmd.id: _failed_state(cmd)}, dt.timezone.utc)
              if r[2] == "rule daily_unrealized_loss"]
    [what] = [r[3] for r in failed]
    assert f"then taken as carried out late at {filled}" in what, what
    [note] = [w for w in body.warnings if w.rule == LATE_CLOSE]
    assert note.late_of == cmd.decision_id
    store.close()
    # risk restarted: its memory of it is back (history's live answer, LAST ACTIONS)
    later = Desk(start=desk.now + 2 * NS, daily_unrealized_loss=LOSS,
                 trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    assert later.engine.ended_views(ACCOUNT) == ending
    store.close()


def _failed_state(cmd):
    from shared.messages.enforce import CommandState
    return CommandState(command_id=cmd.id, account_id=ACCOUNT, action=cmd.action,
                        state="final", status="failed", detail="close_position gave up",
                        attempts=4, finished_ns=cmd.issued_ns + 50 * NS)
