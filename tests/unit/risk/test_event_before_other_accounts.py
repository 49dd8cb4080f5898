"""An account's event behind a run of quotes is judged before the other accounts' quote rules.

The scale bench (500 accounts, 2 positions each, 20,000 quotes/s over 20 contracts): risk judged
every run of quotes for every account holding a moved contract before it read the next event,
so a breach fill waited for ~500 accounts' rules (risk's lag p99 157 ms to seconds). Now the
drain takes the prices at once and judges them per account (services/risk/moves.py): the
event's own account first, with the prices before the event, the others after it.

Real loopback sockets and the real RiskWorker in this process (as test_input_order.py), etc/
riskd.toml's rules as shipped: 40 accounts long 1 MNQ at 21,000; one quote drops it 200 points
(-400.00 each: daily_unrealized_loss closes every one), then an order event of the last
account. One poll round, as Worker.run does it.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from services.risk.app import RiskWorker
from shared import topics
from shared.messages.market import (ORDER_LIMIT, POSITION_LONG, SIDE_BUY, STATUS_OPEN,
                                    AccountUpdate, ContractInfo, MarketSnapshot, OrderUpdate,
                                    PositionUpdate, Quote)
from tests.support.riskinprocess import risk_in_process
from tests.unit.risk.test_input_order import joined, wait_ready

MNQ = "CON.F.US.MNQ.Z26"
ACCOUNTS = list(range(3001, 3041))
LAST = ACCOUNTS[-1]


@pytest.fixture
def worker(tmp_path):
    with risk_in_process(tmp_path) as both:
        yield both


def test_an_accounts_event_behind_quotes_is_judged_before_the_other_accounts(worker):
    w, market = worker
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    w.on_snapshot(MarketSnapshot(
        seq=market.seq, epoch=market.epoch, complete=True,
        accounts=[AccountUpdate(account_id=a, name=f"SIM-{a}", balance=Decimal(50_000),
                                can_trade=True) for a in ACCOUNTS],
        positions=[PositionUpdate(account_id=a, position_id=a, contract_id=MNQ, ts_ns=now,
                                  type=POSITION_LONG, size=1, average_price=Decimal(21000))
                   for a in ACCOUNTS],
        contracts=[ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                                tick_value=Decimal("0.50"), symbol="F.US.MNQ")]))
    market.publish(topics.quote(MNQ), Quote(contract_id=MNQ, ts_ns=now + 1_000,
                                            last=Decimal(21000)))
    wait_ready(w.market.sock, "the first quote")
    for sock, _event in w.poller.poll(0):       # every position valued, nothing breached
        w._readers[sock]()
    decided: list[int] = []
    publish = w.pub.publish

    def recorded(topic, msg):
        if topic == topics.DECISION:
            decided.append(msg.account_id)
        return publish(topic, msg)
    w.pub.publish = recorded
    assert not decided

    market.publish(topics.quote(MNQ), Quote(contract_id=MNQ, ts_ns=now + 2_000,
                                            last=Decimal(20800)))
    market.publish("order", OrderUpdate(account_id=LAST, order_id=9, contract_id=MNQ,
                                        type=ORDER_LIMIT, side=SIDE_BUY, size=1,
                                        status=STATUS_OPEN, limit_price=Decimal(20000),
                                        created_ns=now + 3_000, updated_ns=now + 3_000))
    wait_ready(w.market.sock, "the drop and the order")
    time.sleep(0.2)                     # both waiting: one drain reads them together
    for sock, _event in w.poller.poll(0):       # one round, exactly as Worker.run does it
        w._readers[sock]()

    assert decided[0] == LAST, ("the order's account waited for every other account's quote "
                                f"rules: decisions in the order {decided[:3]}...")
    # and nothing is left unjudged when the round ends: every account closed once
    assert sorted(decided) == ACCOUNTS
    assert not w.engine.pending
