"""A breach decided while enforcement is stopped tells the phone the truth: its action waits
for enforcement (since when), and the trader should act on the platform; once enforcement is
back and the action done, its "Done" says so (fresh-user trial: the phone read "action: close
the position MNQ" while `riskctl history` said the close waited for enforcement).

Real processes on loopback: the sim broker, riskd from etc/riskd.toml's default rules
(daily_unrealized_loss: a position's open PnL <= -200 closes it), notify on a fake Telegram.
"""
from __future__ import annotations

import time

import pytest

from shared.accountname import called
from tests.e2e.harness import MNQ
from tests.integration.test_alert_after_restart import (TOKEN, long_one_each, on_phone,
                                                        sessions)  # noqa: F401 (a fixture)
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

A = (1021, "ANA", MNQ, 21000.0, 20880.0)        # $2 a point: -120 points, open PnL about -240


def test_a_breach_while_enforcement_is_stopped_says_the_close_waits_then_done(procs, tmp_path,
                                                                              sessions):
    telegram = FakeTelegram(TOKEN)
    try:
        config, desk = long_one_each(procs, tmp_path, telegram, (A,))
        aid, name, contract, _price, low = A
        done = procs.riskctl(config, "stop", "enforcement", "--yes")
        assert done.returncode == 0, (done.stdout, done.stderr)
        telegram.wait_sent(lambda c: "Worker enforcement stopped" in c.text, 20,
                           what="the stop alert")

        desk.sim("/sim/quote", {"contractId": contract, "lastPrice": low})
        breach = telegram.wait_sent(
            lambda c: f"Breach daily_unrealized_loss on {name}" in c.text, 20,
            what=f"the breach alert of {name}")
        text = breach.text
        lines = text.splitlines()
        shown = called(name, aid)
        assert lines[0] == (f"⚠️ Breach daily_unrealized_loss on {shown}: NOT done yet, "
                            "enforcement is not running"), text
        assert "action waiting: close the position MNQ" in lines, text
        assert not any(x.startswith("action: ") for x in lines), text
        waits = [x for x in lines if x.startswith("enforcement is not running (since ")]
        assert waits and waits[0].endswith("risk sends the action when enforcement is back; "
                                           "act on your broker's platform if needed"), text
        time.sleep(0.5)
        assert desk.positions(aid), "closed with enforcement stopped"

        done = procs.riskctl(config, "start", "enforcement")
        assert done.returncode == 0, (done.stdout, done.stderr)
        wait_for(lambda: not desk.positions(aid), 30, interval=0.05,
                 what=f"{name}'s position closed once enforcement is back")
        telegram.wait_sent(lambda c: "✅ Done" in c.text and name in c.text, 20,
                           what=f"the Done alert of {name}")
        [done_text] = on_phone(telegram, "✅ Done", name)
        assert done_text.startswith(f"✅ Done on {shown}: enforcement is back"), \
            done_text
        assert "the action that waited for enforcement (not running since " in done_text, \
            done_text
        # the worker's "back" before the work it made possible (trial15a finding 5: the Done
        # came 90 ms before "🟢 Worker enforcement is back"; services/notify/donehold.py)
        telegram.wait_sent(lambda c: "Worker enforcement is back" in c.text, 20,
                           what="enforcement's back alert")
        sent = [c.text for c in telegram.sent()]
        back = next(i for i, t in enumerate(sent) if "Worker enforcement is back" in t)
        assert back < sent.index(done_text), sent[back:]
        assert "sent before" not in done_text, done_text
    finally:
        telegram.close()
