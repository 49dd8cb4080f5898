"""The phone hears that riskd's supervisor is gone (trial): after `kill -9` of the supervisor
its workers keep guarding (docs/operations.md, When riskd's supervisor is killed), but nothing
reached the phone, and nothing restarts a worker that stops from then on. notify hears the
supervisor's heartbeats on the events PUB and alerts once they stop for SILENT_AFTER_S
(services/notify/supervisorwatch.py); a fake Telegram is the phone."""
from __future__ import annotations

import os
import signal
import time

import pytest

from services.notify.supervisorwatch import SILENT_AFTER_S
from tests.integration.test_alert_after_restart import TOKEN, on_phone
from tests.support.auth import config_with_passwords
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = pytest.mark.slow

SILENT = "⚠️ riskd's supervisor is not running: its workers keep guarding"


@pytest.mark.timeout(90)
def test_a_killed_supervisor_is_alerted_by_the_notify_it_leaves_running(procs, tmp_path):
    telegram = FakeTelegram(TOKEN)
    # notify alone is what this needs (the alert is its own); the phone is a fake Telegram,
    # retried quickly; etc/riskd.toml's rules as shipped otherwise
    workers = ["notify"]
    config = config_with_passwords(
        tmp_path, workers=workers,
        notify=phone_notify(telegram),
        supervisor={"workers": workers})
    notify_pid = None
    try:
        first = procs.riskd(config)
        notify_pid = procs.wait_running(config, workers)["notify"].pid
        time.sleep(SILENT_AFTER_S + 2)        # a riskd that runs: its heartbeats, no alert
        assert not on_phone(telegram, "supervisor"), [c.text for c in telegram.sent()]
        os.kill(first.pid, signal.SIGKILL)    # the supervisor alone: notify keeps running
        first.wait(5)
        killed = time.monotonic()
        sent = telegram.wait_sent(lambda c: SILENT in c.text, SILENT_AFTER_S + 20,
                                  what="the supervisor-silent alert")
        took = time.monotonic() - killed
        assert took >= SILENT_AFTER_S - 1.5, took      # not before the margin
        assert "start riskd again" in sent.text, sent.text
        assert "When riskd's supervisor is killed" in sent.text, sent.text
        assert len(on_phone(telegram, SILENT)) == 1
    finally:
        if notify_pid is not None:           # what riskd would end on its next start
            try:
                os.kill(notify_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        telegram.close()
