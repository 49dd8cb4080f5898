"""A channel riskd cannot reach, in words (fresh-user trial 2026-12-05): `status`, `workers`
NOTE, the watch banner and `notify status` showed "ConnectionError: HTTPSConnectionPool(host=
'api.telegram.org', port=443): Max retries exceeded with url: /bot***/sendMessage (Caused by
NameResolutionError(...))"; they all show the channel's last error, now "cannot reach
api.telegram.org (name not resolved): check the network / DNS", the detail in the log. And a
failed `riskctl notify test` left `notify status` at idle, FAILURES 0, LAST ERROR - while the
audit trail said "ok: not accepted by telegram"."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
import requests

from services.notify.app import NotifyWorker
from services.notify.channels import ChannelError
from services.notify.channels.telegram import TelegramChannel
from services.notify.outbox import Outbox
from services.notify.sender import ChannelSender
from services.notify.templates import Context
from services.supervisor.audit import outcome_of
from shared.clock import SYSTEM_CLOCK
from shared.config.notify import NotifyConfig, TelegramConfig
from shared.messages.notify import NotifyTest
from shared.networds import reach_words
from shared.redact import Redactor
from tests.support.ports import free_port

pytestmark = pytest.mark.timeout(30)

TOKEN = "123456:SECRETtoken"
TRIAL = ("HTTPSConnectionPool(host='api.telegram.org', port=443): Max retries exceeded with "
         "url: /bot123456:SECRETtoken/sendMessage (Caused by NameResolutionError(\"<urllib3."
         "connection.HTTPSConnection object at 0x7f3c>: Failed to resolve 'api.telegram.org' "
         "([Errno -2] Name or service not known)\"))")
WORDS = "cannot reach api.telegram.org (name not resolved): check the network / DNS"


def test_the_trials_error_reads_as_words_and_the_detail_goes_to_the_log(caplog):
    channel = TelegramChannel(TelegramConfig(bot_token=TOKEN, chat_ids=["111"]), 1.0,
                              Redactor([TOKEN]))

    def no_network(*_a, **_k):
        raise requests.ConnectionError(TRIAL)
    channel.session.post = no_network
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ChannelError) as err:
            channel.send("hello", set())
    assert err.value.reason == WORDS
    assert "HTTPSConnectionPool" not in err.value.reason
    logged = caplog.text
    assert "NameResolutionError" in logged and "SECRETtoken" not in logged   # once, at INFO


def test_an_outage_is_one_warning_in_words_and_one_when_it_answers_again(caplog):
    """Fresh-user trial 13b: with Telegram unreachable, the `make run` terminal showed 26
    WARNINGs "notify: Telegram: no answer: ConnectionError: HTTPSConnectionPool(...) Max
    retries exceeded ..." in 80 s. Now one WARNING in riskd's words per outage, one when the
    channel answers again; the library's text once at INFO, then at DEBUG."""
    channel = TelegramChannel(TelegramConfig(bot_token=TOKEN, chat_ids=["111"]), 1.0,
                              Redactor([TOKEN]))
    answered = []

    def post(*_a, **_k):
        if not answered:
            raise requests.ConnectionError(TRIAL)
        resp = requests.Response()
        resp.status_code, resp._content = 200, b'{"ok": true, "result": {"message_id": 1}}'
        return resp
    channel.session.post = post
    with caplog.at_level(logging.INFO, logger="services.notify.channels"):
        for _ in range(26):
            with pytest.raises(ChannelError):
                channel.send("hello", set())
        answered.append(True)
        channel.send("hello", set())
        channel.send("hello again", set())
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(f"notify: Telegram: {WORDS}; riskd keeps retrying")
    assert warnings[1].startswith("notify: Telegram answers again, after 26 failed calls")
    assert not any("HTTPSConnectionPool" in w or "SECRETtoken" in w for w in warnings)
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len([i for i in info if "HTTPSConnectionPool" in i]) == 1     # once per outage


def test_other_failures_name_the_host_and_what_to_check():
    refused = requests.ConnectionError("HTTPConnectionPool(host='127.0.0.1', port=9): Max "
                                       "retries exceeded with url: /x (Caused by "
                                       "NewConnectionError('...: [Errno 111] Connection "
                                       "refused'))")
    assert reach_words(refused) == ("cannot reach 127.0.0.1:9 (connection refused): check the "
                                    "address and any proxy")
    slow = requests.ReadTimeout("HTTPSConnectionPool(host='discord.com', port=443): Read "
                                "timed out. (read timeout=5)")
    assert reach_words(slow) == ("cannot reach discord.com (no answer within the timeout): "
                                 "check the network")


def test_a_failed_test_is_the_channels_last_error_and_not_audited_as_ok(tmp_path):
    cfg = NotifyConfig(telegram=TelegramConfig(
        bot_token=TOKEN, chat_ids=["111"], api_base=f"http://127.0.0.1:{free_port()}"))
    redactor = Redactor([TOKEN])
    sender = ChannelSender(TelegramChannel(cfg.telegram, 2.0, redactor),
                           Outbox(str(tmp_path / "notify.sqlite")), cfg, SYSTEM_CLOCK,
                           Context(), "info")
    worker = SimpleNamespace(senders={"telegram": sender}, commands=None, redactor=redactor,
                             config=SimpleNamespace(notify=cfg))
    worker._test_one = lambda name, results: NotifyWorker._test_one(worker, name, results)
    reply = NotifyWorker._on_test(worker, NotifyTest(channel="telegram"))
    [answer] = reply.body.answers
    assert not answer.ok and answer.answer.startswith("cannot reach 127.0.0.1:")
    assert not reply.ok and reply.code == "not_accepted"
    assert not outcome_of(reply).startswith("ok"), outcome_of(reply)
    assert "not accepted by telegram: cannot reach 127.0.0.1:" in reply.reason
    state = sender.status()
    assert state.state == "failing" and state.failures == 1, state
    assert state.last_error.startswith("test message: cannot reach 127.0.0.1:"), state
