"""`riskctl accounts list` fits the terminal (fresh-user trial 2026-12-06: an account with a
few overrides made a row of ~350 characters, its OVERRIDES column never wrapped). Fitted as
`riskctl history` is (cli/fitted.py): a row too wide becomes a block, every override kept."""
from __future__ import annotations

from types import SimpleNamespace

from cli.commands import accounts
from shared.messages.accounts import AccountRow, AccountsTable
from shared.messages.system import ok

OVERRIDES = {"max_contracts.limit": "2", "daily_realized_loss.limit": "300",
             "cooldown_after_loss.tiers": "[{loss = 50, seconds = 60}, {loss = 150, "
                                          "seconds = 900}]",
             "trade_frequency_limit.per_minute": "2", "daily_unrealized_loss.limit": "150",
             "no_stop_loss_grace.enabled": "false"}


class Riskd:
    json = False

    def request(self, request, timeout=None, retries=1, tolerate=()):
        return ok(AccountsTable(rows=[
            AccountRow(id=1001, name="SIM-DEMO-1", display_name="Demo 1", seen=True,
                       guarded=True),
            AccountRow(id=1002, name="SIM-DEMO-2", display_name="Demo 2 (strict)", seen=True,
                       guarded=True, overrides=OVERRIDES)]))


def test_a_long_overrides_column_is_wrapped_at_the_width(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert accounts.run(SimpleNamespace(action="list"), Riskd()) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80, out
    words = " ".join(out.split())
    assert "cooldown_after_loss tiers=50.00->1m00s, 150.00->15m00s" in words, out
    assert "no_stop_loss_grace enabled=false" in words and "overrides:" in words, out
    assert "Demo 2 (strict)" in out and "SIM-DEMO-2" in out, out


def test_a_table_that_fits_stays_a_table(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    assert accounts.run(SimpleNamespace(action="list"), Riskd()) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.split()[:3] == ["ID", "NAME", "DISPLAY"], header


def test_the_blocks_keep_their_first_columns_header(capsys, monkeypatch):
    """Final trial 2026-12-06: at 80 columns the blocks read '1001  SIM-DEMO-1  Demo 1  yes
    default  yes' with nothing saying what 'yes default yes' means."""
    monkeypatch.setenv("COLUMNS", "80")
    assert accounts.run(SimpleNamespace(action="list"), Riskd()) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.split() == ["ID", "NAME", "DISPLAY", "NAME", "ENABLED", "PROFILE", "GUARDED",
                             "NOW"], first
