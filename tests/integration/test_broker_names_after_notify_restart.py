"""A notify restarted (kill -9) names an account the config does not name by the broker's name,
as before (small18 item 1): notify kept the names risk's records carry in memory only, so the
"✅ Done" of an action after notify's crash, built from enforcement's result (which carries no
name), said "✅ Done on 1032" where the breach alert before it said "BOB-SIM-32 (id 1032)".

Real processes on loopback: the sim broker, riskd on etc/riskd.toml's default rules
(max_contracts: more than 5 contracts are reduced), notify on a fake Telegram. 1032 is not in
[[accounts]] (riskd guards it with the default profile). Enforcement is stopped so the reduce
waits (its Done comes only after notify's restart); the trader holds 6 MNQ; the breach alert
names the account; some seconds later (past what a restarted notify reads again of risk's
history) notify is killed (kill -9) and the supervisor starts it again; enforcement is started;
the reduce is done and its Done names the account the same way. (A reduce at the price bought:
no loss, so no other rule's record, which carries the name, comes between the restart and the
Done.)
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from services.notify import catchup
from tests.e2e.harness import MNQ, SimDesk
from tests.integration.test_alert_after_restart import (GUARDS, TOKEN, on_phone,
                                                        sessions)  # noqa: F401 (a fixture)
from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150),
              pytest.mark.riskctl_in_process]   # riskctl: incli.completed

AID, NAME = 1032, "BOB-SIM-32"
SHOWN = f"{NAME} (id {AID})"


def test_the_done_after_a_notify_crash_names_the_account_as_the_breach_did(procs, tmp_path,
                                                                           sessions):
    telegram = FakeTelegram(TOKEN)
    try:
        config = config_with_passwords(
            tmp_path, workers=GUARDS,
            # the random walk off: the price moves only when the test moves it
            broker={"sim": {"tick_interval": 0,
                            "accounts": [{"id": AID, "name": NAME, "balance": 50000.0}]}},
            notify=phone_notify(telegram),
            supervisor={"workers": GUARDS})
        procs.worker("services.simbroker", config)
        desk = SimDesk(config)
        desk.wait_up()
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000.0})
        procs.riskd(config, timeout=40)
        procs.wait_running(config, GUARDS, timeout=40)
        login(procs, config, "admin")
        stopped = procs.riskctl(config, "stop", "enforcement", "--yes")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        desk.buy(AID, MNQ, 6)
        breach = telegram.wait_sent(lambda c: f"Breach max_contracts on {SHOWN}"
                                    in c.text, 20, what="the breach alert")
        assert desk.positions(AID).get(MNQ) == 6, "reduced with enforcement stopped"
        # past the window a restarted notify asks risk's history for (catchup.window_start:
        # its last sign of life less ALIVE_EVERY_S + 1 s): the breach is not read again there
        time.sleep(catchup.ALIVE_EVERY_S + 4)
        old = procs.workers(config)["notify"].pid
        os.kill(old, signal.SIGKILL)                       # notify crashes
        wait_for(lambda: (lambda w: w.state == "running" and w.pid != old)(
            procs.workers(config)["notify"]), 30, what="the supervisor to restart notify")
        started = procs.riskctl(config, "start", "enforcement")
        assert started.returncode == 0, started.stdout + started.stderr
        wait_for(lambda: desk.positions(AID).get(MNQ) == 5, 30, interval=0.1,
                 what="the position reduced once enforcement is back")
        done = telegram.wait_sent(lambda c: c.text.startswith("✅ Done"), 30,
                                  what="the Done alert")
        assert done.text.startswith(f"✅ Done on {SHOWN}"), (breach.text, done.text)
        assert not on_phone(telegram, f"on {AID}"), on_phone(telegram, f"on {AID}")
    finally:
        telegram.close()
