"""riskctl's side of an edit riskd would act on at once (cli/confirmedit.py): riskd answers
'confirm_needed' with why; on a terminal riskctl asks "Apply anyway? [y/N]" and sends the edit
again confirmed, without one it refuses unless --yes, and --yes sends it confirmed at once (as
`riskctl stop` does). Each send says how the admin answers (shared/editasking.py: the audit
row tells asked, declined, refused for want of a terminal, confirmed at the prompt or with
--yes apart; trial14b), and an answer of no is sent once more to be recorded (exit 1)."""
from __future__ import annotations

import pytest

from cli import confirmedit
from cli.errors import CliError
from shared import editasking
from shared.messages.config import RulesSet
from shared.messages.system import error, ok

WHY = ("Demo 1 (id 1001) drawdown_guard.line: not saved: riskd would act on it at once on 1 "
       "account:\n  Demo 1 (id 1001): drawdown_guard line 49,950.00; now ...")
EDIT = RulesSet(target="1001", rule="drawdown_guard", param="line", value="49950")


class Ctx:
    def __init__(self):
        self.sent = []

    def request(self, request, timeout=None, retries=1, tolerate=()):
        self.sent.append(request)
        if request.asking == editasking.DECLINED:
            assert editasking.DECLINED_CODE in tolerate
            return error(editasking.DECLINED_CODE, editasking.DECLINED_REASON)
        if not request.confirmed:
            assert "confirm_needed" in tolerate
            return error("confirm_needed", WHY)
        return ok(reason="saved")


def test_without_a_terminal_it_refuses_and_says_how(monkeypatch):
    monkeypatch.setattr(confirmedit.session_cache, "interactive", lambda: False)
    ctx = Ctx()
    with pytest.raises(CliError) as refused:
        confirmedit.send_edit(ctx, EDIT, False, 1.0)
    assert str(refused.value) == f"{WHY}\nRe-run with --yes to apply it anyway."
    assert [(r.confirmed, r.asking) for r in ctx.sent] == [(False, editasking.NO_TERMINAL)]


@pytest.mark.parametrize("answer, applied", [("y", True), ("yes", True), ("", False), ("n", False)])
def test_on_a_terminal_it_asks(monkeypatch, capsys, answer, applied):
    monkeypatch.setattr(confirmedit.session_cache, "interactive", lambda: True)
    asked = []
    monkeypatch.setattr("builtins.input", lambda q: (asked.append(q), answer)[1])
    ctx = Ctx()
    reply = confirmedit.send_edit(ctx, EDIT, False, 1.0)
    assert asked == [f"{WHY}\nApply anyway? [y/N] "]
    if applied:
        assert reply.ok and [(r.confirmed, r.asking) for r in ctx.sent] == [
            (False, editasking.PROMPT), (True, editasking.PROMPT)]
    else:           # declined: recorded by riskd, nothing applied
        assert reply is None and [(r.confirmed, r.asking) for r in ctx.sent] == [
            (False, editasking.PROMPT), (False, editasking.DECLINED)]
        assert "not saved: nothing changed" in capsys.readouterr().out


def test_yes_applies_directly(monkeypatch):
    monkeypatch.setattr(confirmedit.session_cache, "interactive", lambda: False)
    ctx = Ctx()
    assert confirmedit.send_edit(ctx, EDIT, True, 1.0).ok
    assert [(r.confirmed, r.asking) for r in ctx.sent] == [(True, editasking.YES)]
