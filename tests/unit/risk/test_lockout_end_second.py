"""A lockout's end and its clearing by the clock read the same second (fresh-user trial
2026-12-06: a cooldown shown everywhere "until Sun 03:30:13 CST" was recorded "cleared by the
clock" at 03:30:12; its end was 09:30:12.827 UTC: shown rounded up, cleared and recorded cut).

The one rule (shared/showtime.py): an end is shown rounded up to its second, and risk takes a
lockout's end as that whole second (services/risk/lockouts.py), so the clock clears it in the
second shown, never before."""
from __future__ import annotations

from shared import historywords, showtime
from shared.messages.risk import HistoryReply
from tests.unit.risk.desk import Desk, chi

NS = 1_000_000_000
TIERS = {"tiers": [{"loss": 100, "seconds": 1800}], "flatten": False}


def test_a_cooldown_is_cleared_in_the_second_its_end_is_shown():
    start = chi(2026, 12, 6, 3, 0) + 12_827_000_000          # 03:00:12.827: a cut second
    desk = Desk(start=start, cooldown_after_loss=TIERS)
    [added] = desk.trade(pnl="-150").lockouts                 # 30 min: ends 03:30:12.827
    tz = historywords.DEFAULT_TZ
    shown = showtime.end(added.lockout.until_ns, tz, desk.now)
    assert shown.endswith("03:30:13 CST"), shown
    # the real end (.827) has come: the lockout holds to the second shown
    assert desk.at(start + 1800 * NS + 1).lockouts == []
    assert desk.engine.lockouts.all(), "ended before the second its end is shown"
    [cleared] = desk.at(start + 1800 * NS + 173_000_000 + 50_000_000).lockouts   # a tick later
    assert (cleared.change, cleared.by) == ("cleared", "clock")
    # history: the clearing's time and the lockout's end name one second
    rows = historywords.rows(HistoryReply(lockouts=[added, cleared]), {}, tz)
    when = showtime.at(rows[-1][0], tz, desk.now, seconds=True)
    assert when.endswith("03:30:13 CST"), (when, rows)
    assert rows[-1][3] == "cleared by the clock" and "03:30:13 CST" in rows[-1][6], rows
