"""`config restore` after a broken hand edit puts back the config riskd ran, and says what it
changes by key (fresh-user trial 15c, finding 3).

The trial: `config set broker.api_key --value-stdin` (13:18:13), then a hand edit broke the
file; riskd said it ran "the config loaded at 13:18:13"; after a shutdown, `config backups
--offline` listed a backup saved at 13:18:13, which was the file *before* the key's edit:
restoring it dropped the key, and the answer said only "it changed: (the whole file)".
Now riskd keeps the config it runs (STAMP last-run), lists it first, says which edit each
backup is the file before, and a restore over a broken file compares with the config riskd
last ran, by key, the key named and never shown.

Real riskd on etc/riskd.toml's rules (tests/support/env.make_config), the logging worker, an
admin password; riskctl as the trial ran it (the key by --value-env, the restore --offline).
"""
from __future__ import annotations

import json

import pytest

from shared.config import load_config
from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

KEY = "trial-key-4f2a9c"


def test_a_broken_hand_edit_is_undone_by_the_config_riskd_ran_not_by_the_backup_before(
        procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    monkeypatch.setenv("TRIAL_KEY", KEY)
    config = config_with_passwords(tmp_path, workers=["logging"])
    procs.riskd(config)
    login(procs, config)
    keyed = procs.riskctl(config, "config", "set", "broker.api_key", "--value-env", "TRIAL_KEY",
                          "--reason", "t")
    assert keyed.returncode == 0, keyed.stdout + keyed.stderr
    text = open(config, encoding="utf-8").read()
    assert "limit = 5\n" in text
    with open(config, "w", encoding="utf-8") as fh:        # the trial's hand edit
        fh.write(text.replace("limit = 5\n", "limit = five\n", 1))
    status = wait_for(lambda: (lambda out: out if "is invalid since" in out else None)(
        procs.riskctl(config, "status").stdout), 10, what="riskd to refuse the hand edit")
    assert "(`riskctl config restore last-run` puts it back in the file)" in status, status

    listed = procs.riskctl(config, "config", "backups")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    rows = [line for line in listed.stdout.splitlines()[2:] if line.strip()]
    assert "last-run" in rows[0] and "the config riskd runs now" in rows[0], listed.stdout
    assert "the file before the edit of broker.api_key" in rows[1], listed.stdout

    stop = procs.riskctl(config, "shutdown", "--yes", "--reason", "restore cfg")
    assert stop.returncode == 0, stop.stdout + stop.stderr
    wait_for(lambda: procs.riskctl(config, "status").returncode != 0, 20, what="riskd stopped")

    offline = json.loads(procs.riskctl(config, "config", "backups", "--offline", "--json")
                         .stdout)
    assert offline["last_run"]["stamp"] == "last-run", offline
    assert offline["last_run"]["what"] == "the config riskd last ran", offline
    before_key = offline["backups"][0]
    assert before_key["what"] == "the file before the edit of broker.api_key", offline

    # the backup before the key's edit: the answer says it removes the key, by name
    older = procs.riskctl(config, "config", "restore", before_key["stamp"], "--offline",
                          "--reason", "which one?")
    assert older.returncode == 0, older.stdout + older.stderr
    assert "(the whole file)" not in older.stdout, older.stdout
    assert "compared with the config riskd last ran instead" in older.stdout, older.stdout
    assert "broker.api_key: secret removed" in older.stdout, older.stdout
    assert load_config(config).config.broker.api_key != KEY

    # the config riskd ran: the key back
    ran = procs.riskctl(config, "config", "restore", "last-run", "--offline",
                        "--reason", "fix hand edit")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "broker.api_key: secret set" in ran.stdout, ran.stdout
    assert load_config(config).config.broker.api_key == KEY
    for out in (keyed, listed, older, ran):
        assert KEY not in out.stdout + out.stderr
