"""Tightening is instant (docs/rules.md): a rule change in force now judges what the account
holds at once, not at its next fill (services/risk/rejudge.py).

Fresh-user trial: holding 4 MNQ on Demo 1, `riskctl rules set 1001 max_contracts limit 2`
answered "applied live on Demo 1", the phone said "max_contracts limit 6 -> 2, in force now"
and the watch "max_contracts 4/2 200%", but no breach, alert or reduce came, not even after a
price move: only the next buy got "reduce MNQ by 3".

The real RiskWorker on loopback sockets in this process (tests/unit/risk/worker_rig.py), its
config etc/riskd.toml's rules, edited with the function `riskctl rules set` uses; the trader's
buy comes as market publishes it (its Trade, then its Position)."""
from __future__ import annotations

from decimal import Decimal

from shared.config.edit import set_rule_param
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate, Quote
from shared.messages.risk import FLATTEN, REDUCE_POSITION
from tests.unit.risk.desk import CONTRACTS, MNQ
from tests.unit.risk.test_waiting_notice import ACCOUNT, reload, worker  # noqa: F401


def published(w) -> list:
    """Everything the worker publishes from now on (topic, message)."""
    seen: list = []
    publish = w.pub.publish
    w.pub.publish = lambda topic, msg: (seen.append((topic, msg)), publish(topic, msg))
    return seen


def market(w, *events) -> None:
    for e in events:
        w._event(e)
    w._flush_held()


def buy(w, size: int, price="21000", pnl=None, trade_id=1) -> None:
    now = w.clock.now_ns()
    market(w, Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=now,
                   price=Decimal(price), pnl=None if pnl is None else Decimal(pnl),
                   fees=Decimal(0), side=SIDE_BUY, size=size),
           PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                          type=POSITION_LONG, size=size, average_price=Decimal(price)))


def decisions(seen, rule=None) -> list:
    return [m for t, m in seen if t == "decision" and (rule is None or m.rule == rule)]


def commands(seen) -> list:
    return [m for t, m in seen if t == "cmd" and hasattr(m, "action")]


def test_a_tighter_max_contracts_reduces_what_is_held_now_once(worker):  # noqa: F811
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, 4)
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).max_contracts.limit > 4
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
    reload(w, path)
    made = decisions(seen, "max_contracts")
    assert [(d.action, d.size, d.suppressed) for d in made] == [(REDUCE_POSITION, 2, "")], made
    assert "4 contracts open (gross), limit 2: reduce MNQ by 2" in made[0].reason
    assert [(c.action, c.size) for c in commands(seen)] == [(REDUCE_POSITION, 2)]
    # the same breach is not acted on twice: a reload that changes nothing, an edit of
    # another rule, a tick, a price move
    reload(w, path)
    set_rule_param(path, str(ACCOUNT), "max_contracts", "warn_at", "0.9", backups)
    reload(w, path)
    w._tick()
    market(w, Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(), last=Decimal("21001")))
    assert len(decisions(seen, "max_contracts")) == 1
    assert len(commands(seen)) == 1


def test_a_tighter_daily_loss_below_the_day_flattens_and_locks_now(worker):  # noqa: F811
    """A rule on today's realized PnL is judged at once too: the day's total is what it
    reads, no trade needs to come."""
    w, path, backups, _sent = worker
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    market(w, Fill(account_id=ACCOUNT, trade_id=7, contract_id=MNQ, ts_ns=w.clock.now_ns(),
                   price=Decimal("21000"), pnl=Decimal("-80"), fees=Decimal(0),
                   side=SIDE_BUY, size=1))
    buy(w, 1, trade_id=8)
    assert w.settings.for_account(w.engine.accounts[ACCOUNT]).daily_realized_loss.limit > 80
    seen = published(w)
    set_rule_param(path, str(ACCOUNT), "daily_realized_loss", "limit", "50", backups)
    reload(w, path)
    made = decisions(seen, "daily_realized_loss")
    assert [(d.action, d.suppressed) for d in made] == [(FLATTEN, "")], made
    assert [m.lockout.rule for t, m in seen if t == "lockout"] == ["daily_realized_loss"]
    reload(w, path)
    assert len(decisions(seen, "daily_realized_loss")) == 1

