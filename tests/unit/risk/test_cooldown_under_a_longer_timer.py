"""cooldown_after_loss's breach under another rule's longer timer: its flatten still goes, its
own shorter lockout adds nothing, and its alert and history say so, never its own end as the
account's.

Fresh-user trial23c F5: Demo 1 was in trade_frequency_limit's 30-minute cooldown (until
12:15:01); the trader's own close lost 241.18, cooldown_after_loss's tier 200 (15 minutes, to
12:00:33). One timer per account: the shorter cooldown changed nothing, yet the alert read
"locked until Mon 12:00:33 CST" and history "lock the account (timer)", "note: locked until
Mon 12:00:33 CST (timer)": a trader reading it believes the account free at 12:00:33.
docs/rules.md (trade_frequency_limit, "Its cooldown under another lockout"): "its lockout (until
...) adds nothing: the account is locked as long or longer".

The shipped rules (etc/riskd.toml, account 1001: trade_frequency_limit per_hour 10 with a
30-minute cooldown, cooldown_after_loss tier 200 -> 15 minutes with flatten), an injected
clock; the losing close's Trade, Position, Order and Account events in every order.
"""
from __future__ import annotations

import pytest

from services.notify.templates import Context, build
from shared.config.load import load_config
from shared.historywords import decision_row
from shared.messages.market import AccountUpdate
from shared.messages.risk import FLATTEN
from tests.unit.risk.desk import CHI, MNQ, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, NS, ORDERS, START, Broker


def the_losing_close_under_the_hours_cooldown(order):
    """(cooldown_after_loss's record of the losing close, the hour's lockout then)."""
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21000")
    # ten trades 35 s apart (never 3 in a minute): the 10th starts the hour's 30-minute cooldown
    held = 0
    for qty in (1, -1, 1, -1, 1, -1, 1, -1, 1, 3):
        broker.now += 35 * NS
        held += qty
        broker.fill(MNQ, qty, "21000", "0" if qty < 0 else None, held, "21000")
    [lock] = engine.lockouts.all()
    assert (lock.rule, lock.until_ns) == ("trade_frequency_limit", broker.now + 1800 * NS)
    # 10 s later the trader's own close of 4 loses 240 (60 points): tier 200, 15 minutes
    broker.now += 10 * NS
    before = len(broker.outs)
    broker.fill(MNQ, -4, "20970", "-240", 0, "0", order=order)
    [d] = [d for o in broker.outs[before:] for d in o.decisions
           if d.rule == "cooldown_after_loss"]
    [held_lock] = engine.lockouts.all()
    return d, held_lock, broker.now


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_its_alert_and_history_name_the_longer_lockout_not_its_own_end(order):
    d, held, now = the_losing_close_under_the_hours_cooldown(order)
    assert held.rule == "trade_frequency_limit" and held.until_ns > now + 900 * NS, held
    # the flatten is sent: the hour's cooldown flattens nothing, so no lockout acted so yet
    assert d.action == FLATTEN and not d.suppressed, d
    own = "Wed 09:21 CST"            # its 15 minutes: within the hour's cooldown
    longer = "Wed 09:36 CST"         # the hour's, extended by the close (the 11th trade)
    alert = build(d, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    lines = "\n".join(alert.lines)
    assert f"locked until {own}" not in lines, lines
    assert f"its lockout (until {own}) adds nothing: the account is locked as long or longer" \
        in lines, lines
    assert f"until {longer}" in lines and "trade_frequency_limit" in lines, lines
    _, _, _, what, _, _, note = decision_row(d, tz=CHI)      # history names the day too
    own, longer = (t.replace("Wed ", "Wed 2026-11-25 ") for t in (own, longer))
    assert "lock the account" not in what, what
    assert f"its lockout until {own} (timer) adds nothing" in what, what
    assert note == f"locked already: locked until {longer} (timer, trade_frequency_limit)", note
