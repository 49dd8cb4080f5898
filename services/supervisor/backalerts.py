"""Down and back alerts the supervisor raises itself: an operator stopped a worker, a worker is back.

Pure bookkeeping, clock-free (every call carries `now_ns`); the supervisor publishes the
NotifyEvents it returns on the events PUB (topic "notify"), as it does the file-edit alert.

- stopped_event: `riskctl stop` stopped workers; they stay down until someone starts them. For
  market, risk or enforcement the accounts are unguarded meanwhile (critical, like a feed down).
- BackWatch: a worker whose down the phone was told of (a crash or flapping alert,
  shared/workerdown.py, or a stop alert; notify's own crash too: alerted_down) is running
  again -> one "back" alert per recovery,
  with how long it was down. A guard worker's "back" waits until the accounts are guarded
  again (a new market must first reconnect its broker hubs), at most GUARD_WAIT_NS; then it
  says what still keeps them unguarded; any other worker's a second after it runs (so a
  notify that was down has joined the events feed). The sim broker riskd runs (broker_workers,
  shared/guardwords.py) is no guard worker, but while it is down the accounts are unguarded
  (market cannot reach it): its "back" waits for the guard as a guard worker's does and says
  the same, when the accounts were unguarded meanwhile (trial18b section 6). The unguarded
  time a "back" gives counts from when the accounts became unguarded (the broker may have
  dropped riskd before the worker went down: status counts from then), and it says "until
  they were guarded again" only when they were: a "still NOT guarded" says how long so far,
  and the "guarded again" alert (guardedagain.py) ends it (trial18b section 5). A guard's
  "back" always says the unguarded time, also when it reads as the time down (trial18c
  section 5). Workers ready at once share one alert.
  A planned `riskctl restart` is no down (no alert), so it gets no "back" either. A worker
  in a crash loop (more than one crash within the flapping window, Loop) is "back" as soon as
  the new process is up, like any other, and says so: "(restarted 3 times in 9s)" and a line
  that it keeps crashing and when riskd stops restarting it (the flapping alert that may
  follow is no surprise then). Its "back" is never held until it has run stably: that left
  "crashed" as the phone's last word for a minute while the worker ran again within a second.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable, Optional, Sequence

import attrs

from services.supervisor.guard import GUARD_WORKERS
from services.supervisor.heldwords import line_owners
from services.supervisor.policy import PolicySettings
from shared import guardwords, shards, showtime
from shared.bus.publisher import KEEP_FOR_S
from shared.clock import from_ns
from shared.exitwords import where_why
from shared.messages.notify import NotifyEvent
from shared.when import gap
from shared.workerdown import CRASHED, FLAPPING, WORKER_BACK, was_down

GUARD_WAIT_NS = 15 * 10**9     # a guard worker back: how long "back" waits for the guard
SETTLE_NS = 10**9              # any other worker: a second (a notify back hears its own "back")


def alerted_down(name: str, notify_running: bool) -> bool:
    """Will the phone hear of `name`'s down (so a "back" must follow)? When notify runs, it
    alerts it. notify's own crash is alerted by the notify that starts next, from the kept copy
    of the WorkerEvent (shared/bus/publisher.py KEEP_FOR_S), and when it was down longer than
    that, the "back" alert itself says so (notify_missed). Trial 2026-12-05: "💥 Worker notify
    crashed: killed by signal 9 (SIGKILL)" was never followed by "back": the supervisor skipped
    notify's own down because notify was not running at that moment."""
    return notify_running or name == "notify"


def down_why(down: str, reason: str, last_exit) -> str:
    """'crashed: killed by signal 9 (SIGKILL)', 'flapping: 5 crashes within 60 s (...)': the
    down's kind once (the policy's flapping reason starts with it; trial 2026-12-06: "market
    was down: flapping: flapping: 5 crashes ...")."""
    why = (reason or f"exit {last_exit}").split("; next try in ")[0]   # over once it is back
    return why if why.startswith(f"{down}:") else f"{down}: {why}"


def guards(name: str) -> bool:
    """Does this worker guard the accounts (market, risk or a risk shard, enforcement)?"""
    return shards.base_name(name) in GUARD_WORKERS


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def stopped_event(names: list[str], ts_ns: int, reason: str = "", who: str = "",
                  left_open: Sequence[str] = (),
                  broker_workers: Sequence[str] = ()) -> NotifyEvent:
    """The alert for an operator's `riskctl stop` of `names` (one worker, or every risk shard):
    who stopped it (the session's role:user, as the audit trail has it; said when unknown),
    what it leaves open for a guard worker (stop.left_open_lines: market's answer at the stop,
    in the words of riskd's own stop alert, heldwords.py; or that it is not known) and the
    reason the operator gave (`--reason`), if any. broker_workers: the sim broker riskd runs
    (shared/guardwords.broker_workers): stopping it leaves the accounts unguarded too (market
    cannot reach the broker), said in the crash alert's words (guardwords.down_line; trial18c:
    `riskctl stop simbroker` said nothing of guarding)."""
    it = "it" if len(names) == 1 else "them"
    what = f"Worker {names[0]}" if len(names) == 1 else f"Workers {_names(names)}"
    by = f"stopped by {who} (riskctl stop)" if who else \
        "riskctl stop by an operator whose session riskd could not name"
    why = [f"reason given: {reason}"] if reason else []
    start = f"riskctl start {shards.base_name(names[0]) if len(names) > 1 else names[0]}"
    if any(guards(n) for n in names):
        return NotifyEvent(
            kind="worker_stopped", severity="critical",
            title=f"⛔ {what} stopped by {who or 'an operator'}: accounts are NOT guarded "
                  f"until {'it is' if len(names) == 1 else 'they are'} started again",
            lines=[f"{by}; nothing restarts {it} until someone runs {start}",
                   *(left_open or ["what is left open is not known: check the broker's platform"]),
                   *why],
            ts_ns=ts_ns,
            # a chat that sees only some accounts gets only their lines (heldwords.Owned)
            line_accounts=line_owners(["", *left_open, *why]))
    if any(n in broker_workers for n in names):
        return NotifyEvent(
            kind="worker_stopped", severity="critical",
            title=f"⛔ {what} stopped by {who or 'an operator'}: accounts are NOT guarded "
                  f"until {'it is' if len(names) == 1 else 'they are'} started again",
            lines=[f"{by}; nothing restarts {it} until someone runs {start}",
                   guardwords.down_line(names[0]), *why],
            ts_ns=ts_ns)
    return NotifyEvent(
        kind="worker_stopped", severity="warning",
        title=f"⏹ {what} stopped by {who or 'an operator'}",
        lines=[f"{by}; {it} stays stopped until someone runs {start}", *why],
        ts_ns=ts_ns)


def started_words(who: str, reason: str) -> str:
    """'started again by admin:root (riskctl start: ops test done)': an operator's start, as
    the stop's line says the stop ('stopped by an operator (riskctl stop: ops test)')."""
    by = f" by {who}" if who else " by an operator"
    return f"started again{by} (riskctl start" + (f": {reason})" if reason else ")")


@attrs.frozen
class Loop:
    """A worker started again within a crash loop: restarts is its crashes within the policy's
    flapping window (each one restarted it), span_s the time from the first of them to this
    start; the policy's settings say when riskd stops restarting it (flapping)."""
    restarts: int
    span_s: float
    settings: PolicySettings

    def words(self) -> str:
        return f"restarted {self.restarts} times in {_shown(self.span_s)}"

    def line(self, name: str, whys: tuple[str, ...] = ()) -> str:
        """whys: its downs' reasons (a signal from outside leaves its log nothing to say)."""
        s = self.settings
        return (f"{name} keeps crashing: at {s.flapping_crashes} crashes within "
                f"{s.flapping_window:g} s riskd stops restarting it for {s.flapping_backoff:g} s "
                f"(flapping); {where_why(shards.base_name(name), whys)}")


@attrs.frozen
class _Down:
    since_ns: int
    why: str
    up_ns: Optional[int] = None      # running again since (waiting to say so)
    loop: Optional[Loop] = None      # it started again within a crash loop
    # the downs of another kind that followed the first before "back" (a stop, then a crash
    # while it started again: trial15a's "back" said only the stop)
    later: tuple[str, ...] = ()
    down_at_ns: int = 0              # its latest down (since_ns: its first)
    off_ns: int = 0                  # not running between since_ns and down_at_ns
    # an operator's `riskctl start` of it: by whom and why (its "back" says it beside the
    # stop's reason: trial17g quoted only "ops test", never "ops test done")
    started: str = ""

    @property
    def whys(self) -> str:
        return "; then ".join((self.why, *self.later))

    @property
    def flapped(self) -> bool:
        return any(w.startswith(FLAPPING) for w in (self.why, *self.later))

    def not_running_s(self) -> float:
        """How long it was not running from its first down to being back (it may have run
        between crashes: trial15a read "back after 39s down" of a worker not running 31 s)."""
        return (self.off_ns + self.up_ns - self.down_at_ns) / 1e9


def _kind(why: str) -> str:
    return why.split(":")[0].split(" (")[0]


@attrs.define
class BackWatch:
    """Which alerted-down workers are back; due() returns the "back" alert when it is time."""

    guard_wait_ns: int = GUARD_WAIT_NS
    settle_ns: int = SETTLE_NS
    # the workers that are the broker riskd watches (shared/guardwords.broker_workers): while
    # one is down the accounts are unguarded, so its "back" speaks of them as a guard's does
    broker_workers: tuple[str, ...] = ()
    _down: dict[str, _Down] = attrs.Factory(dict)
    # the last alert due() returned named a guard worker, so it said whether the accounts are
    # guarded (a "still NOT guarded" owes a "guarded again": guardedagain.py)
    said_guard: bool = False

    def down(self, name: str, now_ns: int, why: str, starting: bool = False) -> None:
        """The phone was told `name` is down (a crash, flapping, a stop). A worker that crashes
        again before its "back" went out keeps its first down time and its first why; a down
        of another kind is added to it ("stopped by an operator ...; then crashed: ... while
        starting"; starting: it crashed before it was up), flapping replacing the crashes it
        ends (the "back" then says it was: the worse news)."""
        known = self._down.get(name)
        if known is None:
            self._down[name] = _Down(now_ns, why, down_at_ns=now_ns)
            return
        off, down_at = known.off_ns, known.down_at_ns
        if known.up_ns is not None:        # it ran since its last down
            off, down_at = off + known.up_ns - known.down_at_ns, now_ns
        first, later = known.why, known.later
        crashes = (CRASHED, FLAPPING)
        if why.startswith(FLAPPING):
            if first.startswith(crashes):
                first = why
            else:
                later = tuple(w for w in later if not w.startswith(crashes)) + (why,)
        elif _kind(why) not in {_kind(w) for w in (first, *later)} and not known.flapped:
            later += (why + (" while starting" if starting else ""),)
        self._down[name] = attrs.evolve(known, up_ns=None, why=first, later=later, off_ns=off,
                                        down_at_ns=down_at)

    def started(self, name: str, who: str = "", reason: str = "") -> None:
        """An operator ran `riskctl start NAME` (who: the session's role:user; reason: its
        --reason): the "back" alert of a worker the phone was told is down says who started it
        and why, beside why it was down. Nothing for a worker not alerted down."""
        known = self._down.get(name)
        if known is not None and known.up_ns is None:
            self._down[name] = attrs.evolve(known, started=started_words(who, reason))

    def up(self, name: str, now_ns: int, loop: Optional[Loop] = None) -> None:
        """`name` is running again (its first sign of life). loop: it started again within a
        crash loop (crashed more than once within the flapping window): its "back" says how
        often it was restarted and how long ago the loop began, and is not held for that (it
        was held until the worker had run stable_after, 60 s: the phone read a minute's outage
        of a worker running again within a second, ops15)."""
        known = self._down.get(name)
        if known is not None and known.up_ns is None:
            self._down[name] = attrs.evolve(known, up_ns=now_ns, loop=loop)

    @property
    def waiting(self) -> bool:
        """A worker is down or not yet announced back: due() has something to decide."""
        return bool(self._down)

    def due(self, now_ns: int, unguarded: Iterable[str],
            tz: dt.tzinfo = dt.timezone.utc,
            unguarded_s: Optional[Callable[[int], float]] = None,
            unguarded_from: Optional[Callable[[int], tuple[int, str]]] = None,
            more: Optional[Callable[[str], list[str]]] = None
            ) -> Optional[NotifyEvent]:
        """The "back" alert for every worker ready to be announced now, or None.

        unguarded: why the accounts are not guarded now (GuardTracker.reasons(); empty when
        they are). A guard worker is ready once that is empty, or GUARD_WAIT_NS after it came
        back; a broker worker the same, but not before SETTLE_NS; any other worker SETTLE_NS
        after it came back. tz: the display zone, for the times a line names (notify_missed).
        unguarded_s(since_ns): the accounts' unguarded seconds from then to now as riskctl
        status counts them (GuardTracker.unguarded_s): a guard worker's "back" says it when it
        differs from the time down. unguarded_from(down_ns): when the accounts became
        unguarded, for a worker that went down then, and the reason that began it
        (GuardTracker.unguarded_from): the count starts there. more(name): lines a ready
        worker's "back" adds (enforcement: what became of the commands it had in flight,
        services/supervisor/inflight.py)."""
        reasons = tuple(unguarded)

        def ready_now(name: str, up_ns: int) -> bool:
            if guards(name):
                return not reasons or now_ns - up_ns >= self.guard_wait_ns
            if now_ns - up_ns < self.settle_ns:
                return False
            return name not in self.broker_workers or not reasons \
                or now_ns - up_ns >= self.guard_wait_ns
        ready = sorted(n for n, d in self._down.items()
                       if d.up_ns is not None and ready_now(n, d.up_ns))
        if not ready:
            return None
        downs = [self._down.pop(n) for n in ready]
        since = min(d.since_ns for d in downs)
        start, first = unguarded_from(since) if unguarded_from is not None else (since, "")
        # the worker that went down first (several back at once: "its" named none, trial19b)
        first_down = ready[min(range(len(downs)), key=lambda i: downs[i].since_ns)]
        if first in {f"{n} not running" for n in ready}:
            # a hung worker killed: counted from then
            first = "its last sign of life" if len(ready) == 1 else \
                f"{first.removesuffix(' not running')}'s last sign of life"
        counted = unguarded_s(start) if unguarded_s is not None else None
        longest = max(d.up_ns - d.since_ns for d in downs) / 1e9
        who = f"Worker {ready[0]} is" if len(ready) == 1 else f"Workers {_names(ready)} are"
        off = downs[0].not_running_s()
        ran = len(ready) == 1 and _shown(longest) != _shown(off)
        if ran:         # it ran between its downs: both figures, what they are
            title = (f"🟢 {who} back after {_shown(off)} down ({_shown(longest)} since it "
                     f"first went down; it ran in between)")
        else:
            title = f"🟢 {who} back after {_shown(longest)} down"
        if len(ready) == 1 and downs[0].loop is not None:
            title += f" ({downs[0].loop.words()})"
        # a broker worker's down unguarded the accounts (the hubs dropped): it says so too
        self.said_guard = any(guards(n) for n in ready) or (
            any(n in self.broker_workers for n in ready) and bool(reasons or counted))
        if self.said_guard:
            title += (": accounts are guarded again" if not reasons else
                      f", but accounts are still NOT guarded: {', '.join(reasons)}")
        lines = [was_down(n, d.whys) + (f" ({d.loop.words()})"
                                              if d.loop is not None and len(ready) > 1 else "")
                 + (f"; {d.started}" if d.started else "")
                 for n, d in zip(ready, downs)]
        if counted is not None and self.said_guard:
            # the unguarded time is always said (trial18c section 5: risk's and enforcement's
            # "back" never said it, market's in one run and not the other: it was left out
            # when it read as the down figure). When it reads as a down figure the title gives
            # (as the title shows it: tenths under 10 s, 4s beside 4.05 s counted) one short
            # line says so, else both with what each is
            if _shown(counted) not in {_shown(longest), _shown(off) if ran else None}:
                # two figures for one outage say what each is (trial16a finding 7: "back
                # after 0.4s down" beside "unguarded 0.5s of the 0.6s since")
                lines.append(unguarded_line(counted, now_ns, since, start, first, reasons,
                                            _shown(off if ran else longest), len(ready),
                                            first_down))
            else:
                lines.append(same_line(counted, reasons, len(ready)))
        # still in the loop (not back from flapping's long wait): it may crash again soon
        lines += [d.loop.line(n, (d.why, *d.later)) for n, d in zip(ready, downs)
                  if d.loop is not None and not d.flapped]
        lines += [line for n, d in zip(ready, downs) if n == "notify"
                  for line in notify_missed(d.since_ns, d.up_ns, tz)]
        if more is not None:
            lines += [line for n in ready for line in more(n)]
        return NotifyEvent(kind=WORKER_BACK, severity="info", title=title, lines=lines,
                           ts_ns=now_ns)


def unguarded_line(counted: float, now_ns: int, down_ns: int, start_ns: int, first: str,
                   reasons: Sequence[str], down: str, workers: int,
                   first_down: str = "") -> str:
    """The "back" alert's line on the unguarded time, counted from start_ns, when the accounts
    became unguarded (first: the reason that began it, when that was before down_ns, the
    worker's going down; with several workers back, first_down's, the first of them to go
    down, named: "from when risk, the first of them, went down"). "until they were guarded
    again" only when they are (reasons empty); while they are not, how long so far, and that
    an alert follows (guardedagain.py)."""
    ago = _shown((now_ns - start_ns) / 1e9)
    going = "its going down" if workers == 1 or not first_down else \
        f"{first_down}, the first of them, went down"
    origin = (going if workers == 1 or not first_down else f"when {going}") \
        if start_ns >= down_ns else (
        f"{_shown((down_ns - start_ns) / 1e9)} before {going}"
        + (f" ({first})" if first else ""))
    what = "the process was" if workers == 1 else "the longest of them was"
    process = f"the {down} down is how long {what} not running"
    if not reasons:
        return (f"accounts were unguarded {_shown(counted)} (riskctl status counts the same): "
                f"from {origin}, {ago} ago, until they were guarded again; {process}")
    return (f"accounts have been unguarded {_shown(counted)} so far (riskctl status counts "
            f"the same), from {origin}, {ago} ago; {process}; an alert follows when they are "
            f"guarded again")


def same_line(counted: float, reasons: Sequence[str], workers: int = 1) -> str:
    """The "back" alert's line on the unguarded time when it reads as the time down: 'accounts
    were unguarded 0.4s, while it was down (riskctl status counts the same)'."""
    if reasons:
        return (f"accounts have been unguarded {_shown(counted)} so far (riskctl status counts "
                f"the same); an alert follows when they are guarded again")
    it = "it was" if workers == 1 else "they were"
    return (f"accounts were unguarded {_shown(counted)}, while {it} down (riskctl status "
            f"counts the same)")


def _shown(seconds: float) -> str:
    """A duration as the alert shows it, and as its figures are compared (two that read alike
    are one): tenths under 10 s, whole seconds above (shared/when.gap). Whole seconds alone
    read a 1.6 s outage as "1s" right after a 0.6 s one read "0.6s" (trial16g section 8)."""
    return gap(seconds)


def notify_missed(since_ns: int, up_ns: int, tz: dt.tzinfo) -> list[str]:
    """What a notify down longer than the PUBs keep alerts for (KEEP_FOR_S, shared/bus/
    publisher.py) never got: what was published from its down until KEEP_FOR_S before it was
    back. The line says the outage (down to back), then that unsent window by name, that
    notify sends those decisions from risk's history (services/notify/catchup.py) and the
    history command that shows them (trial: a breach decided while notify was down 16 s never
    reached the phone, and nothing said so; trial 2: the unsent window alone, read as the
    outage, made a 20 s down look like 9 s)."""
    if up_ns - since_ns <= KEEP_FOR_S * 1e9:
        return []
    start = showtime.start(since_ns, tz, up_ns)
    back = showtime.start(up_ns, tz, up_ns)
    end = showtime.start(up_ns - int(KEEP_FOR_S * 1e9), tz, up_ns)
    since = from_ns(showtime.down_to_second(since_ns), tz).isoformat()
    return [f"notify was down from {start} to {back}, longer than the {KEEP_FOR_S:g} s riskd "
            f"keeps alerts for: what was published from {start} to {end} never reached it; "
            f"it sends what risk decided meanwhile from risk's history, marked sent late; "
            f"riskctl history --since {since} shows all of it"]
