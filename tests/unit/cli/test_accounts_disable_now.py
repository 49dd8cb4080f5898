"""`riskctl accounts disable ACCOUNT --now` takes early only that account's disable (trial
2026-12-06: `accounts disable 1002 --now` answered "2 waiting changes taken early: Demo 1
daily_realized_loss: limit 500.00 -> 800.00; Demo 2 (strict) (account no longer guarded)").

The command's own code with a stand-in for riskd: what it sends, in which order. The override
is armed for the named account before the edit (risk applies it when it reads the file), and
no override without an account (which takes every account's waiting loosening) is sent.
"""
from __future__ import annotations

import argparse

from cli.commands import accounts
from shared.messages.accounts import AccountEnable, AccountRow, AccountsRequest, AccountsTable
from shared.messages.risk import RulesOverrideRequest
from shared.messages.system import ok


class Riskd:
    def __init__(self):
        self.sent = []
        self.guarded = True
        self.json = False

    def request(self, request, timeout=None, retries=1, tolerate=()):
        self.sent.append(request)
        if isinstance(request, RulesOverrideRequest):
            return ok(reason="armed: the disable applies when risk reads the edit")
        if isinstance(request, AccountEnable):
            self.guarded = False          # risk read the edit and applied the armed disable
            return ok(reason="saved (applied live)")
        if isinstance(request, AccountsRequest):
            return ok(AccountsTable(rows=[
                AccountRow(id=1001, name="SIM-DEMO-1", display_name="Demo 1", seen=True,
                           guarded=True, pending=["daily_realized_loss"]),
                AccountRow(id=1002, name="SIM-DEMO-2", display_name="Demo 2 (strict)",
                           enabled=False, seen=True, guarded=self.guarded)]))
        raise AssertionError(f"unexpected {request!r}")


def run(argv, ctx) -> int:
    parser = argparse.ArgumentParser()
    accounts.add_arguments(parser)
    return accounts.run(parser.parse_args(argv), ctx)


def test_disable_now_overrides_only_the_named_account(capsys):
    ctx = Riskd()
    assert run(["disable", "1002", "--now", "--reason", "trial disable 2"], ctx) == 0
    overrides = [r for r in ctx.sent if isinstance(r, RulesOverrideRequest)]
    assert overrides, ctx.sent
    assert all(r.account == "1002" and r.disable for r in overrides), overrides
    # armed before the edit: the reload that reads it applies it at once
    kinds = [type(r).__name__ for r in ctx.sent]
    assert kinds.index("RulesOverrideRequest") < kinds.index("AccountEnable"), kinds
    assert "risk no longer guards Demo 2 (strict, id 1002)" in capsys.readouterr().out


def test_disable_without_now_sends_no_override(capsys):
    ctx = Riskd()
    ctx.request = _waits(ctx)
    assert run(["disable", "1002"], ctx) == 0
    assert not [r for r in ctx.sent if isinstance(r, RulesOverrideRequest)]
    assert ("risk keeps guarding Demo 2 (strict, id 1002) until the next trading-day roll"
            in capsys.readouterr().out)


def _waits(ctx):
    """risk keeps guarding the account: its disable waits for the roll."""
    answer = Riskd.request.__get__(ctx)

    def request(request, timeout=None, retries=1, tolerate=()):
        if isinstance(request, AccountsRequest):
            ctx.sent.append(request)
            return ok(AccountsTable(rows=[AccountRow(
                id=1002, name="SIM-DEMO-2", display_name="Demo 2 (strict)", enabled=False,
                seen=True, guarded=True, pending=["(account no longer guarded)"])]))
        return answer(request, timeout, retries, tolerate)
    return request


def test_add_says_when_the_broker_does_not_report_the_account(capsys):
    """Trial 2026-12-06: `accounts add 1003` answered only "saved (applied live)"."""
    from shared.messages.accounts import AccountAdd

    class Broker(Riskd):
        def request(self, request, timeout=None, retries=1, tolerate=()):
            self.sent.append(request)
            if isinstance(request, AccountAdd):
                return ok(reason="saved (applied live)")
            return ok(AccountsTable(rows=[
                AccountRow(id=1001, name="SIM-DEMO-1", seen=True, guarded=True),
                AccountRow(id=1003, seen=False, guarded=False)]))
    assert run(["add", "1003"], Broker()) == 0
    out = capsys.readouterr().out
    assert "saved (applied live)" in out
    assert "NOT GUARDED: the broker does not report this account for this login (1003)" in out
    assert run(["add", "1001"], Broker()) == 0       # one it reports: nothing more said
    assert "NOT GUARDED" not in capsys.readouterr().out


def test_disable_now_of_an_account_risk_does_not_know_is_still_written(capsys):
    """The broker does not report it: risk answers unknown_account to the arming, the edit
    goes ahead (the follow-up says nothing guards it)."""
    from shared.messages.system import error

    class Unknown(Riskd):
        def request(self, request, timeout=None, retries=1, tolerate=()):
            if isinstance(request, RulesOverrideRequest):
                self.sent.append(request)
                assert "unknown_account" in tolerate
                return error("unknown_account", "risk does not know account '1003'")
            return super().request(request, timeout, retries, tolerate)
    ctx = Unknown()
    run(["disable", "1002", "--now", "--reason", "gone"], ctx)
    assert any(isinstance(r, AccountEnable) for r in ctx.sent), ctx.sent


def test_enable_says_when_risk_guards_the_account_again(capsys):
    """Trial 2026-12-06: `accounts enable 1002` said only "saved (applied live)"."""
    class Enable(Riskd):
        def request(self, request, timeout=None, retries=1, tolerate=()):
            if isinstance(request, AccountEnable):
                self.guarded = True          # risk read the edit: guarded at once
                self.sent.append(request)
                return ok(reason="saved (applied live)")
            return super().request(request, timeout, retries, tolerate)
        def call(self, request, timeout=None, retries=1):
            from shared.messages.risk import LockoutList, LockoutState
            return ok(LockoutList(lockouts=[LockoutState(
                id="L1", account_id=1002, kind="timer", rule="self_lockout", since_ns=1,
                until_ns=2)] if self.locked else []))
    ctx = Enable()
    ctx.guarded, ctx.locked = False, True
    assert run(["enable", "1002"], ctx) == 0
    out = capsys.readouterr().out
    assert ("risk guards Demo 2 (strict, id 1002) again; its lockout in force holds again"
            in out), out
    ctx.guarded, ctx.locked = False, False
    assert run(["enable", "1002"], ctx) == 0
    assert capsys.readouterr().out.endswith("risk guards Demo 2 (strict, id 1002) again\n")


def test_enable_of_a_disable_waiting_for_the_roll_says_it_is_cancelled(capsys):
    """Fresh-user trial: after `accounts disable 1002` (waiting for the roll), `accounts enable
    1002` answered "risk guards 1002 again" though risk never stopped guarding it."""
    class Waiting(Riskd):
        def request(self, request, timeout=None, retries=1, tolerate=()):
            self.sent.append(request)
            if isinstance(request, AccountEnable):
                self.waiting = False         # risk read the edit: nothing waits any more
                return ok(reason="accounts enable 1002: saved (applied live)")
            return ok(AccountsTable(rows=[AccountRow(
                id=1002, name="SIM-DEMO-2", display_name="Demo 2 (strict)", seen=True,
                guarded=True, enabled=not self.waiting,
                pending=["(account no longer guarded)"] if self.waiting else [])]))

        def call(self, request, timeout=None, retries=1):
            raise AssertionError("no lockout question: the lockout never stopped holding")
    ctx = Waiting()
    ctx.waiting = True
    assert run(["enable", "1002"], ctx) == 0
    out = capsys.readouterr().out
    assert out.endswith("the disable waiting for the roll is cancelled; risk keeps guarding "
                        "Demo 2 (strict, id 1002)\n"), out
    assert "again" not in out, out


def test_disable_sends_whether_it_is_armed_now():
    ctx = Riskd()
    run(["disable", "1002", "--now", "--reason", "gone"], ctx)
    assert [r.now for r in ctx.sent if isinstance(r, AccountEnable)] == [True]
    ctx = Riskd()
    ctx.request = _waits(ctx)
    run(["disable", "1002"], ctx)
    assert [r.now for r in ctx.sent if isinstance(r, AccountEnable)] == [False]


def test_enable_and_disable_name_the_account_as_every_screen_does(capsys):
    """Fresh-user trial 2026-12-06: `accounts disable 1002 --now` answered "risk no longer guards
    1002" and `accounts enable 1002` "risk guards 1002 again", beside screens that say "Demo 2
    (strict, id 1002)" (shared/accountname.called); an account typed by its display name too."""
    ctx = Riskd()
    assert run(["disable", "Demo 2 (strict)", "--now", "--reason", "gone"], ctx) == 0
    out = capsys.readouterr().out
    assert "risk no longer guards Demo 2 (strict, id 1002)\n" in out, out
    assert "guards 1002" not in out and "guards Demo 2 (strict)\n" not in out, out
