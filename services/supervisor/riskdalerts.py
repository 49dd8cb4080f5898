"""The alerts for riskd as a whole: it is stopping (accounts unguarded), and it runs again.

Pure, clock-free (every call carries its times); the supervisor publishes the NotifyEvents on
the events PUB (topic "notify") like its other alerts (backalerts.py).

- stopped_event: riskd stops (`riskctl shutdown` by an admin, SIGTERM from a service manager,
  Ctrl-C): one critical alert, saying what stopped it, sent before notify stops.
- AgainWatch: the next riskd knows when the previous one was last alive (GuardStore.last_alive)
  and how it stopped, if it stopped cleanly (GuardStore.clean_stop); once notify runs it sends
  one "running again" alert with how long riskd was down. Like a guard worker's "back"
  (backalerts.BackWatch) it waits for the accounts to be guarded, at most GUARD_WAIT_NS.
"""
from __future__ import annotations

import datetime as dt
import signal
from typing import Iterable, Optional

import attrs

from services.supervisor.backalerts import GUARD_WAIT_NS, SETTLE_NS
from shared.messages.notify import NotifyEvent
from shared.when import duration

NOT_CLEAN = ("the previous riskd did not stop cleanly: it was killed (kill -9, a power loss) or "
             "it crashed")


def signal_cause(signum: Optional[int], console: bool = False) -> str:
    """What a stop signal means to the person reading the alert. console: a Windows console
    event (shared/winconsole.py calls with its event number and no frame), not a signal."""
    if console:
        from shared.winconsole import NAMES
        return f"Windows console event: {NAMES.get(signum, signum)}"
    if signum == signal.SIGINT:
        return "Ctrl-C in the terminal"
    if signum == signal.SIGTERM:
        return "signal SIGTERM (service stop)"
    if signum is not None and signum == getattr(signal, "SIGBREAK", None):
        return "CTRL_BREAK (service stop)"
    return "a stop signal" if signum is None else f"signal {signum}"


def shutdown_cause(who: str, reason: str = "") -> str:
    """`riskctl shutdown`: by whom (the session's role:user), and the reason given, if any."""
    text = f"riskctl shutdown by {who or 'an admin'}"
    return f"{text} ({reason})" if reason else text


def utc(ns: int) -> str:
    return dt.datetime.fromtimestamp(ns / 1e9, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def stopped_event(cause: str, ts_ns: int) -> NotifyEvent:
    """The alert as riskd begins to stop every worker."""
    return NotifyEvent(
        kind="riskd_stopped", severity="critical",
        title="⛔ riskd is stopping: accounts are NOT guarded until riskd runs again",
        lines=[f"stopped by {cause}",
               "no rule is checked and nothing is flattened until someone starts riskd again"],
        ts_ns=ts_ns)


def again_event(down_since_ns: int, up_ns: int, now_ns: int, clean: Optional[str],
                unguarded: Iterable[str]) -> NotifyEvent:
    """riskd runs again since up_ns. clean: how the previous riskd stopped (None: it did not
    stop cleanly); unguarded: why the accounts are not guarded now (empty: they are)."""
    reasons = tuple(unguarded)
    title = (f"🟢 riskd is running again after being down "
             f"{duration((up_ns - down_since_ns) / 1e9)} (since {utc(down_since_ns)})")
    title += (": accounts are guarded again" if not reasons else
              f", but accounts are still NOT guarded: {', '.join(reasons)}")
    lines = [f"it was stopped by {clean}" if clean else NOT_CLEAN]
    return NotifyEvent(kind="riskd_running_again", severity="warning", title=title,
                       lines=lines, ts_ns=now_ns)


@attrs.define
class AgainWatch:
    """The one "running again" alert of this riskd: due() returns it when it is time."""

    down_since_ns: Optional[int]       # the previous riskd's last alive time (None: no alert)
    up_ns: int                         # when this riskd started
    clean: Optional[str]               # how it stopped cleanly (None: it did not)
    guard_wait_ns: int = GUARD_WAIT_NS
    settle_ns: int = SETTLE_NS
    sent: bool = False

    def due(self, now_ns: int, notify_up_ns: Optional[int],
            unguarded: Iterable[str]) -> Optional[NotifyEvent]:
        """notify_up_ns: since when notify runs (None: not running); the alert goes SETTLE_NS
        after that (notify has joined the events feed), once guarded or GUARD_WAIT_NS after."""
        if self.sent or self.down_since_ns is None or notify_up_ns is None:
            return None
        reasons = tuple(unguarded)
        waited = now_ns - notify_up_ns
        if waited < self.settle_ns or (reasons and waited < self.guard_wait_ns):
            return None
        self.sent = True
        return again_event(self.down_since_ns, self.up_ns, now_ns, self.clean, reasons)
