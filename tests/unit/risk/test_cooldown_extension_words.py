"""A trade made during a trade_frequency_limit cooldown extends it: what the step says.

Trial15a, finding 1: one alert read "🔒 Demo 1 (id 1001) locked until Sun 12:03:44 CST
(trade_frequency_limit)" and then "🔒 Lockout enforced on Demo 1 (id 1001): locked until Sun
12:03:36 CST (trade_frequency_limit)", the end from before the extension (lockout enforcement
cut the trade first, then the same trade extended the cooldown). Every line gives the end the
lockout has after the step.
Finding 10: the trader's own close during a cooldown counts as a trade (docs/rules.md) and
extends it; the extension says that their close was the trade that counted.
The rule's parameters are etc/riskd.toml's shipped ones (per_minute = 3, 60 s cooldown)."""
import re

import pytest

from services.notify.steps import step_alert
from services.notify.templates import Context
from tests.unit.risk.desk import CHI, MNQ, SIDE_SELL, Desk

pytestmark = pytest.mark.timeout(30)

SHIPPED_TF = {"per_minute": 3, "per_hour": 10, "per_session": 50, "per_minute_cooldown": 60,
              "per_hour_cooldown": 1800, "per_session_cooldown": 3600}


def _cooldown_running() -> Desk:
    desk = Desk(trade_frequency_limit=SHIPPED_TF)
    desk.filled(1, MNQ, 21000)
    desk.wait(1.5)
    desk.filled(2, MNQ, 21000)
    desk.wait(1.5)
    desk.filled(3, MNQ, 21000)         # the 3rd: the 1-minute cooldown starts
    desk.wait(5)
    return desk


def _step(desk: Desk, since: int) -> list:
    return [m for o in desk.history[since:] for m in (*o.lockouts, *o.decisions)]


def test_every_line_of_the_step_gives_the_extended_end():
    desk = _cooldown_running()
    before = len(desk.history)
    desk.filled(4, MNQ, 21000)         # a 4th trade during the cooldown
    msgs = _step(desk, before)
    [lock] = desk.engine.lockouts.all(1001)
    [cut] = [m for m in msgs if getattr(m, "rule", "") == "lockout"]
    assert cut.under.until_ns == lock.until_ns, (cut.under, lock)
    alert = step_alert(msgs, Context(tz=CHI, accounts={1001: "Demo 1"}))
    ends = set(re.findall(r"until (\w+ \d\d:\d\d:\d\d)", alert.text))
    assert len(ends) == 1, alert.text
    assert "Lockout enforced" in alert.text, alert.text


def test_the_traders_close_that_extends_the_cooldown_says_it_counted():
    desk = _cooldown_running()
    before = len(desk.history)
    desk.trade(pnl="-5", side=SIDE_SELL, size=3)      # the trader closes the long 3
    desk.flat(MNQ)
    [d] = [d for d in desk.decisions(acted=False)[-1:] if d.rule == "trade_frequency_limit"]
    assert "your sell of 3 MNQ (MNQ flat after it) counted as the 4th trade this minute" in d.reason, d.reason
    [c] = [c for o in desk.history[before:] for c in o.lockouts]
    assert c.change == "extended" and "your sell of 3 MNQ (MNQ flat after it) counted" in c.reason, c
    alert = step_alert(_step(desk, before), Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert "your sell of 3 MNQ (MNQ flat after it) counted as the 4th trade this minute" in alert.text, alert.text


def test_an_opening_trade_is_not_called_a_close():
    desk = _cooldown_running()
    desk.filled(4, MNQ, 21000)
    [d] = [d for d in desk.decisions(acted=False)[-2:] if d.rule == "trade_frequency_limit"]
    assert "your close" not in d.reason, d.reason


def test_history_gives_the_extended_end_on_the_extension_row():
    from shared.historywords import rows
    from shared.messages.risk import HistoryReply
    desk = _cooldown_running()
    desk.filled(4, MNQ, 21000)
    [lock] = desk.engine.lockouts.all(1001)
    [d] = [d for d in desk.decisions(acted=False)[-2:] if d.rule == "trade_frequency_limit"]
    [row] = rows(HistoryReply(decisions=[d]), {})
    assert row[6].startswith("its own lockout extended, now locked until "), row
    assert row[6].endswith(" 09:01:08 CST (timer); no new action"), row
    assert lock.until_ns == d.lock.until_ns


def test_the_close_at_exactly_the_limit_that_extends_the_cooldown_says_it_counted():
    """trial23a finding 5: three trades a minute (cooldown running), the 1st leaves the minute,
    then the trader's close: 3 trades this minute again, at the limit, its cooldown extended,
    and the words said nothing of the close (present at 4 only)."""
    desk = Desk(trade_frequency_limit=SHIPPED_TF)
    desk.filled(1, MNQ, 21000)
    desk.wait(30)
    desk.filled(2, MNQ, 21000)
    desk.wait(10)
    desk.filled(3, MNQ, 21000)         # the 3rd: the 1-minute cooldown starts, to +60 s
    desk.wait(25)                      # the 1st is 65 s old: 2 trades this minute
    before = len(desk.history)
    desk.trade(pnl="-5", side=SIDE_SELL, size=3)      # the trader closes the long 3
    desk.flat(MNQ)
    [d] = [d for d in desk.decisions(acted=False)[-1:] if d.rule == "trade_frequency_limit"]
    assert d.value == 3
    assert "(your sell of 3 MNQ (MNQ flat after it) counted as the 3rd trade this minute)" in d.reason, d.reason
    [c] = [c for o in desk.history[before:] for c in o.lockouts]
    assert c.change == "extended", c


def test_the_close_that_starts_a_cooldown_is_not_said_to_extend_one():
    """The close as the 3rd trade of a minute with no cooldown running starts it: no note."""
    desk = Desk(trade_frequency_limit=SHIPPED_TF)
    desk.filled(1, MNQ, 21000)
    desk.wait(10)
    desk.filled(2, MNQ, 21000)
    desk.wait(10)
    desk.trade(pnl="-5", side=SIDE_SELL, size=2)      # the 3rd: the cooldown starts
    desk.flat(MNQ)
    [d] = [d for d in desk.decisions(acted=False) if d.rule == "trade_frequency_limit"]
    assert d.reason == "3 trades this minute reached the limit of 3", d.reason
