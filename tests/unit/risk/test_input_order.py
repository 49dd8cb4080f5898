"""The risk worker's two inputs in one poll round: enforcement's result before market's fills.

An admin's kill switch goes to enforcement directly; its "accepted" result (sent before any
broker call) is what tells risk that the closing fills which follow are riskd's. When that
result and the close's fill are both waiting at once, the poll round must hand risk the result
first, or the fill counts as the trader's trade (trade_frequency_limit) although RULES.md
("Whose trade it is") says an admin's flatten is riskd's.

Real loopback sockets, the real RiskWorker and its real poller, in this process: the test holds
the worker's loop, makes both messages wait on its sockets, then runs exactly one poll round the
way Worker.run does.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
import zmq

from services.risk.app import RiskWorker
from shared import topics
from shared.bus.publisher import Publisher
from shared.config import load_config
from shared.messages.enforce import CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate,
                                    ContractInfo, Fill, MarketSnapshot, PositionUpdate, Quote)
from tests.support.env import make_config

ACCOUNT = 1001
MNQ = "CON.F.US.MNQ.Z26"


def wait_ready(sock, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not sock.poll(0):
        assert time.monotonic() < deadline, f"{what} never arrived"
        time.sleep(0.01)


@pytest.fixture
def worker(tmp_path):
    # etc/riskd.toml's rules as shipped (trade_frequency_limit on): nothing to change
    loaded = load_config(make_config(tmp_path))
    ctx = zmq.Context()
    bus = loaded.config.bus
    market = ctx.socket(zmq.PUB)
    market.bind(bus.market_pub)
    enforcement = ctx.socket(zmq.PUB)
    enforcement.bind(bus.enforcement_pub)
    w = RiskWorker(loaded, ctx=ctx)
    w.bind()
    w.setup()
    try:
        yield w, Publisher(market, "market"), Publisher(enforcement, "enforcement")
    finally:
        w.teardown()
        for s in w._sockets + [market, enforcement]:
            s.close(0)
        ctx.term()


def joined(pub: Publisher, sub, msg) -> None:
    """Publish until the worker's SUB has joined (a PUB drops what it sends before), then
    read what arrived so the sockets start empty."""
    deadline = time.monotonic() + 10
    while not sub.sock.poll(50):
        assert time.monotonic() < deadline, "the worker's SUB never joined"
        pub.publish("probe", msg)
    time.sleep(0.1)
    while sub.recv() is not None or sub.sock.poll(0):
        pass


def test_an_admin_flatten_fill_ready_with_its_accepted_result_is_riskds(worker):
    w, market, enforcement = worker
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    joined(enforcement, w.results, CommandResult(command_id="probe.1", account_id=0,
                                                 status="done"))
    buy = Fill(account_id=ACCOUNT, trade_id=1, contract_id=MNQ, ts_ns=now,
               price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1)
    w.on_snapshot(MarketSnapshot(
        seq=market.seq, epoch=market.epoch, complete=True,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                                can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ,
                                  ts_ns=now, type=POSITION_LONG, size=1,
                                  average_price=Decimal(21000))],
        fills=[buy],
        contracts=[ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                                tick_value=Decimal("0.50"), symbol="F.US.MNQ")]))
    acct = w.engine.accounts[ACCOUNT]
    assert acct.trades_today == 1

    # the kill switch: "accepted" goes out first, the close's fill a moment later; risk is
    # busy meanwhile, and both wait on its sockets when it next polls
    enforcement.publish(topics.RESULT, CommandResult(
        command_id="manual-1.1001", account_id=ACCOUNT, status="accepted", action="flatten",
        rule="manual", detail="kill switch"))
    market.publish("fill", Fill(account_id=ACCOUNT, trade_id=2, contract_id=MNQ,
                                ts_ns=now + 1, price=Decimal(21000), pnl=Decimal(0),
                                fees=Decimal("0.37"), side=SIDE_SELL, size=1, order_id=77))
    wait_ready(w.results.sock, "the result")
    wait_ready(w.market.sock, "the fill")

    for sock, _event in w.poller.poll(0):       # one round, exactly as Worker.run does it
        w._readers[sock]()

    assert acct.trades[2].by_riskd, "the kill switch's close counted as the trader's trade"
    assert acct.trades_today == 1
    assert w.engine.lockouts.all() == []
