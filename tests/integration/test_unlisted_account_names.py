"""An account the config names by its id alone, and one it does not list, go by the broker's
name on the phone and in history, riskd running or stopped (trial17b finding 3: "Breach
max_contracts on 1003", "✅ Done on 1003 / reduced MNQ on account 1003" for SIM-DEMO-3 while
history said "SIM-DEMO-3 (id 1003)"; after `riskctl accounts add 1004` every alert said "1004";
`riskctl history` with riskd stopped said "1003").

Real processes on loopback: the sim broker with two accounts, riskd on etc/riskd.toml's default
rules (daily_unrealized_loss: a position's open PnL <= -200 closes it), notify on a fake
Telegram. 1031 is in [[accounts]] as `riskctl accounts add 1031` writes it (an id alone); 1032
is not listed (riskd guards it with the default profile). Each is long 1 MNQ; the price falls
to an open PnL of about -240; riskd closes both.
"""
from __future__ import annotations

import signal

import pytest

from tests.e2e.harness import MNQ, SimDesk
from tests.integration.test_alert_after_restart import (GUARDS, TOKEN, _risk_holds, on_phone,
                                                        sessions)  # noqa: F401 (a fixture)
from tests.support.auth import config_with_passwords
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

BROKER = {1031: "ANA-SIM-31", 1032: "BOB-SIM-32"}


def test_the_brokers_name_on_the_phone_and_in_history(procs, tmp_path, sessions):
    telegram = FakeTelegram(TOKEN)
    try:
        config = config_with_passwords(
            tmp_path, workers=GUARDS,
            # the random walk off: the price moves only when the test moves it
            broker={"sim": {"tick_interval": 0,
                            "accounts": [{"id": aid, "name": name, "balance": 50000.0}
                                         for aid, name in BROKER.items()]}},
            accounts=[{"id": 1031}],          # as `riskctl accounts add 1031` writes it
            notify=phone_notify(telegram),
            supervisor={"workers": GUARDS})
        procs.worker("services.simbroker", config)
        desk = SimDesk(config)
        desk.wait_up()
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000.0})
        riskd = procs.riskd(config, timeout=40)
        procs.wait_running(config, GUARDS, timeout=40)
        for aid in BROKER:
            desk.buy(aid, MNQ, 1)
        wait_for(lambda: _risk_holds(procs, config) == len(BROKER), 30, interval=0.1,
                 what="risk seeing the positions")
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20880.0})
        for aid, name in BROKER.items():
            shown = f"{name} (id {aid})"
            wait_for(lambda: not desk.positions(aid), 30, interval=0.1,
                     what=f"{shown}'s position closed by daily_unrealized_loss")
            breach = telegram.wait_sent(lambda c, s=shown: "Breach daily_unrealized_loss on "
                                        + s in c.text, 20, what=f"the breach alert of {shown}")
            done = telegram.wait_sent(lambda c, s=shown: c.text.startswith(f"✅ Done on {s}"),
                                      20, what=f"the Done alert of {shown}")
            assert f"on account {shown}" in done.text, done.text
            for text in (breach.text, done.text):
                assert f"on {aid}" not in text and f"account {aid}" not in text, text
        assert not on_phone(telegram, "on 1031"), on_phone(telegram, "on 1031")
        live = procs.riskctl_ok(config, "history")
        riskd.signal(signal.SIGTERM)
        assert riskd.wait(20) is not None, "riskd did not stop"
        stored = procs.riskctl(config, "history")
        assert stored.returncode == 0, stored.stdout + stored.stderr
        for out in (live, stored.stdout):
            text = " ".join(out.split())
            for aid, name in BROKER.items():
                assert f"{name} (id {aid}) rule daily_unrealized_loss" in text, text
    finally:
        telegram.close()
