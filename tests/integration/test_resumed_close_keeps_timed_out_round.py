"""kill -9 of enforcement just after a held close's first call timed out (fresh-user trial19a,
section 2), through a real riskd from etc/riskd.toml and the sim.

Demo 1 self-locked and flat; the sim holds every closeContract of the account (`/sim/fail`
status 200 with `hold`: docs/simbroker.md). The trader buys 1 MNQ; riskd's close of it is
held, and its call times out after the shipped [broker] timeout (10 s). Enforcement is then
killed -9 and started again by the supervisor; it resumes the close (held again) and the test
releases the held calls.

Before the fix: LAST ACTIONS read "done  timed out 14s" ("timed out" is riskd giving up, per
the legend), history "done ... (14s after the decision)" with no word of the timed-out round,
and enforcement's log "1 round"; when the resumed call found the position closed by the held
one, history even read "nothing to do: MNQ was already flat". Now the screens say what
docs/operations.md promises: "no answer within 10s, done ...", history "(in 2 rounds: no answer within
10s (timed out), done after ...)".

Changed from etc/riskd.toml: the sim's random walk off (prices stay put) and a fake Telegram as
the phone (tests/integration/test_notify_commands.py's set-up).
"""
from __future__ import annotations

import os
import signal

import pytest

from tests.e2e.harness import CLOSE, MNQ, NO_POSITION
from tests.integration.test_notify_commands import (ME, riskd_config,  # noqa: F401
                                                    telegram)
from tests.integration.test_restart_risk_held_lockout_close import (DEMO1, lockout_lines,
                                                                    locked_with_closes_held)
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


def test_a_close_resumed_after_a_kill_keeps_its_timed_out_round_on_every_screen(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = locked_with_closes_held(procs, config, telegram)
    try:
        before, refused, effect = (desk.calls(CLOSE), desk.refused(CLOSE, NO_POSITION),
                                   desk.took_effect(CLOSE))
        enforcement = procs.workers(config)["enforcement"].pid
        desk.buy(DEMO1, MNQ, 1)
        wait_for(lambda: lockout_lines(procs, config), 20, what="the close's decision")
        # its first call times out after 10 s; the next round re-reads and calls again (held
        # for another 10 s): killed in between (the trial: 0.1 s after the timeout). The wait
        # is for the sim to see that second call (a sleep of 13 s after the decision could,
        # under load, kill before the first timed out or after the second did too)
        wait_for(lambda: desk.calls(CLOSE) - before >= 2, 30, interval=0.1,
                 what="the close's second round (its first call timed out)")
        os.kill(enforcement, signal.SIGKILL)
        assert desk.calls(CLOSE) - before == 2, "killed after a third close call"
        wait_for(lambda: procs.workers(config)["enforcement"].pid not in (None, enforcement)
                 and procs.workers(config)["enforcement"].state == "running", 30,
                 what="enforcement started again")
        # it resumes the close (held again)
        wait_for(lambda: desk.calls(CLOSE) - before >= 3, 30, interval=0.1,
                 what="the restarted enforcement's close call")
    finally:
        desk.release(CLOSE)
    wait_for(lambda: not desk.positions(DEMO1), 40, interval=0.2, what="Demo 1 flat")
    wait_for(lambda: any(c.text.startswith("✅ Done") and "lockout enforcement" in c.text
                         for c in telegram.sent(ME)), 40, what="the close's Done")
    history = procs.riskctl(config, "history", "--account", str(DEMO1))
    assert history.returncode == 0, history.stderr
    text = " ".join(history.stdout.split())
    assert "(in 2 rounds: no answer within 10s (timed out), done after" in text, history.stdout
    # riskd's close closed it: never "nothing to do: MNQ was already flat" (main's code said
    # so here: the resumed call found the position gone, the held one having closed it)
    assert "MNQ was already flat" not in text, history.stdout
    # three of riskd's closes were held: the first round's (timed out), the killed process's
    # second and the resumed one's. Which one the release carries out is the sim's order (the
    # threads it wakes race): one of the killed process's (named as such, small19b; or the
    # timed-out one's words) or the resumed one's own, which was answered: "MNQ closed" (the
    # old check left this one out: 1 of 6 runs on main's code under load, flaky20)
    # (the timed-out one's words name the sell the release made, which riskd cannot tell from
    # the trader's own: fresh-user trial 20b section 2)
    assert "either this close, which got no answer within 10s (timed out), carried out by the " \
        "broker, or the trader's own sell; riskd cannot tell which" in text \
        or "closed by the close riskd sent before enforcement restarted" in text \
        or "done after" in text and ("s): MNQ closed reason:" in text
                                     # the killed process's call still out then (refused
                                     # later): said as one that may still be carried out
                                     or "s): MNQ closed; resumed after enforcement restarted"
                                     in text), history.stdout
    # and so it was: the sim carried out one close; it refused the other two (no position)
    wait_for(lambda: desk.refused(CLOSE, NO_POSITION) - refused == 2, 20,
             what="the other closes refused")
    assert desk.took_effect(CLOSE) - effect == 1
    status = procs.riskctl(config, "status")
    assert status.returncode == 0, status.stderr
    assert "no answer within 10s, done" in status.stdout, status.stdout
