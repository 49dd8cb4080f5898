"""/lockout and the "Lock me out" button: ask for confirmation, then run the self-lockout once.

ask() records a confirmation (keyed by the update that asked) and returns the question with
its Yes / Cancel buttons. press() runs on a button press: only the person who asked, in
the chat where they asked, within MAX_AGE_S of the question; the state moves to executing
and is committed BEFORE the one SelfLockRequest goes to riskd (riskctl lockout's path), so a
press seen twice (a double tap, or Telegram re-delivering it after notify was killed) never
locks twice: a done confirmation repeats its result, an interrupted one is reported, not
resent.
"""
from __future__ import annotations

import logging
from typing import Optional

import attrs

from services.notify.bot import answers
from services.notify.bot.riskd import UNREACHABLE, Riskd, Unavailable
from services.notify.bot.store import (ASKED, CANCELLED, DONE, EXECUTING, EXPIRED, FAILED,
                                       Answer, BotStore, Confirmation)
from services.notify.templates import Context
from services.supervisor import untold as untold_
from shared.clock import NS_PER_S
from shared.lockwords import AGAIN_HARMLESS, NEVER_SHORTENED, outlasting
from shared.messages.risk import LockoutsRequest, SelfLockRequest
from shared.when import parse_when

log = logging.getLogger(__name__)

MAX_AGE_S = 300.0          # a /lockout (or its confirmation) older than this is not run
SESSION = "session"


@attrs.frozen
class Pressed:
    """What a button press gives: the pop-up text, messages to queue, remove the buttons?"""
    notice: str
    answers: tuple[Answer, ...] = ()
    done_with_buttons: bool = True


class LockFlow:
    def __init__(self, store: BotStore, riskd: Riskd, ctx: Context, calendar,
                 max_age_s: float = MAX_AGE_S):
        self.store = store
        self.riskd = riskd
        self.ctx = ctx
        self.calendar = calendar
        self.max_age_s = max_age_s
        self.executed = 0

    # -- the end of a lockout, as asked and as run --------------------------------------------
    def until(self, when_text: str, now_ns: int) -> tuple[Optional[int], bool]:
        """(until_ns, session) for a SelfLockRequest; raises ValueError for a bad time."""
        if when_text == SESSION:
            return None, True
        return parse_when(when_text, now_ns, self.ctx.tz), False

    def end_words(self, when_text: str, now_ns: int) -> str:
        until, session = self.until(when_text, now_ns)
        if session:
            return f"until the trading-day roll ({self.ctx.at(self.calendar.next_roll(now_ns), now_ns)})"
        return f"until {self.ctx.at(until, now_ns)} (in {answers.duration((until - now_ns) / 1e9)})"

    # -- asking --------------------------------------------------------------------------------
    def ask(self, token: str, chat: str, user: int, account_id: int, label: str,
            when_text: str, reason: str, now_ns: int, locks: list = ()) -> Answer:
        """locks: the account's lockouts in force (its status): one that ends later than
        the end asked for is said in the question, as /lockouts says it."""
        end = self.end_words(when_text, now_ns)            # ValueError: the caller says so
        c = self.store.ask(Confirmation(token=token, chat=chat, user_id=user,
                                        account_id=account_id, label=label, when_text=when_text,
                                        reason=reason, created_ns=now_ns, state=ASKED))
        if c.state != ASKED:
            return Answer(chat, f"This lockout request was already answered ({c.state}).")
        lines = [f"🔒 Lock {label} {end}?",
                 "riskd closes every position and cancels every order now, and cancels anything "
                 "placed until then. Only an admin can end it early."]
        lines += self.longer_lines(when_text, locks, now_ns)
        if reason:
            lines.append(f"Reason: {reason}")
        lines.append(f"Press within {self.max_age_s / 60:g} minutes.")
        markup = {"inline_keyboard": [[
            {"text": "✅ Yes, lock me out", "callback_data": f"lk:y:{token}"},
            {"text": "✖ Cancel", "callback_data": f"lk:n:{token}"}]]}
        return Answer(chat, "\n".join(lines), markup)

    def longer_lines(self, when_text: str, locks, now_ns: int) -> list[str]:
        """A longer lockout already in force, in the question (trial 2026-12-06: the phone
        asked "Lock Demo 1 until 21:35?" of an account locked until Mon 17:00, and only the
        answer after the press said so; riskd's answer words: "the account stays locked ...
        and a lockout is never shortened"); [] when none ends later."""
        until, session = self.until(when_text, now_ns)
        roll = self.calendar.next_roll(now_ns)
        longer = outlasting(locks, roll if session else until, roll)
        if longer is None:
            return []
        return [f"⚠️ Already locked longer: the account stays locked after that, and "
                f"{NEVER_SHORTENED}:", answers.lockout_line(longer[1], self.ctx, now_ns)]

    # -- pressing ------------------------------------------------------------------------------
    def press(self, token: str, yes: bool, chat: str, user: int, now_ns: int) -> Pressed:
        c = self.store.get(token)
        if c is None or c.chat != chat:
            return Pressed("This button is no longer valid; send /lockout again.")
        if c.user_id != user:
            return Pressed("Only the person who asked can answer this.", done_with_buttons=False)
        if c.state == DONE:         # its lockouts as they are now, not the first answer again
            return Pressed("Already locked.", (Answer(chat, "\n".join([
                f"🔒 Already done: {c.label} is locked out by this request; nothing was sent "
                f"again. Its lockouts now:", *self._now_lines(c, now_ns)])),))
        if c.state == EXECUTING:
            return self._interrupted(c, now_ns)
        if c.state != ASKED:
            return Pressed(f"This request was {c.state}; send /lockout again if you want it.")
        if not yes:
            self.store.move(token, ASKED, CANCELLED)
            return Pressed("Cancelled.", (Answer(chat, f"Cancelled: {c.label} is not locked "
                                                       f"by this request."),))
        age = (now_ns - c.created_ns) / NS_PER_S
        if age > self.max_age_s:
            self.store.move(token, ASKED, EXPIRED)
            return Pressed("Expired.", (Answer(chat, (
                f"⌛ This confirmation is {answers.duration(age)} old (more than "
                f"{self.max_age_s / 60:g} minutes), so it was not run: nothing happens behind your back "
                f"late. Send /lockout again if you still want it.")),))
        if not self.store.move(token, ASKED, EXECUTING):      # a concurrent press won
            return self.press(token, yes, chat, user, now_ns)
        return self._execute(c, now_ns)

    def _execute(self, c: Confirmation, now_ns: int) -> Pressed:
        # until the end the question named, which the trader confirmed (trial 2026-12-06: the
        # question said 18:49:43, the lockout made counted 20m from the press: 18:49:50)
        until, session = self.until(c.when_text, c.created_ns)
        if until is not None and until <= now_ns:
            text = (f"⌛ The end you confirmed, {self.ctx.at(until, now_ns)}, has passed: "
                    f"{c.label} was not locked. Send /lockout again if you still want it.")
            self.store.move(c.token, EXECUTING, FAILED, text)
            return Pressed("Not locked: its end has passed.", (Answer(c.chat, text),))
        request = SelfLockRequest(account=str(c.account_id), until_ns=until, session=session,
                                  reason=(f"{c.reason} (from Telegram, user {c.user_id})"
                                          if c.reason else
                                          f"locked from Telegram by user {c.user_id}"),
                                  by=f"telegram:{c.user_id}")
        try:
            reply = self.riskd.lock(request)
        except Unavailable as exc:
            text = (f"⚠️ {untold(str(exc), c.label)}" if untold_.is_timeout(str(exc)) else
                    f"⚠️ {exc}; the lockout of {c.label} may or may not have been made and is "
                    f"NOT sent again (it runs at most once). Check /lockouts.")
            self.store.move(c.token, EXECUTING, FAILED, text)
            return Pressed("No answer from riskd.", (Answer(c.chat, text),))
        if not reply.ok and reply.code == "timeout":        # risk's answer did not come
            text = f"⚠️ {untold(untold_.timed_out(reply.reason), c.label)}"
            self.store.move(c.token, EXECUTING, FAILED, text)
            return Pressed("No answer from risk.", (Answer(c.chat, text),))
        if not reply.ok and reply.code == UNREACHABLE:     # never sent: risk is not there
            text = f"⚠️ {c.label} is NOT locked out: {reply.reason}"
            self.store.move(c.token, EXECUTING, FAILED, text)
            return Pressed("Not locked.", (Answer(c.chat, text),))
        if not reply.ok:
            text = f"⚠️ riskd refused the lockout of {c.label}: {reply.reason}"
            self.store.move(c.token, EXECUTING, FAILED, text)
            return Pressed("Refused.", (Answer(c.chat, text),))
        self.executed += 1
        lockouts = getattr(reply.body, "lockouts", []) or []
        # risk's own words of what it did: "locked until ...; only an admin can end it early;
        # flatten sent: close 1 position, cancel 0 orders; ..."
        said = reply.reason or ("riskd flattens what is open and cancels anything placed "
                                "until it ends; only an admin can end it early")
        lines = [f"🔒 {c.label} is locked out: {said}"]
        lines += [answers.lockout_line(lk, self.ctx, now_ns) for lk in lockouts]
        note = getattr(self.riskd, "lock_note", "")
        if note:            # sent to risk directly: riskd's supervisor is not running
            lines.append(f"⚠️ {note}")
        text = "\n".join(lines)
        self.store.move(c.token, EXECUTING, DONE, text)
        log.warning("telegram: user %s locked account %s out (%s)", c.user_id, c.account_id,
                    c.when_text, extra={"account": c.account_id})
        return Pressed("Locked.", (Answer(c.chat, text),))

    def _now_lines(self, c: Confirmation, now_ns: int) -> list[str]:
        """The account's lockouts now, their time left counted from now."""
        try:
            active = self.riskd.ask(LockoutsRequest(account=str(c.account_id))).lockouts
            return [answers.lockout_line(lk, self.ctx, now_ns) for lk in active] \
                or ["not locked"]
        except Unavailable as exc:
            return [f"(cannot read the lockouts: {exc})"]

    def _interrupted(self, c: Confirmation, now_ns: int) -> Pressed:
        """notify stopped after committing 'executing' but before learning the result."""
        now = self._now_lines(c, now_ns)
        text = "\n".join([f"⚠️ notify restarted while sending the lockout of {c.label}; it is "
                          f"not sent twice. {c.label} now:", *now,
                          "Send /lockout again if it is not locked."])
        self.store.move(c.token, EXECUTING, FAILED, text)
        return Pressed("Interrupted: see the message.", (Answer(c.chat, text),))


def untold(silent: str, label: str) -> str:
    """A lockout riskd (or risk) did not answer in time, in riskctl's words (services/
    supervisor/untold.py): not known whether it was taken, where it shows, that it is not
    sent again from here and that asking again does no harm (small22b: "riskd did not answer
    within 2 s" said none of it; a supervisor's timeout read "riskd refused the lockout")."""
    return untold_.not_known(silent, f"the lockout of {label}",
                             f"if it did, /lockouts lists it; it is NOT sent again from here "
                             f"(it runs at most once); {AGAIN_HARMLESS}")
