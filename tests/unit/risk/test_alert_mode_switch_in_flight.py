"""A reduce in flight when its rule is switched to alert mode is not an alert-mode breach
(round 17's fix17e left it: services/risk/alertmode.py).

max_contracts limit 2, the account holds 4 MNQ: enforce mode sends "reduce MNQ by 2", and
enforcement has not answered yet (the test sends it no result: the reduce stays in flight).
The admin switches max_contracts to alert mode (`rules set ... mode alert`, `rules override`):
risk judges the account again under the new mode, still 4 of 2 while the reduce is under way,
and recorded "(alert mode) would have reduced MNQ by 2", an alert-mode breach of a breach that
enforce mode acted on. Now nothing is recorded for it; a buy while the reduce is still in
flight (5 of 2, further past) is a new breach, recorded in alert mode.

The real RiskWorker (tests/unit/risk/worker_rig.py) on etc/riskd.toml's shipped rules; changed:
max_contracts limit 2 and mode alert (the scenario), trade_frequency_limit off (the trades'
own cooldowns would lock the account: only max_contracts judges).
"""
from __future__ import annotations

from decimal import Decimal

from shared.config.edit import set_rule_param
from shared.messages.risk import REDUCE_POSITION, RulesOverrideRequest
from tests.unit.risk.test_alert_mode_switch_and_size import quote, to_alert_mode, trade
from tests.unit.risk.test_tightening_is_instant import (ACCOUNT, commands, decisions,
                                                        published, worker)  # noqa: F401
from tests.unit.risk.worker_rig import reload


def test_a_reduce_in_flight_is_not_recorded_again_as_an_alert_mode_breach(worker):
    w, path, backups, _sent = worker
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
    set_rule_param(path, str(ACCOUNT), "trade_frequency_limit", "enabled", "false", backups)
    reload(w, path)
    w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="test", by="admin:root", account=str(ACCOUNT), rule="trade_frequency_limit"))
    quote(w)
    seen = published(w)
    trade(w, 4, 4)                                   # 4 of 2: enforce mode reduces by 2
    [d] = decisions(seen, "max_contracts")
    assert (d.mode, d.action, d.size) == ("enforce", REDUCE_POSITION, 2), d
    assert [c.action for c in commands(seen)] == [REDUCE_POSITION]      # sent, no result yet
    w.clock.advance(1)
    to_alert_mode(w, path, backups, "max_contracts")
    got = [(x.mode, x.what) for x in decisions(seen, "max_contracts")][1:]
    assert got == [], got          # main: [("alert", "would have reduced MNQ by 2")]
    w.clock.advance(1)
    trade(w, 1, 5)                                   # further past, the reduce still in flight
    got = [(x.mode, x.value, x.what) for x in decisions(seen, "max_contracts")][1:]
    assert got == [("alert", Decimal(5), "would have reduced MNQ by 3")], got
