"""Warnings while riskd's close is held at the broker come at once (fresh-user trial 18c,
section 3), through a real riskd from etc/riskd.toml and the sim.

Demo 1 (id 1001, the shipped default rules) buys 2 MNQ at 21000; MNQ at 20880 puts the
position at -480: daily_unrealized_loss closes it, and the sim holds that close
(`riskctl sim fail Position/closeContract --status 200 --delay 120 --hold`, the trial's
command: docs/simbroker.md) until riskd's call times out (the shipped 10 s) and its second call
goes through. daily_net_loss is at 80 % of its -600 at once, and the trader's buy of 1 while the
close is held is the 2nd trade within a minute. Before the fix both warnings came only when the
close was done (8-9 s later in the trial), though `riskctl status` showed the 80 % at once: a
3rd buy in those seconds started a cooldown with no warning first. Now each warning reaches the
phone while the close is still held (the sim still holds the position riskd is closing).

Changed from etc/riskd.toml: the sim's random walk off (prices stay put) and a fake Telegram as
the phone (tests/integration/test_notify_commands.py's set-up).
"""
from __future__ import annotations

import pytest

from tests.e2e.harness import CLOSE, MNQ
from tests.integration.test_notify_commands import (ME, riskd_config, start, status_json,  # noqa: F401
                                                    telegram)
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
DEMO1 = 1001


def demo1(procs, config) -> dict:
    return next(a for a in status_json(procs, config)["accounts"] if a["account_id"] == DEMO1)


def test_warnings_reach_the_phone_while_riskds_close_is_held(procs, tmp_path,
                                                            telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = start(procs, config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.buy(DEMO1, MNQ, 2)
    wait_for(lambda: demo1(procs, config)["trades_today"] == 1, 20, what="the 1st trade")
    desk.fail(CLOSE, 200, 1, delay=120, hold=True, accountId=DEMO1)
    try:
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20880})
        loss = telegram.wait_sent(lambda c: c.text.startswith("🟡 daily_net_loss at 80%"), 8,
                                  chat=ME, what="daily_net_loss's 80 % warning")
        # still held: riskd's close has not reached the position
        assert desk.positions(DEMO1) == {MNQ: 2}, loss.text
        desk.buy(DEMO1, MNQ, 1)
        count = telegram.wait_sent(
            lambda c: c.text.startswith("🟡 trade_frequency_limit at 67%"), 6, chat=ME,
            what="the 2nd trade's warning")
        assert desk.positions(DEMO1) == {MNQ: 3}, count.text
        assert "value 2 vs limit 3 per minute" in count.text and "the next trade starts the cooldown" \
            in count.text, count.text
        assert not [c for c in telegram.sent(ME) if c.text.startswith("✅ Done")]
    finally:
        desk.release(CLOSE)
    wait_for(lambda: not desk.positions(DEMO1), 40, interval=0.2, what="Demo 1 flat")
    wait_for(lambda: demo1(procs, config)["trades_today"] == 2, 20,
             what="the trader's 2 trades, riskd's close not one of them")
