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



UNTOLD = ("so whether it took the lockout of Demo 1 (id 1001) is not known: if it did, "
          "/lockouts lists it; it is NOT sent again from here (it runs at most once); asking "
          "again does no harm (the account keeps one lockout per owner, ending at the later of "
          "the two times, and is flattened again)")


def test_a_lockout_risk_did_not_answer_is_said_as_not_known_as_riskctl_says_it(flow):  # noqa: F811
    """small22b: the supervisor's timeout (risk got the lockout, or may have, and gave no
    answer within 3 s) read "riskd refused the lockout of ...": nothing was refused, and
    whether it was taken is not known. Said in riskctl's words (services/supervisor/untold.py)
    with the chat's command for where it shows. Fails before."""
    flow, riskd = flow
    riskd.answer = error("timeout", "risk did not answer within 3 s, so whether it took the "
                                    "lockout is not known: if it did, `riskctl lockouts` ...")
    asked(flow)
    [said] = flow.press("u1", True, "111", 111, 0).answers
    assert said.text == f"⚠️ risk did not answer within 3 s, {UNTOLD}", said.text
    assert len(riskd.locks) == 1


def test_a_lockout_riskd_itself_did_not_answer_says_whether_asking_again_is_harmless(flow):  # noqa: F811,E501
    """riskd itself silent for the lockout's 6 s: "riskd did not answer within 6 s; the lockout
    ... may or may not have been made ..." never said that asking again does no harm. Fails
    before."""
    flow, riskd = flow
    riskd.answer = Unavailable("riskd did not answer within 6 s")
    asked(flow)
    [said] = flow.press("u1", True, "111", 111, 0).answers
    assert said.text == f"⚠️ riskd did not answer within 6 s, {UNTOLD}", said.text
