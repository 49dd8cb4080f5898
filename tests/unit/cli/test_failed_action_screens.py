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
from services.notify.templates import Context, result_alert
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult
from shared.messages.risk import FailingAction
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
    [line] = [ln for ln in text.splitlines() if "ENFORCEMENT FAILED" in ln]
    assert line.strip() == (
        "ENFORCEMENT FAILED Wed 14:03:27 CST: MNQ long 1 still open on a locked account, "
        "4 failed tries; riskd tries again every 60 s (next Wed 14:04:27 CST); act now: "
        "close it on the firm's platform")
    assert "ENFORCEMENT FAILED" not in screen_text(account(lockouts=[lockout()]))


def test_a_failed_actions_figure_is_until_enforcement_gave_up():
    s = state(account())
    s.apply(CommandResult(command_id="d.1", account_id=1001, status="failed",
                          action="close_position", rule="lockout", event_ns=NOW,
                          started_ns=NOW, first_answer_ns=NOW + 35_000_000,
                          finished_ns=NOW + 2_100_000_000))
    screen = build_screen(s, NOW + 10 * NS_PER_S, CHICAGO, CALENDAR)
    [row] = screen.accounts[0].actions
    assert (row.status, row.latency) == ("failed", "2100 ms")


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
