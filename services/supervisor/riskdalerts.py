"""The alerts for riskd as a whole: it is stopping (accounts unguarded), and it runs again.

Pure, clock-free (every call carries its times); the supervisor publishes the NotifyEvents on
the events PUB (topic "notify") like its other alerts (backalerts.py).

- stopped_event: riskd stops (`riskctl shutdown` by an admin, SIGTERM from a service manager,
  Ctrl-C): one critical alert, saying what stopped it and which accounts hold what
  (held_lines, from risk's state at the stop: lastheld.py; what risk could not tell is said),
  sent before notify stops.
- AgainWatch: the next riskd knows when the previous one was last alive (GuardStore.last_alive)
  and how it stopped, if it stopped cleanly (GuardStore.clean_stop); once notify runs it sends
  one "running again" alert with how long riskd was down (or, when its supervisor alone was
  killed and every guard worker kept running, how long the supervisor was down). Like a guard
  worker's "back" (backalerts.BackWatch) it waits for the accounts to be guarded, at most
  GUARD_WAIT_NS.
"""
from __future__ import annotations

import datetime as dt
import signal
from typing import Callable, Iterable, Optional, Sequence

import attrs

from services.supervisor.backalerts import GUARD_WAIT_NS, SETTLE_NS
from services.supervisor.heldwords import (NONE_OPEN, Holding, Owned, alert_name, holds_lines,
                                           left_open_header, line_owners)
from services.supervisor.lastheld import Held
from shared import showtime
from shared.lockwords import ASKED_LOCKOUTS, locked_words, with_rule
from shared.messages.notify import LINE_HEADER, NotifyEvent
from shared.messages.risk import UNTIL_RESET, in_force_then
from shared.symbols import tickers_in
from shared.when import duration

RISK_KNEW = "as risk knew them at the stop"
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
    """For riskd's own log lines (logs are UTC); alerts show the display zone instead."""
    return dt.datetime.fromtimestamp(ns / 1e9, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def held_lines(held: Held, name_of: Callable[[int, str], str],
               tz: dt.tzinfo = dt.timezone.utc, now_ns: int = 0) -> list[str]:
    """What the stop leaves open, from risk's state as it stops (lastheld.ask_risk): each
    account holding positions or working orders and what it holds (heldwords.py, the words of
    a worker stop's alert too), or that none is open; the lockouts in force, which nothing
    enforces while riskd is down (locked_lines); what risk could not
    tell is said, never left out. name_of(account id, broker name): the account's name; tz,
    now_ns: the display zone and the time, for the lockouts' ends."""
    lines = holds_lines((Holding(a.account_id, a.name,
                                 tuple((p.contract_id, p.side, p.size) for p in a.positions),
                                 a.open_orders) for a in held.accounts), name_of)
    if lines:
        lines.insert(0, left_open_header(RISK_KNEW))
    elif held.accounts and not held.unknown:
        lines.append(f"{NONE_OPEN} ({RISK_KNEW})")
    lines += locked_lines(held, name_of, tz, now_ns)
    if not held.accounts and not held.unknown:
        lines.append("risk knew no account yet, so which positions are open is not known: "
                     "check them on the broker's platform")
    elif held.unknown:
        some = "other accounts'" if held.accounts else "the accounts'"
        lines.append(f"{some} open positions are not known ({'; '.join(held.unknown)}): "
                     f"check them on the broker's platform")
        lines += last_locked_lines(held, name_of, tz, now_ns)
    elif not held.synced:
        lines.append("risk had not read the broker's whole state yet: check the positions on "
                     "the broker's platform")
    return lines


LOCKS_HEADER = ("locked out, NOT enforced while riskd is down (a trade meanwhile is neither "
                "blocked nor flattened):")


def last_locked_lines(held: Held, name_of: Callable[[int, str], str], tz: dt.tzinfo,
                      now_ns: int) -> list[str]:
    """What a stop with risk not answering says of the lockouts: those risk last told of
    (held.last, still in force by their own end) under a header saying so and that nothing
    enforces them, or that they are not known (trial17b: with risk stopped, the stop alert
    said nothing of Demo 1, Demo 2 and 1004, locked until the roll)."""
    last = [attrs.evolve(a, lockouts=in_force_then(a, now_ns)) for a in held.last]
    if not held.last:
        return ["the lockouts in force are not known either; none is enforced while riskd is "
                "down (a trade meanwhile is neither blocked nor flattened)"]
    made = min(a.ts_ns for a in held.last)
    as_of = showtime.start(made, tz, now_ns or made)
    header = (f"locked out as risk last knew it ({as_of}), NOT enforced while riskd is down "
              f"(a trade meanwhile is neither blocked nor flattened):")
    lines = locked_lines(Held(tuple(last)), name_of, tz, now_ns, header)
    return lines or [f"no lockout was in force as risk last knew them ({as_of})"]


def locked_lines(held: Held, name_of: Callable[[int, str], str], tz: dt.tzinfo,
                 now_ns: int, header: str = LOCKS_HEADER) -> list[str]:
    """The lockouts in force as riskd stops, one line each ('Demo 2 locked until the roll at
    Mon 17:00 CST (daily_realized_loss)'), under a header saying nothing enforces them
    meanwhile; [] when none. Fresh-user trial: the stop alert said "no open position or
    working order" and nothing of Demo 2, locked until Mon 17:00, free to trade meanwhile."""
    lines = []
    for a in sorted(held.accounts, key=lambda a: a.account_id):
        for lk in sorted(a.lockouts, key=lambda lk: (lk.symbol or "", lk.since_ns)):
            end_ns = lk.until_ns if lk.until_ns is not None else (
                a.next_roll_ns if lk.kind == UNTIL_RESET and a.next_roll_ns else None)
            end = showtime.at(end_ns, tz, now_ns or end_ns) if end_ns is not None else None
            scope = alert_name(name_of, a.account_id, a.name) + (
                f" {tickers_in(lk.symbol)}" if lk.symbol else "")
            rule = "" if lk.rule in ASKED_LOCKOUTS else lk.rule    # said by its words
            lines.append(Owned(f"{scope} "
                               + with_rule(locked_words(lk.kind, lk.rule, end, lk.clears_on, lk.symbol),
                                           rule), a.account_id))
    return [Owned(header, LINE_HEADER), *lines] if lines else []


def stopped_event(cause: str, ts_ns: int, held: Sequence[str] = ()) -> NotifyEvent:
    """The alert as riskd begins to stop every worker; held: held_lines (what stays open)."""
    return NotifyEvent(
        kind="riskd_stopped", severity="critical",
        title="⛔ riskd is stopping: accounts are NOT guarded until riskd runs again",
        lines=[f"stopped by {cause}", *held,
               "no rule is checked and nothing is flattened until someone starts riskd again"],
        ts_ns=ts_ns,
        # a chat that sees only some accounts gets only their lines (heldwords.Owned)
        line_accounts=line_owners([f"stopped by {cause}", *held, ""]))


def again_event(down_since_ns: int, up_ns: int, now_ns: int, clean: Optional[str],
                unguarded: Iterable[str], tz: dt.tzinfo, kept: Sequence[str] = (),
                kept_guarding: bool = False, startup_s: float = 0.0,
                refused: Optional[tuple[int, str]] = None) -> NotifyEvent:
    """riskd runs again since up_ns. clean: how the previous riskd stopped (None: it did not
    stop cleanly); unguarded: why the accounts are not guarded now (empty: they are); tz: the
    display zone (shared/showtime.py), as every alert shows times; the down's start is a
    moment that happened, so it is cut to its second (showtime.start). kept: the previous
    riskd's workers that were still running when this one started (its supervisor was killed,
    they were not); kept_guarding: every guard worker was among them, so the accounts stayed
    guarded and only the supervisor was down; startup_s: how long the accounts were not
    guarded while this riskd replaced those workers with its own (trial 2026-12-06: "the
    accounts stayed guarded" while the takeover left them unguarded for ~3 s); refused:
    (when, why) of a start refused meanwhile, which started no worker."""
    reasons = tuple(unguarded)
    down = (f"{duration((up_ns - down_since_ns) / 1e9)} (since "
            f"{showtime.start(down_since_ns, tz, now_ns)})")
    title = (f"🟢 riskd's supervisor is running again after being down {down}; its workers "
             f"kept guarding meanwhile" if kept_guarding else
             f"🟢 riskd is running again after being down {down}")
    # every guard worker outlived the supervisor: the accounts never stopped being guarded, so
    # "guarded again" contradicted "kept guarding" (trial)
    if kept_guarding:
        gap = (f", except {duration(startup_s)} while this riskd replaced its "
               f"workers" if startup_s > 0 else "")
        title += (f": the accounts stayed guarded{gap}" if not reasons else
                  f", but accounts are NOT guarded now: {', '.join(reasons)}")
    else:
        title += (": accounts are guarded again" if not reasons else
                  f", but accounts are still NOT guarded: {', '.join(reasons)}")
    lines = [f"it was stopped by {clean}" if clean else NOT_CLEAN]
    if kept:
        lines.append(f"its workers kept running without it ({', '.join(kept)}): nothing "
                     f"restarted one that stopped meanwhile; this riskd ended them and started "
                     f"a fresh set")
    if refused:
        lines.append(f"a start at {showtime.at(refused[0], tz, now_ns, seconds=True)} was refused "
                     f"({refused[1]}): it started no worker")
    return NotifyEvent(kind="riskd_running_again", severity="warning", title=title,
                       lines=lines, ts_ns=now_ns)


@attrs.define
class AgainWatch:
    """The one "running again" alert of this riskd: due() returns it when it is time."""

    down_since_ns: Optional[int]       # the previous riskd's last alive time (None: no alert)
    up_ns: int                         # when this riskd started
    clean: Optional[str]               # how it stopped cleanly (None: it did not)
    kept: tuple[str, ...] = ()         # its workers still running when this riskd started
    kept_guarding: bool = False        # ... every guard worker among them
    refused: Optional[tuple] = None    # (when, why) of a start refused since it ran
    guard_wait_ns: int = GUARD_WAIT_NS
    settle_ns: int = SETTLE_NS
    sent: bool = False

    @property
    def waiting(self) -> bool:
        """The "running again" alert is still to go out."""
        return not self.sent and self.down_since_ns is not None

    def due(self, now_ns: int, notify_up_ns: Optional[int], unguarded: Iterable[str],
            tz: dt.tzinfo, startup_s: float = 0.0) -> Optional[NotifyEvent]:
        """notify_up_ns: since when notify runs (None: not running); the alert goes SETTLE_NS
        after that (notify has joined the events feed), once guarded or GUARD_WAIT_NS after.
        tz: the display zone its time is shown in."""
        if self.sent or self.down_since_ns is None or notify_up_ns is None:
            return None
        reasons = tuple(unguarded)
        waited = now_ns - notify_up_ns
        if waited < self.settle_ns or (reasons and waited < self.guard_wait_ns):
            return None
        self.sent = True
        return again_event(self.down_since_ns, self.up_ns, now_ns, self.clean, reasons, tz,
                           self.kept, self.kept_guarding, startup_s, self.refused)
