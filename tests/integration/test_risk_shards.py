"""Risk as 2 shards ([supervisor] risk_shards = 2) in a real riskd: the sim broker, market,
risk-0, risk-1 and enforcement as processes on loopback.

The sim's two accounts land on both shards (1002 % 2 = 0, 1001 % 2 = 1). Each account's
breach (a buy while its trader's session lockout holds) is closed at the broker; riskctl
status, lockouts and history show both shards' accounts; a kill -9 of one shard leaves the
other guarding while the supervisor restarts the killed one, which reloads its lockout from
its own state file. A risk started on state kept for another number of shards refuses to start
and says how to migrate.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import zmq

from shared import shards, topics
from shared.bus.sockets import make_socket
from shared.bus.subscriber import Subscriber
from shared.config import load_config
from shared.exitwords import EXIT_SHARD_STATE, exit_words
from shared.messages.market import Fill
from shared.projectx.rest import ProjectXRest
from tests.support import env as support_env
from tests.support.env import REPO, make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

MNQ = "CON.F.US.MNQ.Z26"
MARKET, BUY = 2, 0
SHARD_OF = {1002: "risk-0", 1001: "risk-1"}
WORKERS = ["simbroker", "market", "risk", "enforcement"]
RUNNING = ["simbroker", "market", "risk-0", "risk-1", "enforcement"]


def _json(procs, config, *args):
    done = procs.riskctl(config, *args, "--json")
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return json.loads(done.stdout)


def _breach_closed(client: ProjectXRest, account: int, timeout: float = 20.0) -> None:
    """A buy on a locked account: enforcement closes the position it opened."""
    client.place_order(account, MNQ, MARKET, BUY, 1)
    wait_for(lambda: not [p for p in client.open_positions(account) if p.size], timeout,
             what=f"account {account}'s breach to be closed at the broker")


def test_two_shards_guard_both_accounts_and_survive_a_kill(procs, tmp_path):
    # the scenario: risk as two shards; the shipped rules stay as they are
    config = make_config(tmp_path, workers=WORKERS, supervisor={"risk_shards": 2})
    loaded = load_config(config)
    procs.riskd(config)
    procs.wait_running(config, RUNNING, timeout=40)

    for account in SHARD_OF:
        wait_for(lambda a=account: procs.riskctl(
            config, "lockout", str(a), "--session", "--reason", "test: every buy breaches"
        ).returncode == 0, 30, what=f"the shard of {account} to know it and lock it")

    status = _json(procs, config, "status")
    assert sorted(a["account_id"] for a in status["accounts"]) == [1001, 1002]
    lockouts = _json(procs, config, "lockouts")["lockouts"]
    assert sorted((lk["account_id"], lk["rule"]) for lk in lockouts) == [
        (1001, "self_lockout"), (1002, "self_lockout")]
    for account in SHARD_OF:          # one account's request reaches the shard that owns it
        one = _json(procs, config, "lockouts", "--account", str(account))["lockouts"]
        assert [lk["account_id"] for lk in one] == [account]
        # a broker name no [[accounts]] entry gives: every shard is asked, its owner answers
        named = _json(procs, config, "lockouts", "--account", f"SIM-DEMO-{account - 1000}")
        assert [lk["account_id"] for lk in named["lockouts"]] == [account]
    accounts = _json(procs, config, "accounts", "list")
    assert not accounts["risk_note"], accounts
    assert sorted(r["id"] for r in accounts["accounts"] if r["seen"]) == [1001, 1002]

    rest_url = loaded.config.broker.endpoints()[0]
    broker = loaded.config.broker
    client = ProjectXRest(rest_url, broker.user_name, broker.api_key, timeout=10)
    # a tap subscribed as risk-0 is: market's main stream and shard 0's user events
    tap = Subscriber(make_socket(zmq.Context.instance(), zmq.SUB,
                                 connect=loaded.config.bus.market_pub))
    for topic in shards.market_topics(0):
        tap.subscribe(topic)
    time.sleep(0.5)                      # the tap's subscription reaches market
    try:
        for account in SHARD_OF:
            _breach_closed(client, account)
        seen = []
        deadline = time.monotonic() + 2.5      # market's heartbeats (1 a second) among them
        while time.monotonic() < deadline:
            if tap.sock.poll(100):
                while (got := tap.recv()) is not None:
                    seen.append(got)
        fills = [r.msg.account_id for r in seen if isinstance(r.msg, Fill)]
        assert fills and set(fills) == {1002}, fills       # only its own accounts' events
        assert [r.continuity for r in seen if r.continuity is not None
                and r.continuity.kind != "first"] == []    # and each stream without holes
        assert {r.envelope.publisher for r in seen} >= {"market", "market.s0"}
        assert sum(1 for r in seen if r.topic == topics.HEARTBEAT) >= 2
        history = _json(procs, config, "history")
        decided = {d["account_id"] for d in history["decisions"]}
        assert decided == {1001, 1002}, history["decisions"]

        # kill -9 the shard of 1001: the other shard still guards 1002 meanwhile
        workers = procs.workers(config)
        killed = workers["risk-1"]
        os.kill(killed.pid, signal.SIGKILL)
        _breach_closed(client, 1002)
        again = wait_for(lambda: (lambda w: w if w.state == "running" and w.pid != killed.pid
                                  else None)(procs.workers(config)["risk-1"]), 40,
                         what="the supervisor to restart risk-1")
        assert again.restarts >= 1
        assert procs.workers(config)["risk-0"].pid == workers["risk-0"].pid   # untouched
        # the restarted shard read its lockout back from its own file, and acts on it
        one = wait_for(lambda: _json(procs, config, "lockouts", "--account", "1001")["lockouts"],
                       20, what="risk-1's lockout of 1001 after its restart")
        assert [lk["rule"] for lk in one] == ["self_lockout"]
        _breach_closed(client, 1001)
    finally:
        tap.sock.close(0)
        client.close()
    data = loaded.data_dir
    assert sorted(f for f in os.listdir(data) if f.startswith("risk") and
                  f.endswith(".sqlite")) == ["risk-0-of-2.sqlite", "risk-1-of-2.sqlite"]


def test_risk_refuses_state_kept_for_another_shard_count(tmp_path):
    # state written by 2 shards, then the config goes back to one risk without migrating
    config = make_config(tmp_path, workers=[])
    data = load_config(config).data_dir
    os.makedirs(data, exist_ok=True)
    for k in range(2):
        open(os.path.join(data, f"risk-{k}-of-2.sqlite"), "wb").close()
    done = subprocess.run([sys.executable, "-m", "services.risk", "--config", config],
                          cwd=REPO, env=support_env.test_env(), capture_output=True, text=True, timeout=30)
    # its own exit status, not the invalid config's 78 (trial 16c: `riskctl workers` said
    # "refused to start: invalid config (exit 78)" of a valid config)
    assert done.returncode == EXIT_SHARD_STATE == 79, done.stderr
    assert exit_words(done.returncode).startswith(
        "refused to start: risk's state is kept for another risk_shards (exit 79")
    assert "risk_shards = 2" in done.stderr and "risk_shards = 1" in done.stderr
    assert "docs/scaling.md" in done.stderr
    assert not os.path.exists(os.path.join(data, "risk.sqlite"))   # nothing new was started


def test_a_shard_index_outside_the_count_is_refused(tmp_path):
    config = make_config(tmp_path, workers=[], supervisor={"risk_shards": 2})
    done = subprocess.run([sys.executable, "-m", "services.risk", "--config", config],
                          cwd=REPO, env={**support_env.test_env(), "RISKD_RISK_SHARD": "2"},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 78
    assert "RISKD_RISK_SHARD='2' is not a shard of [supervisor] risk_shards = 2" in done.stderr
