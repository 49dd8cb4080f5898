"""Screens while a worker is stopped (fresh-user trial, 2026-12-05, findings 1 and 2).

1. After `riskctl stop enforcement`, LAST ACTIONS turned 'close_position done 57 ms' into
   'pending -' and history turned 'done: MNQ on account 1006 closed' back into the plan: the
   outcome was looked up in enforcement's journal, which could not answer. The supervisor's
   error now carries the outcomes it saw (services/supervisor/lastresults.py); what nobody
   knows says "result not known: enforcement is stopped", never "pending".
2. While risk is stopped, status said 'LAST ACTIONS none today' for an account with actions
   that day: the history could not be read, which is not "none"."""
from __future__ import annotations

from cli.commands.history import outcomes_of, rows as history_rows
from cli.watch.model import RiskUnavailable, build_screen
from cli.watch.source import todays_actions
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.control import WorkerEvent
from shared.messages.enforce import CommandState, EnforcementStatus, EnforcementStatusRequest
from shared.messages.risk import Decision, HistoryReply, HistoryRequest, LastRiskStatus
from shared.messages.system import error, ok
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state

STOPPED = "enforcement is stopped"


def decision(n, action="close_position", what="close the MNQ position"):
    return Decision(id=f"d{n}", ts_ns=NOW - (10 - n) * NS_PER_S, rule="daily_unrealized_loss",
                    account_id=1001, action=action, contract_id="CON.F.US.MNQ.Z26", what=what)


DONE = CommandState(command_id="d1.1", account_id=1001, action="close_position", state="final",
                    status="done", detail="MNQ on account 1001 closed", received_ns=NOW,
                    finished_ns=NOW + 60_000_000, event_ns=NOW,
                    first_answer_ns=NOW + 57_000_000)
HISTORY = HistoryReply(decisions=[decision(1), decision(2, "reduce_position", "reduce MNQ by 2")])


def ask_with(history_reply, journal_reply):
    def ask(msg):
        return history_reply if isinstance(msg, HistoryRequest) else journal_reply
    return ask


SUPERVISOR_KNOWS = error("unreachable", STOPPED, EnforcementStatus(commands=[DONE]))


def screen_text(s):
    return plain(render(build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR), 110, None,
                        unicode=False))


def test_status_keeps_a_done_action_done_and_says_plainly_what_is_not_known():
    s = state(account())
    for msg in todays_actions(ask_with(ok(HISTORY), SUPERVISOR_KNOWS), NOW - 3600 * NS_PER_S):
        s.apply(msg)
    screen = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR)
    [acct] = screen.accounts
    got = {a.action: (a.status, a.latency) for a in acct.actions}
    assert got == {"close_position": ("done", "0.057s"), "reduce_position": ("not known", "-")}
    assert acct.actions_note == f"result not known: {STOPPED}"
    text = screen_text(s)
    assert "pending" not in text and f"result not known: {STOPPED}" in text, text


def test_a_result_that_comes_later_replaces_not_known():
    s = state(account())
    for msg in todays_actions(ask_with(ok(HISTORY), SUPERVISOR_KNOWS), NOW - 3600 * NS_PER_S):
        s.apply(msg)
    s.apply(EnforcementStatus(commands=[CommandState(
        command_id="d2.1", account_id=1001, action="reduce_position", state="final",
        status="done", detail="reduced")]))       # enforcement is back: the next history read
    [acct] = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR).accounts
    assert [a.status for a in acct.actions] == ["done", "done"] and not acct.actions_note


def test_history_shows_what_the_supervisor_knows_and_never_the_plan_as_the_outcome():
    class Ctx:
        def call(self, msg, **_kw):
            assert isinstance(msg, EnforcementStatusRequest)
            return SUPERVISOR_KNOWS
    outcomes, unknown = outcomes_of(Ctx(), HISTORY.decisions)
    whats = [r[3] for r in history_rows(HISTORY, outcomes, CHICAGO, unknown)]
    # DONE came 9 s after d1 was decided: said with its own time (test_history_done_time)
    assert whats[0].startswith("done at ") and whats[0].endswith(
        " CST (9s after the decision): MNQ on account 1001 closed"), whats
    assert whats[1] == f"result not known: {STOPPED} (planned: reduce MNQ by 2)"


def test_status_while_risk_is_stopped_never_says_none_today():
    s = state(account())
    s.apply(WorkerEvent(name="risk", state="stopped"))
    s.apply(LastRiskStatus(accounts=[account()], as_of_ns=NOW))
    s.apply(RiskUnavailable(reason="risk is not reachable (not running?) [unreachable]"))
    for msg in todays_actions(ask_with(error("unreachable", "risk is not reachable"), None),
                              NOW - 3600 * NS_PER_S):
        s.apply(msg)
    text = screen_text(s)
    assert "none today" not in text, text
    assert "LAST ACTIONS actions today cannot be read while risk is stopped" in text, text
    s.apply(HISTORY)                                 # risk is back: the history is read
    s.apply(EnforcementStatus(commands=[DONE]))
    assert "cannot be read" not in screen_text(s)


def test_an_action_the_screen_saw_decided_while_enforcement_is_stopped_stays_pending():
    """watch asks the history again while enforcement cannot say: a decision it saw arrive
    live (risk holds the command until enforcement is back) is pending, not "not known"."""
    s = state(account())
    s.apply(decision(3))                              # live, while enforcement is stopped
    for msg in todays_actions(ask_with(ok(HistoryReply(decisions=[decision(3)])),
                                       SUPERVISOR_KNOWS), NOW - 3600 * NS_PER_S):
        s.apply(msg)
    [acct] = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR).accounts
    assert [a.status for a in acct.actions] == ["pending"] and not acct.actions_note


# riskd started between d1 and d2: the supervisor has seen every outcome since, so d2's
# (decided since, not seen) was never carried out: it waits (second trial: "not known" told the
# trader it may have happened while the position sat open at -276)
SINCE = error("unreachable", STOPPED, EnforcementStatus(
    commands=[DONE], known_since_ns=decision(2).ts_ns - 1))


def test_an_action_decided_since_riskd_started_and_not_seen_done_reads_pending_everywhere():
    s = state(account())
    for msg in todays_actions(ask_with(ok(HISTORY), SINCE), NOW - 3600 * NS_PER_S):
        s.apply(msg)
    [acct] = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR).accounts
    got = {a.action: a.status for a in acct.actions}
    assert got == {"close_position": "done", "reduce_position": "pending"}
    assert "not known" not in screen_text(s), screen_text(s)

    class Ctx:
        def call(self, msg, **_kw):
            return SINCE
    outcomes, unknown = outcomes_of(Ctx(), HISTORY.decisions)
    whats = [r[3] for r in history_rows(HISTORY, outcomes, CHICAGO, unknown)]
    assert whats[0].endswith("(9s after the decision): MNQ on account 1001 closed"), whats
    assert whats[1].startswith("planned, not done yet (pending): waits for enforcement"), whats


def test_before_riskd_started_an_outcome_not_seen_stays_not_known():
    late = error("unreachable", STOPPED, EnforcementStatus(
        commands=[DONE], known_since_ns=NOW + 1))        # both decided before the start
    s = state(account())
    for msg in todays_actions(ask_with(ok(HISTORY), late), NOW - 3600 * NS_PER_S):
        s.apply(msg)
    [acct] = build_screen(s, NOW + 40 * NS_PER_S, CHICAGO, CALENDAR).accounts
    assert {a.action: a.status for a in acct.actions} == {"close_position": "done",
                                                          "reduce_position": "not known"}


def test_the_first_frames_before_riskd_answered_never_say_none_today():
    """Second trial: a watch opened with the supervisor killed drew "LAST ACTIONS none today"
    for its first frames, then the day's 8 actions once risk answered directly. Before the
    history is read LAST ACTIONS says it is asking; an empty history then reads "none today"."""
    s = state(account())
    text = screen_text(s)
    assert "none today" not in text and "LAST ACTIONS actions today: asking riskd" in text, text
    s.apply(HistoryReply())
    assert "LAST ACTIONS none today" in screen_text(s)


def test_actions_already_read_are_not_called_unreadable_when_riskd_stops():
    """Trial16c: after riskd stopped, `watch` showed "+9 more today (riskctl history)" right
    above "earlier actions today cannot be read while riskd is not running": the rows shown
    had been read; only later ones cannot be."""
    from cli.watch.model import Reachability
    from tests.unit.cli.test_watch_actions_room import busy_day
    s = busy_day()
    s.apply(HistoryReply())                                   # today's actions were read
    s.apply(Reachability(ok=False, reason="riskd is not running", ts_ns=NOW, gone=True))
    for msg in todays_actions(ask_with(error("unreachable", "riskd is not running"), None),
                              NOW - 3600 * NS_PER_S):
        s.apply(msg)
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 80, None))
    assert "earlier actions today cannot be read" not in text, text
    assert "\n  later actions cannot be read while riskd is not running\n" in text, text
