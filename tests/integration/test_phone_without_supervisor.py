"""Phone commands while riskd's supervisor is killed (trial 2026-12-06: with the supervisor
killed and notify's "⚠️ riskd's supervisor is not running" alert just sent, /lockouts and
"/lockout 1001 10m" got "riskd did not answer within 2 s. riskd may be restarting a worker": a
false reason, and the trader's protective lockout was impossible).

A real riskd from etc/riskd.toml (tests/integration/test_notify_commands.py's config: the sim
broker, the guard workers, notify with a fake Telegram as the phone); `kill -9` of the
supervisor alone; then the phone: /lockouts read from risk itself, /status says why it cannot
answer, and a confirmed /lockout reaches risk directly (keyed) and says so."""
from __future__ import annotations

import os
import signal

import pytest

from tests.support.procs import kill_left_workers
from services.notify.supervisorwatch import SILENT_AFTER_S
from tests.integration.test_notify_commands import (ME, WORKERS, ask, button, riskd_config,
                                                    status_json)
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram
from tests.e2e.harness import SimDesk

pytestmark = pytest.mark.slow

GONE = "⚠️ riskd's supervisor is not running since "


@pytest.mark.timeout(120)
def test_lockouts_and_a_lockout_work_through_risk_while_the_supervisor_is_gone(procs, tmp_path):
    telegram = FakeTelegram("123456:phone9")
    config = riskd_config(tmp_path, telegram, token="123456:phone9")
    try:
        riskd = procs.riskd(config)
        procs.wait_running(config, WORKERS, timeout=40)
        SimDesk(config).wait_up()
        wait_for(lambda: len(status_json(procs, config)["accounts"]) == 2, 30,
                 what="risk to know both accounts")
        os.kill(riskd.pid, signal.SIGKILL)          # the supervisor alone
        riskd.wait(5)
        telegram.wait_sent(lambda c: "riskd's supervisor is not running" in c.text,
                           SILENT_AFTER_S + 20, chat=ME, what="the supervisor-silent alert")

        lockouts = ask(telegram, ME, 111, "/lockouts")
        assert lockouts.startswith(GONE) and "read from it directly" in lockouts, lockouts
        assert "Demo 1 (id 1001): not locked" in lockouts, lockouts
        assert "restarting a worker" not in lockouts, lockouts
        status = ask(telegram, ME, 111, "/status")
        assert status.startswith(GONE) and "start riskd again" in status, status

        question = ask(telegram, ME, 111, "/lockout 1001 10m")
        assert question.startswith("🔒 Lock Demo 1 (id 1001) until "), question
        telegram.press(ME, 111, button(telegram.sent(ME)[-1], "lk:y:"))
        locked = telegram.wait_sent(lambda c: "is locked out" in c.text, 20, chat=ME,
                                    what="the lockout's answer")
        assert "notify sent this lockout to risk directly" in locked.text, locked.text
        assert "self_lockout by trader" in locked.text, locked.text
        # the lockout's own alert ("🔒 Demo 1 (id 1001) locked until ...") is not filtered out
        # as an alert by ask(): had before /lockouts is asked, never taken for its answer (the
        # fresh-clone make test of round 19: it came after the question)
        telegram.wait_sent(lambda c: c.text.startswith("🔒 Demo 1 (id 1001) locked until "), 20,
                           chat=ME, what="the lockout's alert")
        after = ask(telegram, ME, 111, "/lockouts")
        assert "self_lockout by trader" in after, after
    finally:
        kill_left_workers(config)      # what the next riskd would end
        telegram.close()
