"""An admin's unlock, or an account no longer guarded, takes back what risk sent for it and
has not run (services/risk/withdraw.py).

Trial 2026-12-06 (main e3d24f5): market closed, Demo 1 long MNQ 1, a self-lockout's flatten
pending in enforcement; `riskctl unlock 1001` ended the lockout, or `accounts disable 1001
--now` stopped guarding the account, and the flatten still ran when the market opened. A
failed close's retry already sent closed a position of a disabled account too.

Shipped rules (etc/riskd.toml, accounts 1001 and 1002) on risk's engine with its injected
clock (tests/unit/risk/desk.py). Only the right commands are withdrawn: the unlocked
account's, for the lockout ended; on disable every command of that account, none of another.
"""
from __future__ import annotations

from decimal import Decimal

from shared.config.load import load_config
from shared.messages.enforce import WITHDRAWN, CommandResult
from shared.messages.market import POSITION_LONG, SIDE_BUY, AccountUpdate, Fill, PositionUpdate
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

DEMO1, DEMO2 = 1001, 1002
LOADED = load_config(SHIPPED)
START = chi(2026, 12, 2, 10, 0)        # a Wednesday, in session


class Disabled:
    """The rule settings with `off` accounts not guarded (as `accounts disable --now` leaves
    RuleSettings: for_account None)."""

    def __init__(self, settings, off):
        self._settings, self.off = settings, set(off)

    def for_account(self, acct):
        return None if acct.account_id in self.off else self._settings.for_account(acct)

    def __getattr__(self, name):
        return getattr(self._settings, name)


class Run:
    def __init__(self):
        self.now = START
        self.engine = shipped_engine(LOADED, self.now)
        self.outs = [self.engine.recheck(self.now)]
        for aid in (DEMO1, DEMO2):
            self.on(AccountUpdate(account_id=aid, name=f"SIM-{aid}", balance=Decimal(50_000),
                                  can_trade=True))

    def on(self, event):
        out = self.engine.on_event(event, self.now)
        self.outs.append(out)
        return out

    def wait(self, seconds: float):
        end = self.now + int(seconds * NS)
        while self.now < end:
            self.now = min(end, self.now + NS // 10)
            self.outs.append(self.engine.tick(self.now))

    def long_mnq(self, aid: int, trade_id: int):
        self.on(Fill(account_id=aid, trade_id=trade_id, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                     size=1))
        self.on(PositionUpdate(account_id=aid, position_id=trade_id, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=1,
                               average_price=Decimal("21000")))

    def self_lock(self, aid: int):
        out, why = self.engine.self_lock(aid, self.now, until_ns=self.now + 600 * NS)
        assert not why
        self.outs.append(out)
        (flatten,) = out.commands
        return flatten

    def result(self, cmd, status, detail=""):
        out = self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=cmd.account_id, status=status, detail=detail,
            attempts=1, finished_ns=self.now, action=cmd.action, rule=cmd.rule,
            waits_for="the market to open" if status == "accepted" else ""), self.now)
        self.outs.append(out)
        return out

    def sent(self):
        """What the worker publishes now: the due commands, a withdrawn one as its withdraw."""
        return [self.engine.withdrawing.get(c.id) or c for c in self.engine.outbox.due(self.now)]


def test_unlock_withdraws_the_lockouts_pending_flatten_only():
    run = Run()
    run.long_mnq(DEMO1, 1)
    run.long_mnq(DEMO2, 2)
    mine, other = run.self_lock(DEMO1), run.self_lock(DEMO2)
    assert [c.id for c in run.sent()] == [mine.id, other.id]
    run.result(mine, "accepted")                # market closed: pending in enforcement
    run.result(other, "accepted")
    run.wait(1)
    out, why = run.engine.unlock(DEMO1, None, "admin:root", "trial", run.now)
    assert not why
    (w,) = out.withdraws
    assert w.command_id == mine.id and w.account_id == DEMO1 and w.by == "admin:root"
    assert w.reason == "the lockout ended (admin:root)"
    assert w.what == "flatten (MNQ long 1)"
    run.wait(3)                                 # overdue: the withdraw goes again, not the flatten
    again = [m for m in run.sent() if getattr(m, "command_id", None) == mine.id]
    assert again and all(type(m).__name__ == "WithdrawCommand" for m in again)
    run.result(mine, WITHDRAWN, detail="withdrawn: ...")
    assert mine.id not in run.engine.outbox.entries and mine.id not in run.engine.withdrawing
    assert other.id in run.engine.outbox.entries          # Demo 2 is still locked: kept
    assert other.id not in run.engine.withdrawing


def test_disable_withdraws_every_command_of_the_account_and_stops_its_retries():
    run = Run()
    for aid in (DEMO1, DEMO2):
        flatten = run.self_lock(aid)
        run.result(flatten, "done", detail="nothing open")
    run.long_mnq(DEMO1, 1)                      # bought while locked: the lockout closes it
    run.long_mnq(DEMO2, 2)
    close1, close2 = run.sent()
    assert (close1.account_id, close2.account_id) == (DEMO1, DEMO2)
    run.result(close1, "failed", detail="HTTP 500")
    run.wait(5.1)                               # the retry's time: sent
    (retry,) = [c for c in run.sent() if c.account_id == DEMO1]
    assert retry.id.endswith(".2")
    before = run.engine.settings.rules_of(list(run.engine.accounts.values()))
    run.engine.settings = Disabled(run.engine.settings, {DEMO1})
    out = run.engine.guarding_changed(before, run.now, "admin:root", "trial")
    assert [(w.command_id, w.reason) for w in out.withdraws] == [
        (retry.id, "the account is no longer guarded (admin:root)")]
    run.wait(1)                                 # the try on its way: its result tells
    run.result(retry, WITHDRAWN, detail="withdrawn: ...")
    assert not run.engine.failing               # the retries stop: no further try
    run.wait(120)
    assert [c for c in run.sent() if c.account_id == DEMO1] == []
    assert close2.id in run.engine.outbox.entries and close2.id not in run.engine.withdrawing


def test_a_try_running_when_disabled_finishes_and_its_done_is_said():
    """The withdraw came while the try was running: enforcement finished it (done), so the
    phone hears "✅ Done", not only its earlier "act now" (trial 2026-12-06)."""
    run = Run()
    flatten = run.self_lock(DEMO1)
    run.result(flatten, "done", detail="nothing open")
    run.long_mnq(DEMO1, 1)
    (close,) = run.sent()
    run.result(close, "failed", detail="HTTP 500")
    run.wait(5.1)
    (retry,) = run.sent()
    before = run.engine.settings.rules_of(list(run.engine.accounts.values()))
    run.engine.settings = Disabled(run.engine.settings, {DEMO1})
    out = run.engine.guarding_changed(before, run.now, "admin:root", "trial")
    assert [w.command_id for w in out.withdraws] == [retry.id]
    run.wait(1)
    mark = len(run.outs)
    out = run.engine.on_result(CommandResult(
        command_id=retry.id, account_id=DEMO1, status="done", detail="closed MNQ (verified flat)",
        attempts=1, finished_ns=run.now, first_answer_ns=run.now, action=retry.action,
        rule=retry.rule), run.now)
    (done,) = out.notices
    assert done.title.startswith("✅ Done on ") and "on the 2nd attempt" in done.title
    assert retry.id not in run.engine.outbox.entries and retry.id not in run.engine.withdrawing


def test_disable_drops_a_waiting_try_and_says_the_action_ended():
    """A try not sent yet (waiting for its time) is not sent at all; the failing action ends:
    "the account is no longer guarded", and no try goes out later."""
    run = Run()
    flatten = run.self_lock(DEMO1)
    run.result(flatten, "done", detail="nothing open")
    run.long_mnq(DEMO1, 1)
    (close,) = run.sent()
    run.result(close, "failed", detail="HTTP 500")
    (waiting,) = [e.command for e in run.engine.outbox.entries.values()]
    assert run.engine.outbox.waiting(waiting.id)
    before = run.engine.settings.rules_of(list(run.engine.accounts.values()))
    run.engine.settings = Disabled(run.engine.settings, {DEMO1})
    out = run.engine.guarding_changed(before, run.now, "admin:root", "trial")
    assert out.withdraws == [] and waiting.id in out.finished
    mark = len(run.outs)
    run.wait(60)
    assert run.sent() == [] and not run.engine.failing
    said = [n for o in run.outs[mark:] for n in o.notices]
    assert any("the account is no longer guarded" in n.title + " ".join(n.lines)
               for n in said), said
