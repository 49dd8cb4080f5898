"""Risk's market steps in one drain: quiet ones share one commit, one that acts goes out at once.

A trade's order, fill and position events reach risk together. Committing each on its own
delayed the breach's decision behind the commit of the order event before it (measured
2026-12-05: half of the fills waited ~0.2 ms). Now a step with nothing to tell (a plain fill,
a status change) is held until the drain ends, and a step that acts (a decision, a command,
a lockout, a warning) is committed together with what is held and published at once.

Real loopback sockets, the real RiskWorker and its poller in this process (as
test_input_order.py): the test makes the events wait on risk's socket, then runs exactly one
poll round the way Worker.run does. etc/riskd.toml's rules as shipped.
"""
from __future__ import annotations

import time
from decimal import Decimal

import pytest

from shared import topics
from shared.messages.market import (SIDE_BUY, AccountUpdate, ContractInfo, Fill,
                                    MarketSnapshot, Quote)
from tests.unit.risk.test_input_order import MNQ, joined, wait_ready, worker  # noqa: F401

QUIET, LOCKED = 1001, 1002


def _snapshot(w, market, now):
    w.on_snapshot(MarketSnapshot(
        seq=market.seq, epoch=market.epoch, complete=True,
        accounts=[AccountUpdate(account_id=a, name=f"SIM-{a}", balance=Decimal(50_000),
                                can_trade=True) for a in (QUIET, LOCKED)],
        contracts=[ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                                tick_value=Decimal("0.50"), symbol="F.US.MNQ")]))


def _buy(account: int, trade_id: int, now: int) -> Fill:
    return Fill(account_id=account, trade_id=trade_id, contract_id=MNQ, ts_ns=now,
                price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1,
                order_id=500 + trade_id)


def _one_round(w) -> None:
    # wait_ready saw the first message; the rest were sent right behind it on loopback but
    # may land a moment later on a loaded machine: all of them must wait for the one round
    time.sleep(0.5)
    for sock, _event in w.poller.poll(0):
        w._readers[sock]()


def _counting_commits(w, steps: list) -> list:
    """Every commit risk makes with something durable in it: the outcome's fills' trade ids
    (also into `steps`, in order with what is published)."""
    made, real = [], w.store.commit

    def commit(out, engine):
        if out.durable:
            made.append([f.trade_id for f in out.fills])
            steps.append(("commit", made[-1]))
        return real(out, engine)
    w.store.commit = commit
    return made


def _published(w, steps: list) -> None:
    real = w.pub.publish

    def publish(topic, msg):
        steps.append(("publish", topic))
        return real(topic, msg)
    w.pub.publish = publish


def test_quiet_steps_of_one_drain_share_one_commit(worker):
    w, market, _enforcement = worker
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    _snapshot(w, market, now)
    commits = _counting_commits(w, [])
    market.publish(topics.FILL, _buy(QUIET, 1, now))
    market.publish(topics.FILL, _buy(QUIET, 2, now + 1))
    wait_ready(w.market.sock, "the fills")

    _one_round(w)

    assert commits == [[1, 2]], f"expected one commit holding both trades, got {commits}"
    assert {t for t in w.engine.accounts[QUIET].trades} == {1, 2}


def locked_desk(w, market) -> int:
    """Risk synced with both accounts, LOCKED self-locked (every buy a breach); -> now."""
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    _snapshot(w, market, now)
    out, refusal = w.engine.self_lock(LOCKED, now, until_ns=None, session=True,
                                      reason="test: every buy is a breach")
    assert not refusal
    w.apply(out)
    return now


def test_a_step_that_acts_is_committed_with_what_was_held_and_published_at_once(worker):
    w, market, _enforcement = worker
    now = locked_desk(w, market)
    steps: list = []
    commits = _counting_commits(w, steps)
    _published(w, steps)
    market.publish(topics.FILL, _buy(QUIET, 1, now))       # quiet: held
    market.publish(topics.FILL, _buy(LOCKED, 2, now + 1))   # a breach: acts
    market.publish(topics.FILL, _buy(QUIET, 3, now + 2))   # quiet again: held to the end
    wait_ready(w.market.sock, "the fills")

    _one_round(w)

    assert commits == [[1, 2], [3]], (commits, steps, w.engine.lockouts.all(), refusal)
    assert ("publish", topics.COMMAND) in steps, "the breach sent no command"
    # committed before it is published, and published before the next step is committed
    assert steps.index(("commit", [1, 2])) < steps.index(("publish", topics.COMMAND)) \
        < steps.index(("commit", [3])), steps
    assert w._held is None, "a held step was left behind after the drain"
