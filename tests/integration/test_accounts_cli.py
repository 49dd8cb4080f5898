"""`riskctl accounts ...`, `riskctl rules override` and password changes against a real riskd.

The sim broker lists SIM-DEMO-1 (1001) and SIM-DEMO-2 (1002); the config starts with 1001
only, under a comment written by hand. Edits need an admin session and keep the comment and
a backup; disabling an account is a loosening, so risk keeps guarding it until the roll
unless the admin override (audited) applies it now. Logins reuse tests/integration/test_auth.
"""
from __future__ import annotations

import json

import pytest

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.config.edit import default_backup_dir, list_backups
from shared.messages.auth import LoginRequest
from shared.messages.config import ConfigReload
from shared.messages.control import ControlRequest
from shared.messages.notify import NotifyEvent
from tests.integration import test_auth
from tests.integration.test_auth import ADMIN_PW, OPS_PW, audited, config_with_passwords
from tests.support.bustap import Bus
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

GUARDS = ["simbroker", "logging", "market", "risk"]
HAND_COMMENT = "# guarded by hand: the demo account"
riskctl = test_auth.riskctl      # the fixture: riskctl with a session cache in the test's folder


def accounts(riskctl, config) -> dict:
    """name -> row of `riskctl accounts list --json`."""
    out = riskctl(config, "accounts", "list", "--json")
    assert out.returncode == 0, out.stderr
    return {row["name"]: row for row in json.loads(out.stdout)["accounts"]}


def ok(done) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_accounts_round_trip_and_a_disable_waits_for_the_roll_or_the_override(
        procs, tmp_path, riskctl):
    config = config_with_passwords(tmp_path, workers=GUARDS)
    with open(config, "a", encoding="utf-8") as fh:
        fh.write(f'\n{HAND_COMMENT}\n[[accounts]]\nid = 1001\nname = "SIM-DEMO-1"\n')
    procs.riskd(config)
    procs.wait_running(config, GUARDS, timeout=30)

    # trader: configured accounts plus the one the broker reports that the config does not list
    rows = wait_for(lambda: (lambda r: r if r.get("SIM-DEMO-2", {}).get("seen") else None)(
        accounts(riskctl, config)), timeout=20, what="risk to report both sim accounts")
    assert rows["SIM-DEMO-1"]["configured"] and rows["SIM-DEMO-1"]["enabled"]
    assert rows["SIM-DEMO-1"]["guarded"] and rows["SIM-DEMO-1"]["profile"] == "default"
    assert rows["SIM-DEMO-2"]["configured"] is False and rows["SIM-DEMO-2"]["guarded"]
    text = ok(riskctl(config, "accounts", "list"))
    assert "(not configured)" in text and "SIM-DEMO-1" in text

    refused = riskctl(config, "accounts", "disable", "SIM-DEMO-1")
    assert refused.returncode == 3 and "needs an admin session" in refused.stderr
    ok(riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW))

    ok(riskctl(config, "accounts", "add", "1002", "--name", "SIM-DEMO-2",
               "--display-name", "Two"))
    ok(riskctl(config, "accounts", "set", "SIM-DEMO-1", "display_name", "Main"))
    ok(riskctl(config, "rules", "set", "Main", "daily_realized_loss", "limit", "300"))
    rows = accounts(riskctl, config)
    assert rows["SIM-DEMO-2"]["configured"] and rows["SIM-DEMO-2"]["display_name"] == "Two"
    assert rows["SIM-DEMO-1"]["display_name"] == "Main"
    assert rows["SIM-DEMO-1"]["overrides"] == {"daily_realized_loss.limit": "300"}
    # the screens name it as alerts do, from the next refresh on (trial: status and watch kept
    # the broker's name "SIM-DEMO-1" after a display_name change)
    status = ok(riskctl(config, "status"))
    assert "Main (id 1001)  balance" in status and "Two (id 1002)  balance" in status, status
    assert "SIM-DEMO-1" not in status, status
    bad = riskctl(config, "accounts", "set", "Main", "profile", "nope")
    assert bad.returncode == 1 and "unknown profile 'nope'" in bad.stderr

    # disable: written now, but risk keeps guarding until the roll (loosening waits)
    out = ok(riskctl(config, "accounts", "disable", "Main"))
    assert "until the next trading-day roll" in out
    main = accounts(riskctl, config)["SIM-DEMO-1"]
    assert main["enabled"] is False and main["guarded"]
    assert any("no longer guarded" in p for p in main["pending"])

    # the admin override reaches risk: the waiting disable applies now, audited
    out = ok(riskctl(config, "rules", "override", "--reason", "account closed at the firm"))
    # the account by its display name, as every answer names it (round 7)
    assert "1 waiting change taken early: Main (id 1001): account no longer guarded" in out, out
    assert accounts(riskctl, config)["SIM-DEMO-1"]["guarded"] is False

    # enabling adds protection: at once; its reason, optional, is audited as disable's is, and
    # risk's "guarded again" alert says who and why as the disable's says its own
    phone = Bus(load_config(config).config.bus.risk_pub, prefixes=("notify",))
    ok(riskctl(config, "accounts", "enable", "Main", "--reason", "the firm reopened it"))
    [again] = phone.wait(lambda: [e for e in phone.of(NotifyEvent)
                                  if e.kind == "account_guarded_again"], 10,
                         "risk's guarded-again alert")
    assert again.lines[0].startswith("Main (id 1001) is guarded again, now: enabled by admin:"), again
    assert again.lines[0].endswith(" (the firm reopened it)"), again
    wait_for(lambda: accounts(riskctl, config)["SIM-DEMO-1"]["guarded"], timeout=10,
             what="risk to guard the re-enabled account at once")

    # --now: the disable applies at once, for the account named only (trial 2026-12-06: Main's
    # waiting loosening was taken early with it)
    ok(riskctl(config, "rules", "set", "Main", "daily_realized_loss", "limit", "800"))
    assert accounts(riskctl, config)["SIM-DEMO-1"]["pending"] == ["daily_realized_loss"]
    out = ok(riskctl(config, "accounts", "disable", "Two", "--now", "--reason", "demo only"))
    assert "risk no longer guards Two (id 1002)" in out and "taken early" not in out, out
    rows = accounts(riskctl, config)
    assert rows["SIM-DEMO-2"]["guarded"] is False and rows["SIM-DEMO-1"]["guarded"]
    assert rows["SIM-DEMO-1"]["pending"] == ["daily_realized_loss"]       # still waits
    status = ok(riskctl(config, "status"))
    assert "; guarded now except Two (id 1002): disabled by admin:" in status, status
    assert "(demo only)" in status, status

    wait_for(lambda: len(audited(config, '"action": "rules override"', "ok")) == 1
             and len(audited(config, '"action": "accounts disable --now"', "ok")) == 1,
             timeout=10, what="the override and the disable --now in audit.log")
    assert audited(config, '"action": "accounts enable"', "ok",
                   '"reason": "the firm reopened it"')
    shown = ok(riskctl(config, "audit", "show"))        # its REASON column, as disable --now's
    flat = " ".join(shown.split())             # a row too wide is a wrapped block (fitted)
    assert "the firm reopened it" in flat and "demo only" in flat, shown
    body = open(config, encoding="utf-8").read()
    assert HAND_COMMENT in body and 'display_name = "Two"' in body
    loaded = load_config(config)
    backups = list_backups(config, default_backup_dir(loaded.path, loaded.data_dir))
    assert len(backups) == 7        # add, set, rules set, disable, enable, rules set, disable


def test_a_new_password_ends_the_sessions_of_that_role_only(procs, tmp_path, riskctl):
    config = config_with_passwords(tmp_path, workers=())
    procs.riskd(config)
    ops = procs.control_call(config, LoginRequest(role="ops", password=OPS_PW)).body.token
    ok(riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW))
    ok(riskctl(config, "accounts", "add", "4242"))

    ok(riskctl(config, "passwd", "admin", "--password-stdin", password="a new admin secret"))
    late = riskctl(config, "accounts", "add", "4343")
    assert late.returncode == 3, late.stdout + late.stderr
    # the real reason, not "riskd restarted or it was ended" (trial: neither had happened)
    assert "your admin session ended when the admin password was changed" in late.stderr
    assert "$2" not in procs.started[0].output()          # the hashes never reach the log

    address = load_config(config).config.bus.control
    with RpcClient(address, "riskd", timeout=3.0, retries=0, name="test") as client:
        still = client.call(ControlRequest(command=ConfigReload(reason="ops"), session=ops))
    assert still.ok, still.reason                          # the ops password did not change
    ok(riskctl(config, "login", "--role", "admin", "--password-stdin",
               password="a new admin secret"))
    ok(riskctl(config, "accounts", "add", "4343"))
