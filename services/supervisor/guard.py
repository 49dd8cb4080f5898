"""Protection gaps: when were the accounts not fully guarded, and for how long today.

Pure bookkeeping, clock-free (every call carries `now_ns`). The accounts are
guarded while market, risk and enforcement are all running and the broker's
user hub is connected (no fills seen otherwise) and its market hub too (no
unrealized PnL otherwise). Any other moment is unguarded, with the reasons.

Except one: market reconnecting its market hub only because the quote feed was quiet (the
stale-feed precaution, BrokerConnection.precaution) while the user hub stays connected. The
fills still arrive; the price-based rules had no prices before the reconnect either, and the
silence itself was not counted: counting the reconnect made a paused sim or a quiet night
add minutes of "unguarded" time with every worker healthy (round 10's trial). A reconnect
attempt that fails is counted as usual (the feed is then down, not quiet).
"""
from __future__ import annotations

from typing import Iterable, Optional

import attrs

from services.supervisor import brokerdown

GUARD_WORKERS = ("market", "risk", "enforcement")
GUARD_HUBS = ("user", "market")
HUB_OK = ("connected", "market_closed")     # a closed market has nothing to guard
RISKD_DOWN = "riskd not running"


@attrs.frozen
class Gap:
    start_ns: int
    end_ns: Optional[int]            # None: still open
    reasons: tuple[str, ...]

    def overlap_s(self, lo_ns: int, hi_ns: int, now_ns: int) -> float:
        end = self.end_ns if self.end_ns is not None else now_ns
        return max(0, min(end, hi_ns) - max(self.start_ns, lo_ns)) / 1e9


@attrs.define
class GuardTracker:
    """Feed it worker states and hub states; it opens and closes gaps."""

    watched_workers: tuple[str, ...] = GUARD_WORKERS
    closed: list[Gap] = attrs.Factory(list)
    open_gap: Optional[Gap] = None
    workers: dict[str, bool] = attrs.Factory(dict)
    hubs: dict[str, str] = attrs.Factory(dict)
    hub_why: dict[str, str] = attrs.Factory(dict)    # market's newest reason per hub
    hub_ns: dict[str, int] = attrs.Factory(dict)     # when market last said it (our clock)
    precaution: dict[str, bool] = attrs.Factory(dict)   # a stale-feed reconnect (see above)

    def reasons(self) -> tuple[str, ...]:
        out = [f"{w} not running" for w in self.watched_workers if not self.workers.get(w)]
        if self.workers.get("market"):
            out += [f"broker {hub} hub {self.hubs.get(hub, 'not connected')}"
                    for hub in GUARD_HUBS if self.hubs.get(hub) not in HUB_OK
                    and not self._only_precaution(hub)]
        return tuple(out)

    def now(self) -> tuple[str, ...]:
        """Why the accounts are not guarded right now (empty: guarded). The open gap keeps
        every reason it had since it opened; these are only the ones true now (trial 16c:
        "market not running; ... broker user hub disconnected; broker user hub connecting"
        for 60 s of a start whose risk shards could not start, market running and connected)."""
        return self.reasons() if self.open_gap is not None else ()

    def worker(self, name: str, running: bool, now_ns: int,
               since_ns: Optional[int] = None) -> Optional[Gap]:
        """since_ns: a worker killed as hung was no guard from its last sign of life, not only
        from its exit (trial: the ~5 s of hang before the kill were not counted)."""
        if name not in self.watched_workers:
            return None
        self.workers[name] = running
        if not running and name == "market":
            self.hubs.clear()          # a new market process reports its hubs afresh
            self.hub_why.clear()
            self.hub_ns.clear()
            self.precaution.clear()
        closed = self._update(now_ns)
        if not running and since_ns is not None and self.open_gap is not None:
            floor = max((g.end_ns for g in self.closed if g.end_ns is not None), default=0)
            start = max(min(self.open_gap.start_ns, since_ns), floor)
            self.open_gap = attrs.evolve(self.open_gap, start_ns=start)
        return closed

    def _only_precaution(self, hub: str) -> bool:
        """The market hub is reconnecting only as the stale-feed precaution, fills flowing."""
        return (hub == "market" and self.precaution.get(hub, False)
                and self.hubs.get("user") == "connected")

    def hub(self, hub: str, state: str, now_ns: int, reason: str = "",
            precaution: bool = False) -> Optional[Gap]:
        self.hubs[hub] = state
        self.hub_why[hub] = reason
        self.hub_ns[hub] = now_ns
        self.precaution[hub] = precaution
        return self._update(now_ns)

    def down_before(self, ns: int, said: bool = True) -> bool:
        """market runs, a guard hub is down now and market's newest word on it was said before
        `ns`: stale once riskd's own sim broker is up since `ns` (market says nothing new until
        its next try; trial20b section 8), whatever that word was: a refused connection ("the
        broker is not reachable"), or, from a market started while the sim was down, "cannot
        list the accounts: ... connection failed" (trial23c F8: `riskctl start simbroker`
        then answered only "simbroker is up", with no word that the accounts stay NOT GUARDED
        until market reconnects). said=False: a hub market has said nothing of yet (a market
        just restarted) counts as down before `ns` too."""
        if not self.workers.get("market"):
            return False            # market not running: its own reason says so
        return any(self.hubs.get(hub) not in HUB_OK
                   and (hub in self.hub_ns or not said)
                   and self.hub_ns.get(hub, ns - 1) < ns
                   for hub in GUARD_HUBS)

    def explained(self, reasons: Iterable[str], broker_down: str = "") -> list[str]:
        """`reasons` for a screen: a hub that is down now says why, in market's words
        ('broker user hub reconnecting: broker refused riskd's session token (HTTP 401):
        logging in again'); both hubs down for the same reason, once; with `broker_down`
        (riskd's own sim broker is not running: brokerdown.sim_down) that one sentence
        instead of the hubs' (trial19b section 10). The gaps keep the short form (their
        reasons are merged)."""
        down = {hub: (self.hubs.get(hub, "not connected"), self.hub_why.get(hub, ""))
                for hub in GUARD_HUBS
                if f"broker {hub} hub {self.hubs.get(hub, 'not connected')}" in reasons}
        lines = brokerdown.hub_lines({h: (s, w if s not in HUB_OK else "")
                                      for h, (s, w) in down.items()})
        out: list[str] = []
        for text in reasons:
            hub = next((h for h in down if text == f"broker {h} hub {down[h][0]}"), None)
            if hub is None:
                out.append(text)
            elif broker_down:
                if broker_down not in out:
                    out.append(broker_down)
            elif hub in lines:
                out.append(lines[hub])
        return out

    def _update(self, now_ns: int) -> Optional[Gap]:
        """Open, re-reason or close the current gap; returns a gap that just closed."""
        why = self.reasons()
        if why and self.open_gap is None:
            self.open_gap = Gap(now_ns, None, why)
        elif why and self.open_gap is not None and why != self.open_gap.reasons:
            merged = tuple(dict.fromkeys(self.open_gap.reasons + why))
            self.open_gap = attrs.evolve(self.open_gap, reasons=merged)
        elif not why and self.open_gap is not None:
            done = attrs.evolve(self.open_gap, end_ns=now_ns)
            self.closed.append(done)
            self.open_gap = None
            return done
        return None

    def all_gaps(self) -> list[Gap]:
        return self.closed + ([self.open_gap] if self.open_gap else [])

    def unguarded_s(self, lo_ns: int, hi_ns: int, now_ns: int) -> float:
        return sum(g.overlap_s(lo_ns, hi_ns, now_ns) for g in self.all_gaps())

    def unguarded_from(self, at_ns: int) -> tuple[int, str]:
        """When the accounts became unguarded, for a worker that went down at at_ns: the start
        of the gap in force then and the reason that opened it ('broker user hub reconnecting'
        when the broker went first); (at_ns, '') when no gap was open before it. Trial18b
        section 5: market killed 2 s after the broker dropped riskd, its "back" counted the
        unguarded time from the kill, while status counted it from the drop."""
        for g in self.all_gaps():
            if g.start_ns < at_ns and (g.end_ns is None or g.end_ns >= at_ns):
                return g.start_ns, g.reasons[0] if g.reasons else ""
        return at_ns, ""

    def forget_before(self, ns: int) -> None:
        self.closed = [g for g in self.closed if g.end_ns is None or g.end_ns >= ns]

    @classmethod
    def resumed(cls, gaps: Iterable[Gap], now_ns: int,
                watched_workers: tuple[str, ...] = GUARD_WORKERS,
                last_alive_ns: Optional[int] = None) -> "GuardTracker":
        """After a supervisor restart: stored gaps, and the time riskd itself was down is a gap.

        A gap left open (riskd was killed during it) is closed at now: riskd was down after it,
        so nothing was known to be guarded. With none open, the time from when the previous
        riskd was last alive (last_alive_ns, stopped cleanly or killed) to now is a gap of its
        own. Then a new gap opens for the start-up (nothing runs yet)."""
        tracker = cls(watched_workers=watched_workers)
        left_open = False
        for gap in gaps:
            left_open = left_open or gap.end_ns is None
            tracker.closed.append(gap if gap.end_ns is not None else
                                  attrs.evolve(gap, end_ns=now_ns,
                                               reasons=gap.reasons + ("riskd restarted",)))
        if not left_open and last_alive_ns is not None and last_alive_ns < now_ns:
            tracker.closed.append(Gap(last_alive_ns, now_ns, (RISKD_DOWN,)))
        tracker._update(now_ns)
        return tracker
