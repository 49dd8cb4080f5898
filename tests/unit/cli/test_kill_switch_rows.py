"""The admin's kill switch in LAST ACTIONS (fresh-user trial, 2026-12-05): `riskctl flatten`
answered 'final done' while `riskctl status` and `riskctl watch` showed 'admin flatten pending'
for good. The kill switch's command is enforcement's 'manual-<n>.<account>', not
'<decision>.1': the screens looked its outcome up under the wrong id. Risk's decision and
enforcement's results come on two streams in no fixed order (and a restart may bring the final
result before the 'accepted'), so every order is tested."""
from __future__ import annotations

import itertools

import pytest

from cli.watch.model import WatchState, build_screen
from cli.watch.source import todays_actions
from shared.clock import NS_PER_S
from shared.messages.enforce import (CommandResult, CommandState, EnforcementStatus,
                                     EnforcementStatusRequest)
from shared.messages.risk import HistoryReply, HistoryRequest
from shared.messages.system import Reply
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.risk.desk import ACCOUNT, Desk

CMD = f"manual-1796454558357797653.{ACCOUNT}"


def result(status, cid=CMD, account_id=ACCOUNT, at=NOW):
    return CommandResult(command_id=cid, account_id=account_id, status=status, action="flatten",
                         rule="manual", reason="end of test day", by="admin:root",
                         detail="flattened" if status == "done" else "kill switch",
                         started_ns=at, finished_ns=at + 30_000_000 if status == "done" else 0)


def journal(cid=CMD, account_id=ACCOUNT):
    return EnforcementStatus(commands=[CommandState(
        command_id=cid, account_id=account_id, action="flatten", state="final", status="done",
        detail=f"account {account_id} was already flat", received_ns=NOW,
        finished_ns=NOW + 30_000_000)])


def admin_decisions(*results):
    """What risk's engine decides on these results, in this order (an injected clock)."""
    desk = Desk(start=NOW)
    decisions = []
    for res in results:
        desk.now += NS_PER_S // 10
        decisions += desk.engine.on_result(res, desk.now).decisions
    return decisions


def rows(s: WatchState, account_id=ACCOUNT):
    screen = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR)
    return [(a.rule, a.action, a.status, a.colour)
            for acct in screen.accounts if acct.account_id == account_id for a in acct.actions]


DONE_ROW = [("admin:root", "flatten", "done", "green")]   # who_acted: as history says it


@pytest.mark.parametrize("first", ["accepted", "done"])
def test_risk_decides_once_whichever_result_comes_first_and_names_the_command(first):
    order = [result(first), result("accepted" if first == "done" else "done")]
    decisions = admin_decisions(*order)
    assert [(d.rule, d.action, d.command_id) for d in decisions] == [("admin", "flatten", CMD)]


EVENTS = ("decision", "accepted", "done", "journal")


@pytest.mark.parametrize("order", list(itertools.permutations(EVENTS)))
def test_the_kill_switch_row_ends_done_in_every_order(order):
    """The live screen (watch) gets the decision and both results; status gets the history
    and the journal: any of them may come in any order, the row ends done and says 'admin'."""
    decision, = admin_decisions(result("accepted"), result("done"))
    s = state(account())
    for what in order:
        s.apply({"decision": decision, "accepted": result("accepted"), "done": result("done"),
                 "journal": journal()}[what])
    assert rows(s) == DONE_ROW


@pytest.mark.parametrize("first", ["accepted", "done"])
def test_status_shows_done_from_history_and_journal(first):
    """`riskctl status`: today's history plus enforcement's journal, asked for the kill
    switch's own command id (it answered nothing for '<decision>.1')."""
    decisions = admin_decisions(result(first), result("done" if first == "accepted" else
                                                      "accepted"))
    asked = []

    def ask(msg):
        asked.append(msg)
        if isinstance(msg, HistoryRequest):
            return Reply(status="ok", body=HistoryReply(decisions=decisions))
        assert isinstance(msg, EnforcementStatusRequest)
        return Reply(status="ok", body=journal() if CMD in msg.command_ids
                     else EnforcementStatus(commands=[]))

    s = state(account())
    for msg in todays_actions(ask, NOW - 3600 * NS_PER_S):
        s.apply(msg)
    assert asked[1].command_ids == [CMD]
    assert rows(s) == DONE_ROW


def test_flatten_all_gives_each_account_its_own_row():
    """`riskctl flatten --all`: one command per account under one number (manual-5.1001,
    manual-5.1002): the rows must not be one."""
    other = 1002
    cmd2 = CMD.rsplit(".", 1)[0] + f".{other}"
    decision, = admin_decisions(result("accepted"))
    decision2 = type(decision)(id="id9", ts_ns=decision.ts_ns, rule="admin", account_id=other,
                               action="flatten", command_id=cmd2, by=decision.by)
    s = state(account(), account(account_id=other, name="SIM-DEMO-2"))
    for msg in (decision, decision2, result("done"),
                result("accepted", cid=cmd2, account_id=other)):
        s.apply(msg)
    assert rows(s) == DONE_ROW
    assert rows(s, other) == [("admin:root", "flatten", "accepted", "amber")]
    s.apply(journal(cmd2, other))
    assert rows(s, other) == DONE_ROW


@pytest.mark.parametrize("source", ["live", "journal"])
def test_a_command_that_found_nothing_to_do_does_not_say_done_on_the_screen(source):
    """Trial finding 2: LAST ACTIONS said 'lockout reduce_position done 69 ms' where history
    said 'done: MNQ on account Demo 1 was already flat'. No trading call was answered (no
    first_answer_ns): the row says 'nothing to do'; one that traded still says 'done'."""
    from cli.watch.view import plain, render
    from shared.messages.risk import Decision
    s = state(account())
    for did, answered in (("d1", 0), ("d2", NOW + 50_000_000)):
        s.apply(Decision(id=did, ts_ns=NOW + (did == "d2"), rule="lockout", account_id=ACCOUNT,
                         action="reduce_position", event_ns=NOW))
        if source == "live":
            s.apply(CommandResult(command_id=f"{did}.1", account_id=ACCOUNT, status="done",
                                  detail="MNQ on account Demo 1 was already flat",
                                  event_ns=NOW, started_ns=NOW, first_answer_ns=answered,
                                  finished_ns=NOW + 69_000_000))
        else:
            s.apply(EnforcementStatus(commands=[CommandState(
                command_id=f"{did}.1", account_id=ACCOUNT, action="reduce_position",
                state="final", status="done", event_ns=NOW, received_ns=NOW,
                first_answer_ns=answered, finished_ns=NOW + 69_000_000)]))
    screen = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR)
    lines = [(a.outcome, a.status) for a in screen.accounts[0].actions]
    assert lines == [("done", "done"), ("nothing to do", "done")]
    text = plain(render(screen, 80, 24))
    assert "reduce_position nothing to do" in text and "reduce_position done" in text
