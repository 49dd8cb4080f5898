"""The audit trail names who asked (fresh-user trial: a self-lockout's WHO read "no session",
and an offline `riskctl passwd` left no audit line at all).

- A trader's self-lockout needs no session: its line names who the request says asked (the OS
  user as riskctl knows it, the Telegram user), marked as not proven by a session; a session
  riskctl sends along (an admin's, cached on the machine) does not make it the admin's act.
- An offline edit (riskd stopped) writes its own line into audit.log's hash chain, with who
  and what but never the password or its hash; `riskctl audit show` lists it and the chain
  still verifies, also after the logging worker of the next start appends to it."""
from __future__ import annotations

import io
import json
import logging

from cli.main import main
from services.logsink.sink import Sink
from services.supervisor.audit import audited
from shared import auditchain
from shared.messages.logs import LogRecord
from shared.messages.risk import SelfLockRequest, UnlockRequest
from shared.messages.system import ok
from shared.redact import Redactor


def who_of(request, caplog, who=""):
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda reply: None, "SelfLockRequest", "trader", who, request)(ok(reason="x"))
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    return rec.who


def test_a_self_lockout_names_the_user_riskctl_named(caplog):
    assert who_of(SelfLockRequest(account="1001", session=True, by="trader:ana"), caplog) == \
        "trader:ana (no session)"


def test_a_self_lockout_is_the_traders_act_even_with_an_admin_session_cached(caplog):
    """Trial: a self-lockout run where an admin session happened to be cached (riskctl sends
    it with every request) was audited as "admin:root". The lockout is the trader's own act:
    its WHO is the trader, proven when the session is the same OS user's."""
    assert who_of(SelfLockRequest(account="1001", by="trader:root"), caplog,
                  who="admin:root") == "trader:root"
    caplog.clear()
    assert who_of(SelfLockRequest(account="1001", by="trader:ana"), caplog,
                  who="admin:root") == "trader:ana (no session)"


def test_a_session_is_named_first_and_a_request_naming_nobody_says_no_session(caplog):
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda reply: None, "UnlockRequest", "admin", "admin:root",
                UnlockRequest(account="1001", reason="calm"))(ok(reason="x"))
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    assert rec.who == "admin:root"
    caplog.clear()
    assert who_of(SelfLockRequest(account="1001", by=""), caplog) == "no session"


def test_an_offline_passwd_leaves_an_audit_line_without_the_secret(capsys, tmp_path,
                                                                 monkeypatch):
    path = tmp_path / "riskd.toml"
    path.write_text("[paths]\ndata_dir = \"data\"\n")
    log_dir = tmp_path / "data" / "logs"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-secret-pass\n"))
    assert main(["--config", str(path), "passwd", "admin", "--password-stdin", "--offline"]) == 0
    capsys.readouterr()
    hashed = path.read_text().split('password_hash = "')[1].split('"')[0]
    text = (log_dir / "audit.log").read_text()
    assert "a-secret-pass" not in text and hashed not in text
    [line] = [json.loads(x) for x in text.splitlines()]
    assert line["action"] == "passwd admin (offline)" and line["who"].startswith("offline:")
    assert line["changes"] == "admin.password_hash: secret set", line
    assert line["result"].startswith("ok: saved ") and "riskd was stopped" in line["result"]

    # the next start's logging worker continues the chain from it
    sink = Sink(str(log_dir), 10**6, 3, Redactor())
    sink.write([LogRecord(ts_ns=1, level="INFO", levelno=20, process="supervisor", pid=1,
                          logger="riskd.audit", message="m",
                          fields={"audit": True, "action": "Ping", "who": "ops:x"})])
    sink.close()
    assert auditchain.verify_files(auditchain.audit_files(str(log_dir))).ok

    assert main(["--config", str(path), "audit", "show"]) == 0
    out = capsys.readouterr().out
    assert "passwd admin (offline)" in out and "offline:" in out
    assert hashed not in out


def test_an_admin_running_an_ops_command_is_not_said_to_act_as_ops(caplog):
    """trial17b: an admin's `riskctl start market` was audited "start by admin:root (ops) ...
    role=ops", as if the admin had acted as ops. The line names the session; the role the
    command needs is said (and kept, as `needs`) only where it is not the session's own."""
    from shared.messages.control import StartWorker
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda reply: None, "StartWorker", "ops", "admin:root",
                StartWorker(name="market", reason="trial"))(ok(reason="x"))
        audited(lambda reply: None, "UnlockRequest", "admin", "",
                UnlockRequest(account="1001", reason="calm"))(ok(reason="x"))
    start, unlock = [r for r in caplog.records if getattr(r, "audit", False)]
    assert start.getMessage().startswith("start by admin:root [worker=market"), start.getMessage()
    assert "(ops)" not in start.getMessage() and not hasattr(start, "role")
    assert start.needs == "ops"
    assert " (no session) (needs admin) [account=1001" in unlock.getMessage(), \
        unlock.getMessage()
