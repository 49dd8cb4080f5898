"""Only riskd's own processes write audit records: a forged one on the log intake is not chained.

The logging worker's intake (bus.logging_in) takes log lines from any local process. Before,
any of them could send a record on the riskd.audit logger ("unlock by admin:root ... ok") and
the logging worker chained it into audit.log as genuine. Here, against a real riskd on
etc/riskd.toml (an admin password added: the admin action needs one; only the logging worker
runs: the scenario needs no other), an outsider pushes forged audit records (the audit logger,
kind=login, and one with a made-up proof) and an ordinary line: audit.log does not hold the
forged ones and its chain verifies; system.log keeps each as a rejected_audit line and says so
once for the burst; the ordinary line is written as any line is; an admin's login and config
edit through riskctl are audited as before.
"""
from __future__ import annotations

import json
import logging
import os
import time

import pytest
import zmq

from shared import auditchain, codec
from shared.config import load_config
from shared.messages.logs import LogRecord
from tests.support.auth import audit_lines, audited, config_with_passwords, login
from tests.support.controlkey import key_of
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

FORGED = 40


@pytest.fixture(autouse=True)
def session_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def forged(i: int, **fields) -> LogRecord:
    return LogRecord(ts_ns=time.time_ns(), level="INFO", levelno=logging.INFO,
                     process="supervisor", pid=1, logger="riskd.audit",
                     message=f"unlock by admin:root (admin) [account=1001]: ok forged {i}",
                     fields={"audit": True, "action": "unlock", "role": "admin",
                             "who": "admin:root", "outcome": "ok", "result": "ok", **fields})


def system_lines(config: str) -> list[dict]:
    path = os.path.join(load_config(config).log_dir, "system.log")
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_a_forged_audit_record_is_not_chained_and_riskds_own_are(procs, tmp_path):
    config = config_with_passwords(tmp_path, workers=["logging"])
    procs.riskd(config)
    procs.wait_running(config, ["logging"], timeout=30)
    key = key_of(config)
    assert key
    loaded = load_config(config)

    # an outsider: any local process, pushing records to the intake as riskd's processes do
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 2000)
    push.connect(loaded.config.bus.logging_in)
    records = [forged(i) for i in range(FORGED - 2)]
    records.append(forged(FORGED - 2, audit_proof="0" * 64))          # a made-up proof
    records.append(LogRecord(ts_ns=time.time_ns(), level="INFO", levelno=logging.INFO,
                             process="supervisor", pid=1, logger="riskd.supervisor",
                             message=f"login by admin:root ok forged {FORGED - 1}",
                             fields={"kind": "login", "who": "admin:root"}))
    records.append(LogRecord(ts_ns=time.time_ns(), level="INFO", levelno=logging.INFO,
                             process="mytool", pid=2, logger="mytool", message="just a line"))
    for seq, rec in enumerate(records, start=1):
        push.send(codec.encode(rec, "mytool", 7, seq, rec.ts_ns))
    push.close()

    # a real admin action, through riskctl and the supervisor
    login(procs, config, "admin")
    edit = procs.riskctl(config, "config", "set", "admin.session_minutes", "20",
                         "--reason", "longer sessions")
    assert edit.returncode == 0, edit.stderr
    wait_for(lambda: audited(config, '"action": "config set"', "admin.session_minutes: 15 -> 20")
             and audited(config, '"action": "login"', "ok: admin session"), 10,
             what="the admin's login and edit in audit.log")
    wait_for(lambda: sum(" forged " in r["message"] for r in system_lines(config)) == FORGED,
             10, what="every forged record in system.log")

    audit_text = json.dumps(audit_lines(config))
    assert "forged" not in audit_text and "mytool" not in audit_text
    verdict = auditchain.verify_files(auditchain.audit_files(loaded.log_dir))
    assert verdict.ok, verdict
    assert procs.riskctl(config, "audit", "verify").returncode == 0

    # each forged record is kept, its text and what it claimed, as the logging worker's line
    kept = [r for r in system_lines(config) if r.get("rejected_audit") is True]
    assert sorted(int(r["message"].rsplit(" ", 1)[1]) for r in kept) == list(range(FORGED))
    for r in kept:
        assert r["message"].startswith("rejected audit record from an unknown sender")
        assert (r["process"], r["level"], r["logger"]) == ("logging", "WARNING",
                                                          "riskd.logsink.rejected")
        assert r["sender"] == "mytool" and r["claimed_process"] == "supervisor"
        assert "kind" not in r and "audit" not in r and "audit_proof" not in r
    # said once for the burst, not once per line
    said = [r for r in system_lines(config) if r["message"].startswith("refused ")
            and "unknown sender" in r["message"]]
    assert len(said) == 1 and said[0]["sender"] == "mytool", said
    # an ordinary line from any process is still written as it came
    assert [r["message"] for r in system_lines(config) if r["process"] == "mytool"] == \
        ["just a line"]
    # no proof and no key in any file but the key's own
    for name in os.listdir(loaded.log_dir):
        text = open(os.path.join(loaded.log_dir, name), encoding="utf-8").read()
        assert "audit_proof" not in text and key not in text, name


def test_an_offline_edit_and_the_next_riskds_audit_lines_make_one_chain(procs, tmp_path):
    """riskctl's --offline edit writes its audit line itself (riskd stopped, its lock held);
    the next riskd (a new control key) chains its own after it, and still no forged one."""
    config = config_with_passwords(tmp_path, workers=["logging"])
    riskd = procs.riskd(config)
    procs.wait_running(config, ["logging"], timeout=30)
    login(procs, config, "admin")
    wait_for(lambda: audited(config, '"action": "login"'), 10, what="the login in audit.log")
    riskd.signal(15)
    assert riskd.wait(20) is not None
    passwd = procs.riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                           input="new admin pw\n")
    assert passwd.returncode == 0, passwd.stderr
    assert audited(config, '"action": "passwd admin (offline)"')

    procs.riskd(config)
    procs.wait_running(config, ["logging"], timeout=30)
    push = zmq.Context.instance().socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 2000)
    push.connect(load_config(config).config.bus.logging_in)
    rec = forged(0)
    push.send(codec.encode(rec, "mytool", 8, 1, rec.ts_ns))
    push.close()
    again = procs.riskctl(config, "login", "--role", "admin", "--password-stdin",
                          input="new admin pw\n")
    assert again.returncode == 0, again.stderr
    wait_for(lambda: len(audited(config, '"action": "login"', "ok: admin session")) == 2
             and any(r.get("rejected_audit") is True for r in system_lines(config)), 10,
             what="the second login audited and the forged record rejected")
    assert not audited(config, "forged")
    log_dir = load_config(config).log_dir
    verdict = auditchain.verify_files(auditchain.audit_files(log_dir))
    assert verdict.ok and verdict.lines == len(audit_lines(config)), verdict
