"""Only an admin is an admin (issue 17, items 1-4), against a real riskd.

- `--offline` edits refuse while riskd runs (its instance lock tells), and work once it stopped;
- a password or [admin] change that reaches riskd by editing the file is audited as such and
  alerted (a NotifyEvent on the supervisor's events PUB, which the notify worker sends);
- wrong admin passwords lock only the admin login of that client, never ops;
- audit lines of edits and worker control carry who, what (old -> new), why and the result,
  inside the hash chain;
- secrets stay off the command line and out of backups others can read.
The configs hold bcrypt hashes at cost 4 so logins take milliseconds; only the logging worker
runs (the audit trail needs it; nothing here trades).
"""
from __future__ import annotations

import json
import os
import stat

import pytest

from shared.config import load_config
from shared.config.access import check_password
from shared.messages.notify import NotifyEvent
from tests.support.auth import (ADMIN_PW, OPS_PW, audited, config_with_passwords,
                                login)
from tests.support.bustap import Bus
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed


@pytest.fixture(autouse=True)
def session_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def admin_hash(config) -> str:
    return load_config(config).config.admin.password_hash


def test_offline_edits_refuse_while_riskd_runs_and_work_once_it_stopped(procs, tmp_path):
    config = config_with_passwords(tmp_path)
    riskd = procs.riskd(config)
    before = open(config).read()
    passwd = procs.riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                           input="i am admin now\n")
    assert passwd.returncode == 3, passwd.stdout + passwd.stderr
    assert passwd.stderr.startswith("riskctl passwd: riskd is running (pid ")
    assert "without --offline" in passwd.stderr
    setting = procs.riskctl(config, "config", "set", "--offline", "admin.allow_unlock", "false")
    assert setting.returncode == 3 and "riskd is running" in setting.stderr
    assert open(config).read() == before                      # nothing was written
    assert check_password(ADMIN_PW, admin_hash(config))

    riskd.signal(15)
    assert riskd.wait(20) is not None
    passwd = procs.riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                           input="new admin pw\n")
    assert passwd.returncode == 0, passwd.stderr
    assert check_password("new admin pw", admin_hash(config))


def test_a_password_changed_by_editing_the_file_is_audited_and_alerted(procs, tmp_path):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    events = Bus(load_config(config).config.bus.events, prefixes=("notify",))
    try:
        events.pump(0.3)                      # subscribed before the edit
        old = admin_hash(config)
        from shared.config.access import hash_password
        text = open(config).read().replace(old, hash_password("attacker", cost=4))
        with open(config, "w") as fh:         # what `passwd --offline` did before the fix
            fh.write(text)
        alert = events.wait(lambda: [e for e in events.of(NotifyEvent)
                                     if e.kind == "admin_file_edit"], 10,
                            what="the admin_file_edit alert")[0]
    finally:
        events.close()
    assert alert.severity == "critical"
    assert "admin password changed by a file edit, not through riskctl" in alert.title
    line = wait_for(lambda: audited(config, "admin password changed by a file edit, not "
                                            "through riskctl"), 10, what="the audit line")[0]
    assert line["who"] == "file edit" and "$2b$" not in json.dumps(line)


def test_a_rule_limit_changed_by_editing_the_file_is_audited(procs, tmp_path):
    """trial15b: a hand edit of a rule (daily_net_loss's limit raised in the file) was applied
    and left no audit line at all: "who raised the loss limit" had no answer. Trial 16b: the
    raise (a loosening, which risk keeps waiting until the roll) read "applied:"; a
    tightening is applied at once and says so."""
    import re
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    text = open(config).read()
    edited = re.sub(r"(\[profiles\.default\.rules\.daily_net_loss\][^\[]*?\nlimit = )600",
                    r"\g<1>650", text, count=1)
    assert edited != text
    with open(config, "w") as fh:
        fh.write(edited)
    line = wait_for(lambda: audited(config, '"action": "config file edit"',
                                    "daily_net_loss limit 600.00 -> 650.00"), 15,
                    what="the edit's audit line")[0]
    assert line["who"] == "file edit", line
    assert "not through riskctl" in line["result"], line
    # a loosening waits for the roll: not "applied" (trial 16b, finding 6)
    assert line["result"].startswith("saved; waits for the roll at "), line
    assert "a loosening: riskd keeps the old value until then" in line["result"], line

    tighter = re.sub(r"(\[profiles\.default\.rules\.daily_net_loss\][^\[]*?\nlimit = )650",
                     r"\g<1>550", edited, count=1)
    assert tighter != edited
    with open(config, "w") as fh:
        fh.write(tighter)
    line = wait_for(lambda: audited(config, '"action": "config file edit"',
                                    "daily_net_loss limit 650.00 -> 550.00"), 15,
                    what="the tightening's audit line")[0]
    assert line["result"].startswith("applied: profile default: daily_net_loss limit"), line


def test_wrong_admin_passwords_lock_only_the_admin_login_of_that_client(procs, tmp_path):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    for n in range(5):
        bad = procs.riskctl(config, "login", "--role", "admin", "--password-stdin",
                            input=f"guess{n}\n")
        assert bad.returncode == 3
    assert "admin logins locked for 5 minutes" in bad.stderr
    locked = procs.riskctl(config, "login", "--role", "admin", "--password-stdin",
                           input=ADMIN_PW + "\n")
    assert locked.returncode == 3 and "admin logins are locked" in locked.stderr
    ops = procs.riskctl(config, "login", "--role", "ops", "--password-stdin",
                        input=OPS_PW + "\n")
    assert ops.returncode == 0, ops.stderr                     # ops is not locked out


def test_audit_lines_say_who_what_old_and_new_why_and_the_result(procs, tmp_path):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    login(procs, config, "admin")
    edit = procs.riskctl(config, "config", "set", "admin.session_minutes", "20",
                         "--reason", "longer sessions for the night shift")
    assert edit.returncode == 0, edit.stderr
    before = procs.workers(config)["logging"].restarts
    restart = procs.riskctl(config, "restart", "logging")
    assert restart.returncode == 0, restart.stderr
    assert procs.workers(config)["logging"].restarts == before + 1     # item 11: it counts
    line = wait_for(lambda: audited(config, '"action": "config set"',
                                    "admin.session_minutes: 15 -> 20"),
                    10, what="the config edit's audit line")[0]
    assert line["reason"] == "longer sessions for the night shift"
    assert line["key"] == "admin.session_minutes" and line["value"] == "20"
    assert line["who"].startswith("admin:") and line["result"].startswith("ok")
    worker = wait_for(lambda: audited(config, '"action": "restart"', '"worker": "logging"'), 10,
                      what="the restart's audit line")[0]
    assert worker["result"].startswith("ok: logging is up")
    shown = procs.riskctl(config, "audit", "show")
    assert shown.returncode == 0, shown.stderr
    flat = " ".join(shown.stdout.split())      # a row too wide is a wrapped block (fitted)
    assert "admin.session_minutes: 15 -> 20" in flat, shown.stdout
    assert "longer sessions for the night shift" in flat, shown.stdout
    assert procs.riskctl(config, "audit", "verify").returncode == 0     # the chain covers them
    assert not audited(config, "by a file edit")        # an authenticated edit is not one

    # `riskctl passwd ops` is named as typed, not "config set" (trial 16b, finding 8)
    passwd = procs.riskctl(config, "passwd", "ops", "--password-stdin",
                           input="a new ops password\n")
    assert passwd.returncode == 0, passwd.stdout + passwd.stderr
    row = wait_for(lambda: audited(config, '"action": "passwd ops"'), 10,
                   what="the passwd's audit line")[0]
    assert row["key"] == "ops.password_hash" and row["who"].startswith("admin:"), row
    assert "ops.password_hash: secret changed" in row["changes"], row
    assert "$2b$" not in json.dumps(row), row
    assert not audited(config, '"action": "config set"', "ops.password_hash")


def test_secrets_stay_off_the_command_line_and_backups_are_owner_only(procs, tmp_path,
                                                                      monkeypatch):
    config = config_with_passwords(tmp_path)
    os.chmod(config, 0o644)                   # a config others may read (hashes only)
    typed = procs.riskctl(config, "config", "set", "--offline", "notify.telegram.bot_token",
                          "123456:SECRET-TOKEN")
    assert typed.returncode == 2 and "--value-stdin" in typed.stderr
    monkeypatch.setenv("TEST_BOT_TOKEN", "123456:SECRET-TOKEN")
    piped = procs.riskctl(config, "config", "set", "--offline", "notify.telegram.bot_token",
                          "--value-stdin", input="123456:SECRET-TOKEN\n")
    assert piped.returncode == 0, piped.stderr
    assert load_config(config).config.notify.telegram.bot_token == "123456:SECRET-TOKEN"
    backups = os.listdir(tmp_path / "data" / "config-backups")
    assert backups
    for name in backups:
        mode = stat.S_IMODE(os.stat(tmp_path / "data" / "config-backups" / name).st_mode)
        assert mode == 0o600, (name, oct(mode))


def test_an_ops_command_refused_exits_3_with_the_command_prefix(procs, tmp_path):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    reload = procs.riskctl(config, "config", "reload")
    assert reload.returncode == 3, reload.stdout + reload.stderr
    assert reload.stderr.startswith("riskctl config: this command needs an ops session")


def test_a_shutdown_with_open_positions_asks_and_riskd_says_it_stopped(procs, tmp_path):
    """Issue 17 item 10: `riskctl shutdown` left open positions unguarded without a word."""
    from tests.support.env import make_config
    from shared.config.access import hash_password
    workers = ["simbroker", "market"]
    config = make_config(tmp_path, workers=workers, broker={"sim": {"tick_interval": 0}},
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)})
    riskd = procs.riskd(config)
    procs.wait_running(config, workers)
    login(procs, config, "admin")
    assert procs.riskctl(config, "sim", "buy", "MNQ", "1", "--account",
                         "SIM-DEMO-1").returncode == 0
    wait_for(lambda: "MNQ" in procs.riskctl(config, "positions").stdout, 20,
             what="market to see the open position")
    asked = procs.riskctl(config, "shutdown")                     # no terminal: refuse
    assert asked.returncode == 1
    assert "it would leave unguarded: SIM-DEMO-1 (id 1001) holds MNQ long 1" in asked.stderr
    assert "--yes" in asked.stderr and riskd.popen.poll() is None
    done = procs.riskctl(config, "shutdown", "--yes", "--reason", "maintenance")
    assert done.returncode == 0, done.stderr
    assert riskd.wait(30) == 0
    last = [ln for ln in riskd.output().splitlines() if ln.strip()][-1]
    assert last.startswith("riskd stopped: maintenance (exit 0)"), last
    import sys
    from tests.support.env import REPO
    ctl = os.path.relpath(os.path.join(os.path.dirname(sys.executable), "riskctl"), REPO)
    assert f"In another terminal: {ctl} status" in riskd.output()   # the banner says where
