"""`riskctl history` fits the terminal (fresh-user trial 2026-12-06: rows ran to 400+
characters). A row too wide becomes a block (time, account, who; then what, value, reason,
note, each wrapped under its label): no line wider than the width, no word lost."""
from __future__ import annotations

import re
import time
from decimal import Decimal
from types import SimpleNamespace

from cli.commands import history
from cli.fitted import fitted
from shared.messages.enforce import CommandState, EnforcementStatus
from shared.messages.risk import Decision, HistoryReply, LockSpec

NOW = time.time_ns()
WHY = ("net -612.50 <= -600.00 (realized -590.00 incl. fees 4.20, open -22.50 on MNQ and MES, "
       "the open figure at the last quotes)")


def decision():
    return Decision(id="d7", ts_ns=NOW, rule="daily_net_loss", account_id=1002,
                    action="flatten", reason=WHY, value=Decimal("-612.50"),
                    limit=Decimal("-600"), lock=LockSpec(kind="until_reset"),
                    what="flatten: close 2 positions, cancel 3 orders; lock the account until "
                         "the trading day's roll")


class Ctx:
    json = False
    config_path = "no-such-riskd.toml"      # the display zone's default

    def request(self, _msg, **_kw):
        return SimpleNamespace(ok=True, body=HistoryReply(decisions=[decision()]))

    def call(self, msg, **_kw):
        if type(msg).__name__ in ("RiskStatusRequest", "StatusRequest"):
            return SimpleNamespace(ok=False, body=None)
        return SimpleNamespace(ok=True, body=EnforcementStatus(commands=[CommandState(
            command_id="d7.1", account_id=1002, action="flatten", state="final",
            status="done", detail="flattened account 1002: close CON.F.US.MNQ.Z26, close "
            "CON.F.US.MES.Z26, cancel orders 91, 92 and 93 (verified flat after 2 tries)")]))


def test_a_long_row_is_a_block_no_line_wider_than_columns(capsys, monkeypatch):
    for columns in (100, 80):
        monkeypatch.setenv("COLUMNS", str(columns))
        history.run(SimpleNamespace(account="", since=None, limit=10), Ctx())
        out = capsys.readouterr().out
        assert max(map(len, out.splitlines())) <= columns, out
        for fact in ("verified flat after 2 tries", "-612.50 vs -600.00", "open figure at the",
                     "cancel orders 91, 92 and 93", "rule daily_net_loss"):
            assert fact in " ".join(out.split()), (fact, out)
        assert re.search(r"^  reason: net -612\.50", out, re.M), out


def test_a_table_that_fits_stays_a_table_and_a_block_keeps_every_word():
    headers = ("time", "who", "what", "note")
    short = [("09:30", "admin", "flatten", "")]
    assert fitted(headers, short, 100).splitlines()[0].split() == ["TIME", "WHO", "WHAT", "NOTE"]
    long = [("09:30", "rule a", " ".join(f"word{i}" for i in range(60)), "a note")]
    text = fitted(headers, long, 60, head=2)
    assert max(map(len, text.splitlines())) <= 60
    flat = " ".join(text.split())
    assert flat.startswith("09:30 rule a what: word0 word1") and flat.endswith("note: a note")
    assert all(f"word{i} " in flat + " " for i in range(60))
