"""What riskctl's screens say about riskd's own health (issue 17, items 5 and 8), real processes.

- a config file broken on disk while riskd runs: status, workers, ping and logs keep working
  (riskctl reads the control address leniently) and status and workers say the file is invalid
  since when, at which line, and which config riskd runs;
- Telegram failing (a local fake answering 401): status and workers show notify degraded with
  the count of queued alerts and the last error, not green.
"""
from __future__ import annotations

import re

import pytest

from shared.config import load_config
from shared.config.access import hash_password
from tests.integration.test_notify import BOT_TOKEN, FakeService
from tests.support.auth import config_with_passwords
from tests.support.env import wait_for
from tests.support.fake_telegram import phone_notify

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed


def test_a_broken_config_on_disk_leaves_the_read_commands_working_and_is_shown(procs, tmp_path):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    text = open(config).read()
    broken = text.replace("[supervisor]", "[supervisor]\nworkers = = [\"oops\"]", 1)
    with open(config, "w") as fh:
        fh.write(broken)
    line = broken.splitlines().index('workers = = ["oops"]') + 1

    def says_invalid():
        out = procs.riskctl(config, "workers")
        return out if out.returncode == 0 and "is invalid since" in out.stdout else None
    workers = wait_for(says_invalid, 15, interval=0.3, what="workers to say the file is invalid")
    # times in the display zone, with the zone (docs/operations.md, Times and time zones)
    sentence = re.search(r"(\S*riskd.toml) is invalid since ((?:\w{3} )?\d\d:\d\d(?::\d\d)? [A-Z]+) "
                         r"\((line \d+ col \d+): not valid TOML: [^)]*\); riskd runs the config "
                         r"loaded at ((?:\w{3} )?\d\d:\d\d(?::\d\d)? [A-Z]+)", workers.stdout)
    assert sentence, workers.stdout
    assert sentence.group(3).startswith(f"line {line} ")
    status = procs.riskctl(config, "status")
    assert status.returncode == 0, status.stderr
    assert sentence.group(0) in status.stdout
    assert procs.riskctl(config, "ping").returncode == 0
    logs = procs.riskctl(config, "logs", "-n", "5")
    assert logs.returncode == 0, logs.stderr

    with open(config, "w") as fh:               # fixed: the sentence goes away
        fh.write(text)
    wait_for(lambda: "is invalid" not in procs.riskctl(config, "workers").stdout, 15,
             interval=0.3, what="the invalid-config sentence to go")


def test_failing_telegram_shows_notify_degraded_with_the_queue_and_the_last_error(procs,
                                                                                 tmp_path):
    telegram = FakeService((401, {"ok": False, "description": "Unauthorized"}))
    try:
        config = config_with_passwords(
            tmp_path, workers=("logging", "notify"),
            notify=phone_notify(telegram, token=BOT_TOKEN, retry_tries=1, failed_retry_s=30))
        procs.riskd(config)
        procs.wait_running(config, ["logging", "notify"])
        # an alert to send: the admin password changed by a file edit (a critical alert)
        old = load_config(config).config.admin.password_hash
        text = open(config).read().replace(old, hash_password("other", cost=4))
        with open(config, "w") as fh:
            fh.write(text)

        def degraded():
            out = procs.riskctl(config, "workers")
            return out if "notify degraded" in out.stdout else None
        workers = wait_for(degraded, 20, interval=0.3, what="workers to show notify degraded")
        assert re.search(r"notify degraded: telegram failing, [1-9]\d* alerts? queued; "
                         r"last error: .*401", workers.stdout), workers.stdout
        assert re.search(r"^notify\s+degraded\s", workers.stdout, re.M), workers.stdout
        status = procs.riskctl(config, "status")
        assert "notify degraded: telegram failing" in status.stdout
        assert "all workers running" not in status.stdout
        assert "degraded (running, but failing): notify" in status.stdout
        assert BOT_TOKEN not in workers.stdout + status.stdout
    finally:
        telegram.close()
