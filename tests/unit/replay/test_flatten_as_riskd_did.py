"""A flatten of riskd's on a day it guarded is replayed contract by contract as it went live: a
contract riskd's own fill closed is closed by that fill, one riskd's flatten found flat (the
trader's own fill closed it while the flatten was in flight) is left to that fill.

The day: long 2 MNQ and long 1 ES from 09:59; at 10:00:05 the ES minute's low (5995) puts the
account's open PnL at -250 and riskd flattens (daily_unrealized_loss with scope "account", as
the day's config had it; shipped: "position"). Live, the trader's ES target sold at 6001 at
10:00:05.5, before the flatten got to ES; the flatten sold the 2 MNQ at 20990 at 10:00:06
(order 9100) and its result named only that order (enforcement's journal: done, orders known).
Before, a flatten was never carried out by riskd's fills: the replay flattened both at once at
bar prices, ES at its low (5995, -300.00 off the trader's 6001), and dropped the trader's ES
sale. riskd's records are written here as the risk worker and enforcement leave them.
"""
from __future__ import annotations

import attrs
import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from tests.support.replay_days import ES, MNQ, D, Days, chi

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 0)
ACCOUNT = 1001
RULE = "daily_unrealized_loss"


def test_a_flatten_goes_as_riskds_did_contract_by_contract(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0 - 60 * NS, [21000, (21000, 21000, 20990, 20990)])
    d.bars(ES, T0 - 60 * NS, [6000, (6000, 6002, 5995, 6001)])
    rows = [(T0 - 59 * NS, MNQ, "buy", 2, 21000, 9001), (T0 - 58 * NS, ES, "buy", 1, 6000, 9002),
            (T0 + 5_500 * MS, ES, "sell", 1, 6001, 9003),
            (T0 + 6 * NS, MNQ, "sell", 2, 20990, 9100)]           # riskd's flatten's order
    rec = RiskdRecords()
    for at, cid, side, size, price, oid in rows:
        f = d.trade(at, cid, side, size, price, order_id=oid)
        d.order(oid, cid, side, size, at, at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid == 9100))    # as live risk judged each
    rec.closes = [LiveClose(T0 + 5 * NS, RULE, "flatten", None, "d1", "d1.1")]
    rec.outcomes([CommandResult(
        command_id="d1.1", account_id=ACCOUNT, status="done", action="flatten", rule=RULE,
        finished_ns=T0 + 7 * NS, first_answer_ns=T0 + 6 * NS, orders_known=True,
        close_orders=[CloseOrder(order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=2)])])
    engine = build_engine(load(config), {RULE: {"scope": "account"}})
    r = Runner(engine, d.history(), rec).run()
    # the trader's ES sale, taken for the flatten's while it was in flight, is the trader's
    # once the flatten's result named its orders (none on ES), as live
    trades = engine.account(ACCOUNT).trades
    assert {t: trades[t].by_riskd for t in trades} == {1: False, 2: False, 3: False, 4: True}
    [day] = r.days.values()
    assert day.guarded == day.actual and day.dropped == 0 and day.blocked == 0, day
    assert r.rules[RULE].contracts_closed == 2, r.rules[RULE]         # MNQ, by riskd's fill
    [flatten] = [x for x in r.decisions if x.rule == RULE and not x.suppressed]
    assert flatten.action == "flatten" and r.flat_found[flatten.id] == [ES], r.flat_found
    assert not [n for n in r.notes if "guarded this day" in n], r.notes
