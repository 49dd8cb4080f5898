"""A broken hand edit: riskd refuses to start and names the way out, and the offline restore
finds the backups in <data_dir>/config-backups.

Fresh-user trial 15b: after `limit = -3` by hand, riskd refused to start (rightly) without a
word of restore; `riskctl config restore STAMP --offline` then answered "no backup ...;
backups: none" because it looked beside the file (etc/config-backups) while the backups were
in var/config-backups: the data dir could not be read from the invalid file. Real riskctl and
riskd processes on a config laid out as shipped (etc/riskd.toml, data_dir = "../var"), with
etc/riskd.toml's rules (tests/support/env.make_config); the broken line is the trial's.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from shared.config import load_config
from tests.support import env as support
from tests.support.env import make_config


def run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=support.REPO, env=support.test_env(),
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def riskctl(config: str, *args: str) -> subprocess.CompletedProcess:
    return run(["-m", "cli.main", "--config", config, *args])


def shipped_layout(tmp_path) -> str:
    """riskd.toml in <tmp>/etc, its data dir ../var as the shipped file says."""
    (tmp_path / "etc").mkdir()
    path = make_config(tmp_path / "etc", workers=["logging"], paths={"data_dir": "../var"})
    assert load_config(path).data_dir == str(tmp_path / "var")
    return path


def test_riskd_refusing_a_broken_file_names_the_offline_restore_which_finds_the_backups(
        tmp_path):
    config = shipped_layout(tmp_path)
    saved = riskctl(config, "config", "set", "logging.level", "DEBUG", "--offline")
    assert saved.returncode == 0, saved.stdout + saved.stderr       # one backup, in var/
    text = open(config, encoding="utf-8").read()
    assert "limit = 5\n" in text
    with open(config, "w", encoding="utf-8") as fh:      # the trial's hand edit
        fh.write(text.replace("limit = 5\n", "limit = -3\n", 1))
    line = open(config, encoding="utf-8").read().splitlines().index("limit = -3") + 1

    refused = run(["-m", "services.supervisor", "--config", config])
    assert refused.returncode == 78, refused.stdout + refused.stderr
    err = refused.stderr
    assert f"To start riskd: fix line {line} of {config}, or put back the config riskd " \
           f"last ran: `" in err, err
    assert f"riskctl --config {config} config restore last-run --offline` (or a backup: " \
           in err, err
    assert f"riskctl --config {config} config backups --offline` lists them" in err, err

    online = riskctl(config, "config", "backups")           # riskd is not running
    assert online.returncode != 0
    assert "With riskd stopped: `riskctl config backups --offline` lists them" in online.stderr, \
        online.stderr

    listed = riskctl(config, "config", "backups", "--offline", "--json")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    shown = json.loads(listed.stdout)
    assert shown["folder"] == os.path.join(str(tmp_path / "var"), "config-backups"), shown
    assert len(shown["backups"]) == 1 and "does not validate" in shown["note"], shown

    restored = riskctl(config, "config", "restore", shown["backups"][0]["stamp"], "--offline",
                       "--reason", "fix bad edit")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert load_config(config).config.logging.level == "INFO"     # the file before the set
    assert not os.path.exists(tmp_path / "etc" / "config-backups")
