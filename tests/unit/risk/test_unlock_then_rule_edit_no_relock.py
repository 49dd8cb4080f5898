"""A rule edit after an admin's unlock does not lock the account again: only a change that
makes a rule stricter can make a new breach (services/risk/rejudge.py changed_rules), and a
trade_frequency_limit window already at its limit had its breach under the old setting.

Fresh-user trial 22a, F6 (3 of 3): 3 trades in a minute started trade_frequency_limit's
cooldown; `riskctl unlock` ended it ("a trade before 08:33:23 starts a 1m00s cooldown"); then
`rules set 1001 trade_frequency_limit per_hour 200` (a loosening: waits) and `rules override`
locked the account again with no trade, until the old cooldown's end, and the phone said
"⚠️ Breach trade_frequency_limit ... 3 vs 3 / lock the account". docs/rules.md: an unlock ends
lockouts, not limits; a count at its limit locks again at the next trade, not at a config
edit. The real RiskWorker (tests/unit/risk/worker_rig.py) on etc/riskd.toml's shipped rules
(trade_frequency_limit per_minute 3, cooldown 60 s, as shipped); only the edited parameter
changes, with the functions `riskctl rules set` and `rules override` use. On the code before
(checked) the override and the warn_at cases lock again; the tightened window still locks.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.market import SIDE_BUY, SIDE_SELL, Fill
from shared.messages.risk import RulesOverrideRequest, UnlockRequest
from tests.unit.risk.desk import MNQ, chi
from tests.unit.risk.test_disable_now import ETC_ACCOUNTS
from tests.unit.risk.worker_rig import reload, risk_worker

DEMO1 = 1001
RULE = "trade_frequency_limit"


def _freq_locks(w) -> list:
    return [lk for lk in w.engine.lockouts.all(DEMO1) if lk.rule == RULE]


def _three_trades_then_unlock(w) -> None:
    """3 trades in a minute (shipped per_minute 3): the cooldown; then the admin's unlock."""
    for i, side in enumerate((SIDE_BUY, SIDE_SELL, SIDE_BUY)):
        w._event(Fill(account_id=DEMO1, trade_id=100 + i, contract_id=MNQ,
                      ts_ns=w.clock.now_ns(), price=Decimal("21000"),
                      pnl=None if side == SIDE_BUY else Decimal("-1"), fees=Decimal(0),
                      side=side, size=1))
        w.clock.advance(2)
    assert _freq_locks(w), "3 trades in a minute start the shipped cooldown"
    reply = w._handlers[UnlockRequest](UnlockRequest(account=str(DEMO1), reason="trial",
                                                      by="admin:root"))
    assert reply.ok, reply.reason
    assert not _freq_locks(w)
    w.clock.advance(3)


def _override(w):
    reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="trial", by="admin:root", account=str(DEMO1), rule=RULE))
    assert reply.ok, reply.reason
    return reply


def test_an_override_of_a_loosening_after_an_unlock_locks_nothing(tmp_path):
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, sent = rig
        _three_trades_then_unlock(w)
        alerts_before = len(sent)
        set_rule_param(path, str(DEMO1), RULE, "per_hour", "200", backups)
        reload(w, path)                              # a loosening: waits for the roll
        assert not _freq_locks(w)
        reply = _override(w)
        assert not _freq_locks(w), _freq_locks(w)
        assert "under its old setting stays" not in reply.reason, reply.reason
        assert not [a for a in sent[alerts_before:] if "Breach" in str(a)], sent[alerts_before:]


@pytest.mark.parametrize("param, value", [("warn_at", "0.5"),            # neutral: in force now
                                          ("per_session", "45"),         # tightens another window
                                          ("per_hour_cooldown", "3600")])  # longer: in force now
def test_an_edit_in_force_now_that_does_not_lower_the_minute_locks_nothing(tmp_path, param,
                                                                          value):
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        _three_trades_then_unlock(w)
        set_rule_param(path, str(DEMO1), RULE, param, value, backups)
        reload(w, path)
        assert not _freq_locks(w), (param, _freq_locks(w))


def test_a_lower_minute_limit_past_the_count_still_locks_at_once(tmp_path):
    """Tightening is instant: per_minute 3 -> 2 with 3 trades in the minute is a new breach."""
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        _three_trades_then_unlock(w)
        set_rule_param(path, str(DEMO1), RULE, "per_minute", "2", backups)
        reload(w, path)
        [lock] = _freq_locks(w)
        assert lock.until_ns > w.clock.now_ns()
