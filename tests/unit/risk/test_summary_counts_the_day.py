"""The daily summary at the roll counts the day's breaches, riskd's actions and lockouts.

fresh-user trial24a F6 (2 of 2 rolls): "Demo 1 (id 1001): realized PnL -518.68 incl. fees,
1 trade, 0 breaches" on a day riskd had closed, flattened and locked the account until the
roll: the risk worker never filled AccountDay.breaches. It counts them from its history of the
day (services/risk/daytally.py), and the phone's line says which rules and what riskd did.
The real RiskWorker on loopback sockets with a FakeClock (tests/unit/risk/worker_rig.py),
etc/riskd.toml's rules as shipped (daily_unrealized_loss 200 per position closes, the close's
loss past daily_realized_loss flattens and locks to the roll, cooldown_after_loss locks).
"""
from __future__ import annotations

from decimal import Decimal

from services.notify.templates import build
from services.notify.templates import Context
from shared.clock import FakeClock
from shared.messages.market import SIDE_SELL, Fill, PositionUpdate
from shared.messages.notify import DailySummary
from tests.unit.risk.desk import MNQ, chi
from tests.unit.risk.test_no_price_after_done_close import breach_and_close
from tests.unit.risk.test_tightening_is_instant import market, published
from tests.unit.risk.worker_rig import risk_worker

ACCOUNT = 1001


def test_the_summary_counts_the_breaches_actions_and_lockouts_of_the_day(tmp_path):
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as (w, _p, _b, _sent):
        seen = published(w)
        breach_and_close(w, seen)              # MNQ long 1 at 21000 -> 20850: closed
        now = w.clock.now_ns()
        # the close's fill (a slippage): -600 plus fees, past daily_realized_loss's line and a cooldown tier
        market(w, Fill(account_id=ACCOUNT, trade_id=2, contract_id=MNQ, ts_ns=now,
                       price=Decimal("20850"), pnl=Decimal("-600"), fees=Decimal("0.37"),
                       side=SIDE_SELL, size=1, order_id=None),
               PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=now,
                              type=0, size=0, average_price=Decimal(0)))
        rules = [m.rule for t, m in seen if t == "decision"]
        assert "daily_unrealized_loss" in rules and "daily_realized_loss" in rules, rules
        w.clock = FakeClock(w.engine.calendar.next_roll(w.clock.now_ns()) + 1)
        w._tick()                                # the roll
        [summary] = [m for _t, m in seen if isinstance(m, DailySummary)]
        [day] = summary.accounts
        decided = [m for t, m in seen if t == "decision"]
        assert day.breaches == len(decided) >= 2, decided
        assert set(day.rules) == set(rules) and sum(day.rules.values()) == day.breaches
        sent = [d for d in decided if not d.suppressed]
        assert sum(day.actions.values()) == len(sent) >= 2 and "close_position" in day.actions
        assert day.lockouts == len([m for t, m in seen if t == "lockout"
                                    and m.change == "added"]) >= 1
        line = build(summary, Context()).lines[0]
        assert f"{day.breaches} breaches (" in line and "daily_realized_loss" in line, line
        assert "riskd's actions" in line and "1 close" in line and "lockout" in line, line
