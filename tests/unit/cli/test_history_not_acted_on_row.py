"""A breach not acted on reads as not acted on in `riskctl history` (fresh-user trial 17g,
smaller things: 1002 at 18:51:00 "rule trade_frequency_limit / what: lock the account (timer) /
note: not acted on: locked already, no new action ..." read as an action taken, while the alert
said "nothing sent"). WHAT now says nothing was done and why, in the alert's words ("adds
nothing: the account is locked as long or longer": shared/lockwords.py ADDS_NOTHING); the note
says what held the account. Risk's own engine makes the decisions (tests/unit/risk/desk.py):
a 30-minute cooldown_after_loss, then a 3rd trade in a minute whose 60 s cooldown adds
nothing."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from services.notify.templates import Context, decision_alert
from shared.historywords import rows
from shared.lockwords import ADDS_NOTHING
from shared.messages.risk import HistoryReply
from tests.unit.risk.desk import NS, SIDE_SELL, Desk

CHI = ZoneInfo("America/Chicago")


def test_a_breach_under_a_longer_lockout_says_nothing_was_done_and_why():
    desk = Desk(cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 1800}],
                                     "flatten": False},
                trade_frequency_limit={"per_minute": 3, "per_hour": 100, "per_session": 1000})
    decisions = list(desk.trade("-150", side=SIDE_SELL).decisions)
    for _ in range(2):
        desk.now += NS
        decisions += desk.trade().decisions
    [d] = [x for x in decisions if x.rule == "trade_frequency_limit"]
    assert d.suppressed.startswith("locked already, no new action"), d
    [row] = [r for r in rows(HistoryReply(decisions=decisions, lockouts=[]), None, CHI)
             if r[2] == "rule trade_frequency_limit"]
    what, note = row[3], row[-1]
    assert what == ("nothing done: its lockout until Wed 2026-11-25 09:01:02 CST (timer) "
                    "adds nothing: the account is locked as long or longer"), row
    assert note == ("not acted on: locked already, no new action: account SIM-1 (id 1001) "
                    "locked (timer) by cooldown_after_loss"), row
    # the alert of the same decision, in the same words
    alert = decision_alert(d, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert any(line.endswith(ADDS_NOTHING) for line in alert.lines), alert.lines
