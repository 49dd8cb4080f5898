"""A symbol taken out of symbol_blocks is no longer locked, whichever way the list in force
changes: `rules override` taking the waiting change early, or the roll applying it (trial25b
F5). symbol_blocks' symbol lockout holds "while MES is listed in symbol_blocks", its only end;
a reload that changed the list at once already ended it (Engine.recheck). After an override
MES stayed locked and riskd closed the trader's buy of MES "while MES is listed in
symbol_blocks" (false: the list was empty); at the roll a waiting [] left ZZZ locked until the
next edit. The real RiskWorker on etc/riskd.toml's shipped rules; only symbol_blocks' list is
changed, with the functions `riskctl rules set` and `rules override` use. Both tests fail on
the code before (checked)."""
from __future__ import annotations

import json
from decimal import Decimal

from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from shared.messages.risk import RulesOverrideRequest
from tests.unit.risk.desk import chi
from tests.unit.risk.test_disable_now import ETC_ACCOUNTS
from tests.unit.risk.worker_rig import reload, risk_worker

DEMO1 = 1001
MES = "CON.F.US.MES.Z26"


def _blocked_then_unlisted(w, path, backups):
    set_rule_param(path, str(DEMO1), "symbol_blocks", "symbols", json.dumps(["MES"]), backups)
    reload(w, path)                               # a tightening: at once, MES locked
    assert [lk.symbol for lk in w.engine.lockouts.all(DEMO1)] == ["MES"]
    w.clock.advance(5)
    set_rule_param(path, str(DEMO1), "symbol_blocks", "symbols", "[]", backups)
    reload(w, path)                               # a loosening: waits for the roll
    assert [lk.symbol for lk in w.engine.lockouts.all(DEMO1)] == ["MES"]


def _buy_mes(w, trade_id: int):
    now = w.clock.now_ns()
    w._event(Fill(account_id=DEMO1, trade_id=trade_id, contract_id=MES, ts_ns=now,
                  price=Decimal("6000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                  size=1, order_id=700 + trade_id))
    w._event(PositionUpdate(account_id=DEMO1, position_id=9, contract_id=MES, ts_ns=now,
                            type=POSITION_LONG, size=1, average_price=Decimal("6000")))


def _closes(w) -> list:
    return [e.command for e in w.engine.outbox.entries.values()
            if e.command.contract_id == MES and e.command.action == "close_position"]


def test_an_override_that_unlists_a_symbol_ends_its_lockout(tmp_path):
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        _blocked_then_unlisted(w, path, backups)
        reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
            reason="unblock MES now", by="admin:root", account=str(DEMO1),
            rule="symbol_blocks"))
        assert reply.ok, reply.reason
        assert "stays" not in reply.reason, reply.reason       # nothing of MES's stays
        assert not [lk for lk in w.engine.lockouts.all(DEMO1) if lk.symbol == "MES"]
        w.clock.advance(5)
        _buy_mes(w, 1)
        assert _closes(w) == []                   # the trader's MES buy is left open


def test_the_roll_that_applies_an_unlisting_ends_its_lockout(tmp_path):
    clock = FakeClock(chi(2026, 12, 2, 16, 59))
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=clock) as rig:
        w, path, backups, _sent = rig
        _blocked_then_unlisted(w, path, backups)
        clock.set(chi(2026, 12, 2, 17, 0, 5))
        _buy_mes(w, 2)                            # the first event after the roll
        assert not [lk for lk in w.engine.lockouts.all(DEMO1) if lk.symbol == "MES"]
        assert _closes(w) == []
