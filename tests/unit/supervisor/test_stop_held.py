"""The "riskd is stopping" alert says which accounts hold what (trial: it named no position,
so a trader whose riskd stopped did not learn from it that MNQ was still open and unguarded).
From risk's state at the stop, never guessed: what risk cannot tell is said, not left out."""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import zmq

from services.supervisor import lastheld
from services.supervisor.lastheld import Held, ask_risk
from services.supervisor.riskdalerts import held_lines, stopped_event
from shared.accountname import account_name
from shared.config.accounts import AccountConfig
from shared.clock import to_ns
from shared.messages.risk import TIMER, UNTIL_RESET, AccountStatus, LockoutState, PositionView
from tests.support.ports import free_ports

CONFIGURED = [AccountConfig(id=1001, name="SIM-DEMO-1", display_name="Demo 1")]
MNQ, ES = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26"


def name(aid, broker_name):
    """The bare name (shared/accountname.account_name): the stop alert's lines say it as every
    alert does, with the id (heldwords.alert_name); the supervisor itself passes the called
    name, said the same (test_the_stop_lines_name_each_account_with_its_id)."""
    return account_name(CONFIGURED, aid, broker_name)


def status(aid, broker_name, *positions):
    return AccountStatus(account_id=aid, name=broker_name, ts_ns=1, trading_day="2026-12-04",
                         positions=[PositionView(contract_id=c, symbol=c, side=side, size=n,
                                                 average_price=Decimal(1))
                                    for c, side, n in positions])


def test_each_account_holding_positions_is_named_with_what_it_holds():
    held = Held((status(1002, "SIM-DEMO-2"), status(1001, "SIM-DEMO-1", (MNQ, "long", 2),
                                                    (ES, "short", 1))))
    alert = stopped_event("signal SIGTERM (service stop)", 1, held_lines(held, name))
    assert alert.lines == [
        "stopped by signal SIGTERM (service stop)",
        "left open, unguarded (as risk knew them at the stop):",
        "Demo 1 (id 1001) holds MNQ long 2 and ES short 1",
        "no rule is checked and nothing is flattened until someone starts riskd again"]


def test_none_open_is_said_only_when_risk_told_it():
    assert held_lines(Held((status(1001, "SIM-DEMO-1"),)), name) == [
        "no open position or working order (as risk knew them at the stop)"]
    # risk knew no account (market never connected): nothing is claimed
    [line] = held_lines(Held(()), name)
    assert "not known" in line and "no open position" not in line


def test_what_risk_cannot_tell_is_said():
    line, locks = held_lines(Held((), unknown=("risk is not running",)), name)
    assert line == ("the accounts' open positions are not known (risk is not running): check "
                    "them on the broker's platform")
    assert locks.startswith("the lockouts in force are not known either")
    lines = held_lines(Held((status(1003, "SIM-DEMO-3", (MNQ, "short", 1)),),
                            unknown=("risk-1 did not answer within 0.5 s",)), name)
    assert lines[1] == "SIM-DEMO-3 (id 1003) holds MNQ short 1"   # not configured: broker name
    assert lines[2].startswith("other accounts' open positions are not known (risk-1 did not")
    lines = held_lines(Held((status(1001, "SIM-DEMO-1"),), synced=False), name)
    assert lines[-1].startswith("risk had not read the broker's whole state yet")


def test_a_risk_not_running_or_silent_is_unknown_within_the_ask_timeout():
    ctx = zmq.Context()
    try:
        [port] = free_ports(1)
        address = f"tcp://127.0.0.1:{port}"         # nothing listens there
        assert ask_risk(ctx, {"risk": address}, set()).unknown == ("risk is not running",)
        assert ask_risk(ctx, {}, set()).unknown == ("this riskd runs no risk worker",)
        started = time.monotonic()
        held = ask_risk(ctx, {"risk": address}, {"risk"})
        assert held.unknown == (f"risk did not answer within {lastheld.ASK_TIMEOUT_S:g} s",)
        assert time.monotonic() - started < lastheld.ASK_TIMEOUT_S + 2
    finally:
        ctx.term()


def test_riskd_stopping_and_a_worker_stop_say_what_is_open_in_one_wording():
    """Third trial: a worker stop said '1 open position(s) on SIM-DEMO-1' where riskd's stop
    said 'Demo 1 holds MNQ long 1'. Both come from heldwords.py now: the same account name,
    the same holding words, working orders counted without '(s)'."""
    from shared.messages.market import OrderRow, OrdersTable, PositionRow, PositionsTable
    from shared.messages.system import ok
    from services.supervisor.commands.stop import left_open_lines
    at_stop = AccountStatus(account_id=1001, name="SIM-DEMO-1", ts_ns=1,
                            trading_day="2026-12-04", open_orders=1,
                            positions=[PositionView(contract_id=MNQ, symbol="MNQ", side="long",
                                                    size=1, average_price=Decimal(1))])
    riskd = held_lines(Held((at_stop,)), name)
    market = left_open_lines(
        ok(PositionsTable(positions=[PositionRow(
            account_id=1001, account_name="SIM-DEMO-1", contract_id=MNQ, ticker="MNQ",
            side="long", size=1, average_price=Decimal(1))])),
        ok(OrdersTable(orders=[OrderRow(
            account_id=1001, account_name="SIM-DEMO-1", order_id=7, contract_id=MNQ,
            ticker="MNQ", side="sell", type="stop", status="open", size=1)])), name)
    assert riskd[1:] == market[1:] == ["Demo 1 (id 1001) holds MNQ long 1 and 1 working order"]
    assert riskd[0] == "left open, unguarded (as risk knew them at the stop):"
    assert market[0] == "left open, unguarded (market's answer at the stop):"
    assert not any("(s)" in line for line in riskd + market)


def test_the_lockouts_in_force_are_named_as_not_enforced_while_riskd_is_down():
    """Fresh-user trial: Ctrl-C of `make run` alerted "no open position or working order" and
    nothing of Demo 2, locked until Mon 17:00: it could trade freely until riskd ran again."""
    chi = ZoneInfo("America/Chicago")
    now = to_ns(dt.datetime(2026, 12, 5, 10, 0, tzinfo=chi))          # a Saturday
    roll = to_ns(dt.datetime(2026, 12, 7, 17, 0, tzinfo=chi))
    locked = attrs.evolve(status(1002, "SIM-DEMO-2"), next_roll_ns=roll, lockouts=[
        LockoutState(id="l1", account_id=1002, kind=UNTIL_RESET, rule="daily_realized_loss",
                     since_ns=now - 10**9),
        LockoutState(id="l2", account_id=1002, kind=TIMER, rule="symbol_blocks",
                     symbol=MNQ, since_ns=now, until_ns=now + 1800 * 10**9)])
    lines = held_lines(Held((status(1001, "SIM-DEMO-1"), locked)), name, chi, now)
    assert lines == [
        "no open position or working order (as risk knew them at the stop)",
        "locked out, NOT enforced while riskd is down (a trade meanwhile is neither blocked "
        "nor flattened):",
        "SIM-DEMO-2 (id 1002) locked until the roll at Mon 17:00 CST (daily_realized_loss)",
        "SIM-DEMO-2 (id 1002) MNQ locked until Sat 10:30 CST (timer, symbol_blocks)"], lines
    assert [getattr(line, "account_id", None) for line in lines[2:]] == [1002, 1002]
    # none locked: nothing more said
    assert held_lines(Held((status(1001, "SIM-DEMO-1"),)), name, chi, now) == [
        "no open position or working order (as risk knew them at the stop)"]


def test_the_stop_lines_name_each_account_with_its_id():
    """Fresh-user trial 2026-12-06: the stop alerts said "Demo 1 holds MNQ long 1", the only
    alert naming an account without its id. Whether the caller gives the bare name or the
    called one (the supervisor's account_called), the line is called()'s, once.
    Put back (old heldwords.py / riskdalerts.py): 'Demo 1 holds ...'; fails."""
    from shared.accountname import account_called
    configured = [*CONFIGURED, AccountConfig(id=1002, name="SIM-DEMO-2",
                                             display_name="Demo 2 (strict)")]
    held = Held((status(1001, "SIM-DEMO-1", (MNQ, "long", 1)),
                 status(1002, "SIM-DEMO-2", (ES, "short", 2))))
    for name_of in (lambda aid, n: account_name(configured, aid, n),
                    lambda aid, n: account_called(configured, aid, n)):
        assert held_lines(held, name_of)[1:] == ["Demo 1 (id 1001) holds MNQ long 1",
                                                 "Demo 2 (strict, id 1002) holds ES short 2"]


def test_with_risk_stopped_the_lockouts_risk_last_knew_are_named_as_not_enforced():
    """trial17b: `riskctl stop risk`, then `riskctl shutdown`: the stop alert said only "the
    accounts' open positions are not known (risk is not running)" and nothing of Demo 1, Demo 2
    and 1004, locked until the roll: a trader could not tell locked accounts were now free."""
    chi = ZoneInfo("America/Chicago")
    now = to_ns(dt.datetime(2026, 12, 6, 18, 1, 5, tzinfo=chi))       # Sunday evening
    roll = to_ns(dt.datetime(2026, 12, 7, 17, 0, tzinfo=chi))
    last = attrs.evolve(status(1002, "SIM-DEMO-2"), ts_ns=now - 3 * 10**9, next_roll_ns=roll,
                        lockouts=[
        LockoutState(id="l1", account_id=1002, kind=UNTIL_RESET, rule="daily_realized_loss",
                     since_ns=now - 600 * 10**9),
        LockoutState(id="l2", account_id=1002, kind=TIMER, rule="cooldown_after_loss",
                     since_ns=now - 600 * 10**9, until_ns=now - 10**9)])     # ended already
    lines = held_lines(Held((), unknown=("risk is not running",), last=(last,)), name, chi, now)
    assert lines == [
        "the accounts' open positions are not known (risk is not running): check them on the "
        "broker's platform",
        "locked out as risk last knew it (Sun 18:01:02 CST), NOT enforced while riskd is down "
        "(a trade meanwhile is neither blocked nor flattened):",
        "SIM-DEMO-2 (id 1002) locked until the roll at Mon 17:00 CST (daily_realized_loss)"], lines
    # risk never told of any account: the lockouts are said to be unknown, and not enforced
    lines = held_lines(Held((), unknown=("risk is not running",)), name, chi, now)
    assert lines[-1] == ("the lockouts in force are not known either; none is enforced while "
                         "riskd is down (a trade meanwhile is neither blocked nor flattened)")
