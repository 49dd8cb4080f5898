"""The phone's /history says what `riskctl history` says: one piece of code builds both
(shared/historywords.py rows). Trial 2026-12-06, three lines that contradicted riskctl history:
"🟡 Demo 1 drawdown_guard at 80%: ? vs ?" for a note that the high-water mark was set with no
saved mark (never at 80 %); "⚠️ Demo 2 (strict) trade_frequency_limit +3.00 vs +3.00: none"
where riskctl said "3 vs 3 ... lock the account (timer)"; "⚠️ Demo 1 lockout: close_position
CON.F.US.MES.Z26" where every screen says MES."""
from __future__ import annotations

from decimal import Decimal

from services.notify.bot.answers import history_text
from services.notify.templates import Context
from shared.historywords import rows
from shared.messages.risk import Decision, HistoryReply, LockSpec, RuleWarning
from shared.symbols import tickers_in
from tests.unit.notify.test_commands import CHI, S, T0

CTX = Context(tz=CHI, accounts={1001: "Demo 1", 1002: "Demo 2 (strict)"})
NOTE = RuleWarning(id="w1", ts_ns=T0, rule="drawdown_guard", account_id=1001, value=None,
                   limit=None, warn_at=0.8,
                   reason="drawdown high-water mark set to 50,000.00 with no saved mark")
FREQUENCY = Decision(id="d1", ts_ns=T0 + 1 * S, rule="trade_frequency_limit", account_id=1002,
                     action="none", value=Decimal(3), limit=Decimal(3),
                     lock=LockSpec(kind="timer", until_ns=T0 + 600 * S),
                     reason="3 trades in 60 s (limit 3)", what="lock the account (timer)")
CLOSE = Decision(id="d2", ts_ns=T0 + 2 * S, rule="self_lockout", account_id=1001,
                 action="close_position", contract_id="CON.F.US.MES.Z26", by="lockout")
BODY = HistoryReply(decisions=[FREQUENCY, CLOSE], warnings=[NOTE])


def test_the_phone_gives_riskctl_historys_words():
    text = history_text(BODY, 10, CTX, "2026-11-24")
    lines = text.splitlines()
    assert lines[0] == "🕘 today (2026-11-24), newest first: 3 of 3"
    close, frequency, note = lines[1:]
    assert note.endswith("🟡 Demo 1 (id 1001) warning: rule drawdown_guard: drawdown high-water mark set "
                         "to 50,000.00 with no saved mark"), note
    assert "80%" not in note and "?" not in note
    assert "⚠️ Demo 2 (strict, id 1002) rule trade_frequency_limit: lock the account (timer); 3 vs 3; "\
        "3 trades in 60 s (limit 3)" in frequency, frequency
    assert "+3.00" not in frequency
    assert close.endswith("⚠️ Demo 1 (id 1001) lockout: close_position MES"), close
    assert "CON.F" not in text


def test_every_cell_riskctl_history_shows_is_on_the_phone():
    text = history_text(BODY, 10, CTX, "2026-11-24")
    for _ts, _account, who, what, value, reason, note in rows(BODY, tz=CHI):
        for cell in (who, what, value, reason, note):
            if cell and cell != "-":
                assert tickers_in(cell.split(" (in ")[0]) in text, (cell, text)
