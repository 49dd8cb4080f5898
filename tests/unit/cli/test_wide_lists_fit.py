"""`riskctl rules list` and `riskctl audit show` fit the width as `riskctl history` does
(cli/fitted.py): a row too wide becomes a block, nothing cut. Fresh-user trial: `rules list`
lines were 325 characters wide and `audit show` 588, even with COLUMNS=100 or piped. The
commands' own code on etc/riskd.toml's rules and a real audit file."""
from __future__ import annotations

from cli.main import main
from services.logsink.sink import Sink
from shared.redact import Redactor
from tests.support.env import make_config
from tests.unit.cli.test_audit_action_words import line


def test_rules_list_fits_columns_100(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    config = make_config(tmp_path, accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    assert main(["--config", config, "rules", "list", "--offline"]) == 0
    out = capsys.readouterr().out
    assert max(len(ln) for ln in out.splitlines()) <= 100, out
    # every fact kept, labelled: the rule's parameters under it
    assert "params (* = override): limit=500.00; include_fees=true" in out, out


def test_audit_show_fits_columns_100(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    path = tmp_path / "riskd.toml"
    path.write_text("[paths]\ndata_dir = \"data\"\n")
    sink = Sink(str(tmp_path / "data" / "logs"), 10**6, 3, Redactor())
    long = "accounts disable 1002: saved; waits for the roll (Mon 17:00 CST): " * 6
    sink.write([line("AccountEnable", account="1002", enabled=False, result=f"ok: {long}"),
                line("login", login_as="admin")])
    sink.close()
    assert main(["--config", str(path), "audit", "show"]) == 0
    out = capsys.readouterr().out
    assert max(len(ln) for ln in out.splitlines()) <= 100, out
    assert "accounts disable" in out and "result:" in out, out
