"""The connection state machine of one broker hub (pure, clock-injected).

States: disconnected (not started / stopped), connecting (first attempt),
connected, reconnecting (lost; waiting or attempting again), market_closed
(lost while the market is shut: retry slowly at the backoff cap and say so
rather than "error").

Backoff doubles from `initial` to `cap` (1 s -> 60 s). A connection that
stayed up for `stable_after` seconds resets it; one that drops sooner keeps
climbing, so a server that accepts and immediately drops is not stormed.
An attempt that does not open within `connect_timeout` counts as failed
(signalrcore reports some failures, such as a refused handshake, not at all).

A connect the broker refused with HTTP 401 (token_refused) is not worth waiting for: the
next attempt is due at once and logs in again first (relogin_due; `relogging` while that
attempt runs). Only once: if the attempt with the fresh token is refused as well, the link
backs off as for any failure (never a tight loop on a token or a key the broker refuses).

Every method returns the new BrokerConnection when the visible state or
reason changed (publish it), else None.
"""
from __future__ import annotations

from typing import Callable, Optional

from shared.clock import Clock
from shared.messages.market import BrokerConnection

DISCONNECTED, CONNECTING, CONNECTED = "disconnected", "connecting", "connected"
RECONNECTING, MARKET_CLOSED = "reconnecting", "market_closed"
STATES = (DISCONNECTED, CONNECTING, CONNECTED, RECONNECTING, MARKET_CLOSED)


def always_open(_now_ns: int) -> bool:
    return True


class HubLink:
    def __init__(self, hub: str, clock: Clock, *, initial: float = 1.0, cap: float = 60.0,
                 connect_timeout: float = 15.0, stable_after: float = 10.0,
                 market_open: Callable[[int], bool] = always_open):
        if not 0 < initial <= cap:
            raise ValueError(f"expected 0 < initial <= cap, got {initial} and {cap}")
        self.hub, self.clock = hub, clock
        self.initial, self.cap = initial, cap
        self.connect_timeout, self.stable_after = connect_timeout, stable_after
        self.market_open = market_open
        self.state = DISCONNECTED
        self.reason = ""
        self.since_ns = clock.now_ns()
        self.failures = 0
        self.attempts = 0
        self.next_attempt: Optional[float] = None     # monotonic; None: no attempt wanted
        self.deadline: Optional[float] = None         # of the attempt under way
        self.opened_at: Optional[float] = None
        self.ever_connected = False
        self.relogin_due = False     # the next attempt logs in again first (token refused)
        self.relogging = False       # the attempt under way carries a fresh login

    def _to(self, state: str, reason: str = "") -> Optional[BrokerConnection]:
        if (state, reason) == (self.state, self.reason):
            return None
        if state != self.state:
            self.since_ns = self.clock.now_ns()
        self.state, self.reason = state, reason
        return self.view()

    def view(self) -> BrokerConnection:
        return BrokerConnection(hub=self.hub, state=self.state, reason=self.reason,
                                since_ns=self.since_ns)

    # -- what the owner tells us ------------------------------------------------------------
    def start(self) -> Optional[BrokerConnection]:
        """Want a connection: the first attempt is due now."""
        if self.next_attempt is None and self.deadline is None and self.state != CONNECTED:
            self.next_attempt = self.clock.monotonic()
        return None

    def waiting(self, reason: str) -> Optional[BrokerConnection]:
        """Not started yet because something before the hub failed (e.g. the login)."""
        if self.state in (DISCONNECTED, CONNECTING) and self.next_attempt is None:
            return self._to(self.state, reason)
        return None

    def attempt_due(self) -> bool:
        return (self.next_attempt is not None and self.deadline is None
                and self.clock.monotonic() >= self.next_attempt)

    def attempting(self) -> Optional[BrokerConnection]:
        """An attempt starts now (token fetched, socket opening)."""
        self.attempts += 1
        self.next_attempt = None
        self.relogging, self.relogin_due = self.relogin_due, False
        self.deadline = self.clock.monotonic() + self.connect_timeout
        if self.state == MARKET_CLOSED and not self.market_open(self.clock.now_ns()):
            return None
        return self._to(RECONNECTING if self.ever_connected else CONNECTING, self.reason)

    def opened(self) -> Optional[BrokerConnection]:
        self.deadline = None
        self.next_attempt = None
        self.opened_at = self.clock.monotonic()
        self.ever_connected = True
        self.relogging = self.relogin_due = False
        return self._to(CONNECTED)

    def token_refused(self, reason: str) -> Optional[BrokerConnection]:
        """The broker refused the session token (HTTP 401 on connect): the next attempt logs
        in again, at once; if this attempt already carried a fresh login, after the backoff."""
        fresh_refused = self.relogging
        change = self.lost(reason)
        self.relogin_due = True
        if not fresh_refused and self.state != MARKET_CLOSED and self.next_attempt is not None:
            self.failures = max(0, self.failures - 1)     # no backoff step for this one
            self.next_attempt = self.clock.monotonic()
        return change

    def lost(self, reason: str, wait: Optional[float] = None) -> Optional[BrokerConnection]:
        """The attempt failed or the connection dropped; schedule the next attempt (after the
        backoff, or after `wait` seconds when given: e.g. a login the broker refused)."""
        now = self.clock.monotonic()
        if self.state == DISCONNECTED and self.next_attempt is None and self.deadline is None:
            return None       # stopped: nothing to retry
        if (self.state == CONNECTED and self.opened_at is not None
                and now - self.opened_at >= self.stable_after):
            self.failures = 0
        self.deadline = None
        self.opened_at = None
        if not self.market_open(self.clock.now_ns()):
            self.next_attempt = now + self.cap
            return self._to(MARKET_CLOSED, "market closed")
        delay = min(self.cap, self.initial * 2 ** self.failures) if wait is None else wait
        self.failures += 1
        self.next_attempt = now + delay
        return self._to(RECONNECTING if self.ever_connected else CONNECTING, reason)

    def check(self) -> Optional[str]:
        """A reason if the attempt under way is past its deadline (the owner drops it and
        calls lost(reason)), else None."""
        if self.deadline is not None and self.clock.monotonic() >= self.deadline:
            return f"no answer from the {self.hub} hub within {self.connect_timeout:g} s"
        return None

    def stop(self) -> Optional[BrokerConnection]:
        self.next_attempt = None
        self.deadline = None
        self.opened_at = None
        return self._to(DISCONNECTED)

    def retry_in(self) -> Optional[float]:
        if self.next_attempt is None:
            return None
        return max(0.0, self.next_attempt - self.clock.monotonic())


class FeedWatch:
    """Stale-feed detection (pure): a connected market hub with subscriptions that brings no
    quote at all for `stale_after` seconds while the market is open is silently dead.

    Liveness is traffic: any quote on any subscribed contract proves the feed alive. A feed
    still silent after the reconnect a stale feed caused is more likely a quiet market (a
    thin contract overnight, a paused sim) than a dead hub: each such reconnect doubles the
    silence needed for the next one (up to `most`), and the first quote brings it back to
    `stale_after`. Before, a quiet feed was reconnected every ~16 s, each reconnect counted
    as unguarded time and flickered "NOT GUARDED" on the screens (round 7's trial).
    """

    def __init__(self, clock: Clock, stale_after: float = 15.0,
                 market_open: Callable[[int], bool] = always_open, most: float = 240.0):
        self.clock, self.market_open = clock, market_open
        self.base = self.stale_after = stale_after
        self.most = max(most, stale_after)
        self._since: Optional[float] = None        # watching since (last quote or subscribe)

    def watching(self, active: bool) -> None:
        """active: connected with at least one subscription. Starts or stops the watch."""
        if not active:
            self._since = None
        elif self._since is None:
            self._since = self.clock.monotonic()

    def quote(self) -> None:
        if self._since is not None:
            self._since = self.clock.monotonic()
            self.stale_after = self.base           # traffic: the hub is alive

    def stale(self) -> Optional[str]:
        """A reason when the feed is stale (the owner reconnects), else None."""
        if self._since is None or not self.market_open(self.clock.now_ns()):
            return None
        silent = self.clock.monotonic() - self._since
        if silent < self.stale_after:
            return None
        self._since = None
        self.stale_after = min(self.most, self.stale_after * 2)
        return (f"no quote for {silent:.0f} s while the market is open (stale feed; if it "
                f"stays quiet, the next reconnect after {self.stale_after:.0f} s of silence)")
