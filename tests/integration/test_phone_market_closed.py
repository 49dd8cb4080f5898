"""An action refused because the market is closed reaches the phone (trial 2026-12-06: the
breach's close stayed pending, "planned, not done yet (pending): ... waits for the market to
open" in riskctl history, and the phone never heard of it). A real riskd from etc/riskd.toml
(tests/integration/test_notify_commands.py's config; a fake Telegram is the phone); Demo 1
holds MNQ long 1, the sim's market closes (`POST /sim/market {"open": false}`, the trial's
step), the trader locks themselves out from the phone: the flatten waits; the phone gets one
"⏳ Waiting" however often enforcement tries again, and once the market opens a "✅ Done" that
says it was done late."""
from __future__ import annotations

import time

import pytest

from tests.e2e.harness import MNQ
from tests.integration.test_notify_commands import (ME, account, ask, button, riskd_config,
                                                    start, status_json, telegram)  # noqa: F401
from tests.support.env import wait_for

pytestmark = pytest.mark.slow


def long_mnq_market_closed(procs, config: str, size: int = 1, price: str = ""):
    """riskd started on config, Demo 1 long MNQ `size` (bought at `price`, else the desk's
    21000) as risk sees it, then the sim's market closed: what the trader's lockout flattens
    next has to wait."""
    desk = start(procs, config)
    if price:
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": float(price)})
    else:
        desk.quote(MNQ)
    desk.buy(1001, MNQ, size)
    wait_for(lambda: account(status_json(procs, config), 1001)["positions"], 20,
             what="risk to see Demo 1's position")
    desk.sim("/sim/market", {"open": False})
    return desk


@pytest.mark.timeout(120)
def test_a_flatten_waiting_for_the_market_is_said_once_and_its_done_says_late(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = long_mnq_market_closed(procs, config)
    try:
        ask(telegram, ME, 111, "/lockout Demo 1 30m")
        telegram.press(ME, 111, button(telegram.sent(ME)[-1], "lk:y:"))
        waiting = telegram.wait_sent(lambda c: c.text.startswith("⏳ Waiting"), 20, chat=ME,
                                     what="the waiting alert")
        assert "on Demo 1 (id 1001) waits for the market to open" in waiting.text, waiting.text
        assert "the broker refused it: market closed; riskd sends it again when it opens" \
            in waiting.text, waiting.text
        # the lockout's alert is on the phone first (trial: "⏳ Waiting" came before "🔒 Demo 1
        # locked ... (self_lockout)", the same second): notify holds a risk notice about an
        # account behind that account's step alert (services/notify/app.py _take)
        texts = [c.text for c in telegram.sent(ME)]
        locked = [i for i, t in enumerate(texts) if t.startswith("🔒 Demo 1 (id 1001) locked until")]
        assert locked and locked[0] < texts.index(waiting.text), [t[:60] for t in texts]
        time.sleep(5.0)                  # enforcement tries again (2 s, then longer)
        assert len([c for c in telegram.sent(ME) if c.text.startswith("⏳ Waiting")]) == 1
    finally:
        desk.sim("/sim/market", {"open": True})
    done = telegram.wait_sent(lambda c: c.text.startswith("✅ Done on Demo 1"), 60, chat=ME,
                              what="the Done after the market opened")
    assert "after the decision, after the market opened" in done.text, done.text
    assert desk.flat(1001)
