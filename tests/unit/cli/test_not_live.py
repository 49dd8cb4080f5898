"""While risk is stopped (screens round 2, finding 2): `riskctl status` and `watch` showed no
account at all. They show each account's last known figures, marked NOT LIVE with their time,
never as current; and they say the accounts are unguarded."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen, risk_unavailable
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.risk import LastRiskStatus
from shared.messages.system import error
from tests.unit.cli.screens import (CALENDAR, CHICAGO, NOW, WORKERS, account, state,
                                    status_output)

AS_OF = NOW - 95 * NS_PER_S                 # Wed 14:01:52 CST: when risk made the figures


def supervisor(risk_state="stopped"):
    return SupervisorStatus(pid=1, started_ns=NOW - 600 * NS_PER_S, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state=risk_state if n == "risk"
                                                else "running") for n in WORKERS],
                            unguarded_now=["risk not running"], trading_day="2026-11-25")


def stopped():
    """The supervisor's answer while risk is stopped: the error, with the last known figures."""
    return error("unreachable", "risk is not reachable (not running?)", LastRiskStatus(
        accounts=[attrs.evolve(account(realized="-312.50"), ts_ns=AS_OF)], as_of_ns=AS_OF))


def test_the_screen_shows_the_last_known_figures_marked_not_live():
    s = state()
    s.apply(supervisor())
    for note in risk_unavailable(stopped()):
        s.apply(note)
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.notice == ("risk is stopped: figures as of Wed 14:01:52 CST, not live; "
                             "NOT GUARDED now: risk not running"), screen.notice
    assert screen.notice_level == "error"
    [acct] = screen.accounts
    assert acct.realized == "-312.50"                       # the figures risk sent, as they were
    assert acct.not_live == "NOT LIVE: risk is stopped; figures as of Wed 14:01:52 CST"
    text = plain(render(screen, 100, None, unicode=False))
    assert text.index("NOT LIVE: risk is stopped;") < text.index("SIM-DEMO-1 (id 1001)  balance")


def test_figures_become_live_again_when_risk_answers():
    s = state()
    s.apply(supervisor())
    for note in risk_unavailable(stopped()):
        s.apply(note)
    s.apply(SupervisorStatus(pid=1, started_ns=NOW, config_path="riskd.toml",
                             workers=[WorkerInfo(name=n, state="running") for n in WORKERS]))
    s.apply(account(realized="-20"))                       # risk's own document, now
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.notice == "" and screen.accounts[0].not_live == ""


def test_riskctl_status_prints_the_last_known_account_marked_not_live(capsys, monkeypatch):
    out = status_output(capsys, monkeypatch, supervisor(), stopped())
    assert "no account status yet" not in out, out
    assert "risk is stopped: figures as of Wed 14:01:52 CST, not live" in out, out
    assert "NOT LIVE: risk is stopped; figures as of Wed 14:01:52 CST" in out
    assert "SIM-DEMO-1" in out and "-312.50" in out


def test_nothing_known_says_so():
    s = state()
    s.apply(supervisor())
    for note in risk_unavailable(error("unreachable", "risk is not reachable (not running?)")):
        s.apply(note)
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.accounts == []
    assert screen.notice.startswith("risk is stopped: no figures known; NOT GUARDED now")



def restarting(spawned: bool):
    """The supervisor's answer while risk restarts after a kill -9, in its own words
    (services/supervisor/unreachable.py), with the last known figures."""
    from services.supervisor.app import Slot
    from services.supervisor.policy import PolicySettings
    from services.supervisor.unreachable import unreachable_reason
    slot = Slot("risk", "services.risk", PolicySettings())
    slot.policy.want_start(0.0)
    slot.policy.spawned(0.0)
    slot.policy.alive(0.5)
    slot.policy.exited(10.0, -9)
    if spawned:
        slot.policy.spawned(10.2)
    reason = unreachable_reason(slot, 10.3, NOW, CHICAGO)
    return error("unreachable", reason, LastRiskStatus(
        accounts=[attrs.evolve(account(realized="-312.50"), ts_ns=AS_OF)], as_of_ns=AS_OF))


def test_risk_restarting_after_a_crash_is_one_short_clause_and_watch_does_not_say_try_again():
    """Trial 2026-12-06: `riskctl watch` while risk restarted after a crash read "NOT LIVE
    (risk status unavailable (risk is restarting after a crash (attempt 1): try again in a
    few seconds (`riskctl status` sho": nested parentheses, cut at the width, and "try
    again" on a screen that refreshes itself."""
    for spawned in (True, False):            # starting, and backoff (with how it crashed)
        s = state()
        s.apply(supervisor("running"))       # the supervisor's table has not caught up yet
        for note in risk_unavailable(restarting(spawned)):
            s.apply(note)
        watch = build_screen(s, NOW, CHICAGO, CALENDAR, refreshes=True)
        [acct] = watch.accounts
        assert acct.not_live == ("NOT LIVE: risk is restarting after a crash (attempt 1); "
                                 "figures as of Wed 14:01:52 CST"), acct.not_live
        assert watch.notice == ("risk is restarting after a crash (attempt 1): figures as of "
                                "Wed 14:01:52 CST, not live; NOT GUARDED now: risk not running; "
                                "this screen updates by itself"), \
            watch.notice
        text = plain(render(watch, 80, None, unicode=False))
        assert "try again" not in text and "((" not in text and "`riskctl status`" not in text
        lines = text.splitlines()
        at = [i for i, ln in enumerate(lines) if "NOT LIVE" in ln][0]
        wrapped = " ".join(ln.strip() for ln in lines[at:at + 2])      # wrapped, not cut
        assert wrapped == acct.not_live, text
        assert all(len(ln) <= 80 for ln in lines), text
        once = build_screen(s, NOW, CHICAGO, CALENDAR)               # riskctl status
        assert once.notice.endswith("; run it again in a few seconds"), once.notice
