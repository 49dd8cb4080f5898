"""A worker that keeps crashing after flapping's wait is one ongoing problem on the phone, in a
real riskd (noticed after trial15a: crashes 16-30 s apart never flap again, and each sent a
crash and a "back" alert, forever; services/supervisor/stillcrashing.py).

The policy is shortened so the loop fits in seconds, and says why: flapping at 2 crashes within
4 s (shipped: 5 within 60 s), a 2 s flapping wait (120 s) and 1 s back-offs (up to 30 s); kills
5 s apart after the flap never flap again, as the shipped back-offs never do. logging is the
worker killed (nothing else is needed); notify sends the alerts to a fake Telegram.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.integration.test_worker_down_alerts import TOKEN
from tests.support.auth import config_with_passwords
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


def kinds(texts: list[str]) -> list[str]:
    return ["flapping" if "is flapping" in t else "crash" if t.startswith("💥") else
            "back" if "is back after" in t else "still" if "still crashing" in t else t
            for t in texts]


def test_crashes_after_flapping_are_told_as_one_ongoing_problem(procs, tmp_path):
    telegram = FakeTelegram(TOKEN)
    workers = ["logging", "notify"]
    config = config_with_passwords(tmp_path, workers=workers, notify=phone_notify(telegram),
                                   supervisor={
        "workers": workers, "flapping_crashes": 2, "flapping_window": 4.0,
        "flapping_backoff": 2.0, "backoff_initial": 1.0, "backoff_max": 1.0})

    def logging_alerts() -> list[str]:
        return [c.text for c in telegram.sent() if "Worker logging" in c.text]

    killed: list[int] = []

    def kill_running_logging() -> None:
        """kill -9 of logging once a new process of it runs (riskd saw the last one end)."""
        pid = wait_for(lambda: (p := procs.wait_running(config, ["logging"])["logging"].pid)
                       not in killed and p, 15, what="a new logging process running")
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    def wait_phone(test, what: str, timeout: float = 15.0) -> None:
        end = time.monotonic() + timeout
        while not test(logging_alerts()):
            assert time.monotonic() < end, (what, logging_alerts())
            time.sleep(0.1)

    try:
        procs.riskd(config)
        procs.wait_running(config, workers)
        kill_running_logging()
        kill_running_logging()                   # 2 crashes within 4 s: flapping
        wait_phone(lambda t: "flapping" in kinds(t) and kinds(t)[-1] == "back",
                   "flapping, then back")
        flapped = len(logging_alerts())
        for _ in range(3):                       # crashes 5 s apart: never flapping again
            time.sleep(5)
            kill_running_logging()
        time.sleep(4)                            # the last one restarted, its alerts sent
        after = logging_alerts()[flapped:]
        # the first after the flap is told as any; then "still crashing" once it runs again;
        # the third is in the next one, due 5 minutes later
        assert kinds(after) == ["crash", "back", "still"], after
        assert after[2].startswith("🔁 Worker logging still crashing: 2 more crashes since it "
                                   "flapped at "), after[2]
        assert "1 crash since the last alert" in after[2], after[2]
        assert "running again now; " in after[2], after[2]
    finally:
        telegram.close()
