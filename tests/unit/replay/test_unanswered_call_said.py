"""--decisions says riskd's own close's call that got no answer it could trust (trial25c F4.1).

The trial's Demo 2 at 16:46:36: riskd's cut of 2 was answered HTTP 500 (enforcement's result
lists the call unsettled, how 'HTTP 500'); the replay's line read "[riskd's own: Mon 16:46:36
CST: 4 contracts open (gross), limit 2: reduce MNQ by 2]", nothing of the failure. Here: the
trader buys 6 at 10:00:01 (limit 5, shipped); riskd's reduce by 1, decided then, got HTTP 500
at 10:00:01.200 and sold 1 on its second try at 10:00:01.300 (order 9100, named in its
result). riskd's records are built as the risk worker and enforcement leave them."""
from __future__ import annotations

import attrs
import pytest

from cli.replay import report as rep
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from cli.commands.replay import load
from cli.replay.engine import build_engine
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from tests.support.replay_days import MNQ, Days, chi

pytestmark = pytest.mark.timeout(30)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 0)
ACCOUNT = 1001
REASON = "6 contracts open (gross), limit 5: reduce MNQ by 1"


def test_a_call_answered_http_500_is_said_on_riskds_own(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    rec = RiskdRecords()
    for at, side, size, oid in ((NS, "buy", 6, 9001), (1_300 * MS, "sell", 1, 9100)):
        f = d.trade(T0 + at, MNQ, side, size, 21000, order_id=oid)
        d.order(oid, MNQ, side, size, T0 + at, T0 + at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid == 9100))
    rec.closes = [LiveClose(T0 + NS, "max_contracts", "reduce_position", MNQ, "d1", "d1.1",
                            reason=REASON, event_ns=T0 + NS)]
    rec.outcomes([CommandResult(
        command_id="d1.1", account_id=ACCOUNT, status="done", action="reduce_position",
        rule="max_contracts", finished_ns=T0 + 1_400 * MS, orders_known=True,
        close_orders=[CloseOrder(order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=1,
                                 answered=True)],
        unsettled=[LostCall(contract_id=MNQ, size=1, lost_ns=T0 + 1_200 * MS,
                            how="HTTP 500")])])
    engine = build_engine(load(config), {})
    r = Runner(engine, d.history(), rec).run()
    report = rep.build("riskd.toml", [r], engine.calendar.trading_day, sorted(r.days))
    [line] = [x for x in rep.decision_lines(report, engine.zone) if "max_contracts" in x]
    assert line.endswith(f"[riskd's own: Wed 10:00:01 CST: {REASON}; its call on MNQ got HTTP "
                         f"500 at Wed 10:00:01 CST, whether the broker carried it out riskd "
                         f"could not tell then]"), line
