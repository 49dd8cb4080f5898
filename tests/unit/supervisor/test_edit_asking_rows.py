"""The audit rows of an edit riskd would act on at once say how the admin answered
(shared/editasking.py): asked at the prompt, declined there, refused for want of a terminal,
confirmed at the prompt or with --yes.

Fresh-user trial (trial14b): a prompt-confirmed `accounts enable` wrote "not done: ... not
saved" and then the "ok" row (the first read as a refusal); an admin's "n" at the prompt and a
script refused for having no terminal were identical rows; "confirmed by the admin" did not say
how. The supervisor's own audit wrapper and control-socket dispatch (Supervisor._serve) with
`riskctl audit show`'s RESULT words (cli/commands/audit.result_text)."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import attrs
import pytest

from cli.commands.audit import result_text
from services.supervisor import app as supervisor_app
from services.supervisor.audit import audited
from services.supervisor.sessions import Sessions
from shared import editasking
from shared import codec
from shared.clock import FakeClock
from shared.config import load_config
from shared.logsetup import record_fields
from shared.messages.accounts import AccountEnable
from shared.messages.config import ConfigRestore, ConfigSet, RulesEnable, RulesSet
from shared.messages.control import ControlRequest
from shared.messages.system import error, ok
from tests.support.env import REPO

WHY = ("accounts enable Demo 2 (strict, id 1002): not saved: riskd would act on it at once on 1 "
       "account:\n  Demo 2 (strict, id 1002): max_contracts; now 4 contracts open (gross), "
       "limit 1: riskd would reduce MNQ by 3")
DONE = ("accounts enable Demo 2 (strict, id 1002): saved (applied live)\n  confirmed by the "
        "admin: applied although riskd acts on it at once on Demo 2 (strict, id 1002)")
EDITS = [AccountEnable(account="1002", enabled=True),
         RulesSet(target="1002", rule="max_contracts", param="limit", value="1"),
         RulesEnable(target="1002", rule="session_block_outside", enabled=True),
         ConfigSet(key="accounts[1].rules.max_contracts.limit", value="1"),
         ConfigRestore(stamp="20261206T151721164512Z")]


def result(caplog, request, reply) -> str:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda r: None, type(request).__name__, "admin", "admin:root", request)(reply)
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    return record_fields(rec)["result"]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: type(e).__name__)
def test_each_answer_is_its_own_row(caplog, edit):
    asked = result(caplog, attrs.evolve(edit, asking=editasking.PROMPT),
                   error("confirm_needed", WHY))
    no_terminal = result(caplog, attrs.evolve(edit, asking=editasking.NO_TERMINAL),
                         error("confirm_needed", WHY))
    declined = result(caplog, attrs.evolve(edit, asking=editasking.DECLINED),
                      error(editasking.DECLINED_CODE, editasking.DECLINED_REASON))
    at_prompt = result(caplog, attrs.evolve(edit, confirmed=True, asking=editasking.PROMPT),
                       ok(reason=DONE))
    with_yes = result(caplog, attrs.evolve(edit, confirmed=True, asking=editasking.YES),
                      ok(reason=DONE))
    assert result_text(asked) == f"asked: the admin is asked at riskctl's prompt; {WHY}"
    assert result_text(no_terminal) == \
        f"refused: no terminal to ask the admin at, and no --yes: {WHY}"
    assert result_text(declined) == \
        "declined: by the admin at riskctl's prompt: not saved, nothing changed"
    assert "confirmed by the admin at the prompt: applied although" in result_text(at_prompt)
    assert "confirmed by the admin with --yes: applied although" in result_text(with_yes)
    assert not any(result_text(r).startswith("not done")
                   for r in (asked, no_terminal, declined))


class Control:
    def __init__(self):
        self.sent = []

    def send_multipart(self, frames):
        self.sent.append(codec.decode(frames[-1]).msg)


def test_a_declined_edit_is_recorded_and_nothing_runs(caplog, monkeypatch):
    """riskctl sends the edit once more with asking='declined' after an answer of no: the
    supervisor records it and never runs the command (nothing is written)."""
    ran = []
    command = supervisor_app.REGISTRY.get(AccountEnable)
    clock = FakeClock(1_796_570_000_000_000_000)
    sessions = Sessions(clock)
    token = sessions.issue("admin", 15, "root").token
    sup = SimpleNamespace(sessions=sessions, control=Control(), name="supervisor",
                          config=load_config(f"{REPO}/etc/riskd.toml").config, requester="",
                          account_called=lambda aid: str(aid))
    monkeypatch.setattr(supervisor_app.REGISTRY, "get", lambda t: attrs.evolve(
        command, execute=lambda *a: ran.append(a)))
    frame = codec.encode(ControlRequest(command=AccountEnable(
        account="1002", enabled=True, asking=editasking.DECLINED), session=token),
        "riskctl", 0, 1, clock.now_ns())
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        supervisor_app.Supervisor._serve(sup, b"id", frame)
    assert ran == []
    [reply] = sup.control.sent
    assert (reply.code, reply.reason) == ("declined", editasking.DECLINED_REASON)
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    fields = record_fields(rec)
    assert fields["who"] == "admin:root" and fields["account"] == "1002"
    assert result_text(fields["result"]) == \
        "declined: by the admin at riskctl's prompt: not saved, nothing changed"
