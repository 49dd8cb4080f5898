"""Every trade a trade_frequency_limit cooldown counts has its line, also in the same second
as the one before it (trial16g finding 6).

A burst on a self-locked Demo 1: the trade count in the alerts and in history went 4 -> 6 with no
line for the 5th trade. The count was right (all of them were the trader's buys; riskd's closes
never count: tests/integration/test_bought_while_locked_burst_counts.py); the line was missing:
the 5th trade's cooldown ended in the same whole second as the 4th's (a lockout's end is a
whole second), so the book found nothing new and the breach was dropped unrecorded. Now it is
recorded with no new action: "no new action: the lockout this breach would start ends in the
same second as the one already running: locked until ... (timer)" (fresh-user trial 20b section
6: the words before, "its own lockout ends in that second already", read as if the lockout ended
then, beside an end 15 minutes later; trial23a finding 3: the next ones, "this breach's lockout
would end in the same second as its own lockout in force", were jargon). The same words judged
again (a reload) add no line.
Shipped rules (etc/riskd.toml, account 1001: 3 trades a minute, a 60 s cooldown).
"""
from __future__ import annotations

import attrs
import pytest

from shared.historywords import rows
from shared.messages.risk import OWN_SAME_END, OWN_SAME_END_OLD, HistoryReply
from tests.unit.risk.desk import CHI, MNQ, NS, shipped_desk
from tests.unit.risk.engine_run import ACCOUNT, LOADED

pytestmark = pytest.mark.timeout(30)
RULE = "trade_frequency_limit"


def test_each_trade_of_a_same_second_burst_has_its_line():
    desk = shipped_desk(LOADED)
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, session=True)
    assert refusal == ""
    desk.now += NS // 3
    for size in range(1, 4):                    # the 3rd trade starts the cooldown
        desk.filled(size, MNQ, 21000)
        desk.wait(0.3)
    desk.wait(0.2)                              # x.43 s: three more within this second
    for _ in range(3):
        desk.trade(size=1)
        desk.wait(0.15)
    counts = [int(d.value) for d in desk.decisions(RULE, acted=False)]
    assert counts == [3, 4, 5, 6], counts      # 5 was missing
    assert desk.account.trades_today == 6
    fifth = [d for d in desk.decisions(RULE, acted=False) if d.value == 5]
    [row] = rows(HistoryReply(decisions=fifth), {}, CHI)
    assert row[6].startswith("no new action: the lockout this breach would start ends in the "
                             "same second as the one already running: locked until "), row
    assert row[6].endswith("(timer)"), row
    # its WHAT is no action (trial23a finding 3: "lock the account (timer)")
    assert row[3].startswith("nothing done: its lockout until "), row
    assert "in that second already" not in row[3], row
    # a row stored in the words before (trial16g's, trial20b's) reads in the words now
    for before in OWN_SAME_END_OLD:
        old = [attrs.evolve(d, suppressed=d.suppressed.replace(OWN_SAME_END, before),
                            what=d.what.replace(OWN_SAME_END, before)) for d in fifth]
        assert old[0].suppressed.startswith(before)
        assert rows(HistoryReply(decisions=old), {}, CHI) == [row]
    before = len(desk.decisions(RULE, acted=False))
    desk.history.append(desk.engine.rejudge({ACCOUNT: {RULE}}, desk.now))   # a reload
    assert len(desk.decisions(RULE, acted=False)) == before
