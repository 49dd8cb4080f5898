"""A changed [supervisor] risk_shards over risk's state: riskd keeps guarding, history stays readable.

Fresh-user trial 16c, on real processes (riskd, the sim broker, market, risk, enforcement,
riskctl on loopback), findings 2 and 3: `riskctl config set supervisor.risk_shards 2` answered
only "saved (NOT in force yet ... restart)"; the restart left risk-0 and risk-1 refusing to
start on risk.sqlite (flapping, every account NOT GUARDED), and `riskctl history` with riskd
stopped said "risk stored none ... nothing recorded" though risk.sqlite held the day.
Now: the edit says before the restart what it will do; the restart runs risk as the one shard
its state was kept for, which reads its lockout back and closes a breach; the history is read
from risk.sqlite and says why. Config: tests/support/env.make_config (etc/riskd.toml's rules,
as shipped) with an admin password (cheap bcrypt cost) for `config set` and `shutdown`, and
the workers that guard an account at the sim broker.
"""
from __future__ import annotations

import json
import os
import signal

import pytest

from shared.config import load_config
from shared.config.access import hash_password
from shared.projectx.rest import ProjectXRest
from tests.integration.test_risk_shards import _breach_closed
from tests.integration.test_restart_needed_words import PASSWORD, login
from tests.support import incli
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

WORKERS = ["simbroker", "market", "risk", "enforcement"]


def riskctl(config: str, *args: str):
    """riskctl in this process (tests/support/incli.py): the same entry point, sockets and
    output as a riskctl process, without the ~0.3 s of CPU each of those takes to start."""
    return incli.completed(config, *args)


def test_a_changed_shard_count_keeps_risk_guarding_on_its_state(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = make_config(tmp_path, workers=WORKERS,
                         admin={"password_hash": hash_password(PASSWORD, cost=4)})
    loaded = load_config(config)
    riskd = procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=40)
    wait_for(lambda: riskctl(config, "lockout", "1001", "--session", "--reason",
                             "test: locked before the change").returncode == 0,
             30, what="risk to know 1001 and lock it")
    login(config)

    edited = riskctl(config, "config", "set", "supervisor.risk_shards", "2", "--reason", "test")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert "NOT in force yet" in edited.stdout, edited.stdout
    # said before the restart: what it will do and what to do (trial 16c: not a word of it)
    assert "is kept for risk_shards = 1: riskd's restart keeps risk at 1 shard (every " \
           "account guarded)" in edited.stdout, edited.stdout
    assert "docs/scaling.md, 'Changing the number of shards'" in edited.stdout, edited.stdout

    stopped = riskctl(config, "shutdown", "--yes", "--reason", "test: shards")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert riskd.wait(30) is not None
    # riskd stopped: the history risk.sqlite holds, and why that file (trial: "stored none")
    history = riskctl(config, "history", "--json")
    assert history.returncode == 0, history.stdout + history.stderr
    decided = json.loads(history.stdout)["decisions"]
    assert 1001 in {d["account_id"] for d in decided}, decided
    assert "risk.sqlite" in history.stderr and "risk stored none" not in history.stderr
    assert "kept for risk_shards = 1" in history.stderr, history.stderr

    riskd = procs.riskd(config)
    # risk runs as the one shard its state was kept for: no risk-0/risk-1 refusing to start
    table = procs.wait_running(config, WORKERS, timeout=40)
    assert not {"risk-0", "risk-1"} & set(table), table
    out = riskd.output()
    assert "[supervisor] risk_shards = 2 is not in force: risk's state in" in out, out
    lockouts = json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"]
    assert [(lk["account_id"], lk["rule"]) for lk in lockouts] == [(1001, "self_lockout")]
    broker = loaded.config.broker
    client = ProjectXRest(broker.endpoints()[0], broker.user_name, broker.api_key, timeout=10)
    try:
        _breach_closed(client, 1001)        # and it guards: the locked account's buy is closed
    finally:
        client.close()
    status = json.loads(riskctl(config, "status", "--json").stdout)
    assert sorted(a["account_id"] for a in status["accounts"]) == [1001, 1002]
    assert status["shard_hold"].startswith("[supervisor] risk_shards = 2 is not in force")
    assert "[supervisor] risk_shards = 2 is not in force" in riskctl(config, "status").stdout
    assert sorted(f for f in os.listdir(loaded.data_dir)
                  if f.startswith("risk") and f.endswith(".sqlite")) == ["risk.sqlite"]
    riskd.signal(signal.SIGTERM)
    assert riskd.wait(30) is not None


def test_shards_refusing_state_of_other_counts_are_named_truly(procs, tmp_path):
    """State kept for two other counts (risk.sqlite and a file of 3 shards): riskd cannot tell
    which to run, so risk-0 and risk-1 refuse as before. What riskctl says of it is true:
    `workers` names the cause (trial: "invalid config (exit 78)" of a valid config), `status`
    gives only the reasons true now (trial: "market not running ... hub disconnected ... hub
    connecting" for 60 s, market running and connected), `history` says which files it did
    not read (trial: "risk stored none")."""
    # the scenario: 2 shards over state kept for 1 and for 3; the shipped rules as they are
    config = make_config(tmp_path, workers=WORKERS, supervisor={"risk_shards": 2})
    data = load_config(config).data_dir
    os.makedirs(data, exist_ok=True)
    for name in ("risk.sqlite", "risk-0-of-3.sqlite"):
        open(os.path.join(data, name), "wb").close()
    riskd = procs.riskd(config)
    procs.wait_running(config, ["simbroker", "market", "enforcement"], timeout=40)

    def refused(name):
        w = procs.workers(config).get(name)
        return w if w is not None and w.last_exit == 79 else None
    for name in ("risk-0", "risk-1"):
        wait_for(lambda n=name: refused(n), 30, what=f"{name} to refuse the state")
    shown = riskctl(config, "workers")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    # a last exit goes under its row, wrapped to the terminal (small19b): read as one text
    assert "risk's state is kept for another risk_shards (exit 79" in " ".join(
        shown.stdout.split()), shown.stdout
    assert "invalid config" not in shown.stdout, shown.stdout

    def true_reasons():
        status = json.loads(riskctl(config, "status", "--json").stdout)
        now = status["unguarded_now"]
        return now if sorted(now) == ["risk-0 not running", "risk-1 not running"] else None
    wait_for(true_reasons, 30, what="status to give only the shards as NOT GUARDED reasons")
    out = riskctl(config, "status").stdout
    assert "market not running" not in out and "hub disconnected" not in out, out

    riskd.signal(signal.SIGTERM)
    assert riskd.wait(30) is not None
    history = riskctl(config, "history")
    assert history.returncode == 0, history.stdout + history.stderr
    assert "risk stored none" not in history.stderr, history.stderr
    assert ": none for risk_shards = 2; not read, kept for another risk_shards than the " \
           "config's 2: risk.sqlite (risk_shards = 1), risk-0-of-3.sqlite (risk_shards = 3)" \
           in history.stderr, history.stderr


def test_an_offline_shard_edit_says_what_riskd_s_start_will_do(tmp_path):
    """`config set --offline` with riskd stopped: the same words as the live edit, before the
    start (trial 16c: the edit gave no warning)."""
    config = make_config(tmp_path, workers=WORKERS)
    data = load_config(config).data_dir
    os.makedirs(data, exist_ok=True)
    open(os.path.join(data, "risk.sqlite"), "wb").close()     # as one risk left it
    edited = riskctl(config, "config", "set", "--offline", "supervisor.risk_shards", "2")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert f"risk's state in {data} (risk.sqlite) is kept for risk_shards = 1: riskd's " \
           "restart keeps risk at 1 shard (every account guarded)" in edited.stdout, edited.stdout
    back = riskctl(config, "config", "set", "--offline", "supervisor.risk_shards", "1")
    assert back.returncode == 0 and "kept for" not in back.stdout, back.stdout + back.stderr
