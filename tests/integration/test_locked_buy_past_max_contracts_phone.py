"""A locked account's buy past max_contracts, through a real riskd from etc/riskd.toml (Demo
2 (strict): max_contracts 2), the sim and notify with a fake Telegram as the phone
(trial15c findings 6 and 10).

The trader locks Demo 2 (`riskctl lockout`), then buys 3 MNQ. Lockout enforcement closes all
of MNQ; max_contracts, past its limit, reduces MNQ to 2 beside that close (risk still sends
it). The phone got 4 alerts per buy, among them "⚠️ Breach max_contracts ... reduce MNQ by
1". Now it gets the lockout's close and its Done; the breach beside the close is in history
(and riskd's log: tests/unit/notify/test_breach_beside_lockouts_close.py), not on the phone. The account ends flat (guarantee 3), as before.

Changed from etc/riskd.toml: the sim's random walk off (prices stay put), a fake Telegram
(tests/integration/test_notify_commands.py's set-up).
"""
from __future__ import annotations

import json
import time

import pytest

from tests.e2e.harness import MNQ
from tests.integration.test_notify_commands import ME, riskd_config, start, telegram  # noqa: F401
from tests.support.env import wait_for

pytestmark = pytest.mark.slow
STRICT = 1002


def history(procs, config) -> list[dict]:
    done = procs.riskctl(config, "history", "--account", str(STRICT), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["decisions"]


@pytest.mark.timeout(150)
def test_the_phone_gets_the_lockouts_close_not_max_contracts_beside_it(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = start(procs, config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    locked = procs.riskctl(config, "lockout", str(STRICT), "--until", "1h", "--reason",
                           "tilted")
    assert locked.returncode == 0, (locked.stdout, locked.stderr)
    time.sleep(1.0)                 # the self-lockout's flatten (nothing open) is done
    # a buy past max_contracts while locked; again if riskd's close beat max_contracts to it
    for _ in range(3):
        desk.buy(STRICT, MNQ, 3)
        wait_for(lambda: not desk.positions(STRICT).get(MNQ), 20, interval=0.2,
                 what="Demo 2 flat again (every position a locked account opens is closed)")
        if any(d["rule"] == "max_contracts" for d in history(procs, config)):
            break
    rows = history(procs, config)
    beside = [d for d in rows if d["rule"] == "max_contracts"]
    assert beside and all(d["action"] == "reduce_position" for d in beside), rows
    assert any(d["rule"] == "lockout" for d in rows), rows
    telegram.wait_sent(lambda c: c.text.startswith("🔒 Lockout enforced on Demo 2"), 15,
                       chat=ME, what="the lockout's close")
    time.sleep(2.0)                 # every alert of the buys is out
    texts = [c.text for c in telegram.sent(ME)]
    assert not [t for t in texts if "max_contracts" in t], texts
    assert desk.positions(STRICT).get(MNQ) in (None, 0)
