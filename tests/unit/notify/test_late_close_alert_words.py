"""risk's note of a late-carried close (shared/latewords.py) reaches the phone as its own
alert, not as a rule's "🟡 ... on" note, and history names riskd as WHO (trial18c section 1:
nothing told the trader who closed the position)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from services.notify.templates import Context, warning_alert
from shared.historywords import rows
from shared.latewords import LATE_CLOSE, WHO
from shared.messages.risk import HistoryReply, RuleWarning

SAID = ("riskd's earlier close of MNQ (timed out at 22:12:35), carried out late by the broker, "
        "closed your MNQ +1 at 22:14:45; MNQ is flat now; not counted as your trade")


def note() -> RuleWarning:
    return RuleWarning(id="w1", ts_ns=1_800_000_000 * 10**9, rule=LATE_CLOSE, account_id=1001,
                       value=None, limit=None, warn_at=0.0, reason=SAID)


def test_the_alert_says_riskds_close_was_carried_out_late():
    alert = warning_alert(note(), Context(accounts={1001: "Demo 1"}))
    assert alert.title == "⚠️ riskd's earlier close was carried out late on Demo 1 (id 1001)"
    assert alert.lines == (SAID,) and alert.severity == "warning"
    assert alert.kind == "late_close"


def test_history_names_riskd_and_says_it():
    [row] = rows(HistoryReply(warnings=[note()]), {}, ZoneInfo("America/Chicago"))
    assert row[2] == WHO == "riskd (late close)"
    assert row[5] == SAID
