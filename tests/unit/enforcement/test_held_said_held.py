"""A command a restarted enforcement holds until risk has had its say on it (services/
enforcement/app.py _resume: at most RISK_WORD_S) reads "held: waiting for risk" in `riskctl
status` / `watch` (LAST ACTIONS) and history, not "accepted" as if at work: nothing of it is
sent meanwhile, not even a read. Once risk sends it again it is at work ("accepted").

resume25: enforcement's status reply gave the held command as the journal has it, "running",
which every screen reads "accepted" ("riskd's action is under way"), for up to 5 s with risk
down or slow. Fails on the old code (the state was "running"); passes after.
"""
from __future__ import annotations

import datetime as dt

import attrs

from cli.watch import model
from shared import historywords
from shared.messages.enforce import CommandState, EnforcementStatusRequest
from tests.unit.enforcement.test_resumed_waits_for_risk import Restart
from tests.unit.enforcement.test_withdraw_while_running import A, COMMANDS


def said(t: Restart) -> CommandState:
    reply = t.w._on_status(EnforcementStatusRequest(command_ids=[t.cmd.id]))
    [st] = [c for c in reply.body.commands if c.command_id == t.cmd.id]
    return st


def last_action(st: CommandState, now_ns: int):
    screen = model.WatchState()
    screen.actions[st.command_id] = model.ActionRow(
        decision_id=st.command_id.split(".")[0], ts_ns=now_ns, account_id=A,
        rule="lockout", action=st.action, status="pending")
    model._command_state(screen, st)
    return model._action_lines(screen, A, dt.timezone.utc, now_ns)[0]


def test_a_held_command_reads_held_waiting_for_risk_until_risk_sends_it(journal):
    cmd, held = COMMANDS["lockout close"]
    t = Restart(journal, attrs.evolve(cmd, id="h1.1"), held, 1)
    st = said(t)
    assert st.state == "held" and t.w.held, st
    assert last_action(st, t.clock.now_ns()).outcome == "held: waiting for risk"
    assert historywords.outcome_text(st) == "planned, not done yet (held: waiting for risk)"
    t.w.accept(attrs.evolve(t.cmd, attempt=2))          # risk sends it again: at work
    st = said(t)
    assert st.state == "running", st
    assert last_action(st, t.clock.now_ns()).outcome == "accepted"
