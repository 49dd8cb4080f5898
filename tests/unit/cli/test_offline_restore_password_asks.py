"""`config restore STAMP --offline` of a backup with another admin password asks first, as the
online restore does; without a terminal it is refused unless --yes. Its audit row is a restore
with the stamp and the --reason given.

Fresh-user trial 16b, findings 1 and 5: with riskd stopped, `passwd admin --offline` twice,
then `config restore STAMP --offline </dev/null` put the older admin password back with no
question and exited 0 (`config --help`: "one that removes or changes a password asks first
(--yes)"), and the audit trail called it "config edit (offline)" with no stamp and no reason.
Real riskctl processes (no terminal: stdin is /dev/null) on etc/riskd.toml's rules
(tests/support/env.make_config); riskd is not running, as --offline needs.
"""
from __future__ import annotations

import json
import subprocess
import sys

from shared.config import load_config
from shared.config.access import check_password
from tests.support import env as support
from tests.support.auth import audited
from tests.support.env import make_config

OLD, NEW = "the older admin pw", "the newer admin pw"


def riskctl(config: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "--config", config, *args],
                          cwd=support.REPO, env=support.test_env(), capture_output=True,
                          text=True, timeout=60, input=input,
                          **({} if input is not None else {"stdin": subprocess.DEVNULL}))


def admin_hash(config: str) -> str:
    return load_config(config).config.admin.password_hash


def test_an_offline_restore_that_puts_an_older_admin_password_back_asks_first(tmp_path):
    config = make_config(tmp_path, workers=["logging"])
    for pw in (OLD, NEW):
        done = riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                       input=pw + "\n")
        assert done.returncode == 0, done.stdout + done.stderr
    backups = json.loads(riskctl(config, "config", "backups", "--offline", "--json").stdout)
    stamp = backups["backups"][0]["stamp"]        # the file with the older password
    before = open(config, encoding="utf-8").read()

    refused = riskctl(config, "config", "restore", stamp, "--offline", "--reason", "trial")
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 1, said
    assert "not saved" in said and "put back the admin password of the restored file" in said, \
        said
    assert "Re-run with --yes" in said, said
    assert open(config, encoding="utf-8").read() == before
    assert check_password(NEW, admin_hash(config))
    assert not audited(config, "config restore (offline)")

    done = riskctl(config, "config", "restore", stamp, "--offline", "--yes", "--reason",
                   "back to the desk's password")
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 0, said
    assert "confirmed by the admin with --yes: the admin password put back" in said, said
    assert check_password(OLD, admin_hash(config))
    rows = audited(config, "config restore (offline)")
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["stamp"] == stamp and row["reason"] == "back to the desk's password", row
    assert "admin.password_hash: secret changed" in row["changes"], row
    assert "confirmed by the admin with --yes" in row["result"], row
    assert OLD not in json.dumps(rows) and admin_hash(config) not in json.dumps(rows)
