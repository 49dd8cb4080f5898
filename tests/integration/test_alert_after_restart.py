"""A breach risk decides the moment it starts reaches the phone (trial finding, seen twice).

Real processes on loopback: the sim broker, and riskd from etc/riskd.toml's default rules
(daily_unrealized_loss: a position's open PnL <= -200 closes it) with its guard workers; notify
sends to a fake Telegram. The trader is long 1 MNQ; `riskctl stop risk`; the price falls 120
points (-240); `riskctl start risk`. Risk decides at once, from market's snapshot, and
enforcement closes the position. Before the fix the "✅ Done" alert came but the "⚠️ Breach"
alert did not: the new risk process binds its PUB anew and published the decision before
notify's SUB had reconnected (ZeroMQ's slow joiner: a PUB drops what no subscription matches
yet). Now a publisher keeps what it sends in its first seconds and sends it again to a
subscription that arrives then (shared/bus/publisher.py); subscribers drop the copies they
already have (shared/bus/subscriber.py), so the alert comes once.
"""
from __future__ import annotations

import time

import pytest

from shared.messages.risk import RiskStatusRequest
from tests.e2e.harness import MNQ, SimDesk
from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
ACCOUNT = 1006
GUARDS = ["logging", "notify", "market", "risk", "enforcement"]


@pytest.fixture
def sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def on_phone(telegram: FakeTelegram, *words: str) -> list[str]:
    return [c.text for c in telegram.sent() if all(w in c.text for w in words)]


def test_the_breach_risk_decides_as_it_starts_is_alerted_once(procs, tmp_path, sessions):
    telegram = FakeTelegram(TOKEN)
    config = config_with_passwords(
        tmp_path, workers=GUARDS,
        # the random walk off: the price moves only when the test moves it
        broker={"sim": {"tick_interval": 0,
                        "accounts": [{"id": ACCOUNT, "name": "TRIAL", "balance": 50000.0}]}},
        # the default profile: etc/riskd.toml's rules as shipped, nothing changed
        accounts=[{"id": ACCOUNT, "name": "TRIAL", "profile": "default"}],
        # the phone: a fake Telegram, retried quickly
        notify={"telegram": {"bot_token": TOKEN, "chat_ids": ["111"],
                             "api_base": telegram.url},
                "retry_initial_s": 0.05},
        supervisor={"workers": GUARDS})
    try:
        procs.worker("services.simbroker", config)
        desk = SimDesk(config)
        desk.wait_up()
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000.0})
        procs.riskd(config, timeout=40)
        procs.wait_running(config, GUARDS, timeout=40)
        login(procs, config, "admin")
        desk.buy(ACCOUNT, MNQ, 1)
        wait_for(lambda: _risk_holds(procs, config), 30, interval=0.1, what="risk seeing the position")

        done = procs.riskctl(config, "stop", "risk", "--yes")
        assert done.returncode == 0, (done.stdout, done.stderr)
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20880.0})     # -240 open
        time.sleep(0.5)                        # market has the price before risk starts
        done = procs.riskctl(config, "start", "risk")
        assert done.returncode == 0, (done.stdout, done.stderr)

        wait_for(lambda: not desk.positions(ACCOUNT), 30, interval=0.1,
                 what="the position closed by daily_unrealized_loss")
        telegram.wait_sent(lambda c: "✅ Done" in c.text and "TRIAL" in c.text, 20,
                           what="the Done alert")
        telegram.wait_sent(lambda c: "Breach daily_unrealized_loss" in c.text, 10,
                           what="the breach alert")
        time.sleep(1.0)                        # observing that it is sent once
        assert len(on_phone(telegram, "Breach daily_unrealized_loss")) == 1, \
            [c.text[:80] for c in telegram.sent()]
    finally:
        telegram.close()


def _risk_holds(procs, config: str) -> bool:
    try:
        reply = procs.control_call(config, RiskStatusRequest(account=str(ACCOUNT)))
    except Exception:          # not answering yet: asked again
        return False
    return reply.ok and any(a.positions for a in reply.body.accounts)
