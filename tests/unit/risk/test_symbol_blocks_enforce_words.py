"""A position opened in a symbol symbol_blocks lists: its lockout enforcement says it plainly.

Fresh-user trial 17g, finding 6: `rules set 1001 symbol_blocks symbols '["CL"]'`, then a buy of
CL: the lockout-enforced alert and history read "CL position opened while CL on account Demo 1
(id 1001) locked while CL is listed in symbol_blocks (an admin's unlock ends it until CL's next
trade) by symbol_blocks" (two "while", the rule named twice). Now: "ES position opened on
account Demo 1 (id 1001) while ES is listed in symbol_blocks (an admin's unlock does not free
it: ES's next trade is closed and ES locked again)" (services/risk/lockouts.py while_locked;
trial 21b: "ends it until ES's next trade" read as if one trade were allowed).

The real RiskWorker (tests/unit/risk/worker_rig.py) on etc/riskd.toml's shipped rules; only
symbol_blocks.symbols is set (to ES, the trial's CL in a contract the test desk has).
"""
from __future__ import annotations

from decimal import Decimal

from shared.config.edit import set_rule_param
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate, Quote
from tests.unit.risk.desk import CONTRACTS, ES
from tests.unit.risk.test_tightening_is_instant import (ACCOUNT, decisions, market,
                                                        published, worker)  # noqa: F401
from tests.unit.risk.worker_rig import reload


def test_a_position_opened_in_a_listed_symbol_is_said_in_one_plain_sentence(worker):
    w, path, backups, _sent = worker
    set_rule_param(path, str(ACCOUNT), "symbol_blocks", "symbols", '["ES"]', backups)
    reload(w, path)                              # a tightening: in force now, ES locked
    market(w, CONTRACTS[ES], Quote(contract_id=ES, ts_ns=w.clock.now_ns(),
                                   last=Decimal("6000")))
    seen = published(w)
    now = w.clock.now_ns()
    market(w, Fill(account_id=ACCOUNT, trade_id=7, order_id=7, contract_id=ES, ts_ns=now,
                   price=Decimal("6000"), pnl=None, fees=Decimal(0), side=SIDE_BUY, size=1),
           PositionUpdate(account_id=ACCOUNT, position_id=2, contract_id=ES, ts_ns=now,
                          type=POSITION_LONG, size=1, average_price=Decimal("6000")))
    [d] = [d for d in decisions(seen) if d.action == "close_position"]
    assert d.reason == ("ES position opened on account Demo 1 (id 1001) while ES is listed "
                        "in symbol_blocks (an admin's unlock does not free it: ES's next trade is "
                        "closed and ES locked again)"
                        ), d.reason
