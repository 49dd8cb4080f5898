"""The answers to a lockout's confirm button say only what is true, with the time left from now.

Trial 2026-12-06: a second press on the confirm button ~7 minutes later answered "Already
locked." but also re-sent the first answer, "🔒 Demo 2 (strict) (1002) is locked out. riskd is
closing every position and cancelling every order now … until Sat 18:49:50 CST (in 20m00s)":
13 minutes were left and nothing was being closed. And a fresh self-lockout claimed "closing
every position … now" beside risk's "nothing to flatten: no position or working order open"."""
from __future__ import annotations

import pytest

from services.notify.bot.lockflow import LockFlow
from services.notify.bot.store import BotStore
from services.notify.outbox import Outbox
from services.notify.templates import Context
from shared.messages.risk import LockoutList, LockoutState
from shared.messages.system import ok
from shared.tradingday import TradingCalendar
from tests.unit.notify.test_commands import CHI, S, T0

NOTHING = "nothing to flatten: no position or working order open"


class Risk:
    """risk's answers: the self-lockout made until what was asked, and the lockouts now."""

    def __init__(self):
        self.lock_made = None

    def lock(self, request):
        self.lock_made = LockoutState(id="L", account_id=1002, kind="timer",
                                      rule="self_lockout", since_ns=T0,
                                      until_ns=request.until_ns, by="trader")
        return ok(LockoutList(lockouts=[self.lock_made]),
                  reason=f"locked until Tue 10:20 CST; only an admin can end it early; {NOTHING}")

    def ask(self, _request):
        return LockoutList(lockouts=[self.lock_made] if self.lock_made else [])


@pytest.fixture
def flow(tmp_path):
    risk = Risk()
    f = LockFlow(BotStore(Outbox(str(tmp_path / "notify.sqlite"))), risk,
                 Context(tz=CHI, accounts={1002: "Demo 2 (strict)"}),
                 TradingCalendar.make("17:00", "America/Chicago"))
    return f, risk


def test_a_fresh_lockout_says_what_risk_did_not_that_it_closes_everything(flow):
    f, _risk = flow
    f.ask("u1", "111", 111, 1002, "Demo 2 (strict)", "20m", "", T0)
    text = f.press("u1", True, "111", 111, T0).answers[0].text
    assert NOTHING in text, text
    assert "closing every position" not in text, text


def test_a_second_press_later_gives_the_time_left_now_and_claims_nothing(flow):
    f, _risk = flow
    f.ask("u1", "111", 111, 1002, "Demo 2 (strict)", "20m", "", T0)
    f.press("u1", True, "111", 111, T0)
    again = f.press("u1", True, "111", 111, T0 + 7 * 60 * S)
    assert again.notice == "Already locked."
    text = again.answers[0].text
    assert "closing every position" not in text and "(in 20m00s)" not in text, text
    assert "(in 13m00s)" in text, text


def test_the_lockout_ends_when_the_confirmed_question_said(flow):
    """Trial: "🔒 Lock Demo 2 (strict) (1002) until Sat 18:49:43 CST (in 20m00s)?", pressed 7 s
    later, made a lockout until 18:49:50 (20m from the press)."""
    f, risk = flow
    question = f.ask("u1", "111", 111, 1002, "Demo 2 (strict)", "20m", "", T0)
    assert "until Tue 10:20 CST (in 20m00s)?" in question.text
    f.press("u1", True, "111", 111, T0 + 7 * S)
    assert risk.lock_made.until_ns == T0 + 20 * 60 * S


def test_a_confirmed_end_that_has_passed_locks_nothing(flow):
    f, risk = flow
    f.ask("u1", "111", 111, 1002, "Demo 2 (strict)", "1m", "", T0)
    pressed = f.press("u1", True, "111", 111, T0 + 90 * S)
    assert risk.lock_made is None
    assert "has passed: Demo 2 (strict) was not locked" in pressed.answers[0].text
