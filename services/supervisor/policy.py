"""The restart policy: a pure state machine per worker, driven by events and a clock.

States (supervisord's, plus flapping):
  stopped   not running, and nobody wants it to (an operator stopped it, or not started yet)
  starting  spawned, waiting for its first sign of life
  running   alive (heartbeats or any reply seen)
  backoff   crashed; waits out a delay before the next start
  flapping  crashed flapping_crashes times within flapping_window; waits flapping_backoff
  stopping  asked to stop; waiting for the exit

The first restart after a crash is immediate, then the delay doubles from
backoff_initial up to backoff_max; a worker that stayed up stable_after
seconds starts the count afresh. An operator stop is sticky: nothing brings
the worker back until an operator starts it.
"""
from __future__ import annotations

from collections import deque
from typing import Optional

import attrs

from shared.exitwords import exit_words
from shared.worker import EXIT_CONFIG

STOPPED, STARTING, RUNNING, BACKOFF, FLAPPING, STOPPING = (
    "stopped", "starting", "running", "backoff", "flapping", "stopping")


@attrs.frozen(kw_only=True)
class PolicySettings:
    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    flapping_crashes: int = 5
    flapping_window: float = 60.0
    flapping_backoff: float = 120.0
    stable_after: float = 60.0
    startup_timeout: float = 15.0
    heartbeat_timeout: float = 5.0


@attrs.define
class WorkerPolicy:
    """Decides when one worker (re)starts; the caller does the OS work and reports back."""

    settings: PolicySettings
    state: str = STOPPED
    wanted: bool = False              # should it be running (False after an operator stop)
    restarts: int = 0                 # restarts so far: automatic, and `riskctl restart`
    last_exit: Optional[int] = None
    reason: str = ""
    started_at: Optional[float] = None
    alive_at: Optional[float] = None  # last sign of life (monotonic seconds)
    next_start_at: Optional[float] = None
    _consecutive: int = 0             # crashes since the last stable run
    _crashes: deque = attrs.Factory(deque)

    @property
    def crashes_in_a_row(self) -> int:
        """Crashes since it last ran stably or an operator started it: the restart attempt."""
        return self._consecutive

    @property
    def recent_crashes(self) -> int:
        """Crashes within the flapping window (as of the last one)."""
        return len(self._crashes)

    @property
    def loop_started_at(self) -> Optional[float]:
        """When the first of recent_crashes happened (monotonic s), None before any crash."""
        return self._crashes[0] if self._crashes else None

    # -- operator intents -----------------------------------------------------
    def want_start(self, now: float) -> None:
        """Start now (operator start/restart or supervisor boot): clears backoff and flapping."""
        self.wanted = True
        self._consecutive = 0
        self._crashes.clear()
        self.next_start_at = now
        if self.state in (BACKOFF, FLAPPING, STOPPED):
            self.state = BACKOFF
        self.reason = ""

    def config_valid_again(self, now: float) -> bool:
        """The config validates again: a worker waiting only because it refused the config
        (exit 78) starts now, its crash count cleared. True when that applies."""
        if self.wanted and self.state in (BACKOFF, FLAPPING) and self.last_exit == EXIT_CONFIG:
            self.want_start(now)
            return True
        return False

    def restart_requested(self) -> None:
        """An operator's restart (riskctl restart) counts like an automatic one."""
        self.restarts += 1

    def want_stop(self) -> None:
        self.wanted = False
        self.next_start_at = None
        if self.state in (BACKOFF, FLAPPING):
            self.state = STOPPED
        elif self.state in (STARTING, RUNNING):
            self.state = STOPPING

    # -- what the OS told us ----------------------------------------------------
    def spawned(self, now: float) -> None:
        self.state = STARTING
        self.started_at = now
        self.alive_at = None
        self.next_start_at = None

    def alive(self, now: float) -> bool:
        """A sign of life; True when this confirms a start (starting -> running)."""
        self.alive_at = now
        if self.state == STARTING:
            self.state = RUNNING
            return True
        return False

    def exited(self, now: float, code: Optional[int], why: str = "") -> None:
        self.last_exit = code
        if not self.wanted:
            self.state = STOPPED
            self.reason = why or "stopped"
            return
        uptime = now - self.started_at if self.started_at is not None else 0.0
        if uptime >= self.settings.stable_after:
            self._consecutive = 0
        self._crashes.append(now)
        while self._crashes and now - self._crashes[0] > self.settings.flapping_window:
            self._crashes.popleft()
        self._consecutive += 1
        self.restarts += 1
        if len(self._crashes) >= self.settings.flapping_crashes:
            self.state = FLAPPING
            delay = self.settings.flapping_backoff
            self.reason = (f"flapping: {len(self._crashes)} crashes within "
                           f"{self.settings.flapping_window:g} s ({why or exit_words(code)}); "
                           f"next try in {delay:g} s")
        else:
            self.state = BACKOFF
            delay = self.backoff_delay(self._consecutive)
            self.reason = why or exit_words(code)
        self.next_start_at = now + delay

    def backoff_delay(self, consecutive: int) -> float:
        """0 for the first crash, then backoff_initial doubling up to backoff_max."""
        if consecutive <= 1:
            return 0.0
        return min(self.settings.backoff_max, self.settings.backoff_initial * 2 ** (consecutive - 2))

    # -- what to do now -----------------------------------------------------------
    def should_start(self, now: float) -> bool:
        return (self.wanted and self.state in (BACKOFF, FLAPPING, STOPPED)
                and self.next_start_at is not None and now >= self.next_start_at)

    def hung(self, now: float) -> Optional[str]:
        """Why the worker must be killed now (no life within its deadline), or None."""
        if self.state == STARTING and self.started_at is not None and \
                now - self.started_at > self.settings.startup_timeout:
            return f"no sign of life within {self.settings.startup_timeout:g} s of start"
        if self.state == RUNNING and self.alive_at is not None and \
                now - self.alive_at > self.settings.heartbeat_timeout:
            return f"silent for {now - self.alive_at:.1f} s (heartbeat timeout " \
                   f"{self.settings.heartbeat_timeout:g} s): hung"
        return None
