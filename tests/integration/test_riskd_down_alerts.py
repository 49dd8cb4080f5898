"""riskd as a whole stops and comes back, and the phone hears both (trial finding: it heard neither).

- `riskctl shutdown` by an admin: one critical "riskd is stopping" alert naming the admin, sent
  before notify stops (notify logs it, so it was alive to take it);
- the next start: one "riskd is running again after being down N (since T)" alert saying how
  the previous riskd stopped; after a kill -9 it says the previous riskd did not stop cleanly;
- SIGTERM (a service manager's stop): the stop alert names the signal.

The alerts are read where notify takes them (the supervisor's events PUB, topic "notify") and
where notify sends them: a local fake of the Telegram Bot API. The stop alert must have been
sent by the time riskd has exited (notify stops after the guards, and not before the alert had
its time to leave).
"""
from __future__ import annotations

import signal

import pytest

from shared.config import load_config
from shared.messages.notify import NotifyEvent
from tests.support.auth import config_with_passwords, login
from tests.support.bustap import Bus
from tests.support.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
STOP_TITLE = "⛔ riskd is stopping: accounts are NOT guarded until riskd runs again"


@pytest.fixture
def telegram():
    fake = FakeTelegram(TOKEN)
    yield fake
    fake.close()


@pytest.fixture
def sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def alerts(bus: Bus, kind: str) -> list[NotifyEvent]:
    bus.pump()
    return [m for m in bus.of(NotifyEvent) if m.kind == kind]


def on_phone(telegram: FakeTelegram, *words: str) -> list[str]:
    """The messages sent to Telegram that hold every word."""
    return [c.text for c in telegram.sent() if all(w in c.text for w in words)]


def test_shutdown_kill_and_sigterm_of_riskd_as_the_phone_hears_them(procs, tmp_path, sessions,
                                                                   telegram):
    # notify sends the alerts to a fake Telegram (the phone), logging keeps the log files, risk
    # is the one guard (no market and no broker: nothing else is needed for a stop and a start)
    workers = ["logging", "notify", "risk"]
    config = config_with_passwords(tmp_path, workers=workers, notify={
        "telegram": {"bot_token": TOKEN, "chat_ids": ["111"], "api_base": telegram.url},
        "retry_initial_s": 0.05})
    loaded = load_config(config)
    bus = Bus(loaded.config.bus.events, prefixes=("notify",))
    try:
        # 1. an admin's riskctl shutdown: the stop alert names the admin; notify takes it
        first = procs.riskd(config)
        procs.wait_running(config, workers)
        login(procs, config, "admin")
        done = procs.riskctl(config, "shutdown", "--yes")
        assert done.returncode == 0, (done.stdout, done.stderr)
        assert first.wait(20) == 0, first.output()
        stopped = alerts(bus, "riskd_stopped")
        assert [(a.severity, a.title) for a in stopped] == [("critical", STOP_TITLE)]
        assert stopped[0].lines[0].startswith("stopped by riskctl shutdown by admin:"), stopped
        assert on_phone(telegram, "riskd is stopping", "admin:"), \
            "notify stopped before the stop alert was sent"

        # 2. started again: one "running again" alert, saying who stopped it
        second = procs.riskd(config)
        again = bus.wait(lambda: alerts(bus, "riskd_running_again"), 30, "the again alert")
        assert again[0].severity == "warning"
        assert again[0].title.startswith("🟢 riskd is running again after being down "), again
        assert again[0].title.endswith(": accounts are guarded again"), again[0].title
        assert again[0].lines[0].startswith("it was stopped by riskctl shutdown by admin:")

        # 3. killed -9 (with its workers, like a crash of the machine): the next start says so
        second.kill_tree()
        third = procs.riskd(config)
        bus.wait(lambda: len(alerts(bus, "riskd_running_again")) == 2, 30, "the 2nd again alert")
        assert alerts(bus, "riskd_running_again")[-1].lines[0].startswith(
            "the previous riskd did not stop cleanly")

        # 4. SIGTERM (systemd's or NSSM's stop): the stop alert names the signal
        procs.wait_running(config, workers)
        third.signal(signal.SIGTERM)
        assert third.wait(20) == 0, third.output()
        stops = alerts(bus, "riskd_stopped")
        assert len(stops) == 2 and stops[-1].lines[0] == "stopped by signal SIGTERM (service stop)"
        assert on_phone(telegram, "riskd is stopping", "SIGTERM"), \
            "notify stopped before the stop alert was sent"
        assert len(on_phone(telegram, "riskd is running again")) == 2
        assert len(alerts(bus, "riskd_running_again")) == 2     # each start sent one
    finally:
        bus.close()
