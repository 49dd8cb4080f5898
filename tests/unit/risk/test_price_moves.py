"""A run of quotes judges each account once, with every new price (Engine.on_quotes).

Scale bench, 2026-12-06: an account holding 2 contracts whose prices both moved in one run of
quotes had its rules run twice, the second time on the same prices (500 accounts: 10 ms a run
of 3 quotes; now 5.4 ms). Now the account's step carries PriceMoves (the moved contracts),
and its rules run once, in rule order, with every price of the run: what a run decides no
longer depends on the order of its quotes; a position whose contract did not move is not
judged by the per-position rules.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from services.risk.rules.base import PriceMoves
from shared.messages.market import AccountUpdate, Fill, PositionUpdate, Quote
from tests.unit.risk.desk import CONTRACTS, ES, MNQ, NQ, chi, shipped_engine
from tests.unit.risk.engine_run import LOADED

pytestmark = pytest.mark.timeout(120)

START = chi(2026, 12, 2, 10, 0)
BASE = {MNQ: Decimal(21000), ES: Decimal(6000), NQ: Decimal(21000)}
HOLDINGS = {3001: (MNQ, ES), 3002: (ES, NQ), 3003: (MNQ,), 3004: (MNQ, ES, NQ)}


def engine_with_positions():
    """The shipped rules; 4 accounts long 1 of each contract they hold, at BASE."""
    e = shipped_engine(LOADED, START)
    for cid, price in BASE.items():
        e.on_event(Quote(contract_id=cid, ts_ns=START, last=price), START)
    trade = iter(range(1, 10**6))
    for aid, held in HOLDINGS.items():
        e.on_event(AccountUpdate(account_id=aid, name=f"A{aid}", balance=Decimal(50_000),
                                 can_trade=True), START)
        for cid in held:
            e.on_event(Fill(account_id=aid, trade_id=next(trade), contract_id=cid, ts_ns=START,
                            price=BASE[cid], pnl=None, fees=Decimal("0.5"), side=0, size=1),
                       START)
            e.on_event(PositionUpdate(account_id=aid, position_id=next(trade), contract_id=cid,
                                      ts_ns=START, type=1, size=1, average_price=BASE[cid]),
                       START)
    return e


def what(out) -> list:
    """What a step decided and did, without ids and times."""
    return sorted([("decision", d.account_id, d.rule, d.action, d.contract_id, str(d.value))
                   for d in out.decisions]
                  + [("lockout", c.lockout.account_id, c.change) for c in out.lockouts]
                  + [("command", c.account_id, c.action, c.contract_id) for c in out.commands])


def by_contract_order(run, reverse: bool) -> list:
    """The run's last price per contract, the contracts in one order or the other."""
    last = {}
    for cid, points in run:
        last[cid] = points
    return sorted(last.items(), reverse=reverse)


moves = st.lists(st.tuples(st.sampled_from(sorted(CONTRACTS)), st.integers(-700, 700)),
                 min_size=1, max_size=6)


@settings(max_examples=80, deadline=None)
@given(st.lists(moves, min_size=1, max_size=4))
def test_a_run_of_quotes_decides_the_same_in_any_order_of_its_contracts(runs):
    """Before, the rules ran once per moved contract, in the order the quotes came: account
    3002 (ES and NQ) with NQ's quote first was flattened by daily_net_loss on NQ's step, and
    ES's close (daily_unrealized_loss, first in rule order) was never decided; with ES's
    first, both were. Now the account is judged once, in rule order, with every price, so the
    order of a run's quotes changes nothing (put back: this fails on that example)."""
    one, other = engine_with_positions(), engine_with_positions()
    now = START
    for run in runs:
        now += 250_000_000
        outs = []
        for e, reverse in ((one, False), (other, True)):
            quotes = [Quote(contract_id=cid, ts_ns=now, last=BASE[cid] + Decimal(points))
                      for cid, points in by_contract_order(run, reverse)]
            outs.append(e.on_quotes(quotes, now))
        assert what(outs[0]) == what(outs[1])
        assert sorted((w.account_id, w.rule) for w in outs[0].warnings) == \
            sorted((w.account_id, w.rule) for w in outs[1].warnings)


def test_an_account_with_two_moved_contracts_is_judged_once_with_both(monkeypatch):
    """Put back (one step per moved contract): account 3001 (MNQ and ES both moved) is
    judged twice: this fails."""
    e = engine_with_positions()
    events = []
    run = e._run

    def recorded(acct, kind, event, *args, **kw):
        if kind == "quote":
            events.append((acct.account_id, event))
        return run(acct, kind, event, *args, **kw)
    monkeypatch.setattr(e, "_run", recorded)
    now = START + 10**9
    e.on_quotes([Quote(contract_id=MNQ, ts_ns=now, last=Decimal(20990)),
                 Quote(contract_id=ES, ts_ns=now + 5, last=Decimal(5995))], now)
    by_account = {}
    for aid, event in events:
        by_account.setdefault(aid, []).append(event)
    assert sorted(by_account) == [3001, 3002, 3003, 3004]
    assert all(len(v) == 1 for v in by_account.values()), by_account
    [both] = by_account[3001]
    assert both == PriceMoves(frozenset({MNQ, ES}), now + 5)
    [es] = by_account[3002]                 # NQ did not move: only ES is judged
    assert isinstance(es, Quote) and es.contract_id == ES


def test_a_position_whose_contract_did_not_move_is_not_judged_per_position():
    """NQ falls past daily_unrealized_loss's line (shipped: close the position) for 3002 and
    3004 in one run; the next run moves only MNQ and ES: NQ, still far below, is not judged
    again by the per-position rules (its close came once, from the run that moved it)."""
    e = engine_with_positions()
    now = START + 10**9
    first = e.on_quotes([Quote(contract_id=NQ, ts_ns=now, last=Decimal(20000))], now)
    closes = [c for c in first.commands if c.account_id in (3002, 3004)
              and c.contract_id == NQ and c.action == "close_position"]
    assert closes, what(first)
    now += 10**8
    second = e.on_quotes([Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21001)),
                          Quote(contract_id=ES, ts_ns=now, last=Decimal(6001))], now)
    assert not [c for c in second.commands if c.contract_id == NQ], what(second)
