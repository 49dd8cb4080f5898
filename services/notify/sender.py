"""One delivery thread per channel: queue on disk -> planner -> channel, with bounded retries.

The thread reads the channel's pending alerts from the outbox, asks the
Planner what to send (one alert, a digest, or wait), sends it with tenacity
(retry_tries attempts, exponential backoff from retry_initial_s, a 429's
retry_after honoured) and only then removes the alerts from the outbox. A
delivery that fails every try marks the channel failing (reported by status),
keeps the alerts queued and pauses the channel for failed_retry_s; the worker
itself keeps running. HTTP waits happen here, never in the worker's poll loop.
A channel with per-chat scopes (Telegram) gets each chat's own text: the alert only for the
chats that see its account, a digest of only the alerts each chat sees.

Answers to Telegram commands (outbox replies) go through the same thread, bucket and
retries as the alerts: they are sent first (someone is waiting for them) and each spends
a token; room() tells the command side how many more answers fit the rate limit now.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable, Optional

import tenacity

from services.notify.channels import ChannelError, RateLimited
from services.notify.outbox import Outbox, ReplyRow, Row
from services.notify.ratelimit import DIGEST, WAIT, Planner, Queued
from services.notify.templates import Context, render_digest
from shared.clock import NS_PER_S, Clock
from shared.config.notify import NotifyConfig
from shared.messages.notify import ChannelState

log = logging.getLogger(__name__)

IDLE_WAIT_S = 1.0


class Stopping(Exception):
    """The worker is stopping: abandon the current retry wait (the alert stays queued)."""


class ChannelSender:
    def __init__(self, channel, outbox: Outbox, cfg: NotifyConfig, clock: Clock, ctx: Context,
                 min_severity: str):
        self.channel = channel
        self.name = channel.name
        self.outbox = outbox
        self.cfg = cfg
        self.clock = clock
        self.ctx = ctx
        self.min_severity = min_severity
        self.planner = Planner(cfg.rate_per_minute, cfg.digest_quiet_s, cfg.digest_max_wait_s,
                               self._now())
        self.wake = threading.Event()
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        self.sent = 0
        self.digests = 0
        self.failures = 0
        self.last_error = ""
        self.last_ok_ns: Optional[int] = None
        self.paused_until = 0.0
        self._not_before = 0.0
        self._thread: Optional[threading.Thread] = None

    def carry_counts(self, before: "ChannelSender") -> None:
        """Take over what the sender this one replaces (a config change) counted."""
        self.sent, self.digests, self.failures = before.sent, before.digests, before.failures
        self.last_error, self.last_ok_ns = before.last_error, before.last_ok_ns

    def _now(self) -> float:
        return self.clock.now_ns() / NS_PER_S

    # -- thread ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"notify-{self.name}",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self.stop_event.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def poke(self) -> None:
        """New alerts are queued: look now."""
        self.wake.set()

    def _run(self) -> None:
        try:
            while not self.stop_event.is_set():
                self.wake.clear()
                try:
                    wait = self.step()
                except Stopping:
                    break
                except Exception:        # a bug here must not end deliveries for good
                    log.exception("notify: %s sender step failed", self.name)
                    wait = IDLE_WAIT_S
                if wait is None or wait > 0:
                    self.wake.wait(IDLE_WAIT_S if wait is None else min(wait, IDLE_WAIT_S))
        finally:
            self.outbox.close()

    # -- one step (also driven directly by tests) -------------------------------------------
    def step(self) -> Optional[float]:
        """Send at most one message; returns seconds until the next look (None: on arrival)."""
        now = self._now()
        if now < self.paused_until:
            return self.paused_until - now
        reply = self.outbox.next_reply(self.name)
        if reply is not None:
            return self._answer(reply, now)
        rows = self.outbox.pending(self.name)
        queued = [Queued(r.id, r.severity, r.created_ns / NS_PER_S) for r in rows]
        with self._lock:          # room() reads the bucket from the command thread
            plan = self.planner.decide(queued, now)
        if plan.kind == WAIT:
            return None if plan.wake_at is None else max(0.0, plan.wake_at - now)
        chosen = [r for r in rows if r.id in set(plan.ids)]
        try:
            self.deliver_rows(chosen, digest=plan.kind == DIGEST)
        except ChannelError as exc:
            self._failed(exc, now)
            return self.paused_until - now
        self.outbox.delivered(self.name, plan.ids)
        with self._lock:
            self.sent += 1
            self.digests += plan.kind == DIGEST
            self.failures = 0
            self.last_error = ""
            self.last_ok_ns = self.clock.now_ns()
        log.info("notify: %s accepted %s", self.name,
                 f"a digest of {len(chosen)} alerts" if plan.kind == DIGEST
                 else f"{chosen[0].kind}: {chosen[0].title}",
                 extra={"channel": self.name, "alerts": len(chosen)})
        return 0.0

    def digest_text(self, rows: list[Row], critical: bool = False) -> str:
        return render_digest([(r.created_ns, r.title, r.text) for r in rows], self.ctx,
                             max_chars=min(3500, self.channel.max_text - 100),
                             why="critical, sent at once" if critical else "rate limit reached")

    def deliver_rows(self, rows: list[Row], digest: bool) -> str:
        """Send these alerts (one, or a digest of them); with per-chat scopes, each chat gets
        only what it sees (a chat that sees none of them gets nothing)."""
        critical = all(r.severity == "critical" for r in rows)

        def text_of(seen: list[Row]) -> Optional[str]:
            if not seen:
                return None
            return self.digest_text(seen, critical=critical) if digest else seen[0].text
        text_for = (lambda chat: text_of(self.channel.visible(chat, rows))) \
            if self.channel.per_chat else None
        return self.deliver(text_of(rows), None if digest else rows[0].button_account, text_for)

    def deliver(self, text: str, button_account: Optional[int] = None,
                text_for: Optional[Callable[[str], Optional[str]]] = None) -> str:
        """Send with bounded retries; raises the last ChannelError when every try failed."""
        done: set = set()
        kwargs: dict = {"text_for": text_for} if text_for is not None else {}
        if button_account is not None and self.channel.buttons:
            kwargs["button_account"] = button_account
        return self._retrying(self.channel.send, text, done, **kwargs)

    def _retrying(self, send, *args, **kwargs) -> str:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.cfg.retry_tries),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(ChannelError),
            sleep=self._sleep,
            reraise=True)
        return retrying(send, *args, **kwargs)

    # -- answers to commands ----------------------------------------------------------------
    def _answer(self, reply: ReplyRow, now: float) -> float:
        bucket = self.planner.bucket
        with self._lock:
            if not bucket.take(now):
                return max(0.0, bucket.next_token_at(now) - now)
        try:
            self._retrying(self.channel.send_to, reply.chat, reply.text, reply.markup)
        except ChannelError as exc:
            self._failed(exc, now)
            return self.paused_until - now
        self.outbox.reply_sent(reply.id)
        with self._lock:
            self.sent += 1
            self.failures = 0
            self.last_error = ""
            self.last_ok_ns = self.clock.now_ns()
        return 0.0

    def room(self) -> float:
        """How many more messages the rate limit lets out now (tokens left minus answers
        already queued); the command side refuses a command when there is no room."""
        with self._lock:
            tokens = self.planner.bucket.peek(self._now())
        return tokens - self.outbox.replies_queued(self.name)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            self._not_before = self._now() + exc.retry_after
            return min(exc.retry_after, self.cfg.retry_max_s)
        return min(self.cfg.retry_max_s,
                   self.cfg.retry_initial_s * 2 ** (state.attempt_number - 1))

    def _sleep(self, seconds: float) -> None:
        if self.stop_event.wait(seconds):
            raise Stopping()

    def _failed(self, exc: ChannelError, now: float) -> None:
        self.paused_until = max(now + self.cfg.failed_retry_s, self._not_before)
        with self._lock:
            self.failures += 1
            self.last_error = exc.reason
        log.warning("notify: %s did not accept a message after %d tries: %s; keeping it queued, "
                    "next try in %.0f s", self.name, self.cfg.retry_tries, exc.reason,
                    self.paused_until - now, extra={"channel": self.name})

    def tested(self, error: str = "") -> None:
        """The answer of `riskctl notify test` on this channel, kept as a delivery's is: a
        failed test is the channel's last error and a failure (trial 2026-12-05: the test
        printed FAILED, and straight after `notify status` said idle, FAILURES 0, LAST ERROR
        -); one that went through is its last success. Nothing is paused or retried."""
        with self._lock:
            if error:
                self.failures += 1
                self.last_error = f"test message: {error}"
            else:
                self.failures, self.last_error = 0, ""
                self.last_ok_ns = self.clock.now_ns()

    # -- status -------------------------------------------------------------------------------
    def status(self) -> ChannelState:
        queued = self.outbox.count(self.name)
        with self._lock:
            state = "failing" if self.failures else ("ok" if self.last_ok_ns else "idle")
            return ChannelState(name=self.name, state=state, min_severity=self.min_severity,
                                queued=queued, sent=self.sent, digests=self.digests,
                                failures=self.failures, last_error=self.last_error,
                                last_ok_ns=self.last_ok_ns)
