"""Small truths riskctl tells (issue 17 item 11), on pure renderers with fixed times."""
from __future__ import annotations

import time

from cli.commands._risk_view import lockout_rows
from cli.commands.history import rows
from shared.messages.risk import HistoryReply, LockoutChange, LockoutState

NOW = time.time_ns()
IN_9_MIN = NOW + 545 * 10**9


def lock(symbol=None):
    return LockoutState(id="L7", account_id=1001, kind="timer", rule="cooldown_after_loss",
                        since_ns=NOW - 60 * 10**9, until_ns=IN_9_MIN, symbol=symbol,
                        reason="lost 150")


def test_history_shows_no_time_left_beside_a_lockout_already_cleared():
    body = HistoryReply(lockouts=[LockoutChange(change="added", ts_ns=NOW - 60 * 10**9,
                                                lockout=lock()),
                                  LockoutChange(change="cleared", ts_ns=NOW, by="admin",
                                                lockout=lock())])
    notes = [r[-1] for r in rows(body)]
    assert len(notes) == 2 and not any("(in " in n for n in notes), notes


def test_a_lockout_still_running_shows_its_time_left():
    body = HistoryReply(lockouts=[LockoutChange(change="added", ts_ns=NOW, lockout=lock())])
    assert "(in 9m0" in rows(body)[0][-1]


def test_unlock_lists_what_it_ended_under_ended_with_tickers():
    text = lockout_rows([lock(symbol="CON.F.US.MNQ.Z26")], ended=True)
    header = text.splitlines()[0]
    assert "ENDED" in header and "UNTIL" not in header
    assert "MNQ" in text and "CON.F" not in text and "(in " not in text
