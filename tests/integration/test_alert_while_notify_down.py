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

from tests.e2e.harness import ES, MNQ
from tests.integration.test_alert_after_restart import (TOKEN, long_one_each, on_phone,
                                                        sessions)  # noqa: F401 (a fixture)
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

# (account, name, contract, its price, the price at an open PnL of about -240: past -200)
A = (1011, "ALPHA", MNQ, 21000.0, 20880.0)          # $2 a point: -120 points
B = (1012, "BRAVO", ES, 6000.0, 5995.0)             # $50 a point: -5 points


def breach_alerted(desk, telegram, account) -> str:
    """The account's price falls past daily_unrealized_loss; its breach alert on the phone."""
    _aid, name, contract, _price, low = account
    desk.sim("/sim/quote", {"contractId": contract, "lastPrice": low})
    telegram.wait_sent(lambda c: f"Breach daily_unrealized_loss on {name}" in c.text, 20,
                       what=f"the breach alert of {name}")
    return name


def breach_with_notify_stopped(procs, config, desk, telegram, account) -> str:
    """`riskctl stop notify`, then the account's position past daily_unrealized_loss and closed
    (the phone hears nothing of it); returns the account's name."""
    done = procs.riskctl(config, "stop", "notify", "--yes")
    assert done.returncode == 0, (done.stdout, done.stderr)
    # the answer says what the phone misses and what it gets late (trial16a finding 7: it
    # said only "notify stopped"); what follows here is that promise kept
    said = " ".join(done.stdout.split())
    assert "notify stopped. no alert reaches the phone until it is started again (riskctl " \
        "start notify); then it sends late what risk decided meanwhile (breaches, lockouts " \
        "and their outcomes" in said, said
    aid, name, contract, _price, low = account
    desk.sim("/sim/quote", {"contractId": contract, "lastPrice": low})
    wait_for(lambda: not desk.positions(aid), 20, interval=0.05,
             what=f"{name}'s position closed by daily_unrealized_loss")
    time.sleep(0.3)                                     # the result published too
    assert not on_phone(telegram, "Breach", name)
    return name


def test_a_breach_while_notify_is_down_is_alerted_once_when_it_is_back(procs, tmp_path,
                                                                         sessions):
    telegram = FakeTelegram(TOKEN)
    try:
        config, desk = long_one_each(procs, tmp_path, telegram, (A, B))

        name = breach_alerted(desk, telegram, A)            # alerted by the first notify
        telegram.wait_sent(lambda c: "✅ Done" in c.text and name in c.text, 20,
                           what=f"the Done alert of {name}")

        name = breach_with_notify_stopped(procs, config, desk, telegram, B)
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
