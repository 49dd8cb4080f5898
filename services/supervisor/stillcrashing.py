"""A worker that keeps crashing after it flapped: one ongoing problem, not a crash and a "back"
every half minute (pure, clock-free: every call carries `now_ns`).

After flapping's wait (policy.py) riskd starts the worker again; one that still crashes is
restarted after back-offs of 16-30 s, so it never reaches flapping_crashes within
flapping_window again, and each crash sent "💥 crashed" and each restart "🟢 back", every
20-30 s for as long as it lasted (noticed by the helper after trial15a). An episode starts
when a worker flaps and lasts while it crashes again within EPISODE_S of its last crash:

- its first crash after the flap is told as any crash (the crash alert, then "back");
- each later one is folded (the supervisor marks its WorkerEvent `folded`, notify sends no
  crash alert, and no "back" follows it): when the worker runs again, at most every
  SAY_EVERY_S, one "🔁 Worker market still crashing: 9 more crashes since it flapped at
  12:03 CST" says how many crashes since, since the last alert, the last cause and that it runs now;
- a folded crash is never hidden while it leaves the worker down: not running DOWN_S after
  it (a back-off is at most 30 s), it is told (down_now), and "back" follows as usual;
- flapping again is told as flapping always is (notify's alert, then "back").

An operator's stop ends the episode (what follows is the operator's).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

import attrs

from shared import showtime
from shared.exitwords import where_why
from shared.messages.notify import NotifyEvent
from shared.plural import plural

EPISODE_S = 600.0      # a crash within this of the last one continues the episode
SAY_EVERY_S = 300.0    # at most one "still crashing" per worker this often
DOWN_S = 45.0          # a folded crash not running again this long after is told


@attrs.define
class _Episode:
    flapped_ns: int             # when it (last) flapped
    last_ns: int                # its last crash or flap
    crashes: int = 0            # crashes since it flapped
    unsaid: int = 0             # folded crashes not in a "still crashing" alert yet
    said_ns: Optional[int] = None
    last_why: str = ""
    down_ns: Optional[int] = None   # a folded crash, not running again yet


@attrs.define
class StillCrashing:
    """Which workers are in a crash episode after flapping, and what to say of them."""

    tz: dt.tzinfo = dt.timezone.utc
    _episodes: dict[str, _Episode] = attrs.Factory(dict)

    def flapped(self, name: str, now_ns: int) -> None:
        """`name` is flapping (told as such): an episode starts, or goes on."""
        ep = self._episodes.get(name)
        if ep is None or self._over(ep, now_ns):
            self._episodes[name] = _Episode(flapped_ns=now_ns, last_ns=now_ns)
        else:
            ep.last_ns, ep.down_ns = now_ns, None

    def crashed(self, name: str, now_ns: int, why: str) -> bool:
        """`name` crashed and riskd restarts it: True when this crash is folded into the
        episode (no crash alert, no "back"); False: told as usual."""
        ep = self._episodes.get(name)
        if ep is None:
            return False
        if self._over(ep, now_ns):
            del self._episodes[name]
            return False
        ep.crashes += 1
        ep.last_ns, ep.last_why = now_ns, why
        if ep.crashes == 1:             # the first after the flap: a crash alert, as any
            return False
        ep.unsaid += 1
        ep.down_ns = now_ns
        return True

    def stopped(self, name: str) -> None:
        """An operator stopped it: the episode ends."""
        self._episodes.pop(name, None)

    def up(self, name: str, now_ns: int, guards: bool) -> Optional[NotifyEvent]:
        """`name` runs again: after a folded crash, the "still crashing" alert when one is due
        (SAY_EVERY_S since the last), else None."""
        ep = self._episodes.get(name)
        if ep is None or ep.down_ns is None:
            return None
        ep.down_ns = None
        if ep.said_ns is not None and now_ns - ep.said_ns < SAY_EVERY_S * 1e9:
            return None
        ep.said_ns = now_ns
        since = showtime.start(ep.flapped_ns, self.tz, now_ns)
        title = (f"🔁 Worker {name} still crashing: "
                 f"{plural(ep.crashes, 'more crash', 'more crashes')} since it flapped at {since}")
        unsaid, ep.unsaid = ep.unsaid, 0
        lines = [f"{plural(unsaid, 'crash', 'crashes')} since the last alert, each restarted by "
                 f"riskd after its back-off; the last: {ep.last_why}",
                 f"running again now{': accounts are guarded while it runs' if guards else ''}; "
                 f"riskd says this at most every {SAY_EVERY_S / 60:g} minutes while it keeps "
                 f"crashing, and at once when a crash leaves it down",
                 where_why(name, (ep.last_why,))]
        return NotifyEvent(kind="worker_still_crashing",
                           severity="critical" if guards else "warning",
                           title=title, lines=lines, ts_ns=now_ns)

    def down_now(self, now_ns: int) -> list[tuple[str, int, str]]:
        """The folded crashes whose worker is not running DOWN_S after: (name, crashed at,
        why), each once; they are told now, and "back" follows them."""
        out = []
        for name, ep in self._episodes.items():
            if ep.down_ns is not None and now_ns - ep.down_ns >= DOWN_S * 1e9:
                out.append((name, ep.down_ns, ep.last_why))
                ep.down_ns = None
        return out

    def down_event(self, name: str, since_ns: int, why: str, now_ns: int,
                   guards: bool) -> NotifyEvent:
        """The alert of a folded crash that left the worker down (down_now)."""
        ep = self._episodes.get(name)
        crashes = plural(ep.crashes, "crash", "crashes") if ep is not None else "crashes"
        flapped = showtime.start(ep.flapped_ns, self.tz, now_ns) if ep is not None else "?"
        return NotifyEvent(
            kind="worker_crashed", severity="critical" if guards else "warning",
            title=(f"💥 Worker {name} crashed again and is not running "
                   f"{(now_ns - since_ns) / 1e9:.0f}s later"
                   + (": accounts are NOT guarded" if guards else "")),
            lines=[f"the last crash: {why}; {crashes} since it flapped at {flapped}",
                   where_why(name, (why,))],
            ts_ns=now_ns)

    def _over(self, ep: _Episode, now_ns: int) -> bool:
        return now_ns - ep.last_ns > EPISODE_S * 1e9

    @property
    def waiting(self) -> bool:
        """A folded crash's worker is not running again yet (down_now has to look)."""
        return any(ep.down_ns is not None for ep in self._episodes.values())
