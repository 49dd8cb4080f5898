"""--decisions says riskd's own close's call that got no answer it could trust (trial25c F4.1).

The trial's Demo 2 at 16:46:36: riskd's cut of 2 was answered HTTP 500 (enforcement's result
lists the call unsettled, how 'HTTP 500'); the replay's line read "[riskd's own: Mon 16:46:36
CST: 4 contracts open (gross), limit 2: reduce MNQ by 2]", nothing of the failure. Here: the
trader buys 6 at 10:00:01 (limit 5, shipped); riskd's reduce by 1, decided then, got HTTP 500
at 10:00:01.200 and sold 1 on its second try at 10:00:01.300 (order 9100, named in its
result). riskd's records are built as the risk worker and enforcement leave them."""
from __future__ import annotations

import pytest

from cli.replay import report as rep
from cli.replay.riskdrecords import RiskdRecords
from cli.replay.runner import Runner
from cli.commands.replay import load
from cli.replay.engine import build_engine
from shared.messages.enforce import LostCall
from shared.messages.market import SIDE_SELL
from tests.support.replay_days import MNQ, Days, recorded, riskds_reduce
from tests.unit.replay.test_riskd_late_same_close import ACCOUNT, MS, NS, REASON, T0

pytestmark = pytest.mark.timeout(30)


def test_a_call_answered_http_500_is_said_on_riskds_own(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    rec = RiskdRecords()
    recorded(d, rec, T0, [(NS, "buy", 6, 9001), (1_300 * MS, "sell", 1, 9100)])
    riskds_reduce(rec, ACCOUNT, T0 + NS, REASON, T0 + 1_400 * MS, [(9100, SIDE_SELL, 1)],
                  [LostCall(contract_id=MNQ, size=1, lost_ns=T0 + 1_200 * MS, how="HTTP 500")])
    engine = build_engine(load(config), {})
    r = Runner(engine, d.history(), rec).run()
    report = rep.build("riskd.toml", [r], engine.calendar.trading_day, sorted(r.days))
    [line] = [x for x in rep.decision_lines(report, engine.zone) if "max_contracts" in x]
    assert line.endswith(f"[riskd's own: Wed 10:00:01 CST: {REASON}; its call on MNQ got HTTP "
                         f"500 at Wed 10:00:01 CST, whether the broker carried it out riskd "
                         f"could not tell then]"), line
