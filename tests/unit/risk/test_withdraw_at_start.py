"""risk starting after a lockout's time ran out while it was down withdraws what that lockout
held waiting, before it sends anything (RiskWorker.setup: engine.end_due, then the step is
committed and its withdraw published).

Before: the restarted risk reloaded the flatten from its outbox, and the first thing that
asked for the pending commands (enforcement's subscription reaching risk's PUB, which can come
before risk's first 0.1 s tick ends the lockout) got the flatten as a command again.

The state file is written as risk wrote it before it stopped: Demo 1 long MNQ 1, the trader's
60 s lockout, its flatten accepted by enforcement and waiting for the market. The real
RiskWorker (tests/unit/risk/worker_rig.py's way: loopback sockets, etc/riskd.toml's rules and
accounts) then starts two minutes later; what it publishes is recorded.
"""
from __future__ import annotations

import time
from decimal import Decimal

import zmq

from services.risk.app import RiskWorker
from services.risk.store import Store
from shared import shards, topics
from shared.config import load_config
from shared.messages.enforce import CommandResult, WithdrawCommand
from shared.messages.market import POSITION_LONG, SIDE_BUY, AccountUpdate, Fill, PositionUpdate
from tests.support.env import make_config
from tests.unit.risk.desk import MNQ, NS, shipped_engine
from tests.unit.risk.test_disable_now import DEMO1, ETC_ACCOUNTS


def saved_waiting_flatten(loaded, now: int):
    """The state file of a risk that stopped with the flatten waiting; the flatten."""
    engine = shipped_engine(loaded, now)
    store, _ = Store.open(loaded.data_dir, now, shards.state_file(0, 1))
    for event in (AccountUpdate(account_id=DEMO1, name="SIM-DEMO-1", balance=Decimal(50_000),
                                can_trade=True),
                  Fill(account_id=DEMO1, trade_id=1, contract_id=MNQ, ts_ns=now,
                       price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                       size=1),
                  PositionUpdate(account_id=DEMO1, position_id=1, contract_id=MNQ, ts_ns=now,
                                 type=POSITION_LONG, size=1, average_price=Decimal("21000"))):
        store.commit(engine.on_event(event, now), engine)
    out, why = engine.self_lock(DEMO1, now, until_ns=now + 60 * NS)
    assert not why
    store.commit(out, engine)
    (flatten,) = out.commands
    engine.outbox.due(now)
    store.commit(engine.on_result(CommandResult(
        command_id=flatten.id, account_id=DEMO1, status="accepted", attempts=1,
        action=flatten.action, rule=flatten.rule, waits_for="the market to open"), now), engine)
    store.close()
    return flatten


def test_a_lockout_that_ended_while_risk_was_down_is_withdrawn_before_anything_is_sent(
        tmp_path):
    loaded = load_config(make_config(tmp_path, accounts=ETC_ACCOUNTS))
    flatten = saved_waiting_flatten(loaded, time.time_ns() - 120 * NS)
    w = RiskWorker(loaded, ctx=zmq.Context())
    w.bind()
    sent = []
    publish = w.pub.publish

    def recorded(topic, msg):
        if topic == topics.COMMAND:
            sent.append(msg)
        return publish(topic, msg)
    w.pub.publish = recorded
    try:
        w.setup()
        assert list(w.engine.withdrawing) == [flatten.id]
        w.on_subscribed([topics.COMMAND])       # enforcement's SUB joins: pending re-sent
        mine = [m for m in sent if getattr(m, "command_id", getattr(m, "id", None))
                == flatten.id]
        assert mine and all(isinstance(m, WithdrawCommand) for m in mine), mine
        assert mine[0].reason == "the lockout ended at its time"
    finally:
        w.teardown()
        for s in w._sockets:
            s.close(0)
        w.ctx.term()
