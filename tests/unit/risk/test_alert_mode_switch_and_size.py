"""Alert mode, fresh-user trial 17g findings 3 and 4 (services/risk/alertmode.py).

3. Switching a rule to alert mode (`rules set ... mode alert`, then `rules override`) re-reported
   the breach the rule had already acted on in enforce mode, with no new trade: "(alert mode)
   would have locked the account (timer) until 18:53:22" = the real cooldown's end (and, the
   second time, the 18th trade of the hour recorded twice, once enforced, once "would have").
   A breach acted on in enforce mode is not a new breach when the mode changes.
4. max_contracts in alert mode, limit 2: 1 -> 3 -> 1 -> 3 -> 4 contracts gave one record
   ("would have reduced MNQ by 1"). Past the limit again after being back within it, or
   further past it, is a new breach (docs/rules.md, What every rule has).

The real RiskWorker (tests/unit/risk/worker_rig.py) on etc/riskd.toml's shipped rules, edited
with the function `riskctl rules set` uses; only the rule under test is changed (its mode, and
for 4 the trial's limit 2), each said where it is done.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

from shared.config.edit import set_rule_param
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill, PositionUpdate,
                                    Quote)
from shared.messages.risk import RulesOverrideRequest
from tests.unit.risk.desk import CONTRACTS, MNQ
from tests.unit.risk.test_tightening_is_instant import (ACCOUNT, decisions, market,
                                                        published, worker)  # noqa: F401

TIDS = itertools.count(100)


def trade(w, qty: int, after: int) -> None:
    """The trader's market order of signed qty fills; MNQ is then `after` contracts long."""
    now = w.clock.now_ns()
    tid = next(TIDS)
    market(w, Fill(account_id=ACCOUNT, trade_id=tid, order_id=tid, contract_id=MNQ, ts_ns=now,
                   price=Decimal("21000"), pnl=None if qty > 0 else Decimal(0),
                   fees=Decimal(0), side=SIDE_BUY if qty > 0 else SIDE_SELL, size=abs(qty)),
           PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                          type=POSITION_LONG if after else 0, size=after,
                          average_price=Decimal("21000") if after else Decimal(0)))


def to_alert_mode(w, path, backups, rule: str) -> None:
    """`rules set 1001 RULE mode alert` (a loosening: it waits), then `rules override`."""
    from tests.unit.risk.worker_rig import reload
    set_rule_param(path, str(ACCOUNT), rule, "mode", "alert", backups)
    reload(w, path)
    reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="alert test", by="admin:root", account=str(ACCOUNT), rule=rule))
    assert reply.ok, reply.reason
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).__getattribute__(rule).mode \
        == "alert"


def quote(w) -> None:
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))


def test_switching_to_alert_mode_does_not_report_the_enforced_cooldown_again(worker):
    w, path, backups, sent = worker
    quote(w)
    for qty, after in ((1, 1), (-1, 0), (1, 1)):     # the 3rd trade in a minute: a cooldown
        trade(w, qty, after)
        w.clock.advance(1)
    [lock] = [lk for lk in w.engine.lockouts.all(ACCOUNT)]
    assert lock.rule == "trade_frequency_limit", lock
    seen = published(w)
    to_alert_mode(w, path, backups, "trade_frequency_limit")
    assert decisions(seen, "trade_frequency_limit") == []       # trial: "would have locked"
    assert not [t for t in sent if "Breach trade_frequency_limit" in t[2]], sent
    # the next trade is a new breach: enforce mode would have extended its own cooldown
    w.clock.advance(5)
    trade(w, -1, 0)
    [d] = decisions(seen, "trade_frequency_limit")
    assert d.mode == "alert", d
    assert d.what.startswith("would have extended its own lockout of the account (timer) to "
                             ), d.what


def test_alert_mode_max_contracts_past_again_or_further_is_a_new_breach(worker):
    w, path, backups, sent = worker
    # the trial's limit 2 (shipped: more), and the trades' own cooldowns off (the trial raised
    # per_minute and per_hour): only max_contracts judges
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
    set_rule_param(path, str(ACCOUNT), "trade_frequency_limit", "enabled", "false", backups)
    from tests.unit.risk.worker_rig import reload
    reload(w, path)
    w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="test", by="admin:root", account=str(ACCOUNT), rule="trade_frequency_limit"))
    to_alert_mode(w, path, backups, "max_contracts")
    quote(w)
    seen = published(w)
    steps = ((1, 1), (2, 3), (-2, 1), (2, 3), (1, 4), (-1, 3), (1, 4))
    for qty, after in steps:
        trade(w, qty, after)
        w.clock.advance(2)
    got = [(d.value, d.what) for d in decisions(seen, "max_contracts")]
    assert got == [(Decimal(3), "would have reduced MNQ by 1"),      # 1 -> 3: past
                   (Decimal(3), "would have reduced MNQ by 1"),      # 1 -> 3: past again
                   (Decimal(4), "would have reduced MNQ by 2"),      # 3 -> 4: further past
                   (Decimal(4), "would have reduced MNQ by 2")], got  # 3 -> 4 again
    assert all(d.mode == "alert" for d in decisions(seen, "max_contracts"))
    assert w.engine.lockouts.all(ACCOUNT) == []
