"""A guard worker killed after riskd's supervisor (fresh-user trial, its worst finding).

`kill -9` of the supervisor leaves its workers guarding; a `kill -9` of risk then left nothing
checking the rules, but `riskctl status` listed the others and said "They keep guarding the
accounts" (risk simply missing), `riskctl watch` drew `enforcement● logging● market● notify●
simbroker●` (risk left out), `status --json` printed prose, and the phone's last word stayed
"its workers keep guarding". Through a real riskd from etc/riskd.toml (the shipped workers and
rules; a fake Telegram is the phone, retried quickly; passwords as every session needs):
supervisor killed, then risk; status, status --json, watch in a real pty (tmux, as
test_watch.py) and the phone must say risk is NOT running and that nothing checks the rules.
"""
from __future__ import annotations

import json
import os
import signal

import pytest

from cli.context import listening
from cli.notrunning import workers_left
from tests.support.procs import kill_left_workers
from services.notify.supervisorwatch import SILENT_AFTER_S
from shared.config import load_config
from tests.integration.test_alert_after_restart import TOKEN
from tests.integration.test_watch import Tmux, watch_command
from tests.support.auth import config_with_passwords
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = pytest.mark.slow

WORKERS = ["simbroker", "logging", "notify", "market", "risk", "enforcement"]
DOWN = "risk is not running: the accounts are NOT guarded: nothing checks the rules"


@pytest.mark.timeout(120)
def test_risk_killed_after_the_supervisor_is_on_every_screen_and_the_phone(procs, tmp_path):
    telegram = FakeTelegram(TOKEN)
    config = config_with_passwords(
        tmp_path, workers=WORKERS,
        notify=phone_notify(telegram),
        supervisor={"workers": WORKERS})
    loaded = load_config(config).config
    tmux = None
    try:
        riskd = procs.riskd(config)
        pids = procs.wait_running(config, WORKERS, timeout=30)
        os.kill(riskd.pid, signal.SIGKILL)            # the supervisor alone
        riskd.wait(5)
        wait_for(lambda: not listening(loaded.bus.control), 5, what="the control socket closed")
        os.kill(pids["risk"].pid, signal.SIGKILL)     # then a guard worker
        wait_for(lambda: "risk" not in dict(workers_left(config)), 5, what="risk gone")

        status = procs.riskctl(config, "status")
        said = status.stdout + status.stderr
        assert status.returncode != 0, said
        assert "risk NOT running" in said, said
        assert "risk is NOT running: nothing checks the rules" in said, said
        assert "keep guarding" not in said, said
        assert "make run" in said and "systemctl start riskd" in said, said
        for name in ("enforcement", "market", "notify", "logging", "simbroker"):
            assert f"{name} (pid " in said, said

        doc = json.loads(procs.riskctl(config, "status", "--json").stdout)
        states = {w["name"]: w["state"] for w in doc["workers"]}
        assert states == {**{n: "running" for n in WORKERS}, "risk": "not running"}, doc
        assert doc["guarded"] is False, doc
        assert doc["not_guarded"] == ["risk not running: nothing checks the rules"], doc

        tmux = Tmux(watch_command(config), 160, 40)
        shown = tmux.wait_screen(r"risk\u25cfnot running", 20, "risk marked not running")
        tmux.wait_screen(r"risk is NOT\s+running:\s+nothing\s+checks\s+the\s+rules", 5,
                         "what it means")
        assert "enforcement\u25cf" in shown and "market\u25cf" in shown, shown
        assert "keep guarding" not in tmux.screen(), tmux.screen()

        sent = telegram.wait_sent(lambda c: DOWN in c.text, SILENT_AFTER_S + 25,
                                  what="the risk-down alert")
        assert "make run" in sent.text, sent.text
        # the supervisor's own alert came too, but never "its workers keep guarding"
        said = [c.text for c in telegram.sent() if "riskd's supervisor is not running" in c.text]
        assert said and not any("keep guarding" in t for t in said), said
    finally:
        if tmux is not None:
            tmux.close()
        kill_left_workers(config)      # what the next riskd would end
        telegram.close()
