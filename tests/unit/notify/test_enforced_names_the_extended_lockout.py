""""🔒 Lockout enforced" names the lockout in force when the step's alert is sent.

Fresh-user trial25a N2: Demo 1 locked by cooldown_after_loss until 17:15:23; the trader's 10th
trade of the hour came while it held. The phone read, in one alert, "🔒 Lockout extended: Demo 1
(id 1001) locked until Mon 17:16:29 CST (trade_frequency_limit)" and then "🔒 Lockout enforced on
Demo 1 (id 1001): locked until Mon 17:15:23 CST (cooldown_after_loss)", the end the extension had
already replaced. The Position came before its Trade: lockout enforcement's cut (naming the
cooldown as it was) and trade_frequency_limit's extension of that lockout (the same row, taken
over by trade_frequency_limit) are two outcomes of risk with one step time, held together by
notify. Both orders of the broker's events are tried."""
import re

import pytest

from services.notify.steps import step_alert
from services.notify.templates import Context
from tests.unit.risk.desk import CHI, MNQ, SIDE_SELL, Desk

pytestmark = pytest.mark.timeout(30)

# trade_frequency_limit's per-minute cooldown longer than what is left of the loss's cooldown
# (the trial's per-hour one outlasted it the same way); cooldown_after_loss's first tier as shipped
TF = {"per_minute": 3, "per_hour": 10, "per_session": 50, "per_minute_cooldown": 600,
      "per_hour_cooldown": 1800, "per_session_cooldown": 3600}
COOLDOWN = {"tiers": [{"loss": 100, "seconds": 300}], "flatten": True}


def _locked_by_a_loss() -> Desk:
    desk = Desk(trade_frequency_limit=TF, cooldown_after_loss=COOLDOWN)
    desk.filled(1, MNQ, 21000)                  # trade 1
    desk.wait(1)
    desk.trade(pnl="-150", side=SIDE_SELL, price="20850")   # trade 2: cooldown 5 min
    desk.flat(MNQ)
    desk.wait(2)
    [lock] = desk.engine.lockouts.all(1001)
    assert lock.rule == "cooldown_after_loss"
    return desk


@pytest.mark.parametrize("position_first", [True, False])
def test_the_enforced_line_names_the_lockout_after_the_extension(position_first):
    desk = _locked_by_a_loss()
    before = len(desk.history)
    if position_first:                          # the trial's order
        desk.long(1, MNQ, 20900)
        desk.trade(price="20900")               # trade 3: the minute's limit, extends it
    else:
        desk.trade(price="20900")
        desk.long(1, MNQ, 20900)
    msgs = [m for o in desk.history[before:] for m in (*o.lockouts, *o.decisions)]
    assert len({getattr(m, "ts_ns") for m in msgs}) == 1      # one step
    [lock] = desk.engine.lockouts.all(1001)
    assert lock.rule == "trade_frequency_limit"
    alert = step_alert(msgs, Context(tz=CHI, accounts={1001: "Demo 1"}))
    [enforced] = [ln for ln in alert.text.splitlines() if "Lockout enforced" in ln]
    end = re.search(r"until \w+ (\d\d:\d\d:\d\d)", enforced).group(1)
    assert enforced.endswith("(trade_frequency_limit)"), alert.text
    assert set(re.findall(r"until \w+ (\d\d:\d\d:\d\d)", alert.text)) == {end}, alert.text
