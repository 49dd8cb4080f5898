"""Config changes on a running riskd: applied live without restarting a worker, or refused whole.

Real processes on loopback: riskd with two workers, edits through riskctl (the supervisor
holds the file) and by hand (an editor replacing the file, seen by the watcher). Each
worker answers Ping with how many live reloads it applied (config_generation), which is
how the test sees that the WORKERS took the new file, not only the supervisor.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import tomlkit

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.config.access import hash_password
from shared.config.edit import atomic_write
from shared.messages.system import Ping
from tests.support import env as support
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["logging", "risk"]
LIMIT = "profiles.default.rules.daily_realized_loss.limit"


_ADDRESSES: dict = {}


def generation(config_path: str, worker: str) -> int:
    """How many live reloads the worker applied (its Pong); addresses read while valid."""
    key = (config_path, worker)
    if key not in _ADDRESSES:
        _ADDRESSES[key] = load_config(config_path).config.bus.control_of(worker)
    address = _ADDRESSES[key]
    with RpcClient(address, worker, timeout=1.0, retries=0, name="test") as client:
        return client.call(Ping()).body.config_generation


def running_limit(procs, config_path: str):
    """(daily_realized_loss.limit, reloads applied) of the RUNNING config, via config show."""
    shown = procs.riskctl(config_path, "config", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    return view["config"]["profiles"]["default"]["rules"]["daily_realized_loss"]["limit"], \
        view["generation"]


def all_at(config_path: str, gen: int):
    return all(generation(config_path, w) == gen for w in WORKERS)


PASSWORD = "correct horse"


@pytest.fixture
def admin_config(tmp_path, monkeypatch):
    """make_config plus an admin password (cheap bcrypt cost for the test); riskctl's
    session cache lives in the test's folder."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))

    def make(**sections):
        return make_config(tmp_path, admin={"password_hash": hash_password(PASSWORD, cost=4)},
                           **sections)
    return make


def login(config_path: str) -> None:
    done = subprocess.run([sys.executable, "-m", "cli.main", "--config", config_path, "login",
                           "--role", "admin", "--password-stdin"], input=PASSWORD + "\n",
                          cwd=support.REPO, env=support.test_env(), capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_running_riskd_applies_edits_live_and_keeps_its_config_on_an_invalid_file(
        procs, tmp_path, admin_config):
    config = admin_config(supervisor={"workers": WORKERS})
    with open(config, "a") as fh:
        fh.write("\n# a comment written by hand\n")
    riskd = procs.riskd(config)
    login(config)
    pids = {n: w.pid for n, w in procs.wait_running(config, WORKERS).items()}
    assert all_at(config, 0)

    # 1. an edit through riskctl: validated, backed up, applied live, comment kept
    done = procs.riskctl(config, "rules", "set", "default", "daily_realized_loss", "limit", "250")
    assert done.returncode == 0, done.stderr
    assert "applied live" in done.stdout
    assert running_limit(procs, config) == (250, 1)
    wait_for(lambda: all_at(config, 1), timeout=10, what="both workers to apply the edit")
    assert "# a comment written by hand" in open(config).read()

    # 2. an editor replaces the file: the watcher notices, riskd and the workers reload
    doc = tomlkit.parse(open(config).read())
    doc["profiles"]["default"]["rules"]["daily_realized_loss"]["limit"] = 200
    atomic_write(config, tomlkit.dumps(doc))
    wait_for(lambda: running_limit(procs, config) == (200, 2), timeout=10,
             what="riskd to reload the replaced file")
    wait_for(lambda: all_at(config, 2), timeout=10, what="both workers to apply the new file")

    # 3. an invalid file: refused, the running config stays, nobody reloads
    good = open(config).read()
    atomic_write(config, good.replace("limit = 200", "limit = -5"))
    # the watcher acts only once the file has been quiet for its debounce: wait for its own
    # refusal of the bad file first (a `config reload` before it would mark the content seen,
    # and the watcher rightly stays silent then), then look: looking at once would pass
    # whatever it then does
    wait_for(lambda: riskd.output().count("config reload refused") >= 1, timeout=20,
             what="the file watcher to refuse the invalid file (riskd's log)")
    refused = procs.riskctl(config, "config", "reload")
    assert refused.returncode == 1
    assert f"{LIMIT}: expected an amount from 0.01 to 1000000, got -5" in refused.stdout
    assert running_limit(procs, config) == (200, 2)
    assert all_at(config, 2)

    # 4. an invalid edit through riskctl leaves the file as it is (here: still the bad one)
    before = open(config, "rb").read()
    bad = procs.riskctl(config, "rules", "set", "default", "max_contracts", "limit", "zero")
    assert bad.returncode == 1 and "max_contracts.limit" in bad.stderr
    assert open(config, "rb").read() == before
    atomic_write(config, good)

    # no worker was restarted by any of this
    table = procs.workers(config)
    assert {n: table[n].pid for n in WORKERS} == pids
    assert all(table[n].restarts == 0 for n in WORKERS)

    # the backups of the two riskctl-free edits are not there, the riskctl edit's is
    listed = procs.riskctl(config, "config", "backups", "--json")
    assert listed.returncode == 0, listed.stderr
    backups = json.loads(listed.stdout)
    assert backups["folder"] == os.path.join(str(tmp_path / "data"), "config-backups")
    assert len(backups["backups"]) == 1


def test_config_show_masks_secrets_and_restore_puts_a_backup_back(procs, admin_config):
    config = admin_config(supervisor={"workers": ["logging"]},
                          broker={"api_key": "sk-VerySecret-123456"})
    procs.riskd(config)
    login(config)
    shown = procs.riskctl(config, "config", "show")
    assert shown.returncode == 0, shown.stderr
    assert "sk-VerySecret" not in shown.stdout and 'api_key = "***"' in shown.stdout

    listed = procs.riskctl(config, "rules", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["rule"]: r for r in json.loads(listed.stdout)["rules"]}
    assert len(rows) == 15 and rows["daily_realized_loss"]["params"]["limit"] == 500   # typed (issue 17)
    human = procs.riskctl(config, "rules", "list", "default")
    assert "daily_net_loss" in human.stdout and "limit=600" in human.stdout

    live = procs.riskctl(config, "config", "set", "logging.level", "DEBUG")
    assert live.returncode == 0 and "applied live" in live.stdout, live.stderr
    later = procs.riskctl(config, "config", "set", "broker.timeout", "20")
    assert later.returncode == 0, later.stderr
    # no worker that reads it runs (only logging): none to restart, it is read at their start
    assert "saved (applied live)" in later.stdout and "restart" not in later.stdout, later.stdout
    stamp = json.loads(procs.riskctl(config, "config", "backups", "--json").stdout)[
        "backups"][0]["stamp"]
    restored = procs.riskctl(config, "config", "restore", stamp)   # as it was before the last edit
    assert restored.returncode == 0, restored.stderr
    assert load_config(config).config.logging.level == "DEBUG"
    assert load_config(config).config.broker.timeout == 10.0


def test_a_restore_lists_its_changes_and_says_the_restored_password_is_in_force(
        procs, admin_config):
    """Fresh-user trial 13b: `riskctl passwd admin`, then a restore of the backup from before
    it answered "saved (applied live); it ended 1 admin session (root): log in again with the
    new password" and listed no change, but the restore had put the OLD password back (the new
    one was refused); the audit had "changes=admin.password_hash: secret changed"."""
    config = admin_config(supervisor={"workers": ["logging"]})
    procs.riskd(config)
    login(config)
    changed = procs.riskctl(config, "passwd", "admin", "--password-stdin",
                            input="a brand new admin pw\n")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    done = subprocess.run([sys.executable, "-m", "cli.main", "--config", config, "login",
                           "--role", "admin", "--password-stdin"], input="a brand new admin pw\n",
                          cwd=support.REPO, env=support.test_env(), capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    stamp = json.loads(procs.riskctl(config, "config", "backups", "--json").stdout)[
        "backups"][0]["stamp"]                              # the file from before the passwd
    # it changes who can log in: asked first (trial 14b), refused without a terminal
    asked = procs.riskctl(config, "config", "restore", stamp, "--reason", "trial restore")
    assert asked.returncode == 1, asked.stdout + asked.stderr
    assert "WARNING: it would put back the admin password of the restored file" in asked.stderr
    assert "Re-run with --yes" in asked.stderr
    restored = procs.riskctl(config, "config", "restore", stamp, "--reason", "trial restore",
                             "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    out = restored.stdout
    assert "admin.password_hash: secret changed" in out, out    # named as the audit names it
    assert "$2" not in out                                      # never shown
    assert "the new password" not in out, out
    assert "log in again with the restored file's password" in out, out
    assert "the admin password is now the one in the restored file" in out, out
    login(config)                                               # the old one is in force


def test_riskd_refuses_to_start_on_an_invalid_file_and_names_every_problem(procs, tmp_path):
    config = make_config(tmp_path, workers=["logging"],
                         profiles={"default": {"rules": {"max_contracts": {"limit": 0},
                                                         "daily_net_loss": {"limit": "x"}}}})
    riskd = procs.riskd(config, wait_up=False)
    code = riskd.wait(20)
    assert code not in (0, None), riskd.output()
    out = riskd.output()
    assert "profiles.default.rules.max_contracts.limit" in out
    assert "profiles.default.rules.daily_net_loss.limit" in out


def risk_limit(procs, config_path: str, account: str, rule: str):
    """(limit, pending) the RISK WORKER reports for one rule of an account (RulesRequest)."""
    from shared.messages.risk import RulesRequest
    reply = procs.control_call(config_path, RulesRequest(account=account))
    assert reply.ok, reply.reason
    acct = reply.body.accounts[0]
    value = next(v for v in acct.rules if v.rule == rule)
    return value.limit, acct.pending


GUARDS = ["simbroker", "market", "risk"]


def guarded_riskd(procs, admin_config) -> tuple[str, dict]:
    """riskd with the sim, market and risk, account 1001 at the default 500 daily loss limit,
    an admin logged in: (config path, worker pids)."""
    config = admin_config(supervisor={"workers": GUARDS},
                          accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    procs.riskd(config)
    pids = {n: w.pid for n, w in procs.wait_running(config, GUARDS, timeout=30).items()}
    wait_for(lambda: risk_limit(procs, config, "1001", "daily_realized_loss")[0] == -500,
             timeout=20, what="risk to report the configured limit for account 1001")
    login(config)
    return config, pids


def test_the_risk_worker_reports_a_tightened_limit_at_once_without_a_restart(procs,
                                                                            admin_config):
    config, pids = guarded_riskd(procs, admin_config)

    tighter = procs.riskctl(config, "rules", "set", "SIM-DEMO-1", "daily_realized_loss",
                            "limit", "250")
    assert tighter.returncode == 0, tighter.stderr
    wait_for(lambda: risk_limit(procs, config, "1001", "daily_realized_loss")[0] == -250,
             timeout=10, what="risk to report the tightened limit")

    # loosening waits for the trading-day roll (RULES.md): reported as pending, not applied
    looser = procs.riskctl(config, "rules", "set", "SIM-DEMO-1", "daily_realized_loss",
                           "limit", "400")
    assert looser.returncode == 0, looser.stderr
    limit, pending = wait_for(lambda: (lambda lp: lp if lp[1] else None)(
        risk_limit(procs, config, "1001", "daily_realized_loss")), timeout=10,
        what="risk to report the loosened limit as pending")
    assert limit == -250 and any("daily_realized_loss" in p for p in pending)

    # the roll moved to a time already past today (fresh-user trial 21b, finding 1: the header
    # turned to the next day, risk kept 17:00): it applies from the next roll, and risk, the
    # supervisor and the screens (which read the file) keep the day in progress to 17:00
    import datetime as dt
    import time
    from zoneinfo import ZoneInfo
    from cli.watch.source import read_tables
    from shared.messages.control import StatusRequest
    from shared.messages.risk import RiskStatusRequest
    from shared.tradingday import TradingCalendar
    shipped, now = TradingCalendar.make(), time.time_ns()
    past = (dt.datetime.now(ZoneInfo("America/Chicago")) - dt.timedelta(hours=1)).strftime("%H:%M")
    moved = procs.riskctl(config, "config", "set", "trading_day.roll",
                          past if past != "17:00" else "16:58")
    assert moved.returncode == 0, moved.stderr
    day, roll = shipped.trading_day(now).isoformat(), shipped.next_roll(now)
    assert f"saved; applies from the next roll: trading day {day} still ends at" in moved.stdout
    sup = procs.control_call(config, StatusRequest())
    assert sup.body.trading_day == day, sup.body
    [acct] = procs.control_call(config, RiskStatusRequest(account="1001")).body.accounts
    assert (acct.trading_day, acct.next_roll_ns) == (day, roll)
    screen = read_tables(config)[1]
    assert (screen.trading_day(now).isoformat(), screen.next_roll(now)) == (day, roll)
    assert risk_limit(procs, config, "1001", "daily_realized_loss")[1] == pending   # waits still

    table = procs.workers(config)
    assert {n: table[n].pid for n in GUARDS} == pids


def test_a_waiting_loosening_survives_a_restart_of_risk_and_an_override_too(procs,
                                                                           admin_config):
    """Trial finding 2: `rules set` loosens (waits for the roll), then `riskctl restart risk`:
    the restarted risk still enforces the old limit with the new one waiting; an override
    applies it now, and a second restart keeps it applied."""
    config, _pids = guarded_riskd(procs, admin_config)
    looser = procs.riskctl(config, "rules", "set", "SIM-DEMO-1", "daily_realized_loss",
                           "limit", "800")
    assert looser.returncode == 0, looser.stderr
    wait_for(lambda: risk_limit(procs, config, "1001", "daily_realized_loss")[1], timeout=10,
             what="risk to report the loosened limit as pending")

    def restart_risk():
        before = procs.workers(config)["risk"].pid
        done = procs.riskctl(config, "restart", "risk")
        assert done.returncode == 0, done.stderr
        wait_for(lambda: (procs.workers(config)["risk"].pid != before
                          and procs.workers(config)["risk"].state == "running"),
                 timeout=30, what="risk to run again")
        return wait_for(lambda: (lambda lp: lp if lp[0] is not None else None)(
            risk_limit(procs, config, "1001", "daily_realized_loss")), timeout=20,
            what="the restarted risk to report the rule")

    limit, pending = restart_risk()
    assert limit == -500 and any("daily_realized_loss" in p for p in pending)
    done = procs.riskctl(config, "rules", "override", "--account", "SIM-DEMO-1", "--rule",
                         "daily_realized_loss", "--reason", "desk approved")
    assert done.returncode == 0, done.stderr + done.stdout
    assert risk_limit(procs, config, "1001", "daily_realized_loss") == (-800, [])
    assert restart_risk() == (-800, [])
