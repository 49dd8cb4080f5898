"""The audit screen's ACTION is the command as the person typed it (third trial: `riskctl audit
show` listed "SelfLockRequest", "RulesSet"): riskctl's words, from the one mapping the
supervisor's answers use (shared/commandwords.py); lines an older riskd wrote with the request
type read the same, and the hash chain is left as it is."""
from __future__ import annotations

import logging

from cli.main import main
from services.logsink.sink import Sink
from services.supervisor.audit import audited
from services.supervisor.commands import REGISTRY
from shared import auditchain
from shared.messages.accounts import AccountEnable
from shared.messages.config import RulesSet
from shared.messages.logs import LogRecord
from shared.messages.risk import SelfLockRequest
from shared.messages.system import ok
from shared.redact import Redactor


def fields_of(action, role, request, caplog, who="admin:root"):
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda reply: None, action, role, who, request)(ok(reason="done"))
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    return rec


def test_the_supervisor_records_the_command_as_typed(caplog):
    rec = fields_of("SelfLockRequest", "trader",
                    SelfLockRequest(account="1001", session=True, by="trader:ana"), caplog)
    assert rec.action == "lockout" and rec.getMessage().startswith("lockout by trader:ana")
    rec = fields_of("RulesSet", "admin", RulesSet(target="1001", rule="daily_realized_loss",
                                                  param="limit", value="400"), caplog)
    assert rec.action == "rules set"
    rec = fields_of("AccountEnable", "admin", AccountEnable(account="1001", enabled=False),
                    caplog)
    assert rec.action == "accounts disable"
    # `accounts disable 1002 --now` arms that account's disable with an override: said so
    from shared.messages.risk import RulesOverrideRequest
    rec = fields_of("RulesOverrideRequest", "admin", RulesOverrideRequest(
        reason="trial disable 2", by="admin:root", account="1002", disable=True), caplog)
    assert rec.action == "accounts disable --now" and rec.account == "1002", rec.action
    rec = fields_of("RulesOverrideRequest", "admin", RulesOverrideRequest(reason="x"), caplog)
    assert rec.action == "rules override"


def test_every_audited_command_has_riskctls_words():
    audited_ones = [c for c in REGISTRY._by_type.values() if c.role != "trader" or c.audited]
    assert any(c.name == "SelfLockRequest" for c in audited_ones)
    for command in audited_ones:
        assert command.said.startswith("`riskctl "), command.name


def line(action, **fields):
    return LogRecord(ts_ns=1, level="INFO", levelno=20, process="supervisor", pid=1,
                     logger="riskd.audit", message=f"{action} by x",
                     fields={"audit": True, "action": action, "who": "admin:root",
                             "result": "ok", **fields})


def test_audit_show_names_old_and_new_lines_as_typed(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")     # the table form: its ACTION column read
    path = tmp_path / "riskd.toml"
    path.write_text("[paths]\ndata_dir = \"data\"\n")
    log_dir = tmp_path / "data" / "logs"
    sink = Sink(str(log_dir), 10**6, 3, Redactor())
    sink.write([line("SelfLockRequest", account="1001"),        # an older riskd's lines
                line("RulesSet", target="1001", rule="daily_realized_loss"),
                line("AccountEnable", account="1002", enabled=True),
                line("rules enable", target="1001", rule="drawdown_guard", enabled=True),
                line("login", login_as="admin")])
    sink.close()
    assert auditchain.verify_files(auditchain.audit_files(str(log_dir))).ok
    assert main(["--config", str(path), "audit", "show"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    at = header.index("ACTION")
    actions = [row[at:].split("  ")[0] for row in rows]
    assert actions == ["lockout", "rules set", "accounts enable", "rules enable", "login"], out
    assert "Request" not in out and "RulesSet" not in out, out


def test_audit_show_says_a_refused_edit_in_words_and_json_keeps_the_code(tmp_path, capsys):
    """Trial 2026-12-05: RESULT read "config_invalid: the edit was refused ..." (machine codes
    show only with --json, docs/operations.md)."""
    path = tmp_path / "riskd.toml"
    path.write_text("[paths]\ndata_dir = \"data\"\n")
    log_dir = tmp_path / "data" / "logs"
    sink = Sink(str(log_dir), 10**6, 3, Redactor())
    refused = "config_invalid: the edit was refused: limit: expected a number above 0"
    sink.write([line("RulesSet", target="1001", rule="daily_realized_loss", result=refused),
                line("login", login_as="admin", result="refused: wrong admin password"),
                line("unlock", account="1001", result="ok: unlocked 1 lockout"),
                # trial 2026-12-06: an edit that took effect read "not done: ..."
                line("config file edit", result="applied: [admin] session_minutes changed: "
                                                "15 -> 2 by a file edit, not through riskctl"),
                line("config set", result="timeout: risk did not answer")])
    sink.close()
    assert main(["--config", str(path), "audit", "show"]) == 0
    out = capsys.readouterr().out
    assert "config_invalid" not in out, out
    assert "not done: the edit was refused: limit" in out, out
    assert "refused: wrong admin password" in out and "ok: unlocked 1 lockout" in out, out
    assert "applied: [admin] session_minutes changed: 15 -> 2" in out, out
    assert "not done: [admin]" not in out and "not done: risk did not answer" in out, out
    assert main(["--config", str(path), "audit", "show", "--json"]) == 0
    assert "config_invalid: the edit was refused" in capsys.readouterr().out


def test_audit_show_names_accounts_as_every_screen_does(tmp_path, capsys, monkeypatch):
    """Fresh-user trial 2026-12-06: WHAT read "account=1002" and "target=1001 ..." where every
    screen says "Demo 2 (strict, id 1002)" (shared/accountname.called); a profile target and
    an account the config does not list stay as typed."""
    monkeypatch.setenv("COLUMNS", "1000")
    path = tmp_path / "riskd.toml"
    path.write_text('[paths]\ndata_dir = "data"\n\n'
                    '[[accounts]]\nid = 1001\nname = "SIM-DEMO-1"\ndisplay_name = "Demo 1"\n\n'
                    '[[accounts]]\nid = 1002\nname = "SIM-DEMO-2"\n'
                    'display_name = "Demo 2 (strict)"\n')
    log_dir = tmp_path / "data" / "logs"
    sink = Sink(str(log_dir), 10**6, 3, Redactor())
    sink.write([line("accounts disable", account="1002", enabled=False),
                line("rules set", target="1001", rule="max_contracts"),
                line("rules set", target="SIM-DEMO-2", rule="max_contracts"),
                line("rules set", target="profile:default", rule="max_contracts"),
                line("unlock", account="1003")])
    sink.close()
    assert main(["--config", str(path), "audit", "show"]) == 0
    out = capsys.readouterr().out
    assert "account=Demo 2 (strict, id 1002)" in out, out
    assert "target=Demo 1 (id 1001) rule=max_contracts" in out, out
    assert "target=Demo 2 (strict, id 1002) rule=max_contracts" in out, out
    assert "target=profile:default" in out and "account=1003" in out, out
    assert "account=1002" not in out and "target=1001" not in out, out
