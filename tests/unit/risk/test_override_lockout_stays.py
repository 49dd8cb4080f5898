"""A `rules override` that raises a loss limit back leaves the lockout the old limit put on, and
its answer says so and how it ends (services/risk/lockstays.py).

Fresh-user trial (trial14b): `rules set 1002 daily_realized_loss limit 1` locked the account
until the roll (realized -8.44); `rules set ... limit 300` waited for the roll, and `rules
override` took it early, answering only "limit 1.00 -> 300.00": status still showed the
account LOCKED OUT, and nothing had said the lockout stays or that `riskctl unlock ... --rule`
ends it. The real RiskWorker (tests/unit/risk/worker_rig.py) on etc/riskd.toml's rules."""
from __future__ import annotations

from decimal import Decimal

from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.market import Quote
from shared.messages.risk import RulesOverrideRequest
from tests.unit.risk.desk import CONTRACTS, MNQ, chi
from tests.unit.risk.test_tightening_is_instant import buy, market
from tests.unit.risk.worker_rig import reload, risk_worker


def test_raising_the_limit_back_says_the_lockout_stays_and_how_it_ends(tmp_path):
    with risk_worker(tmp_path, [{"id": 1001, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                         last=Decimal("21000")))
        buy(w, 1, pnl="-8.44")                  # a realized loss of 8.44 today
        set_rule_param(path, "1001", "daily_realized_loss", "limit", "1", backups)
        reload(w, path)                         # tighter: in force now, locks until the roll
        assert [lk.rule for lk in w.engine.lockouts.all(1001)] == ["daily_realized_loss"]
        set_rule_param(path, "1001", "daily_realized_loss", "limit", "300", backups)
        reload(w, path)                         # looser: waits for the roll
        reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
            reason="typo", by="admin:ana", account="1001", rule="daily_realized_loss"))
        assert reply.ok, reply.reason
        assert "limit 1.00 -> 300.00" in reply.reason, reply.reason
        assert [lk.rule for lk in w.engine.lockouts.all(1001)] == ["daily_realized_loss"]
        assert ("the lockout daily_realized_loss put on Demo 1 (id 1001) under its old setting "
                "stays (until the roll at Wed 17:00 CST)") in reply.reason, reply.reason
        assert ("`riskctl unlock 1001 --rule daily_realized_loss --reason TEXT` ends only that "
                "lockout") in reply.reason, reply.reason
