"""A Telegram command whose worker is not there shows the supervisor's words, as riskctl does
(services/supervisor/unreachable.py), with nothing added that contradicts them: "riskd may be
restarting a worker; ask again in a moment" after "market is stopped: ... `riskctl start market`
starts it", or "riskd refused the lockout" when risk was not there to refuse anything."""
from __future__ import annotations

import pytest

from services.notify.bot.riskd import Unavailable
from shared.messages.system import error
from tests.unit.notify.test_commands import S, STATUS_FROM_111, T0, asked, chat_poller
from tests.unit.notify.test_commands import flow  # noqa: F401  (the fixture)

pytestmark = pytest.mark.timeout(30)

MARKET = ("market is stopped: admin:ana stopped it at Sat 21:03:10 CST; it stays stopped until "
          "an admin or ops starts it (`riskctl start market`) "
          "(`riskctl status` shows what riskd runs)")
RISK = ("risk is restarting after a crash (exited with code 1; attempt 2): try again in a few "
        "seconds (`riskctl status` shows what riskd runs)")
NOW = dict(STATUS_FROM_111, date=T0 // S)      # /status, sent just now


class DownRiskd:
    def ask(self, _request):
        raise Unavailable(MARKET, "unreachable")


def test_a_command_answers_with_the_supervisor_s_words_only(tmp_path):
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = DownRiskd()
    poller.handle({"update_id": 7, "message": NOW})
    assert outbox.next_reply("telegram").text == f"⚠️ {MARKET}"


def test_riskd_itself_silent_still_says_to_ask_again(tmp_path):
    poller, outbox = chat_poller(tmp_path)

    class Silent:
        def ask(self, _request):
            raise Unavailable("riskd did not answer within 2 s")
    poller.riskd = Silent()
    poller.handle({"update_id": 7, "message": NOW})
    assert outbox.next_reply("telegram").text == (
        "⚠️ riskd did not answer within 2 s. riskd may be restarting a worker; ask again in a "
        "moment.")


def test_a_lockout_risk_could_not_take_is_not_called_a_refusal(flow):  # noqa: F811
    flow, riskd = flow
    riskd.answer = error("unreachable", RISK)
    asked(flow)
    pressed = flow.press("u1", True, "111", 111, 0)
    [said] = pressed.answers
    assert said.text == f"⚠️ Demo 1 (id 1001) is NOT locked out: {RISK}"
    assert "refused" not in said.text and len(riskd.locks) == 1

