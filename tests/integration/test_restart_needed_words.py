"""A restart-only edit on a running riskd: truthful words, and a worker restart that keeps guarding.

Fresh-user trial 15b, on real processes (riskd, riskctl, loopback):
- finding 1: `config set bus.risk_control ...` answered "saved (applied live; needs a restart
  to take effect: bus)"; then `riskctl restart risk` started risk on the NEW address while the
  supervisor looked for it on the old one and killed it as hung every 15 s (accounts NOT
  guarded; the restart answered "risk exited before it was up" of a risk that ran).
- finding 3: after one `broker.api_key` edit every later edit answered "needs a restart to
  take effect: broker", naming no worker; a restore that put the key back said nothing.
Fresh-user trial 15c, finding 4: a [bus] key set back to the value riskd runs answered "NOT in
force yet ... `riskctl shutdown`", a shutdown for nothing (a restored key alike).
Config: tests/support/env.make_config (etc/riskd.toml's rules, as shipped) with an admin
password (cheap bcrypt cost) and only the workers each scenario needs (said at each test).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.config.access import hash_password
from shared.messages.system import Ping
from tests.support import env as support
from tests.support.env import make_config, wait_for
from tests.support.ports import free_ports

pytestmark = pytest.mark.slow

PASSWORD = "correct horse"


@pytest.fixture
def admin_config(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))

    def make(workers):
        return make_config(tmp_path, workers=workers,
                           admin={"password_hash": hash_password(PASSWORD, cost=4)})
    return make


def riskctl(config: str, *args: str, env_extra: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "--config", config, *args],
                          cwd=support.REPO, env={**support.test_env(), **(env_extra or {})},
                          capture_output=True, text=True, timeout=60, input=stdin,
                          stdin=subprocess.DEVNULL if stdin is None else None)


def login(config: str) -> None:
    done = riskctl(config, "login", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_bus_edit_needs_riskd_restarted_and_a_restarted_risk_keeps_the_running_address(
        procs, admin_config):
    # risk is the worker of the trial; logging keeps riskd's log lines
    config = admin_config(["logging", "risk"])
    procs.riskd(config)
    procs.wait_running(config, ["logging", "risk"], timeout=30)
    login(config)
    running = load_config(config).config.bus.risk_control
    new = f"tcp://127.0.0.1:{free_ports(1)[0]}"

    edited = riskctl(config, "config", "set", "bus.risk_control", new, "--reason", "test")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    out = edited.stdout
    assert "applied live" not in out, out
    assert "NOT in force yet: bus.risk_control takes effect only when riskd itself " \
           "restarts: `" in out, out
    assert "riskctl shutdown`, then `make run`" in out, out
    assert "restarting a worker cannot apply it" in out, out

    # the advice a user may still try: the restarted risk runs where riskd looks for it
    restarted = riskctl(config, "restart", "risk", "--reason", "apply bus")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "risk is up" in restarted.stdout, restarted.stdout
    with RpcClient(running, "risk", timeout=2.0, retries=1, name="test") as client:
        assert client.call(Ping()).ok
    table = procs.workers(config)
    assert table["risk"].state == "running", table["risk"]

    # set back to the address riskd runs (trial 15c: "NOT in force yet ... `riskctl
    # shutdown`", a needless shutdown): nothing waits for a restart, riskd's log agrees
    back = riskctl(config, "config", "set", "bus.risk_control", running, "--reason", "back")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "bus.risk_control: saved (bus.risk_control matches what riskd runs: nothing to " \
           "restart)" in back.stdout, back.stdout
    assert "NOT in force" not in back.stdout and "shutdown" not in back.stdout, back.stdout
    # and set again to the value the file already holds (trial16c: "saved (applied live)")
    again = riskctl(config, "config", "set", "bus.risk_control", running, "--reason", "again")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "bus.risk_control: unchanged (the file already holds that value; it matches what " \
           "riskd runs: nothing to restart)" in again.stdout, again.stdout
    assert "applied live" not in again.stdout, again.stdout
    system_log = os.path.join(load_config(config).log_dir, "system.log")
    wait_for(lambda: "config reloaded; bus.risk_control matches what riskd runs: nothing to "
             "restart" in open(system_log, encoding="utf-8").read(), timeout=5,
             what="the set-back reload in system.log")
    logged = open(system_log, encoding="utf-8").read()
    assert logged.count("not in force yet: bus.risk_control") == 1, logged   # the move only

    # bus.control is where riskctl finds riskd: moved now, nothing could reach it to stop it
    before = open(config, encoding="utf-8").read()
    moved = riskctl(config, "config", "set", "bus.control", f"tcp://127.0.0.1:{free_ports(1)[0]}")
    assert moved.returncode == 1, moved.stdout + moved.stderr
    assert "bus.control: not saved: it moves bus.control, the address riskctl finds this " \
           "riskd at" in moved.stderr, moved.stderr
    assert "`riskctl config set bus.control ADDRESS --offline`" in moved.stderr, moved.stderr
    assert open(config, encoding="utf-8").read() == before
    assert "killed" not in table["risk"].last_exit_words, table["risk"]


def test_a_broker_key_edit_names_its_workers_once_and_a_restore_says_it_too(procs,
                                                                           admin_config):
    # the sim broker (it checks the key) and market (it logs in with it); enforcement, the
    # other worker that logs in, is not started: an edit names only the workers running
    config = admin_config(["logging", "simbroker", "market"])
    procs.riskd(config)
    procs.wait_running(config, ["logging", "simbroker", "market"], timeout=30)
    login(config)

    keyed = riskctl(config, "config", "set", "broker.api_key", "--value-env", "MYKEY",
                    env_extra={"MYKEY": "topsecretkey123"})
    assert keyed.returncode == 0, keyed.stdout + keyed.stderr
    out = keyed.stdout.replace(support.REPO + "/", "")
    assert "topsecretkey123" not in out
    assert "applied live" not in out, out
    assert ("NOT in force yet: restart simbroker and market for broker.api_key to take "
            "effect:") in out, out
    assert "restart simbroker`" in out and "restart market`" in out, out
    assert "enforcement" not in out, out

    later = riskctl(config, "config", "set", "logging.level", "DEBUG")
    assert later.returncode == 0, later.stdout + later.stderr
    assert "saved (applied live)" in later.stdout, later.stdout
    assert "restart" not in later.stdout, later.stdout
    # riskd's log says it once, the supervisor's line (trial 15c finding 8: four times, once
    # more by each of simbroker and market), and never the key
    system_log = os.path.join(load_config(config).log_dir, "system.log")
    wait_for(lambda: "logging.level" in open(system_log, encoding="utf-8").read(), timeout=5,
             what="the second edit in system.log")
    said = [line for line in open(system_log, encoding="utf-8")      # the audit record apart
            if "broker.api_key" in line and "restart" in line and '"audit":true' not in line]
    assert len(said) == 1 and "supervisor" in said[0], said
    assert "simbroker first" in said[0], said
    assert "topsecretkey123" not in open(system_log, encoding="utf-8").read()

    backups = json.loads(riskctl(config, "config", "backups", "--json").stdout)["backups"]
    before_key = backups[1]["stamp"]           # newest first: [0] is from before the level
    restored = riskctl(config, "config", "restore", before_key, "--reason", "undo")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    out = restored.stdout
    assert "broker.api_key: secret removed" in out, out
    # the key simbroker and market started with, and run (trial 15c: the answer said "NOT in
    # force yet: restart simbroker and market", a restart for nothing)
    assert "applied live; broker.api_key matches what riskd runs: nothing to restart" in out, out
    assert "NOT in force" not in out and "riskctl restart" not in out, out
    wait_for(lambda: procs.workers(config)["market"].state == "running", timeout=5,
             what="market still running")
