"""A lockout that ends by itself takes back what risk sent for it and has not run, as an admin's
unlock does (services/risk/withdraw.py: lockouts_ended, the one path of every end).

Before: only `riskctl unlock` withdrew. The market closed, a lockout's flatten held pending in
enforcement (waiting for the market to open); the lockout's timer ran out (or the roll ended a
session lockout, or the broker allowed trading again): nothing was withdrawn, and when the
market opened enforcement closed the trader's position on an account no longer locked.

Shipped rules (etc/riskd.toml, accounts 1001 and 1002) on risk's engine with its injected
clock and the worker's 0.1 s tick (tests/unit/risk/test_withdraw.py's Run). The withdraw
says the real reason, never an admin; a lockout still in force keeps its commands.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from shared.messages.enforce import WITHDRAWN
from shared.messages.market import AccountUpdate
from shared.messages.risk import UNTIL_RESET, LockSpec
from tests.unit.risk.desk import NS
from tests.unit.risk.test_withdraw import DEMO1, DEMO2, Run

FLATTEN_MNQ = "flatten (MNQ long 1)"


def withdraws(run, since=0):
    return [w for o in run.outs[since:] for w in o.withdraws]


def sent_for(run, command_id):
    """What the worker publishes now for this command: 'Command' or 'WithdrawCommand'."""
    return [type(m).__name__ for m in run.sent()
            if getattr(m, "command_id", getattr(m, "id", None)) == command_id]


def pending_flatten(run, aid, trade_id, **lock):
    """aid long MNQ 1, the trader's lockout; its flatten accepted, waiting for the market."""
    run.long_mnq(aid, trade_id)
    out, why = run.engine.self_lock(aid, run.now, **lock)
    assert not why
    run.outs.append(out)
    (flatten,) = out.commands
    run.sent()
    run.result(flatten, "accepted")
    return flatten


def test_the_lockouts_time_ends_it_and_its_waiting_flatten_is_withdrawn():
    run = Run()
    mine = pending_flatten(run, DEMO1, 1, until_ns=run.now + 60 * NS)
    other = pending_flatten(run, DEMO2, 2, until_ns=run.now + 600 * NS)
    run.wait(59)
    assert withdraws(run) == []                 # still locked: kept
    mark = len(run.outs)
    run.wait(1.1)                               # Demo 1's lockout ends at its time
    (w,) = withdraws(run, mark)
    assert (w.command_id, w.account_id) == (mine.id, DEMO1)
    assert w.reason == "the lockout ended at its time"          # not an admin's unlock
    assert w.by == "clock" and w.what == FLATTEN_MNQ
    run.wait(3)                                 # overdue: the withdraw goes again, not the flatten
    assert sent_for(run, mine.id) == ["WithdrawCommand"]
    run.result(mine, WITHDRAWN, detail="withdrawn: ...")
    assert mine.id not in run.engine.outbox.entries and mine.id not in run.engine.withdrawing
    assert other.id in run.engine.outbox.entries and other.id not in run.engine.withdrawing


def test_the_roll_ends_a_session_lockout_and_its_waiting_flatten_is_withdrawn():
    run = Run()
    flatten = pending_flatten(run, DEMO1, 1, session=True)
    roll = run.engine.calendar.next_roll(run.now)
    run.now = roll - NS                         # the afternoon passes (one tick of it)
    run.wait(0.5)
    assert withdraws(run) == []
    mark = len(run.outs)
    run.wait(1)                                 # the roll
    assert any(o.rolled for o in run.outs[mark:])
    (w,) = withdraws(run, mark)
    assert w.command_id == flatten.id
    assert w.reason == "the lockout ended at the roll (the session reset)"
    run.wait(3)
    assert sent_for(run, flatten.id) == ["WithdrawCommand"]


def test_the_broker_allowing_trading_again_withdraws_auth_loss_guards_flatten():
    """auth_loss_guard (shipped on): canTrade false flattens and locks until it is true."""
    run = Run()
    run.long_mnq(DEMO1, 1)
    out = run.on(AccountUpdate(account_id=DEMO1, name="SIM-1001", balance=Decimal(50_000),
                               can_trade=False))
    (flatten,) = out.commands
    assert flatten.rule == "auth_loss_guard"
    run.sent()
    run.result(flatten, "accepted")
    run.wait(1)
    out = run.on(AccountUpdate(account_id=DEMO1, name="SIM-1001", balance=Decimal(50_000),
                               can_trade=True))
    (w,) = out.withdraws
    assert w.command_id == flatten.id
    assert w.reason == "the lockout ended: the broker allows trading again"


def test_an_end_under_a_longer_lockout_withdraws_nothing():
    """A timer ends while the rules' until-roll lockout of the account holds: the scope is
    still locked, so its flatten stays."""
    run = Run()
    flatten = pending_flatten(run, DEMO1, 1, until_ns=run.now + 60 * NS)
    until_roll = LockSpec(kind=UNTIL_RESET, until_ns=run.engine.calendar.next_roll(run.now))
    run.engine.lockouts.add(DEMO1, until_roll, "daily_net_loss", "test", run.now)
    run.wait(61)
    assert withdraws(run) == [] and flatten.id in run.engine.outbox.entries


def test_an_admins_unlock_still_names_the_admin():
    run = Run()
    flatten = pending_flatten(run, DEMO1, 1, until_ns=run.now + 600 * NS)
    out, why = run.engine.unlock(DEMO1, None, "admin:root", "trial", run.now)
    assert not why
    (w,) = out.withdraws
    assert (w.command_id, w.reason, w.by) == (flatten.id, "the lockout ended (admin:root)",
                                              "admin:root")



class Listed:
    """The rule settings with symbol_blocks listing `symbols` (as a config edit leaves them)."""

    def __init__(self, settings, symbols):
        self._settings, self.symbols = settings, list(symbols)

    def for_account(self, acct):
        rules = self._settings.for_account(acct)
        return attrs.evolve(rules, symbol_blocks=attrs.evolve(rules.symbol_blocks,
                                                              symbols=self.symbols))

    def __getattr__(self, name):
        return getattr(self._settings, name)


def test_a_symbol_no_longer_blocked_withdraws_symbol_blocks_waiting_close():
    """symbol_blocks (shipped on, nothing listed) with MNQ listed closes the MNQ position and
    locks MNQ; the close waits for the market; MNQ taken off the list ends that lockout."""
    run = Run()
    run.long_mnq(DEMO1, 1)
    shipped = run.engine.settings
    run.engine.settings = Listed(shipped, ["MNQ"])
    out = run.engine.recheck(run.now)
    close = next(c for c in out.commands if c.account_id == DEMO1)
    assert close.rule == "symbol_blocks"
    run.sent()
    run.result(close, "accepted")
    run.wait(1)
    run.engine.settings = Listed(shipped, [])
    out = run.engine.recheck(run.now)
    (w,) = out.withdraws
    assert w.command_id == close.id
    assert w.reason == "the lockout ended: MNQ is no longer a blocked symbol"
