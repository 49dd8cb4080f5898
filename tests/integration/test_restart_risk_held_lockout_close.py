"""kill -9 of risk while lockout enforcement's close of a buy made while locked is held at the
broker (fresh-user trial19a, section 3), through a real riskd from etc/riskd.toml and the sim.

Demo 1 self-locked and flat. The sim holds every closeContract of the account (`/sim/fail`
status 200 with `hold`: docs/simbroker.md). The trader buys 1 MNQ: riskd's close of it is
held. Risk is killed -9 a few seconds later and started again by the supervisor; the close is
released after it is back.

Before the fix (twice in the trial): the restarted risk read market's snapshot, MNQ long 1
opened while locked, as a new buy while locked: a second "🔒 Lockout enforced" alert ("nothing
sent: left to riskd's cut in flight, which closes MNQ"), a second "lockout enforcement" line
in history and a second LAST ACTIONS row ("left to its cut in flight"): read as two buys
(docs/rules.md, Lockouts: each buy made while locked gets its own line). Now: one line, one
alert, one row; the decision the killed risk made is in the history the restarted one answers
with at once.

Changed from etc/riskd.toml: the sim's random walk off (prices stay put) and a fake Telegram as
the phone (tests/integration/test_notify_commands.py's set-up).
"""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.e2e.harness import CLOSE, MNQ
from tests.integration.test_notify_commands import (  # noqa: F401
    ME, riskd_config, start, status_json, telegram)
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150),
              pytest.mark.riskctl_in_process]   # riskctl: incli.completed
DEMO1 = 1001


def lockout_lines(procs, config, *since: str) -> list[dict]:
    done = procs.riskctl(config, "history", "--account", str(DEMO1), "--json", *since)
    assert done.returncode == 0, done.stderr
    return [d for d in json.loads(done.stdout)["decisions"] if d["rule"] == "lockout"]


def locked_with_closes_held(procs, config, telegram):
    """riskd started, Demo 1 locked by the trader, the sim holding its next closes (up to 120
    s each): the sim desk."""
    desk = start(procs, config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    locked = procs.riskctl(config, "lockout", str(DEMO1), "--session")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    wait_for(lambda: any("🔒 Demo 1" in c.text for c in telegram.sent(ME)), 20,
             what="the self-lockout's alert")
    desk.fail(CLOSE, 200, 10, delay=120, hold=True, accountId=DEMO1)
    return desk


def enforced(telegram) -> list[str]:
    return [c.text for c in telegram.sent(ME) if "Lockout enforced" in c.text]


def test_a_restarted_risk_does_not_record_the_buy_its_predecessor_is_closing_again(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = locked_with_closes_held(procs, config, telegram)
    try:
        desk.buy(DEMO1, MNQ, 1)
        wait_for(lambda: len(lockout_lines(procs, config)) == 1, 20,
                 what="the lockout enforcement line of the buy")
        wait_for(lambda: len(enforced(telegram)) == 1, 20, what="its alert")
        time.sleep(2)                          # the close is held at the broker meanwhile
        risk = procs.workers(config)["risk"].pid
        os.kill(risk, signal.SIGKILL)
        wait_for(lambda: procs.workers(config)["risk"].pid not in (None, risk)
                 and procs.workers(config)["risk"].state == "running", 30,
                 what="risk started again")
        wait_for(lambda: status_json(procs, config).get("market_synced")
                 or any(a["account_id"] == DEMO1 for a in status_json(procs, config)["accounts"]),
                 20, what="risk answering")
        # the killed risk's decision is there at once in what the restarted risk answers
        # (trial19a: "history --since 20s" right after the restart seemed to lack it)
        lines = lockout_lines(procs, config, "--since", "60s")
        assert len(lines) == 1, [(d["reason"], d.get("suppressed")) for d in lines]
        time.sleep(4)                          # market's snapshot judged by the new risk
        assert desk.positions(DEMO1) == {MNQ: 1}
    finally:
        desk.release(CLOSE)
    wait_for(lambda: not desk.positions(DEMO1), 40, interval=0.2, what="Demo 1 flat")
    wait_for(lambda: any(c.text.startswith("✅ Done") and "lockout enforcement" in c.text
                         for c in telegram.sent(ME)), 40, what="the close's Done")
    time.sleep(3)                   # anything else that would come

    lines = lockout_lines(procs, config)
    assert len(lines) == 1, [(d["reason"], d.get("suppressed")) for d in lines]
    assert not lines[0].get("suppressed"), lines[0]
    assert len(enforced(telegram)) == 1, enforced(telegram)
    status = procs.riskctl(config, "status")
    assert status.returncode == 0, status.stderr
    assert "left to its cut in flight" not in status.stdout, status.stdout
    # riskd's close is not the trader's trade: 1 buy
    demo1 = next(a for a in status_json(procs, config)["accounts"] if a["account_id"] == DEMO1)
    assert demo1["trades_today"] == 1, demo1
