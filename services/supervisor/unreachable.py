"""What the supervisor answers when a request it forwards cannot reach its worker.

The supervisor knows why a worker is not there (policy.py's state, the crash count, when the
next start is due, who stopped it and when), so it says so itself, in one place: riskctl prints
the reply's reason, the Telegram bot shows it, and `--json` adds the code ('unreachable').
Before, riskd answered "market is not reachable (not running?)" and riskctl asked the
supervisor a second time for the worker's state to word it (fresh-user trial 2026-12-05:
`riskctl positions` while market restarted). docs/operations.md (Roles and passwords) quotes
these words. A stopped worker's words say who may start it (an admin or ops), since a trader
reads them too. Pure: the caller passes the slot, the clocks and the display zone.
"""
from __future__ import annotations

import datetime as dt

from services.supervisor.policy import (BACKOFF, FLAPPING, RUNNING, STARTING, STOPPED,
                                        STOPPING)
from shared import showtime
from shared.exitwords import exit_words
from shared.when import duration

STATUS_HINT = "(`riskctl status` shows what riskd runs)"
# who may start a stopped worker (DESIGN: ops and admin; a trader may not): the words are read by
# every role, on riskctl and the phone, so they say who, not only the command (trial
# 2026-12-05: a trader was told "`riskctl start risk` starts it", a command they cannot run)
START_WHO = "an admin or ops"
SOON_S = 5.0         # a start due within this is "in a few seconds"


def unreachable_reason(slot, now: float, now_ns: int, tz: dt.tzinfo) -> str:
    """The sentence for a request `slot`'s worker cannot take now: its state and the next step.
    `now` is the supervisor's monotonic clock (the policy's times), `now_ns` the wall clock
    (an operator stop's time, shown in the display zone tz)."""
    name, p = slot.name, slot.policy
    if p.state == STOPPED:
        return f"{name} is stopped: {_stopped_by(slot, now_ns, tz)}it stays stopped until " \
               f"{START_WHO} starts it (`riskctl start {name}`) {STATUS_HINT}"
    if p.state == STOPPING and slot.then_start:
        return f"{name} is restarting (`riskctl restart`): try again in a few seconds " \
               f"{STATUS_HINT}"
    if p.state == STOPPING:
        return f"{name} is stopping: {_stopped_by(slot, now_ns, tz)}{START_WHO} can start " \
               f"it once it has stopped (`riskctl start {name}`) {STATUS_HINT}"
    if p.state == FLAPPING:
        return f"{name} keeps crashing ({p.recent_crashes} crashes within " \
               f"{p.settings.flapping_window:g} s), so riskd waits {_due(p, now) or 'a while'} " \
               f"before it tries again: `riskctl logs --process {name}` says why {STATUS_HINT}"
    if p.state in (STARTING, BACKOFF) and p.crashes_in_a_row:
        why = f"{p.reason}; " if p.state == BACKOFF and p.reason else ""
        return f"{name} is restarting after a crash ({why}attempt {p.crashes_in_a_row}): " \
               f"{_try_again(p, now)} {STATUS_HINT}"
    if p.state in (STARTING, BACKOFF):
        what = "restarting" if p.restarts else "starting"
        return f"{name} is {what}: {_try_again(p, now)} {STATUS_HINT}"
    # running (the supervisor has not seen it go yet, or its socket is not connected yet)
    return f"{name} did not answer; try again in a few seconds {STATUS_HINT}"


def worker_note(slot, now_ns: int, tz: dt.tzinfo) -> str:
    """The note beside a worker in `riskctl workers` and status: why it crashed or waits
    (the policy's reason), and for a worker an operator stopped, who and when ("stopped by
    admin:ana at Sat 21:03:10 CST"), with how it ended when that was not a clean exit. Trial
    2026-12-06: a stopped worker read "stopped - - 0 0 - exited with code 0"."""
    p = slot.policy
    if p.state in (STOPPED, STOPPING) and slot.stopped_ns is not None:
        who = slot.stopped_by or "an operator"
        note = f"stopped by {who} at {showtime.start(slot.stopped_ns, tz, now_ns)}"
        unclean = p.state == STOPPED and p.reason not in ("", "stopped", exit_words(0))
        return note + (f"; {p.reason}" if unclean else "")
    restarted = getattr(slot, "restarted_ns", None)
    if p.state in (STARTING, RUNNING) and restarted is not None:
        # an operator's restart, as the audit says it (trial13a: RESTARTS 1 beside an
        # unexplained "exited with code 0" and NOTE "-")
        who = getattr(slot, "restarted_by", "") or "an operator"
        return f"restarted by {who} at {showtime.start(restarted, tz, now_ns)}"
    return p.reason if p.state in (BACKOFF, FLAPPING, STOPPED) else ""


def _stopped_by(slot, now_ns: int, tz: dt.tzinfo) -> str:
    """'admin:ana stopped it at Sat 21:03:10 CST; ' for an operator's stop, '' when unknown."""
    if slot.stopped_ns is None:
        return ""
    who = slot.stopped_by or "an operator"
    return f"{who} stopped it at {showtime.start(slot.stopped_ns, tz, now_ns)}; "


def _due(p, now: float) -> str:
    """How long until the policy's next start ('16s'), '' when none is planned."""
    if p.next_start_at is None:
        return ""
    return duration(max(0.0, p.next_start_at - now))


def _try_again(p, now: float) -> str:
    late = p.next_start_at is not None and p.next_start_at - now > SOON_S
    return f"riskd starts it again in {_due(p, now)}; try again then" if late \
        else "try again in a few seconds"
