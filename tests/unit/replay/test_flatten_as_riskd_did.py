"""A flatten of riskd's on a day it guarded is replayed contract by contract as it went live: a
contract riskd's own fill closed is closed by that fill, one riskd's flatten found flat (the
trader's own fill closed it while the flatten was in flight) is left to that fill.

The day: long 2 MNQ and long 1 ES from 09:59; at 10:00:05 the ES minute's low (5995) puts the
account's open PnL at -250 and riskd flattens (daily_unrealized_loss with scope "account", as
the day's config had it; shipped: "position"). Live, the flatten was held at the broker; the
trader's ES target sold at 6001 at 10:01:05.5, before the flatten got to ES; the flatten sold
the 2 MNQ at 20990 at 10:01:06 (order 9100) and its result, at 10:01:07, named only that order
(enforcement's journal: done, orders known). The trader's sale comes after the minute of the
low: a bar's low is never judged before the trader's exit inside that bar (trial 23c F2).
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
    d.bars(MNQ, T0 - 60 * NS, [21000, (21000, 21000, 20990, 20990), 20990])
    d.bars(ES, T0 - 60 * NS, [6000, (6000, 6002, 5995, 6001), 6001])
    rows = [(T0 - 59 * NS, MNQ, "buy", 2, 21000, 9001), (T0 - 58 * NS, ES, "buy", 1, 6000, 9002),
            (T0 + 65_500 * MS, ES, "sell", 1, 6001, 9003),
            (T0 + 66 * NS, MNQ, "sell", 2, 20990, 9100)]          # riskd's flatten's order
    rec = RiskdRecords()
    for at, cid, side, size, price, oid in rows:
        f = d.trade(at, cid, side, size, price, order_id=oid)
        d.order(oid, cid, side, size, at, at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid == 9100))    # as live risk judged each
    rec.closes = [LiveClose(T0 + 5 * NS, RULE, "flatten", None, "d1", "d1.1")]
    rec.outcomes([CommandResult(
        command_id="d1.1", account_id=ACCOUNT, status="done", action="flatten", rule=RULE,
        finished_ns=T0 + 67 * NS, first_answer_ns=T0 + 66 * NS, orders_known=True,
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


@pytest.mark.parametrize("mnq_fill_ms", [800, 62_500])
def test_a_split_flatten_is_done_when_its_result_came(config, mnq_fill_ms):
    """Round 22's leftover: a flatten split between riskd's own fill (MNQ) and a contract it
    found flat (ES: the trader's sale closed it while the flatten was in flight) was heard
    done at riskd's fill. daily_net_loss (limit 150 here, shipped 600, so that the account's
    -170.00 at the 09:59 minute's lows flattens it; riskd's decision 10:00:00.5); riskd's MNQ
    fill at 10:00:00.8 (or 10:01:02.5), the trader's ES sale at 10:01:02, riskd's result at
    10:01:03; ES's 10:00 minute falls to 5994 (ES -300.00: daily_unrealized_loss, shipped, per
    position, limit 200). Heard done at riskd's fill of 10:00:00.8, the flatten had ended for
    the engine while ES was still held, so that low closed ES at a bar price (5994, where the
    trader sold at 5997) and dropped the trader's sale. Heard when riskd's result came, as
    live, the flatten is in flight for ES then and riskd's close of ES is not sent again,
    whichever of the two fills came first."""
    rule = "daily_net_loss"
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0 - 120 * NS, [21000, (21000, 21000, 20990, 20990), 20990, 20990])
    d.bars(ES, T0 - 120 * NS, [6000, (6000, 6002, 5997, 5998), (5998, 5999, 5994, 5996),
                               (5996, 5998, 5996, 5997)])
    rows = sorted([(T0 - 118 * NS, MNQ, "buy", 2, 21000, 9001),
                   (T0 - 117 * NS, ES, "buy", 1, 6000, 9002),
                   (T0 + 62 * NS, ES, "sell", 1, 5997, 9003),
                   (T0 + mnq_fill_ms * MS, MNQ, "sell", 2, 20990, 9100)])
    rec = RiskdRecords()
    for at, cid, side, size, price, oid in rows:
        f = d.trade(at, cid, side, size, price, order_id=oid)
        d.order(oid, cid, side, size, at, at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid == 9100))
    rec.closes = [LiveClose(T0 + 500 * MS, rule, "flatten", None, "d1", "d1.1")]
    rec.outcomes([CommandResult(
        command_id="d1.1", account_id=ACCOUNT, status="done", action="flatten", rule=rule,
        finished_ns=T0 + 63 * NS, first_answer_ns=T0 + 2 * NS, orders_known=True,
        close_orders=[CloseOrder(order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=2)])])
    engine = build_engine(load(config), {rule: {"limit": 150}})
    r = Runner(engine, d.history(), rec).run()
    [day] = r.days.values()
    assert day.guarded == day.actual and day.dropped == 0 and day.blocked == 0, (day, r.notes)
    assert r.rules[rule].contracts_closed == 2, r.rules[rule]          # MNQ, by riskd's fill
    closes = [x for x in r.decisions if x.action in ("flatten", "close_position")
              and not x.suppressed]
    assert [(x.rule, x.action) for x in closes] == [(rule, "flatten")], closes
    assert r.flat_found[closes[0].id] == [ES], r.flat_found
    assert not [n for n in r.notes if "guarded this day" in n], r.notes
