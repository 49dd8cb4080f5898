"""A close waiting for the market, of a rule that set no lockout, is withdrawn when the price
comes back, and the phone hears it once; the position stays open after the market opens.

Trial 2026-12-06 (the worst finding): Demo 1 unlocked; `riskctl sim price MNQ 20900; riskctl
sim buy MNQ 2 --account 1001`; the sim's market closed (`POST /sim/market {"open": false}`);
MNQ 20840 put the position at -241: daily_unrealized_loss (scope position, shipped limit 200,
no lockout) decided close_position, held pending ("⏳ Waiting: close MNQ long 2 on Demo 1
waits for the market to open"). MNQ 20905 (in profit), the market opened, and 14 s later
"✅ Done on Demo 1 / MNQ closed": riskd closed a winning position for a breach that was over.

A real riskd from etc/riskd.toml with its shipped rules (test_phone_market_closed.py's
set-up, a fake Telegram is the phone); nothing is changed for the scenario: the shipped
limits already have daily_unrealized_loss decide alone at -240.
"""
from __future__ import annotations

import time

import pytest

from tests.e2e.harness import MNQ
from tests.integration.test_notify_commands import ME, riskd_config, telegram  # noqa: F401
from tests.integration.test_phone_market_closed import long_mnq_market_closed

pytestmark = pytest.mark.slow


@pytest.mark.timeout(120)
def test_a_waiting_close_whose_breach_is_over_is_withdrawn_and_mnq_stays_open(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = long_mnq_market_closed(procs, config, size=2, price="20900")
    try:
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20840.0})
        waiting = telegram.wait_sent(lambda c: c.text.startswith("⏳ Waiting"), 20, chat=ME,
                                     what="the waiting alert")
        assert "close MNQ long 2 on Demo 1 (id 1001) waits for the market to open" in waiting.text, \
            waiting.text
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20905.0})
        withdrawn = telegram.wait_sent(lambda c: c.text.startswith("↩️ Withdrawn on Demo 1"),
                                       20, chat=ME, what="the withdrawn alert")
        assert ("close MNQ long 2 was not carried out: no longer needed: MNQ long 2 is back "
                "within daily_unrealized_loss (open PnL ") in withdrawn.text, withdrawn.text
    finally:
        desk.sim("/sim/market", {"open": True})
    time.sleep(4.0)              # the market is open: a close still held would run now
    assert desk.positions(1001) == {MNQ: 2}
    texts = [c.text for c in telegram.sent(ME)]
    after = texts[texts.index(waiting.text) + 1:]
    assert [t for t in after if t.startswith(("↩️", "✅", "🚨", "⏳"))] == [withdrawn.text], \
        [t[:80] for t in after]
