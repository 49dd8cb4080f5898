"""Where to read why a worker keeps crashing (trial15c finding 11): after two `kill -9` of
risk within 4 s the "back" said "`riskctl logs --process risk` says why it crashes"; a
SIGKILL from outside leaves nothing there to read. Each alert that sends a reader to the log
(the crash loop's "back", the flapping alert, "still crashing" and "crashed again") now says
it was a signal from outside riskd when each crash was one, and the log when a crash was the
worker's own (an exit code) or the supervisor's kill of a hung worker."""
from __future__ import annotations

from services.notify.templates import Context, build
from services.supervisor.stillcrashing import StillCrashing
from shared.exitwords import where_why
from shared.messages.control import WorkerEvent

OUTSIDE = ("it was killed by signal 9 (SIGKILL), sent from outside riskd, which leaves nothing "
           "in its log: look for what kills it on this machine (a person, a script, the "
           "kernel's out-of-memory killer)")
LOGS = "`riskctl logs --process risk` says why it crashes"


def test_outside_kills_say_so_and_the_workers_own_crashes_send_to_the_log():
    assert where_why("risk", ["crashed: killed by signal 9 (SIGKILL)"]) == OUTSIDE
    assert where_why("risk", ["crashed: killed by signal 9 (SIGKILL)",
                              "crashed: killed by signal 9 (SIGKILL) while starting"]) == OUTSIDE
    assert where_why("risk", ["crashed: exited with code 1"]) == LOGS
    assert where_why("risk", ["crashed: killed by signal 9 (SIGKILL)",
                              "crashed: exited with code 1"]) == LOGS       # one was its own
    assert where_why("risk", ["crashed: killed by the supervisor as hung (silent for 5.0 s)"]) \
        == LOGS
    assert where_why("risk", []) == LOGS


def test_the_flapping_alert_of_outside_kills_says_so():
    """Fails on main's code: "... starts it now; `riskctl logs --process risk` says why"."""
    e = WorkerEvent(name="risk", state="flapping", exit_code=-9,
                    reason="flapping: 5 crashes within 60 s (killed by signal 9 (SIGKILL)); "
                           "next try in 120 s")
    alert = build(e, Context())
    assert alert.lines[-1] == f"`riskctl start risk` (ops) starts it now; {OUTSIDE}", alert
    own = WorkerEvent(name="risk", state="flapping", exit_code=1,
                      reason="flapping: 5 crashes within 60 s (exited with code 1); next try "
                             "in 120 s")
    assert build(own, Context()).lines[-1] == f"`riskctl start risk` (ops) starts it now; {LOGS}"


def test_still_crashing_after_outside_kills_says_so():
    watch = StillCrashing()
    watch.flapped("risk", 0)
    watch.crashed("risk", 5 * 10**9, "killed by signal 9 (SIGKILL)")     # told as a crash
    assert watch.crashed("risk", 10 * 10**9, "killed by signal 9 (SIGKILL)")   # folded
    event = watch.down_event("risk", 10 * 10**9, "killed by signal 9 (SIGKILL)", 60 * 10**9,
                             guards=True)
    assert event.lines[-1] == OUTSIDE, event.lines
