"""Unguarded time: the intervals in which riskd could not fully guard the accounts.

Pure bookkeeping fed by the worker: a broker hub not connected (user hub: fills and positions
unseen; market hub: open PnL blind), enforcement silent (no message from it for
`enforcement_timeout`), or risk itself not running (the gap between its last sign of life
before a restart and the restart). 'market_closed' counts as guarded: there is nothing to
trade. The day's total resets at the trading-day roll; an interval that spans the roll is
split there. Closed intervals are handed out once (for the history).
"""
from __future__ import annotations

from typing import Optional

from shared.messages.risk import UnguardedInterval

NS = 1_000_000_000
OK_STATES = ("connected", "market_closed")


class Guard:
    def __init__(self, enforcement_timeout: float = 5.0, watch_enforcement: bool = True):
        self.timeout_ns = int(enforcement_timeout * NS)
        self.watch_enforcement = watch_enforcement
        self.hubs: dict[str, str] = {}
        self.enforcement_seen_ns: Optional[int] = None
        self.started_ns: Optional[int] = None
        self.day_total_ns = 0
        self.open_since: Optional[int] = None
        self.open_reason = ""
        self.closed: list[UnguardedInterval] = []

    # -- inputs ---------------------------------------------------------------------------
    def start(self, now: int, last_alive_ns: Optional[int], day_start_ns: int,
              day_total_ns: int) -> None:
        """Risk starts: restore today's total and count the time risk was not running."""
        self.started_ns = now
        self.day_total_ns = day_total_ns
        if last_alive_ns is not None and last_alive_ns < now:
            begin = max(last_alive_ns, day_start_ns)
            if begin < now:
                self._close(begin, now, "risk was not running")

    def hub(self, name: str, state: str) -> None:
        self.hubs[name] = state

    def enforcement_alive(self, now: int) -> None:
        self.enforcement_seen_ns = now

    # -- the clock ----------------------------------------------------------------------------
    def why_unguarded(self, now: int) -> str:
        down = sorted(f"{h} hub {s}" for h, s in self.hubs.items() if s not in OK_STATES)
        if not self.hubs:
            down.append("broker feed not connected yet")
        if self.watch_enforcement:
            seen = self.enforcement_seen_ns
            if seen is None:
                if self.started_ns is not None and now - self.started_ns > self.timeout_ns:
                    down.append("enforcement not running")
            elif now - seen > self.timeout_ns:
                down.append("enforcement not running")
        return "; ".join(down)

    def tick(self, now: int) -> None:
        reason = self.why_unguarded(now)
        if reason and self.open_since is None:
            self.open_since, self.open_reason = now, reason
        elif reason and reason != self.open_reason:
            self._close(self.open_since, now, self.open_reason)
            self.open_since, self.open_reason = now, reason
        elif not reason and self.open_since is not None:
            self._close(self.open_since, now, self.open_reason)
            self.open_since = None

    def roll(self, roll_ns: int) -> float:
        """The trading day rolled at roll_ns: split an open interval, start a new total;
        returns the ended day's unguarded seconds."""
        if self.open_since is not None and self.open_since < roll_ns:
            self._close(self.open_since, roll_ns, self.open_reason)
            self.open_since = roll_ns
        ended = self.day_total_ns / NS
        self.day_total_ns = 0
        return ended

    def _close(self, begin: int, end: int, reason: str) -> None:
        self.day_total_ns += end - begin
        self.closed.append(UnguardedInterval(start_ns=begin, end_ns=end, reason=reason))

    # -- outputs ---------------------------------------------------------------------------
    def seconds(self, now: int) -> float:
        open_ns = now - self.open_since if self.open_since is not None else 0
        return (self.day_total_ns + open_ns) / NS

    def take_closed(self) -> list[UnguardedInterval]:
        out, self.closed = self.closed, []
        return out
