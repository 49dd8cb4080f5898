"""A locked trader's buy: risk's decision and close leave as decided, copied once, not three times.

Round 21 (docs/performance.md, "Round 21"): on the headline path (a locked account's buy ->
close_position) risk copied the decision twice (attrs.evolve: its id, then the broker's
name in RiskWorker.apply) and the command once more as it sent it (Outbox.due: its attempt
number, 1, which every new command already carries): ~30 Python calls and ~10 µs each, before
the close leaves. Now the decision gets the broker's name with its id, and a first send
publishes the command committed. What leaves is the same: the decision names the account by
the broker's name, the command is the committed one with attempt 1, and a resend still
carries its attempt number.

The real RiskWorker in this process (tests/support/riskinprocess.py), the headline bench's
rules (the rules that would lock the account after a few trades off, as
tests/bench/bench_enforcement.RULES).
"""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from shared import topics
from shared.messages.enforce import Command, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, STATUS_FILLED, STATUS_OPEN,
                                    AccountUpdate, ContractInfo, Fill, MarketSnapshot,
                                    OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import Decision
from tests.bench.bench_enforcement import RULES   # the headline bench's rules: why, there
from tests.support.riskinprocess import risk_in_process
from tests.unit.risk.test_input_order import joined, wait_ready

pytestmark = pytest.mark.timeout(60)

ACCOUNT = 1001
MNQ = "CON.F.US.MNQ.Z26"
MARKET_ORDER = 2


def _result(w, cmd: Command, status: str) -> None:
    now = w.clock.now_ns()
    final = status != "accepted"
    out = w.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=cmd.account_id, status=status, started_ns=now,
        finished_ns=now if final else 0, event_ns=cmd.event_ns, action=cmd.action,
        rule=cmd.rule, attempts=1 if final else 0, first_answer_ns=now if final else 0,
        broker_calls=1 if final else 0), now)
    if out.durable:
        w.apply(out)


@pytest.fixture
def locked(tmp_path):
    """(worker, market's stand-in, what risk publishes): account 1001 locked by its trader,
    flat, MNQ quoted."""
    with risk_in_process(tmp_path, profiles={"default": {"rules": RULES}}) as (w, market):
        now = w.clock.now_ns()
        joined(market, w.market, Quote(contract_id="X", ts_ns=now, last=Decimal(1)))
        w.on_snapshot(MarketSnapshot(
            seq=market.seq, epoch=market.epoch, complete=True,
            accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1001",
                                    balance=Decimal(50_000), can_trade=True)],
            contracts=[ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                                    tick_value=Decimal("0.50"), symbol="F.US.MNQ")],
            quotes=[Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000))]))
        out, refusal = w.engine.self_lock(ACCOUNT, w.clock.now_ns(), session=True,
                                          reason="every buy is a breach")
        assert not refusal, refusal
        w.apply(out)
        for entry in list(w.engine.outbox.entries.values()):   # the lockout's flatten: done
            _result(w, entry.command, "done")
        sent: list = []
        publish = w.pub.publish
        w.pub.publish = lambda topic, msg: sent.append((topic, msg)) or publish(topic, msg)
        yield w, market, sent


def _buy(w, market) -> None:
    """The sim's frame for the trader's market buy of 1, as market publishes it; risk takes it."""
    now = w.clock.now_ns()
    price = Decimal(21000)
    for topic, msg in (
            ("order", OrderUpdate(account_id=ACCOUNT, order_id=11, contract_id=MNQ,
                                  created_ns=now, updated_ns=now, status=STATUS_OPEN,
                                  type=MARKET_ORDER, side=SIDE_BUY, size=1)),
            (topics.FILL, Fill(account_id=ACCOUNT, trade_id=11, contract_id=MNQ, ts_ns=now,
                               price=price, pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                               size=1, order_id=11)),
            (topics.POSITION, PositionUpdate(account_id=ACCOUNT, position_id=1,
                                             contract_id=MNQ, ts_ns=now, type=POSITION_LONG,
                                             size=1, average_price=price)),
            ("order", OrderUpdate(account_id=ACCOUNT, order_id=11, contract_id=MNQ,
                                  created_ns=now, updated_ns=now, status=STATUS_FILLED,
                                  type=MARKET_ORDER, side=SIDE_BUY, size=1, fill_volume=1,
                                  filled_price=price))):
        market.publish(topic, msg)
    wait_ready(w.market.sock, "the buy's events")


def _take_all(w, sent) -> None:
    for _ in range(100):
        if any(isinstance(m, Command) for _t, m in sent):
            return
        w.market.sock.poll(20)
        w._on_market()
    raise AssertionError("no command published for the buy")


def test_a_locked_buys_close_leaves_copied_once(locked, monkeypatch):
    w, market, sent = locked
    copies: list[str] = []
    evolve = attrs.evolve
    monkeypatch.setattr(attrs, "evolve",
                        lambda inst, **kw: copies.append(type(inst).__name__) or evolve(inst, **kw))
    _buy(w, market)
    _take_all(w, sent)
    commands = [m for t, m in sent if t == topics.COMMAND]
    decisions = [m for t, m in sent if t == topics.DECISION]
    assert [c.action for c in commands] == ["close_position"]
    # the same as before: the broker's name on both, the command as committed, attempt 1
    assert decisions[0].account_name == "SIM-1001"
    assert commands[0].account_name == "SIM-1001" and commands[0].attempt == 1
    assert commands[0] is w.engine.outbox.entries[commands[0].id].command
    # main: ['Decision', 'Decision', 'Command'] (its id, its broker name, its attempt number)
    assert copies.count("Decision") <= 1 and copies.count("Command") == 0, copies


def test_a_resend_still_carries_its_attempt_number(locked):
    w, market, sent = locked
    _buy(w, market)
    _take_all(w, sent)
    first = [m for t, m in sent if t == topics.COMMAND][0]
    entry = w.engine.outbox.entries[first.id]
    again = w.engine.outbox.due(entry.due_ns)        # no answer: sent again when due
    assert [(c.id, c.attempt) for c in again] == [(first.id, 2)]
    assert attrs.evolve(again[0], attempt=1) == first
