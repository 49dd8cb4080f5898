"""What the screens and the phone say about an action enforcement gave up on (fresh-user trial
2026-12-06): `riskctl status` kept "LOCKED OUT" with MNQ listed as an ordinary position, the
only trace a LAST ACTIONS row "lockout close_position failed 35 ms" (the broker's first HTTP 500
came in 35 ms; enforcement gave up ~2 s later); the phone's alert named "close_position" and
said "gave up after 4 rounds ... after 1 attempt(s)".

Now the status carries each failing action (risk's FailingAction, services/risk/retries.py),
shown under the account's banners until it is resolved; a failed row's figure is how long it
took until enforcement gave up; notify leaves risk's own failures to risk's alert."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.enforcement.app import later_tries
from services.notify.templates import Context, result_alert
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult, CommandState, EnforcementStatus
from shared.messages.risk import Decision, FailingAction
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state

FAILING = FailingAction(account_id=1001, action="close_position",
                        still="MNQ long 1 still open on a locked account",
                        act="close it on the firm's platform", first_failed_ns=NOW,
                        failures=4, next_ns=NOW + 60 * NS_PER_S, every_s=60, command_id="d.5")


def screen_text(status, now=NOW, width=200):
    return plain(render(build_screen(state(status), now, CHICAGO, CALENDAR), width))


def test_the_status_shows_a_failing_action_until_it_is_resolved():
    status = attrs.evolve(account(lockouts=[lockout()]), failing=[FAILING])
    text = screen_text(status)
    [line] = [ln for ln in text.splitlines()
              if "ENFORCEMENT FAILED" in ln and "ENFORCEMENT FAILED on" not in ln]
    assert line.strip() == (
        "ENFORCEMENT FAILED Wed 14:03:27 CST: MNQ long 1 still open on a locked account, "
        "4 failed attempts; riskd tries again every 60 s (next Wed 14:04:27 CST); act now: "
        "close it on the firm's platform")
    assert "ENFORCEMENT FAILED" not in screen_text(account(lockouts=[lockout()]))
    # the header says it as `riskctl status` does (trial15b: watch's said "guarded now except
    # ..." of another account, status's "ENFORCEMENT FAILED on ...")
    [head] = [ln for ln in text.splitlines() if "ENFORCEMENT FAILED on" in ln]
    assert "riskd checks the rules, but an action it decided is not carried out" in head, head


def test_a_failed_actions_figure_is_until_enforcement_gave_up():
    s = state(account())
    s.apply(CommandResult(command_id="d.1", account_id=1001, status="failed",
                          action="close_position", rule="lockout", event_ns=NOW,
                          started_ns=NOW, first_answer_ns=NOW + 35_000_000,
                          finished_ns=NOW + 2_100_000_000))
    screen = build_screen(s, NOW + 10 * NS_PER_S, CHICAGO, CALENDAR)
    [row] = screen.accounts[0].actions
    assert (row.status, row.latency) == ("failed", "2.1s")


def test_notify_leaves_risks_own_failures_and_retries_to_risk():
    ctx = Context(accounts={1001: "Demo 1"})
    risks = CommandResult(command_id="d.1", account_id=1001, status="failed",
                          action="close_position", rule="lockout", detail="gave up")
    assert result_alert(risks, ctx) is None                   # risk's alert says it
    retry_done = attrs.evolve(risks, command_id="d.3", status="done", first_answer_ns=NOW)
    assert result_alert(retry_done, ctx) is None              # "Done ... on the 3rd try"
    first_done = attrs.evolve(retry_done, command_id="d.1")
    assert result_alert(first_done, ctx).kind == "action_done"
    kill_switch = attrs.evolve(risks, rule="manual", by="admin:ana", action="flatten")
    assert result_alert(kill_switch, ctx).kind == "enforcement_failed"


def lockout_close(decision="d"):
    return Decision(id=decision, ts_ns=NOW, rule="lockout", account_id=1001,
                    action="close_position", contract_id="CON.F.US.MNQ.Z26",
                    reason="MNQ position opened while locked")


def rows(s):
    screen = build_screen(s, NOW + 90 * NS_PER_S, CHICAGO, CALENDAR)
    return [(a.rule, a.action, a.outcome) for a in screen.accounts[0].actions]


def test_the_decisions_row_shows_its_latest_try_live_and_from_the_journal():
    """riskd's later tries ('<decision>.2', ...) are the decision's row, not rows of their
    own with no rule: the watch (live results) and riskctl status (enforcement's journal,
    which answers a decision's first try with its later ones) alike."""
    def failed(cid, at):
        return CommandResult(command_id=cid, account_id=1001, status="failed",
                             action="close_position", rule="lockout", started_ns=at,
                             finished_ns=at + 2 * NS_PER_S)
    live = state(account())
    live.apply(lockout_close())
    live.apply(failed("d.1", NOW))
    assert rows(live) == [("lockout enforcement", "close_position", "failed")]
    live.apply(failed("d.2", NOW + 7 * NS_PER_S))
    assert rows(live) == [("lockout enforcement", "close_position", "failed, 2nd attempt")]
    live.apply(CommandResult(command_id="d.3", account_id=1001, status="done",
                             action="close_position", rule="lockout", started_ns=NOW,
                             first_answer_ns=NOW + 30 * NS_PER_S,
                             finished_ns=NOW + 30 * NS_PER_S))
    live.apply(failed("d.2", NOW + 7 * NS_PER_S))            # a late copy changes nothing
    assert rows(live) == [("lockout enforcement", "close_position", "done, 3rd attempt")]

    once = state(account())
    once.apply(lockout_close())
    once.apply(EnforcementStatus(commands=[
        CommandState(command_id=f"d.{n}", account_id=1001, action="close_position",
                     state="final", status=status, received_ns=NOW, finished_ns=NOW + n,
                     first_answer_ns=NOW + n)
        for n, status in ((1, "failed"), (2, "failed"), (3, "done"))]))
    assert rows(once) == [("lockout enforcement", "close_position", "done, 3rd attempt")]


def test_a_failure_read_at_notifys_catch_up_is_still_alerted():
    """Risk's own alert of a failure went out while notify was down: the outcome the start-up
    catch-up reads from enforcement's journal is alerted as before (sent late)."""
    risks = CommandResult(command_id="d.1", account_id=1001, status="failed",
                          action="close_position", rule="lockout", detail="gave up")
    alert = result_alert(risks, Context(accounts={1001: "Demo 1"}), late=True)
    assert alert.kind == "enforcement_failed" and "Enforcement FAILED on Demo 1" in alert.title


def test_enforcement_answers_a_decisions_first_try_with_its_later_ones():
    journal = {"d.1": "first", "d.2": "second", "d.3": "third", "e.2": "other",
               "manual-5.1": "kill switch", "manual-5.2": "another account's"}
    assert later_tries("d.1", journal.get) == ["second", "third"]
    assert later_tries("d.2", journal.get) == []
    assert later_tries("manual-5.1", journal.get) == []
    assert later_tries("x.1", journal.get) == []


def test_a_failed_action_that_ended_without_riskd_says_how_in_last_actions():
    """Trial 2026-12-06: the trader closed MNQ himself while riskd was retrying; the status
    line went away but LAST ACTIONS kept "failed, 3rd try" as the last word. Risk's status
    says how each failed action ended without riskd (AccountStatus.ended)."""
    def failed(cid, at):
        return CommandResult(command_id=cid, account_id=1001, status="failed",
                             action="close_position", rule="lockout", started_ns=at,
                             finished_ns=at + 2 * NS_PER_S)
    live = state(account())
    live.apply(lockout_close())
    live.apply(failed("d.1", NOW))
    live.apply(failed("d.2", NOW + 7 * NS_PER_S))
    assert rows(live) == [("lockout enforcement", "close_position", "failed, 2nd attempt")]
    live.apply(attrs.evolve(account(), ts_ns=NOW + 10 * NS_PER_S,
                            ended={"d": "closed outside riskd"}))
    assert rows(live) == [("lockout enforcement", "close_position",
                           "failed, then closed outside riskd")]


def test_a_failure_at_a_whole_minute_still_shows_its_seconds():
    """Fresh-user trial 2026-12-06: "ENFORCEMENT FAILED Sun 04:20 CST" (minutes only) beside
    "next Sun 04:21:00 CST" and a clock with seconds; docs/operations.md shows seconds."""
    minute = NOW - (NOW // NS_PER_S) % 60 * NS_PER_S             # Wed 14:03:00 CST
    failing = attrs.evolve(FAILING, first_failed_ns=minute + 400_000_000,
                           next_ns=minute + 60 * NS_PER_S)
    text = screen_text(attrs.evolve(account(lockouts=[lockout()]), failing=[failing]))
    [line] = [ln for ln in text.splitlines()
              if "ENFORCEMENT FAILED" in ln and "ENFORCEMENT FAILED on" not in ln]
    assert line.strip().startswith("ENFORCEMENT FAILED Wed 14:03:00 CST: "), line
    assert "(next Wed 14:04:00 CST)" in line, line
