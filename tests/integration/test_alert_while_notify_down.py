"""A breach decided while notify is down reaches the phone once notify runs again, and what
the notify before it had alerted is not alerted twice (guarantee 7: "no alert is lost to a
crash"; round 6 left this open: a PUB drops what no subscription matches, and a restarted
notify's SUB subscribes anew).

Real processes on loopback: the sim broker, and riskd from etc/riskd.toml's default rules
(daily_unrealized_loss: a position's open PnL <= -200 closes it); notify sends to a fake
Telegram. Account A breaches and is alerted; ops stops notify; account B breaches and is
closed while notify is down; notify starts again. Every worker's PUB keeps what it published
on the alert topics in the last 10 s and sends a copy to a subscription that arrives
(shared/bus/publisher.py): the new notify takes B's and drops A's, which the run before took
(services/notify/outbox.py, table `taken`).
"""
from __future__ import annotations

import time

import pytest

from tests.e2e.harness import ES, MNQ, SimDesk
from tests.integration.test_alert_after_restart import _risk_holds, on_phone
from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
GUARDS = ["logging", "notify", "market", "risk", "enforcement"]
# (account, name, contract, its price, the price at an open PnL of about -240: past -200)
A = (1011, "ALPHA", MNQ, 21000.0, 20880.0)          # $2 a point: -120 points
B = (1012, "BRAVO", ES, 6000.0, 5995.0)             # $50 a point: -5 points


@pytest.fixture
def sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def test_a_breach_while_notify_is_down_is_alerted_once_when_it_is_back(procs, tmp_path,
                                                                         sessions):
    telegram = FakeTelegram(TOKEN)
    config = config_with_passwords(
        tmp_path, workers=GUARDS,
        # the random walk off: the price moves only when the test moves it
        broker={"sim": {"tick_interval": 0,
                        "accounts": [{"id": aid, "name": name, "balance": 50000.0}
                                     for aid, name, *_ in (A, B)]}},
        # the default profile: etc/riskd.toml's rules as shipped, nothing changed
        accounts=[{"id": aid, "name": name, "profile": "default"} for aid, name, *_ in (A, B)],
        # the phone: a fake Telegram, retried quickly
        notify={"telegram": {"bot_token": TOKEN, "chat_ids": ["111"],
                             "api_base": telegram.url},
                "retry_initial_s": 0.05},
        supervisor={"workers": GUARDS})
    try:
        procs.worker("services.simbroker", config)
        desk = SimDesk(config)
        desk.wait_up()
        for _aid, _name, contract, price, _low in (A, B):
            desk.sim("/sim/quote", {"contractId": contract, "lastPrice": price})
        procs.riskd(config, timeout=40)
        procs.wait_running(config, GUARDS, timeout=40)
        login(procs, config, "admin")
        for aid, _name, contract, _price, _low in (A, B):
            desk.buy(aid, contract, 1)
        wait_for(lambda: _risk_holds(procs, config) == 2, 30, interval=0.1,
                 what="risk seeing both positions")

        aid, name, contract, _price, low = A                # alerted by the first notify
        desk.sim("/sim/quote", {"contractId": contract, "lastPrice": low})
        telegram.wait_sent(lambda c: f"Breach daily_unrealized_loss on {name}" in c.text, 20,
                           what=f"the breach alert of {name}")
        telegram.wait_sent(lambda c: "✅ Done" in c.text and name in c.text, 20,
                           what=f"the Done alert of {name}")

        done = procs.riskctl(config, "stop", "notify", "--yes")
        assert done.returncode == 0, (done.stdout, done.stderr)
        aid, name, contract, _price, low = B                # while notify is down
        desk.sim("/sim/quote", {"contractId": contract, "lastPrice": low})
        wait_for(lambda: not desk.positions(aid), 20, interval=0.05,
                 what=f"{name}'s position closed by daily_unrealized_loss")
        time.sleep(0.3)                                     # the result published too
        assert not on_phone(telegram, "Breach", name)
        done = procs.riskctl(config, "start", "notify")
        assert done.returncode == 0, (done.stdout, done.stderr)

        telegram.wait_sent(lambda c: f"Breach daily_unrealized_loss on {name}" in c.text, 20,
                           what=f"the breach alert of {name}, decided while notify was down")
        telegram.wait_sent(lambda c: "✅ Done" in c.text and name in c.text, 20,
                           what=f"the Done alert of {name}")
        time.sleep(1.0)                                     # observing that each is sent once
        for who in ("ALPHA", "BRAVO"):
            assert len(on_phone(telegram, f"Breach daily_unrealized_loss on {who}")) == 1, \
                [c.text[:80] for c in telegram.sent()]
            assert len(on_phone(telegram, "✅ Done", who, "closed")) == 1, \
                [c.text[:80] for c in telegram.sent()]
    finally:
        telegram.close()
