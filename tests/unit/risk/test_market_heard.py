"""risk tells the screens when it last heard from market (RiskStatusReply.market_heard_ns):
while market is not running the positions, orders and trade counts it shows are as of then
(trial24b F2: status showed "MNQ long 5", "trades 21" while the broker held 8 after 22, and
said only that prices were not live). The real RiskWorker (tests/unit/risk/worker_rig.py) with
a FakeClock; the supervisor's merge of the shards' answers keeps the oldest."""
from __future__ import annotations

from shared.clock import NS_PER_S, FakeClock
from shared.messages.market import MarketSnapshot
from shared.messages.risk import RiskStatusReply, RiskStatusRequest
from shared.messages.system import ok
from services.supervisor.riskshards import merged
from tests.unit.risk.desk import chi
from tests.unit.risk.worker_rig import risk_worker

ACCOUNT = 1001


def test_risk_says_when_it_last_heard_from_market(tmp_path):
    clock = FakeClock(chi(2026, 12, 2, 10, 0))
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1"}], clock=clock) as (w, *_):
        first = w.requests._on_status(RiskStatusRequest()).body.market_heard_ns
        assert first == chi(2026, 12, 2, 10, 0)               # market's snapshot, read then
        clock.advance(7)                                       # market silent: killed
        assert w.requests._on_status(RiskStatusRequest()).body.market_heard_ns == first
        w.on_snapshot(MarketSnapshot(seq=1, epoch="again", complete=True))
        assert w.requests._on_status(RiskStatusRequest()).body.market_heard_ns \
            == first + 7 * NS_PER_S


def test_the_shards_answer_is_as_of_the_oldest_shard():
    t = chi(2026, 12, 2, 10, 0)
    got = merged(RiskStatusRequest(), [("risk-0", ok(RiskStatusReply(market_heard_ns=t + 5))),
                                       ("risk-1", ok(RiskStatusReply(market_heard_ns=t))),
                                       ("risk-2", ok(RiskStatusReply()))])
    assert got.body.market_heard_ns == t
