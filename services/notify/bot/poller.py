"""The command thread: getUpdates long polling -> authorise -> answer, queued for the sender.

Each update is handled once: its answers are queued (outbox replies) in the same commit that
marks it handled and moves the persisted offset past it, so a restart neither loses a command
(Telegram re-delivers what was not acknowledged) nor answers one twice; the next getUpdates
acknowledges it to Telegram. Answers wait for the channel's rate limit like alerts do: when
there is no room, a command is refused (not run) and the chat gets one message saying so.
Button presses are answered at once (answerCallbackQuery, buttons removed); they are not
messages and do not count against the limit. Telegram refusing the token (401) or another
poller (409) shows as degraded in `riskctl notify status`; polling goes on with a backoff.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Optional

import attrs

from services.notify.bot import answers
from services.notify.bot.access import Access, Ignored
from services.notify.bot.lockflow import MAX_AGE_S, LockFlow
from services.notify.bot.outcomes import history_outcomes
from services.notify.bot.parse import Command, Refusal, help_text, parse
from services.notify.bot.riskd import Riskd, Unavailable
from services.notify.bot.store import Answer, BotStore
from services.notify.channels import ChannelError, RateLimited
from services.notify.channels.telegram import TelegramChannel
from services.notify.templates import Context
from shared.clock import NS_PER_S, Clock
from shared.messages.control import StatusRequest
from shared.messages.market import OrdersRequest
from shared.messages.notify import CommandsState
from shared.messages.risk import (HistoryRequest, LastRiskStatus, RiskStatusRequest,
                                  in_force_then)

log = logging.getLogger(__name__)

UPDATES = ["message", "edited_message", "callback_query"]
BACKOFF_MAX_S = 5.0          # a network error or a 5xx: poll again soon
TOKEN_BACKOFF_S = 30.0       # 401 / 403 / 404: a person has to fix the token
# (a 409 also follows a config reload while the old long poll ends: retried soon)
LATE_S = 60.0                # a read answered this late says when it was asked
FLOOD_NOTICE_EVERY_S = 60.0  # one "too many commands" message per chat per minute
WARN_EVERY_S = 60.0          # while degraded, one log line a minute


class CommandPoller:
    def __init__(self, telegram, timeout_s: float, outbox, sender, access: Access, ctx: Context,
                 calendar, control_address: str, redactor, clock: Clock, gone=None,
                 direct=None, connections=None):
        """gone / direct: while riskd's supervisor is not running, the words saying so and the
        way to risk itself (services/notify/bot/riskd.py, direct.py); connections(): market's
        broker connections as notify heard them last (/status and /positions mark prices not
        live while its quote feed is down: shared/notlive.py)."""
        self.connections = connections or (lambda: ())
        self.gone = gone
        self.direct = direct
        self.cfg = telegram
        self.timeout_s = timeout_s
        self.outbox = outbox
        self.sender = sender
        self.access = access
        self.ctx = ctx
        self.calendar = calendar
        self.control_address = control_address
        self.redactor = redactor
        self.clock = clock
        self.ignored = Ignored()
        self.answered = 0
        self.refused = 0
        self.state = "idle"
        self.last_error = ""
        self.last_poll_ns: Optional[int] = None
        self.username = ""
        self.offset = 0
        self._flood_notice: dict[str, float] = {}
        self._warned_at = float("-inf")
        self._stop = threading.Event()
        self._in_long_poll = False       # the thread waits in getUpdates (nothing in hand)
        self._thread: Optional[threading.Thread] = None
        self.flow: Optional[LockFlow] = None

    # -- thread -------------------------------------------------------------------------------
    def carry_counts(self, before: "CommandPoller") -> None:
        """Take over what the poller this one replaces (a config change) counted."""
        self.answered, self.refused, self.ignored = before.answered, before.refused, before.ignored

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="notify-commands", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop handling updates (a long poll in flight is abandoned, its updates unread).

        Only an update being handled is waited for (up to timeout): a thread waiting in the
        long poll has nothing to finish, and once _stop is set it handles no update the poll
        returns. Joining it anyway held every notify stop (riskd's stop, a config reload) for
        the whole timeout."""
        self._stop.set()
        if self._thread is not None and not self._in_long_poll:
            self._thread.join(timeout)

    def _run(self) -> None:
        self.api = TelegramChannel(self.cfg, self.timeout_s, self.redactor)
        self.riskd = Riskd(self.control_address, self.gone, self.direct)
        self.store = BotStore(self.outbox)
        self.flow = LockFlow(self.store, self.riskd, self.ctx, self.calendar)
        self.offset = self.store.offset()
        self.store.prune(self.clock.now_ns())
        failures = 0
        try:
            while not self._stop.is_set():
                try:
                    self.poll_once()
                    failures = 0
                except RateLimited as exc:
                    self._failed(exc)
                    self._stop.wait(min(exc.retry_after or BACKOFF_MAX_S, 60.0))
                except ChannelError as exc:
                    failures += 1
                    self._failed(exc)
                    self._stop.wait(TOKEN_BACKOFF_S if exc.status in (401, 403, 404)
                                    else min(BACKOFF_MAX_S, 0.5 * 2 ** (failures - 1)))
                except Exception:          # a bug must not end command handling for good
                    log.exception("telegram commands: polling failed")
                    self._stop.wait(BACKOFF_MAX_S)
        finally:
            self.riskd.close()
            self.outbox.close()

    def poll_once(self) -> None:
        if not self.username:
            me = self.api.call("getMe", {}, self.timeout_s) or {}
            self.username = str(me.get("username") or "") if isinstance(me, dict) else ""
        first = self.last_poll_ns is None
        self.state, self.last_error = "ok", ""     # the token works; a failure says otherwise
        self.last_poll_ns = self.clock.now_ns()    # a long poll in flight is listening
        self._in_long_poll = True
        try:
            updates = self.api.call("getUpdates", {"offset": self.offset,
                                                   "timeout": int(self.cfg.poll_timeout_s),
                                                   "allowed_updates": UPDATES},
                                    self.cfg.poll_timeout_s + 10)
        finally:
            self._in_long_poll = False
        if not isinstance(updates, list):
            raise ChannelError(f"Telegram getUpdates answered {type(updates).__name__}, "
                               f"expected a list of updates")
        self.last_poll_ns = self.clock.now_ns()
        if first or self._warned_at != float("-inf"):
            log.info("telegram commands: listening (bot @%s, from update %d)", self.username,
                     self.offset)
            self._warned_at = float("-inf")
        for update in updates:
            if self._stop.is_set():
                return                 # unhandled: Telegram gives it to the next poller
            self.handle(update)

    def _failed(self, exc: ChannelError) -> None:
        reason = exc.reason
        if exc.status == 401:
            reason = f"Telegram refused the bot token (HTTP 401): check [notify.telegram] " \
                     f"bot_token. {exc.reason}"
        elif exc.status == 409:
            reason = f"another program reads this bot's updates, or a webhook is set (HTTP " \
                     f"409): commands cannot get through. {exc.reason}"
        now = self.clock.monotonic()
        if now - self._warned_at >= WARN_EVERY_S:
            log.warning("telegram commands: %s", reason)
            self._warned_at = now
        self.state, self.last_error = "degraded", reason

    # -- one update ---------------------------------------------------------------------------
    def handle(self, update: Any) -> None:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int):
            log.warning("telegram commands: an update without an update_id was skipped")
            return
        self.offset = max(self.offset, update_id + 1)
        if self.store.handled(update_id):
            return
        now = self.clock.now_ns()
        try:
            out = self._dispatch(update, update_id, now)
        except Exception:              # a bug: say so to an allowed asker, never retry it
            log.exception("telegram commands: update %d failed", update_id)
            out = self._failed_answer(update)
        self.store.finish(update_id, out, now)
        if out:
            self.sender.poke()

    def _dispatch(self, update: dict, update_id: int, now: int) -> list[Answer]:
        if isinstance(update.get("message"), dict):
            return self._on_message(update["message"], update_id, now)
        if isinstance(update.get("edited_message"), dict):
            return self._on_edited(update["edited_message"])
        if isinstance(update.get("callback_query"), dict):
            return self._on_button(update["callback_query"], update_id, now)
        return []

    def _failed_answer(self, update: dict) -> list[Answer]:
        for kind in ("message", "edited_message", "callback_query"):
            item = update.get(kind)
            if isinstance(item, dict):
                inner = item.get("message") if kind == "callback_query" else item
                chat, user = self._who(inner if isinstance(inner, dict) else {})
                if kind == "callback_query":
                    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
                    user = sender.get("id") if isinstance(sender.get("id"), int) else None
                if self.access.allowed(chat, user):
                    return [Answer(chat, "⚠️ riskd could not answer this (an internal error, "
                                         "logged by notify); it will not be run later. Try "
                                         "again, or use riskctl.")]
        return []

    def _who(self, message: dict) -> tuple[str, Optional[int]]:
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        sender = message.get("from") if isinstance(message.get("from"), dict) else {}
        user = sender.get("id")
        return str(chat.get("id", "")), user if isinstance(user, int) else None

    def _allowed(self, chat: str, user: Optional[int], what: str) -> bool:
        if self.access.allowed(chat, user):
            return True
        self.ignored.add(chat, user, what, self.clock.monotonic())
        return False

    def _room(self, chat: str) -> Optional[list[Answer]]:
        """None when an answer fits the rate limit; else the (at most one) flood notice."""
        if self.sender.room() >= 1:
            return None
        self.refused += 1
        now = self.clock.monotonic()
        if now - self._flood_notice.get(chat, -FLOOD_NOTICE_EVERY_S) < FLOOD_NOTICE_EVERY_S:
            return []
        self._flood_notice[chat] = now
        return [Answer(chat, "⏳ Too many commands at once: I answered what the rate limit "
                             "allows and did not run the rest (nothing was executed). "
                             "Ask again in a minute.")]

    def _on_message(self, message: dict, update_id: int, now: int) -> list[Answer]:
        chat, user = self._who(message)
        text = message.get("text") if isinstance(message.get("text"), str) else ""
        if not self._allowed(chat, user, "a message"):
            return []
        parsed = parse(text, self.username)
        if parsed is None:
            if self.access.is_group(chat) or text.startswith("/"):
                return []               # group chatter, or a command for another bot
            parsed = Refusal("I answer commands only: /help lists them.")
        flood = self._room(chat)
        if flood is not None:
            return flood
        if isinstance(parsed, Refusal):
            self.answered += 1
            return [Answer(chat, parsed.text)]
        asked = message.get("date") if isinstance(message.get("date"), int) else now // NS_PER_S
        late = now / NS_PER_S - asked
        if parsed.name == "lockout" and late > MAX_AGE_S:
            self.refused += 1
            return [Answer(chat, (
                f"⌛ Your /lockout from {self.ctx.at(asked * NS_PER_S, now)} reached riskd "
                f"{answers.duration(late)} late (Telegram or riskd was unreachable), so it was "
                f"not run: nothing happens behind your back late. Send it again if you still "
                f"want it."))]
        self.answered += 1
        try:
            text = self._command(parsed, chat, user, update_id, now)
        except Unavailable as exc:
            text = f"⚠️ {exc}" if exc.worded else \
                f"⚠️ {exc}. riskd may be restarting a worker; ask again in a moment."
        if isinstance(text, Answer):
            return [text]
        if late > LATE_S:
            text = (f"(asked {self.ctx.at(asked * NS_PER_S, now)}, answered "
                    f"{answers.duration(late)} later: Telegram or riskd was unreachable)\n{text}")
        return [Answer(chat, text)]

    def _on_edited(self, message: dict) -> list[Answer]:
        chat, user = self._who(message)
        text = message.get("text") if isinstance(message.get("text"), str) else ""
        if not self._allowed(chat, user, "an edited message") or not text.startswith("/"):
            return []
        flood = self._room(chat)
        if flood is not None:
            return flood
        self.answered += 1
        return [Answer(chat, "✏️ An edited command is not run (each command runs once, as first "
                             "sent). Send it again as a new message.")]

    # -- commands -----------------------------------------------------------------------------
    def _accounts(self, chat: str, ref: str) -> list:
        return self._mine(chat, self.riskd.ask(RiskStatusRequest()).accounts, ref)

    def _mine(self, chat: str, accounts: list, ref: str) -> list:
        """The accounts of this chat's scope, only the one named by ref when given."""
        mine = [a for a in accounts if self.access.sees(chat, a.account_id, a.name)]
        if ref:
            mine = [a for a in mine if ref.lower() in (str(a.account_id), a.name.lower(),
                                                       self.ctx.account(a.account_id).lower())]
        return mine

    def _command(self, cmd: Command, chat: str, user: int, update_id: int,
                 now: int) -> str | Answer:
        if cmd.name == "help":
            return help_text()
        if cmd.name == "unguarded":
            sup = self.riskd.ask(StatusRequest())
            try:            # the accounts risk does not guard (disabled): trial 2026-12-06
                risk = self.riskd.ask(RiskStatusRequest())
                return answers.unguarded_text(sup, self._mine(chat, risk.accounts, ""),
                                              self.ctx, risk.unreported)
            except Exception:       # risk not answering: the supervisor's view alone
                log.debug("telegram /unguarded: risk did not answer", exc_info=True)
                return answers.unguarded_text(sup)
        if cmd.name == "lockout":
            return self._lockout(cmd, chat, user, update_id, now)
        if cmd.name == "history":
            return self._history(cmd, chat, now)
        if cmd.name == "status":
            sup = self.riskd.ask(StatusRequest())
            risk = self.riskd.ask(RiskStatusRequest())
            mine = self._mine(chat, risk.accounts, cmd.account)
            if cmd.account and not mine:
                return self._none(cmd, chat)
            return answers.status_text(mine, sup, risk.market_synced, self.ctx, now,
                                       [] if cmd.account else risk.unreported,
                                       self.connections(), risk.market_heard_ns)
        if cmd.name == "lockouts":
            return self._lockouts(cmd, chat, now)
        risk = self.riskd.ask(RiskStatusRequest())
        mine = self._mine(chat, risk.accounts, cmd.account)
        if cmd.account and not mine:
            return self._none(cmd, chat)
        if cmd.name == "positions":
            # while market is down: as of market's last message to risk, with its time, as
            # /status says it (summary24: /positions gave no time)
            return answers.positions_text(mine, self.ctx, self.riskd.ask(StatusRequest()), now,
                                          self.connections(), risk.market_heard_ns)
        if cmd.name == "orders":
            return answers.orders_text(self.riskd.ask(OrdersRequest()), mine, self.ctx)
        raise ValueError(f"no answer for /{cmd.name}")

    def _lockouts(self, cmd: Command, chat: str, now: int) -> str:
        """/lockouts: risk's, or while risk cannot answer the ones riskd last knew, marked so
        with their time and riskd's words on risk (trial 2026-12-05: a trader was refused
        their lockouts while status still showed LOCKED OUT)."""
        head = ""
        gone = self.riskd.gone() if hasattr(self.riskd, "gone") else None
        try:
            mine = self._accounts(chat, cmd.account)
            if gone is not None:        # read from risk itself (services/notify/bot/direct.py)
                head = f"⚠️ {gone}: these are risk's own, read from it directly\n"
        except Unavailable as exc:
            if not isinstance(exc.body, LastRiskStatus):
                raise
            known = [attrs.evolve(a, lockouts=in_force_then(a, now)) for a in exc.body.accounts]
            mine = self._mine(chat, known, cmd.account)
            head = (f"⚠️ NOT LIVE: lockouts as riskd last knew them, as of "
                    f"{self.ctx.at(exc.body.as_of_ns, now, seconds=True)}; {exc}\n")
        if cmd.account and not mine:
            return self._none(cmd, chat)
        return head + answers.lockouts_text(mine, self.ctx, now)

    def _none(self, cmd: Command, chat: str) -> str:
        """ACCOUNT named no account of this chat: an account riskd has that the chat does not
        see, or a name riskd does not know at all (trial 2026-12-06: `/status Demo 2` in a chat
        that sees every account answered "not in this chat's scope"); the names it knows."""
        if not cmd.account:
            return ""
        try:
            everyone = self.riskd.ask(RiskStatusRequest()).accounts
        except Unavailable:
            everyone = []
        mine = self._mine(chat, everyone, "")
        names = ", ".join(answers.title(a, self.ctx) for a in mine) or "none"
        if self._mine(chat, [a for a in everyone if a not in mine], cmd.account) \
                or any(self._named(a, cmd.account) for a in everyone if a not in mine):
            return f"{cmd.account!r} is not an account of this chat (this chat sees: {names})"
        return (f"no account is named {cmd.account!r}: the ones this chat sees are {names} "
                f"(give an id, a broker name or a display name)")

    def _named(self, a, ref: str) -> bool:
        return ref.lower() in (str(a.account_id), a.name.lower(),
                               self.ctx.account(a.account_id).lower())

    def _history(self, cmd: Command, chat: str, now: int) -> str:
        day = self.calendar.trading_day(now)
        body = self.riskd.ask(HistoryRequest(since_ns=self.calendar.start_of(day), limit=1000))
        seen = {a.account_id for a in self._accounts(chat, "")}
        body = attrs.evolve(body, decisions=[d for d in body.decisions if d.account_id in seen],
                            warnings=[w for w in body.warnings if w.account_id in seen],
                            lockouts=[c for c in body.lockouts if c.lockout.account_id in seen])
        # what enforcement did, as riskctl history says it: never the plan as if done
        outcomes, unknown = history_outcomes(self.riskd, body.decisions)
        return answers.history_text(body, cmd.count, self.ctx, day.isoformat(),
                                    outcomes=outcomes, unknown=unknown)

    def _lockout(self, cmd: Command, chat: str, user: int, update_id: int,
                 now: int) -> str | Answer:
        found = self._accounts(chat, cmd.account)
        if not found:
            return (f"{self._none(cmd, chat)}. Usage: /lockout ACCOUNT 30m|2h|15:30|session "
                    f"[reason]")
        if len(found) > 1:
            return f"{cmd.account!r} names {len(found)} accounts; use the account id."
        a = found[0]
        try:
            return self.flow.ask(f"u{update_id}", chat, user, a.account_id,
                                 answers.title(a, self.ctx), cmd.when, cmd.reason, now,
                                 a.lockouts)
        except ValueError as exc:
            return f"{exc}. Usage: /lockout ACCOUNT 30m|2h|15:30|session [reason]"

    # -- buttons ------------------------------------------------------------------------------
    def _on_button(self, query: dict, update_id: int, now: int) -> list[Answer]:
        sender = query.get("from") if isinstance(query.get("from"), dict) else {}
        user = sender.get("id") if isinstance(sender.get("id"), int) else None
        message = query.get("message") if isinstance(query.get("message"), dict) else {}
        chat, _ = self._who(message)
        if not self._allowed(chat, user, "a button press"):
            return []
        data = query.get("data") if isinstance(query.get("data"), str) else ""
        flood = self._room(chat)
        if flood is not None:
            self._notice(query, "Too many requests: try again in a minute.")
            return flood
        self.answered += 1
        if data.startswith("lk:") and data[3:5] in ("y:", "n:"):
            pressed = self.flow.press(data[5:], data[3] == "y", chat, user, now)
            self._notice(query, pressed.notice)
            if pressed.done_with_buttons:
                self._unbutton(chat, message.get("message_id"))
            return list(pressed.answers)
        if data.startswith("lo:") and data[3:].isdigit():
            return self._lock_button(query, chat, user, int(data[3:]), update_id, now)
        self._notice(query, "This button is not one I know.")
        return []

    def _lock_button(self, query: dict, chat: str, user: int, account_id: int, update_id: int,
                     now: int) -> list[Answer]:
        """'Lock me out for the rest of the day' on an alert: the same confirmation first."""
        try:
            found = [a for a in self._accounts(chat, "") if a.account_id == account_id]
        except Unavailable as exc:
            self._notice(query, "riskd did not answer.")
            again = "" if exc.worded else " Try again in a moment."
            return [Answer(chat, f"⚠️ {exc}; nothing was locked.{again}")]
        if not found:
            self._notice(query, "Not an account of this chat.")
            return []
        self._notice(query, "Confirm below.")
        return [self.flow.ask(f"u{update_id}", chat, user, account_id,
                              answers.title(found[0], self.ctx), "session",
                              "locked from the alert's button", now, found[0].lockouts)]

    def _notice(self, query: dict, text: str) -> None:
        try:
            self.api.call("answerCallbackQuery", {"callback_query_id": query.get("id"),
                                                  "text": text}, self.timeout_s)
        except ChannelError as exc:
            log.warning("telegram commands: answerCallbackQuery failed: %s", exc.reason)

    def _unbutton(self, chat: str, message_id: Any) -> None:
        if not isinstance(message_id, int):
            return
        try:
            self.api.call("editMessageReplyMarkup", {"chat_id": chat, "message_id": message_id,
                                                     "reply_markup": {"inline_keyboard": []}},
                          self.timeout_s)
        except ChannelError as exc:
            log.warning("telegram commands: removing the buttons failed: %s", exc.reason)

    # -- status -------------------------------------------------------------------------------
    def status(self) -> CommandsState:
        return CommandsState(state=self.state, answered=self.answered,
                             ignored=self.ignored.count, refused=self.refused,
                             lockouts=self.flow.executed if self.flow else 0,
                             last_error=self.last_error, last_poll_ns=self.last_poll_ns,
                             offset=self.offset)
