"""Trial22b finding 2: enforcement was killed after the supervisor accepted an admin's
`riskctl flatten`; riskctl's follow-up poll got "enforcement is not running (backoff)" and
printed only that (exit as for a refusal), while riskd carried the flatten out 15 s later. A
flatten riskd took is said as taken: riskctl keeps asking while enforcement restarts, and
when the wait ends with enforcement still down, it says the flatten was taken, is resumed when
enforcement is back and that history shows its outcome, never "not running" alone."""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import attrs
import pytest

from cli.commands import flatten
from cli.errors import CliError, NotRunning
from shared.messages.control import StatusRequest, SupervisorStatus
from shared.messages.enforce import CommandState, EnforcementStatus, FlattenRequest
from shared.messages.system import error, ok

CST = dt.timezone(dt.timedelta(hours=-6), "CST")
DOWN = "enforcement is not running (backoff)"
TAKEN = CommandState(command_id="manual-1.1002", account_id=1002, action="flatten",
                     state="received")
DONE = CommandState(command_id="manual-1.1002", account_id=1002, action="flatten",
                    state="final", status="done", first_answer_ns=5,
                    detail="flattened account 1002: closed MNQ; closed ES (verified flat)")


class Ctx:
    """The supervisor as riskctl sees it: the flatten accepted, then one answer per poll
    (context.Context.request: an error reply ends the command unless its code is tolerated)."""
    json = False
    config_path = "no-such-riskd.toml"

    def __init__(self, polls):
        self.polls = list(polls)

    def request(self, msg, tolerate=(), **_kw):
        if isinstance(msg, FlattenRequest):
            return ok(SimpleNamespace(commands=[TAKEN], skipped=[]))
        reply = self.polls.pop(0) if len(self.polls) > 1 else self.polls[0]
        if not reply.ok and reply.code not in tolerate:
            raise CliError(reply.reason, 1)
        return reply

    def call(self, msg, **_kw):
        if isinstance(msg, StatusRequest):
            return SimpleNamespace(ok=True, body=SupervisorStatus(
                pid=1, started_ns=0, config_path="riskd.toml",
                account_labels={"1002": "Demo 2"}))
        return SimpleNamespace(ok=False, body=None)


def _down():
    return error("unreachable", DOWN, EnforcementStatus(commands=[]))


def _args(wait):
    return SimpleNamespace(account="1002", all=False, reason="trial", wait=wait)


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch):
    monkeypatch.setattr(flatten, "POLL_S", 0.0)


def test_enforcement_restarting_after_the_flatten_was_taken_is_waited_for(capsys):
    polls = [_down(), _down(), ok(EnforcementStatus(commands=[DONE]))]
    code = flatten.run(_args(60), Ctx(polls))
    out = capsys.readouterr().out
    assert code == 0, out
    [_, row] = out.splitlines()
    assert " done " in row and "closed MNQ" in row, row


def test_still_down_at_the_end_of_the_wait_says_taken_resumed_and_history(capsys):
    code = flatten.run(_args(0.05), Ctx([_down()]))
    out = capsys.readouterr().out
    assert code == 1, out
    assert " accepted " in out.splitlines()[1], out
    note = out.splitlines()[-1]
    assert note.startswith("not finished: Demo 2 (id 1002): riskd took this flatten"), note
    assert DOWN in note and "resumes it when it is back" in note, note
    assert "`riskctl history` shows its outcome" in note and "try again" not in note, note


def test_an_outcome_the_supervisor_saw_final_stands_while_enforcement_is_down(capsys):
    """Enforcement finished, then stopped: the supervisor's kept outcome (lastresults.py)
    is the answer, done, not 'accepted'."""
    down_with_outcome = error("unreachable", DOWN, EnforcementStatus(commands=[DONE]))
    code = flatten.run(_args(5), Ctx([down_with_outcome]))
    out = capsys.readouterr().out
    assert code == 0 and " done " in out and "riskd took" not in out, out


def test_a_call_out_at_the_broker_is_said_as_sent():
    sent = CommandState(command_id="manual-1.1002", account_id=1002, action="flatten",
                        state="running", at_broker_ns=1_796_000_000 * 10**9)
    detail = flatten.detail_of(sent, Ctx([_down()]))
    assert detail.startswith("held at the broker since ") and "no answer yet" in detail, detail


class GoneCtx(Ctx):
    """The supervisor killed (kill -9) after it accepted the flatten: the next poll finds
    nothing on the control socket (context.Context.call raises NotRunning with the orphans'
    words, cli/notrunning.py)."""
    def request(self, msg, tolerate=(), **_kw):
        if isinstance(msg, FlattenRequest):
            return ok(SimpleNamespace(commands=[ACCEPTED], skipped=[]))
        raise NotRunning(GONE, "riskd's supervisor is not running (its workers run without it)")


GONE = ("riskd's supervisor is not running (nothing listens on its control socket "
        "tcp://127.0.0.1:27400), but its workers still run without it: enforcement (pid 12357). "
        "They keep guarding the accounts, but nothing restarts one that stops and riskctl's "
        "commands cannot reach them")
# received by enforcement at Mon 2026-12-07 11:08:36 CST (17:08:36 UTC)
ACCEPTED = attrs.evolve(TAKEN, received_ns=1_796_663_316 * 10**9)


def test_supervisor_gone_while_following_says_accepted_at_and_outcome_unread(capsys,
                                                                              monkeypatch):
    """Trial23b finding 2: the admin read only "riskctl's commands cannot reach them" and
    believed the kill switch never went out, while riskd had accepted it and carried it out.
    The answer leads with the flatten accepted (and when), says only its outcome could not be
    read and where it shows; the orphans' picture follows."""
    monkeypatch.setattr(flatten.configfile, "display_zone", lambda _p: CST)
    code = flatten.run(_args(60), GoneCtx([]))
    out = capsys.readouterr().out
    assert code == 1, out
    lines = out.splitlines()
    assert " accepted " in lines[1], out
    note = lines[2]
    # the day as every screen shows it: with its date once more than 6 days from now
    assert re.match(r"not finished: Demo 2 \(id 1002\): riskd accepted this flatten at Mon "
                    r"(2026-12-07 )?11:08:36 CST and handed it to enforcement", note), note
    assert "only its outcome could not be read" in note, note
    assert "`riskctl history` and `riskctl status` show its outcome once riskd runs again" \
        in note, note
    assert "do not flatten again by hand" in note, note
    assert lines[3] == GONE, out


def test_supervisor_gone_json_says_riskd_state(capsys):
    printed = []
    ctx = GoneCtx([])
    ctx.json = True
    ctx.print_json = printed.append
    assert flatten.run(_args(60), ctx) == 1
    [shown] = printed
    assert shown["riskd"].startswith("riskd's supervisor is not running"), shown
    assert [s.state for s in shown["commands"]] == ["received"], shown
