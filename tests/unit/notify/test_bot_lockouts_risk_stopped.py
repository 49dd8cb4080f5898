"""/lockouts while risk is stopped (fresh-user trial 2026-12-05, finding 4, on the phone): the
trader was refused their lockouts while status still showed LOCKED OUT. The supervisor's error
carries risk's last known figures (services/supervisor/lastrisk.py); the bot shows their
lockouts still in force, marked NOT LIVE with their time and riskd's words on risk."""
from __future__ import annotations

import pytest

from services.notify.bot.riskd import Unavailable
from shared.messages.risk import AccountStatus, LastRiskStatus, LockoutState
from tests.unit.notify.test_commands import S, STATUS_FROM_111, T0, chat_poller

pytestmark = pytest.mark.timeout(30)

RISK = ("risk is stopped: admin:ana stopped it at Tue 09:59:00 CST; it stays stopped until an "
        "admin or ops starts it (`riskctl start risk`) (`riskctl status` shows what riskd runs)")
MINE = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                    since_ns=T0 - 600 * S, until_ns=T0 + 3600 * S, reason="done", by="trader")
OVER = LockoutState(id="L2", account_id=1001, kind="timer", rule="cooldown_after_loss",
                    since_ns=T0 - 900 * S, until_ns=T0 - 60 * S)        # ran out since
KNOWN = LastRiskStatus(accounts=[AccountStatus(
    account_id=1001, name="SIM-1", ts_ns=T0 - 120 * S, trading_day="2026-11-24",
    lockouts=[MINE, OVER])], as_of_ns=T0 - 120 * S)


class StoppedRisk:
    def ask(self, _request):
        raise Unavailable(RISK, "unreachable", KNOWN)


def test_lockouts_while_risk_is_stopped_are_the_last_known_marked_not_live(tmp_path):
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = StoppedRisk()
    poller.handle({"update_id": 7, "message": dict(STATUS_FROM_111, date=T0 // S,
                                                   text="/lockouts")})
    text = outbox.next_reply("telegram").text
    first, *rest = text.splitlines()
    assert first == (f"⚠️ NOT LIVE: lockouts as riskd last knew them, as of Tue 15:58:00 UTC; "
                     f"{RISK}"), text
    assert any("self_lockout by trader" in ln for ln in rest), text
    assert "cooldown_after_loss" not in text, text              # ended since: not shown
