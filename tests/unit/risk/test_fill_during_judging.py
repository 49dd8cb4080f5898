"""A breach's fill that arrives while other accounts' moved prices are being judged is decided
before the rest of them, its commit writes only its own step, and the rest is still judged.

The scale bench at 1,000 accounts (2 positions each, 20,000 quotes/s over 20 contracts): a
breach's fill waited in risk p50 253 ms, p99 3.35 s. Risk judged the moved prices in slices
while reading the market between them, but only for JUDGE_TURN_S; then every account still
waiting was judged at once, the market unread, and a fill that came meanwhile waited for all
of them (round 16, docs/performance.md). Its decision's commit also wrote the marks of every
account judged since the last flush (the price steps were held with it).

Real loopback sockets and the real RiskWorker in this process (as test_event_before_other_
accounts.py), etc/riskd.toml's rules as shipped: 200 accounts long 1 MNQ, one account locked by
its trader and flat (its buy is a breach: close_position). One quote moves MNQ a tick (no rule
breached): 200 accounts to judge. The fill is published while the 10th of them is judged. The
test counts accounts, not milliseconds: JUDGE_TURN_S is 0 (the turn's time is up from the
start, the case of a storm at 1,000 accounts) and JUDGE_SLICE_S 0 (the market is looked at
after every account), so the outcome does not depend on this machine's speed.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.risk import app
from shared import topics
from shared.messages.market import (ORDER_LIMIT, POSITION_LONG, SIDE_BUY, STATUS_OPEN,
                                    AccountUpdate, ContractInfo, Fill, MarketSnapshot,
                                    OrderUpdate, PositionUpdate, Quote)
from tests.support.riskinprocess import risk_in_process
from tests.unit.risk.test_input_order import joined, wait_ready

MNQ = "CON.F.US.MNQ.Z26"
ACCOUNTS = list(range(3001, 3201))
LOCKED = 9001
FILL_AT = 10            # the fill is published while this many accounts have been judged


@pytest.fixture
def worker(tmp_path, monkeypatch):
    monkeypatch.setattr(app, "JUDGE_TURN_S", 0.0)
    monkeypatch.setattr(app, "JUDGE_SLICE_S", 0.0)
    with risk_in_process(tmp_path) as both:
        yield both


def one_round(w) -> None:
    """One poll round, exactly as Worker.run does it."""
    for sock, _event in w.poller.poll(0):
        w._readers[sock]()


def started(w, market) -> None:
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    w.on_snapshot(MarketSnapshot(
        seq=market.seq, epoch=market.epoch, complete=True,
        accounts=[AccountUpdate(account_id=a, name=f"SIM-{a}", balance=Decimal(50_000),
                                can_trade=True) for a in ACCOUNTS + [LOCKED]],
        positions=[PositionUpdate(account_id=a, position_id=a, contract_id=MNQ, ts_ns=now,
                                  type=POSITION_LONG, size=1, average_price=Decimal(21000))
                   for a in ACCOUNTS],
        contracts=[ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                                tick_value=Decimal("0.50"), symbol="F.US.MNQ")],
        quotes=[Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000))]))
    out, refusal = w.engine.self_lock(LOCKED, w.clock.now_ns(), session=True, reason="test")
    assert not refusal, refusal
    w.apply(out)


def test_a_fill_during_the_judging_of_moved_prices_is_decided_before_the_rest(worker):
    w, market = worker
    started(w, market)
    now = w.clock.now_ns()
    judged: list[int] = []
    at_decision: list[int] = []
    marks_with_decision: list[set] = []
    judge_of = w.engine._judge_moves_of

    def counted(acct, t, out):
        judged.append(acct.account_id)
        if len(judged) == FILL_AT:          # the breach's fill arrives now
            market.publish(topics.FILL, Fill(
                account_id=LOCKED, trade_id=1, contract_id=MNQ, ts_ns=now + 2_000,
                price=Decimal("21000.25"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                size=1, order_id=1))
            wait_ready(w.market.sock, "the fill")
        return judge_of(acct, t, out)
    w.engine._judge_moves_of = counted
    publish = w.pub.publish

    def recorded(topic, msg):
        if topic == topics.DECISION and msg.account_id == LOCKED:
            at_decision.append(len(judged))
        return publish(topic, msg)
    w.pub.publish = recorded
    commit = w.store.commit

    def committed(out, engine):
        if out.decisions:
            marks_with_decision.append(set(out.dirty) | {d.account_id for d in out.decisions})
        return commit(out, engine)
    w.store.commit = committed

    market.publish(topics.quote(MNQ), Quote(contract_id=MNQ, ts_ns=now + 1_000,
                                            last=Decimal("21000.25")))
    wait_ready(w.market.sock, "the quote")
    one_round(w)
    for _ in range(3):                      # a fill left unread is read at a later round
        if at_decision:
            break
        wait_ready(w.market.sock, "the fill")
        one_round(w)

    assert at_decision, "the locked account's buy was not decided"
    assert at_decision[0] <= FILL_AT + 1, (
        f"the fill arrived after {FILL_AT} of {len(ACCOUNTS)} accounts were judged and its "
        f"decision waited until {at_decision[0]} were")
    # its commit is its own step: not the marks of the accounts judged before it
    assert marks_with_decision[0] == {LOCKED}, sorted(marks_with_decision[0])[:5]
    # and nothing is starved: every account is judged at the new price before the round ends
    assert set(ACCOUNTS) <= set(judged)
    assert not w.engine.pending


def test_quotes_read_after_the_turn_wait_in_the_run_and_are_taken_next_round(worker):
    """Once the turn's time is up, quotes read between the slices are not taken (no new round
    of accounts starts while the old one is judged), an account's event read after them goes
    first all the same; the loop takes them at its next round."""
    w, market = worker
    started(w, market)
    now = w.clock.now_ns()
    judged: list[int] = []
    judge_of = w.engine._judge_moves_of

    def counted(acct, t, out):
        judged.append(acct.account_id)
        if len(judged) == FILL_AT:          # the price moves again meanwhile
            market.publish(topics.quote(MNQ), Quote(contract_id=MNQ, ts_ns=now + 2_000,
                                                    last=Decimal("21000.50")))
            market.publish(topics.ORDER, OrderUpdate(
                account_id=ACCOUNTS[0], order_id=9, contract_id=MNQ, type=ORDER_LIMIT,
                side=SIDE_BUY, size=1, status=STATUS_OPEN, limit_price=Decimal(20000),
                created_ns=now + 3_000, updated_ns=now + 3_000))
            wait_ready(w.market.sock, "the second quote")
        return judge_of(acct, t, out)
    w.engine._judge_moves_of = counted
    market.publish(topics.quote(MNQ), Quote(contract_id=MNQ, ts_ns=now + 1_000,
                                            last=Decimal("21000.25")))
    wait_ready(w.market.sock, "the quote")
    one_round(w)

    assert set(judged) == set(ACCOUNTS)     # the first move, every account
    assert not w.engine.pending
    assert w._run, "the second quote was taken during the turn"
    assert w.engine.market.last[MNQ] == Decimal("21000.25")
    assert 9 in w.engine.accounts[ACCOUNTS[0]].orders      # the event behind it was not held

    first = len(judged)
    w._run_timers()                         # the next loop round: the held run is taken
    assert not w._run
    assert w.engine.market.last[MNQ] == Decimal("21000.50")
    assert not w.engine.pending
    assert set(judged[first:]) == set(ACCOUNTS)     # and judged, every account once more
