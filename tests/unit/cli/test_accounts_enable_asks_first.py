"""`riskctl accounts enable` asks first when riskd would act at once (trial 13b: enabling
closed what the account opened while disabled, under a lockout in force, with no question).
riskd answers 'confirm_needed' with what it would do; riskctl asks on a terminal, refuses
without one unless --yes, as a rule edit (cli/confirmedit.py). The command's own code with a
stand-in for riskd; tests/integration/test_disabled_account_lockout.py runs it through riskd."""
from __future__ import annotations

import pytest

from cli import confirmedit
from cli.errors import CliError
from shared import editasking
from shared.messages.accounts import AccountEnable, AccountsRequest
from shared.messages.system import error, ok
from tests.unit.cli.test_accounts_enable_reason import demo2_listed, run

WHY = ("accounts enable Demo 2 (strict, id 1002): not saved: riskd would act on it at once on 1 "
       "account:\n  Demo 2 (strict, id 1002): lockout; now ...: riskd would close the MNQ "
       "position")


class Riskd:
    def __init__(self):
        self.sent = []
        self.json = False

    def request(self, request, timeout=None, retries=1, tolerate=()):
        if isinstance(request, AccountsRequest):
            return ok(demo2_listed())
        assert isinstance(request, AccountEnable)
        self.sent.append(request)
        if request.asking == editasking.DECLINED:
            return error(editasking.DECLINED_CODE, editasking.DECLINED_REASON)
        if not request.confirmed:
            return error("confirm_needed", WHY)
        return ok(reason="saved (applied live)")

    def call(self, request, timeout=None, retries=1):
        return ok()


def test_without_a_terminal_an_enable_that_acts_is_refused_saying_what_riskd_would_do(
        monkeypatch):
    monkeypatch.setattr(confirmedit.session_cache, "interactive", lambda: False)
    ctx = Riskd()
    with pytest.raises(CliError) as refused:
        run(["enable", "1002"], ctx)
    assert str(refused.value) == f"{WHY}\nRe-run with --yes to apply it anyway."
    assert [r.confirmed for r in ctx.sent] == [False]


def test_yes_sends_it_confirmed(monkeypatch):
    monkeypatch.setattr(confirmedit.session_cache, "interactive", lambda: False)
    ctx = Riskd()
    assert run(["enable", "1002", "--yes"], ctx) == 0
    assert [r.confirmed for r in ctx.sent] == [True]


def test_on_a_terminal_no_leaves_it_disabled(monkeypatch, capsys):
    monkeypatch.setattr(confirmedit.session_cache, "interactive", lambda: True)
    monkeypatch.setattr("builtins.input", lambda q: "n")
    ctx = Riskd()
    assert run(["enable", "1002"], ctx) == 1          # declined: exit 1 (not saved)
    assert [(r.confirmed, r.asking) for r in ctx.sent] == [
        (False, editasking.PROMPT), (False, editasking.DECLINED)]
    assert "not saved: nothing changed" in capsys.readouterr().out
