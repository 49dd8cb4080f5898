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

from shared import quietprice
from shared.clock import Clock
from shared.messages.market import BrokerConnection

DISCONNECTED, CONNECTING, CONNECTED = "disconnected", "connecting", "connected"
RECONNECTING, MARKET_CLOSED = "reconnecting", "market_closed"
STATES = (DISCONNECTED, CONNECTING, CONNECTED, RECONNECTING, MARKET_CLOSED)


always_open = quietprice.always_open


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
        self.precaution = False      # dropped only because its feed was quiet (FeedWatch)

    def _to(self, state: str, reason: str = "",
            precaution: bool = False) -> Optional[BrokerConnection]:
        if (state, reason, precaution) == (self.state, self.reason, self.precaution):
            return None
        self.precaution = precaution
        if state != self.state:
            self.since_ns = self.clock.now_ns()
        self.state, self.reason = state, reason
        return self.view()

    def view(self) -> BrokerConnection:
        return BrokerConnection(hub=self.hub, state=self.state, reason=self.reason,
                                since_ns=self.since_ns, precaution=self.precaution)

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
        return self._to(RECONNECTING if self.ever_connected else CONNECTING, self.reason,
                        self.precaution)

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

    def lost(self, reason: str, wait: Optional[float] = None,
             precaution: bool = False) -> Optional[BrokerConnection]:
        """The attempt failed or the connection dropped; schedule the next attempt (after the
        backoff, or after `wait` seconds when given: e.g. a login the broker refused).
        precaution: the owner dropped a connected hub only because its feed was quiet; the
        state says so until the reconnect opens or an attempt of it fails."""
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
        return self._to(RECONNECTING if self.ever_connected else CONNECTING, reason,
                        precaution and self.state == CONNECTED)

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
    quote at all for `stale_after` seconds during trading hours is silently dead.

    Liveness is traffic: a quote whose time moved on, on any subscribed contract, proves the
    feed alive. The full quote a hub sends to every new subscriber does not: it repeats the
    last quote, and comes from a live connection over a dead or quiet feed alike. A feed
    still silent after the reconnect a stale feed caused is more likely a quiet market (a
    thin contract overnight, a paused sim) than a dead hub: each such reconnect doubles the
    silence needed for the next one (15, 30, 60, 120, 240 s: up to `most`), and only a live
    quote, or the end of the watch (nothing subscribed: nothing_subscribed), brings it back
    to `stale_after`.

    Round 10's trial: the backoff of round 7 never took, because the subscriber's full quote
    after every reconnect counted as traffic and reset it: a paused sim was reconnected every
    ~17 s, 42 times in 12 minutes, each with a WARNING line and counted as unguarded time.

    `hours` says when the watch runs, for the log line: the broker's trading hours (the
    market worker's session window), or nothing for the sim (watched at all hours: riskd does
    not know when the sim's market is closed).
    """

    def __init__(self, clock: Clock, stale_after: float = quietprice.STALE_AFTER_S,
                 market_open: Callable[[int], bool] = always_open, most: float = 240.0,
                 hours: str = "during trading hours"):
        self.clock, self.market_open = clock, market_open
        self.base = self.stale_after = stale_after
        self.most = max(most, stale_after)
        self.hours = hours
        self._since: Optional[float] = None        # watching since (last quote or subscribe)
        self.reconnects = 0                        # stale reconnects since the last live quote
        self.quiet_since: Optional[float] = None   # the silence the reconnects are about
        self._at_most_before = False               # the wait was already longest (summary)

    def watching(self, active: bool) -> None:
        """active: connected with at least one subscription. Starts or stops the watch."""
        if not active:
            self._since = None
        elif self._since is None:
            self._since = self.clock.monotonic()

    def quote(self, live: bool = True) -> Optional[str]:
        """Quotes arrived. live: at least one is news (its time moved on); False: only the
        full quote a hub repeats to a new subscriber. Returns a summary to log when a live
        quote ends a silence that cost stale reconnects, else None."""
        if self._since is None or not live:
            return None
        now = self.clock.monotonic()
        self._since = now
        self.stale_after = self.base               # traffic: the feed is alive
        if not self.reconnects:
            return None
        quiet = now - (self.quiet_since if self.quiet_since is not None else now)
        done, self.reconnects, self.quiet_since = self.reconnects, 0, None
        return (f"quotes again after {quiet:.0f} s of silence ({done} stale-feed "
                f"reconnect{'' if done == 1 else 's'} meanwhile); stale after "
                f"{self.base:.0f} s again")

    def nothing_subscribed(self) -> Optional[str]:
        """No contract is subscribed any more (every account flat, nothing working): the watch
        stops, and the silence its stale reconnects were about ends with it. The next watch (a
        new position, maybe hours later) is a new question: stale after `stale_after` again,
        not after the longest wait of an old silence (before, a dead feed then went unnoticed
        for 240 s where 15 s was documented). Returns a line to log when reconnects ended so."""
        self._since = None
        self.stale_after = self.base
        if not self.reconnects:
            return None
        done, self.reconnects, self.quiet_since = self.reconnects, 0, None
        return (f"nothing to quote any more after {done} stale-feed reconnect"
                f"{'' if done == 1 else 's'}; stale after {self.base:.0f} s again")

    def stale(self) -> Optional[str]:
        """A reason when the feed is stale (the owner reconnects), else None."""
        if self._since is None or not self.market_open(self.clock.now_ns()):
            return None
        silent = self.clock.monotonic() - self._since
        if silent < self.stale_after:
            return None
        if self.quiet_since is None:
            self.quiet_since = self._since
        self._since = None
        self.reconnects += 1
        self._at_most_before = self.stale_after >= self.most
        self.stale_after = min(self.most, self.stale_after * 2)
        hours = f" {self.hours}" if self.hours else ""
        return (f"no quote for {silent:.0f} s{hours} (stale feed; if it stays quiet, the "
                f"next reconnect after {self.stale_after:.0f} s of silence)")

    def loud(self) -> bool:
        """After stale(): is this reconnect worth a WARNING? Only the first of a silence;
        the others are logged at INFO, with summary() at WARNING once the wait is longest."""
        return self.reconnects == 1

    def summary(self) -> Optional[str]:
        """After stale(): once, when the wait has just grown to its longest, a summary of the
        silence so far (logged at WARNING), else None."""
        if self.reconnects < 2 or self.stale_after < self.most or self._at_most_before:
            return None
        return (f"the quote feed stays quiet: {self.reconnects} stale-feed reconnects in "
                f"{self.quiet_for():.0f} s; one every {self.most:.0f} s of silence while it "
                f"does (logged at INFO)")

    def quiet_for(self) -> float:
        """Seconds of silence the stale reconnects are about (0 when none)."""
        if self.quiet_since is None:
            return 0.0
        return self.clock.monotonic() - self.quiet_since
