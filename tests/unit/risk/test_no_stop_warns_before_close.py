"""no_stop_loss_grace warns at warn_at of its grace, before it closes the position.

Fresh-user trial 17a, finding 3: `rules list` showed the rule with "grace_seconds=10;
warn_at=0.8", and four times a position opened with no stop was closed 10 s later with no
warning before it (no phone alert, no history warning, the status row with no countdown).
docs/rules.md, warn_at: one warning before the breach. For this rule the warning is what lets
the trader place the stop in time: at 80 % of the grace, "MNQ has no stop: closed in 2s unless
a stop is placed", once per position.

The shipped rules (etc/riskd.toml) with no_stop_loss_grace enabled (it ships off; the scenario
is about it), the worker's 0.1 s tick on an injected clock.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.notify.templates import Context, build
from services.risk.views import rule_values
from shared.config.load import load_config
from shared.messages.market import (ORDER_STOP, SIDE_SELL, STATUS_OPEN, AccountUpdate,
                                    OrderUpdate, Quote)
from tests.unit.risk.desk import CHI, MNQ, NS, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, START, Broker

pytestmark = pytest.mark.timeout(30)
RULE = "no_stop_loss_grace"


def grace_on(tmp_path):
    text = open(SHIPPED, encoding="utf-8").read()
    at = text.index("enabled = false", text.index(f"[profiles.default.rules.{RULE}]\n"))
    text = text[:at] + "enabled = true " + text[at + len("enabled = false"):]
    copy = tmp_path / "riskd.toml"
    copy.write_text(text, encoding="utf-8")
    return load_config(SHIPPED, text_from=str(copy))


def ticks(broker: Broker, seconds: float) -> None:
    end = broker.now + int(seconds * NS)
    while broker.now < end:
        broker.now = min(end, broker.now + NS // 10)
        broker.outs.append(broker.engine.tick(broker.now))


def test_a_position_with_no_stop_is_warned_at_80_percent_of_its_grace_then_closed(tmp_path):
    now = chi(2026, 11, 25, 9, 0)
    broker = Broker(shipped_engine(grace_on(tmp_path), now), now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21000")
    for trip in range(2):               # each position warns: the 2nd too
        opened = broker.now
        before = len(broker.outs)
        broker.fill(MNQ, 1, "21000", None, 1, "21000")
        ticks(broker, 7.9)
        assert not [w for o in broker.outs[before:] for w in o.warnings if w.rule == RULE]
        [row] = [r for r in rule_values(broker.engine, ACCOUNT, broker.now) if r.rule == RULE]
        assert row.detail == "MNQ has no stop: closed in 3s unless a stop is placed", row
        ticks(broker, 0.2)
        [w] = [w for o in broker.outs[before:] for w in o.warnings if w.rule == RULE]
        assert w.ts_ns - opened == 8 * NS, (w.ts_ns - opened) / NS
        assert w.reason == ("no_stop_loss_grace at 80% of its limit: MNQ has no stop: closed "
                            "in 2s unless a stop is placed"), w.reason
        assert (w.value, w.limit) == (Decimal(8), Decimal(10)), w
        alert = build(w, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))      # the phone's
        assert "MNQ has no stop: closed in 2s unless a stop is placed" in alert.lines, alert
        assert not [d for o in broker.outs[before:] for d in o.decisions]
        ticks(broker, 2)                # the grace ends: closed, not warned again
        [d] = [d for o in broker.outs[before:] for d in o.decisions]
        assert (d.rule, d.action) == (RULE, "close_position"), d
        assert len([w for o in broker.outs[before:] for w in o.warnings if w.rule == RULE]) == 1
        [close] = [c for o in broker.outs[before:] for c in o.commands]
        broker.done([close])
        broker.fill(MNQ, -1, "21000", "0", 0, "0")
        broker.now += 30 * NS
        broker.feed(Quote(contract_id=MNQ, ts_ns=broker.now, last=Decimal("21000")))


def test_a_position_with_its_stop_placed_is_not_warned(tmp_path):
    now = chi(2026, 11, 25, 9, 0)
    broker = Broker(shipped_engine(grace_on(tmp_path), now), now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21000")
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    broker.feed(OrderUpdate(account_id=ACCOUNT, order_id=900, contract_id=MNQ,
                            created_ns=broker.now, updated_ns=broker.now, status=STATUS_OPEN,
                            type=ORDER_STOP, side=SIDE_SELL, size=1,
                            stop_price=Decimal("20900")))
    ticks(broker, 12)
    assert not [w for o in broker.outs for w in o.warnings if w.rule == RULE]
    assert not [d for o in broker.outs for d in o.decisions if d.rule == RULE]
