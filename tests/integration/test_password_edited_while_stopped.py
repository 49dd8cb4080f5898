"""An admin password removed with an editor while riskd was stopped is audited and alerted at
the next start, as the same edit on a running riskd is, and riskd says no admin can log in; a
password set by an audited `passwd --offline` meanwhile is not reported again as a file edit.

Fresh-user trial 16b, finding 4: `[admin] password_hash = ""` written with an editor while riskd
was stopped; `make run` started with no audit row, no alert and no line saying that no admin
can log in (no unlock, flatten or shutdown through riskctl). riskd compares the boundary it
last ran with (shared/accessprint.py) at its start.

A real riskd with the logging (audit trail) and notify (the alert goes out once it runs)
workers, on etc/riskd.toml's rules (tests/support/auth.config_with_passwords: bcrypt cost 4);
the events PUB is tapped for the alert notify sends.
"""
from __future__ import annotations

import json
import os

import pytest

from shared.config import load_config
from shared.messages.notify import NotifyEvent
from tests.support.auth import audited, config_with_passwords
from tests.support.bustap import Bus
from tests.support.env import wait_for

pytestmark = pytest.mark.slow


def test_a_password_removed_while_riskd_was_stopped_is_audited_alerted_and_said(procs,
                                                                               tmp_path):
    config = config_with_passwords(tmp_path, workers=("logging", "notify"))
    loaded = load_config(config)
    riskd = procs.riskd(config)
    procs.wait_running(config, ["logging", "notify"])
    riskd.signal(15)
    assert riskd.wait(30) is not None

    # while stopped: an audited offline password change, then the editor's removal
    ops = procs.riskctl(config, "passwd", "ops", "--offline", "--password-stdin",
                        input="a new ops password\n")
    assert ops.returncode == 0, ops.stdout + ops.stderr
    admin_hash = load_config(config).config.admin.password_hash
    text = open(config, encoding="utf-8").read()
    assert text.count(admin_hash) == 1
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text.replace(admin_hash, ""))
    assert not load_config(config).config.admin.password_hash

    events = Bus(loaded.config.bus.events, prefixes=("notify",))
    try:
        procs.riskd(config)
        procs.wait_running(config, ["logging", "notify"])
        alert = events.wait(lambda: [e for e in events.of(NotifyEvent)
                                     if e.kind == "admin_file_edit"], 20,
                            what="the admin_file_edit alert")[0]
    finally:
        events.close()
    assert alert.severity == "critical"
    assert "admin password removed by a file edit while riskd was stopped" in alert.title, alert
    row = wait_for(lambda: audited(config, "admin password removed by a file edit while riskd "
                                           "was stopped"), 10, what="the audit row")[0]
    assert row["who"] == "file edit" and "$2b$" not in json.dumps(row), row
    assert not audited(config, "ops password changed by a file edit")   # it is on record
    assert len(audited(config, "passwd ops (offline)")) == 1

    def said() -> str:
        with open(os.path.join(loaded.log_dir, "system.log"), encoding="utf-8") as fh:
            return fh.read()
    wait_for(lambda: "no admin password is set: no one can log in as admin" in said(), 10,
             what="riskd's line that no admin can log in")
