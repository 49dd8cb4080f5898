"""The phone's /lockout question says when a longer lockout is already in force.

Trial 2026-12-06: "/lockout Demo 1 30m" on an account daily_realized_loss had locked until the
roll asked "🔒 Lock Demo 1 (id 1001) until 10:30 CST (in 30m00s)?" and said nothing of the
lockout until 17:00; only riskd's answer after the press did ("already locked: the account
stays locked until ... and a lockout is never shortened", what `riskctl lockout` prints). The
question now says it before the trader decides, the lockout in /lockouts' words
(services/notify/bot/answers.lockout_line). One update through the command poller, riskd's
answers stood in for."""
from __future__ import annotations

from services.notify.bot.lockflow import LockFlow
from services.notify.bot.poller import CommandPoller
from services.notify.bot.store import BotStore
from services.notify.outbox import Outbox
from services.notify.templates import Context
from shared.clock import FakeClock
from shared.config.notify import TelegramConfig
from shared.messages.risk import AccountStatus, LockoutState, RiskStatusReply
from shared.tradingday import TradingCalendar
from tests.unit.notify.test_commands import CHI, S, T0, RoomySender, access

CALENDAR = TradingCalendar.make("17:00", "America/Chicago")
ROLL = CALENDAR.next_roll(T0)                  # Tue 17:00 CST, 7 hours after T0


class StandInRiskd:
    def __init__(self, lockouts):
        self.lockouts = lockouts

    def ask(self, _request):
        return RiskStatusReply(accounts=[AccountStatus(
            account_id=1001, name="SIM-1", ts_ns=T0, trading_day="2026-11-24",
            lockouts=self.lockouts)])


def question(tmp_path, text: str, *lockouts: LockoutState) -> str:
    outbox = Outbox(str(tmp_path / "notify.sqlite"))
    poller = CommandPoller(TelegramConfig(bot_token="1:x", chat_ids=["111"]), 5.0, outbox,
                           RoomySender(), access(chat_ids=["111"], chats={}),
                           Context(tz=CHI, accounts={1001: "Demo 1"}), CALENDAR,
                           "tcp://127.0.0.1:9", None, FakeClock(T0))
    riskd = StandInRiskd(list(lockouts))
    poller.store, poller.riskd = BotStore(outbox), riskd     # what _run sets up
    poller.flow = LockFlow(poller.store, riskd, poller.ctx, CALENDAR)
    poller.handle({"update_id": 7, "message": {"date": T0 // S, "chat": {"id": 111},
                                               "from": {"id": 111}, "text": text}})
    return outbox.next_reply("telegram").text


DAILY = LockoutState(id="d", account_id=1001, kind="until_reset", rule="daily_realized_loss",
                     since_ns=T0 - 60 * S, until_ns=ROLL, by="rule",
                     reason="daily_realized_loss: -520.00 past -500.00")
COOLDOWN = LockoutState(id="c", account_id=1001, kind="timer", rule="cooldown_after_loss",
                        since_ns=T0 - 60 * S, until_ns=T0 + 10 * 60 * S, by="rule")


def test_a_longer_lockout_in_force_is_said_in_the_question(tmp_path):
    text = question(tmp_path, "/lockout 1001 30m", DAILY, COOLDOWN)
    assert text.startswith("🔒 Lock Demo 1 (id 1001) until Tue 10:30 CST (in 30m00s)?"), text
    assert ("⚠️ Already locked longer: the account stays locked after that, and a lockout is "
            "never shortened:\n🔒 account locked until Tue 17:00 CST (in 7h00m), "
            "daily_realized_loss by rule: daily_realized_loss: -520.00 past -500.00") in text, text
    assert "cooldown_after_loss" not in text, text           # the longest one only


def test_nothing_is_said_of_a_shorter_one_or_of_one_ending_as_asked(tmp_path):
    assert "Already locked" not in question(tmp_path, "/lockout 1001 30m", COOLDOWN)
    assert "Already locked" not in question(tmp_path / "b", "/lockout 1001 session", DAILY)
