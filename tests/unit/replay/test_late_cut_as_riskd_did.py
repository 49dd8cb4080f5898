"""A reduce of riskd's whose cut the broker held and carried out late is carried out by that
late fill of riskd's in the replay too, as live (fresh-user trial 24c, finding 3).

The trial's own minutes (Demo 1, Mon 2026-12-07 13:58-14:00 CST), as the sim broker and riskd's
records hold them (the trader's MNQ only): buy 1 at 13:58:09, sell it at 13:59:16; the trader
buys 7 MNQ at 13:59:33 (max_contracts 5); riskd's reduce of 2 is held at the broker (no answer
within 10 s: its call is left unsettled, its result at 13:59:43 names the trader's own sell of 2 at 13:59:35, order 9000017, riskd cannot tell which); the
broker carries riskd's cut out at 14:00:15 (order 9000018, riskd's). Live said so ("riskd (late
close) ... after your sell of 2 at 13:59:35 ... your own trade") and, that sell being the third
trade of the minute, locked the account at 14:00:15 (trade_frequency_limit, 3 per minute).

On main the replay read riskd's result as naming every order of the reduce, so riskd's fill of
14:00:15 could not be its: it carried the reduce out at a bar price, said "riskd's closes no fill
of riskd's was left to carry out", counted the trader's sell as DROPPED, read +1.00 and made
no lockout, with no note.

Config: etc/riskd.toml as shipped (max_contracts limit 5)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.model import AccountHistory, Bar
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import (ORDER_MARKET, SIDE_BUY, SIDE_SELL, STATUS_FILLED, Fill,
                                    OrderUpdate)
from tests.support.replay_days import CONTRACTS, MNQ

pytestmark = pytest.mark.timeout(60)
ACCOUNT = 1001
D = Decimal
REDUCE_NS = 1796673573128554085        # riskd's reduce, 13:59:33.13 CST
RESULT_NS = 1796673583418676211        # its result, 13:59:43.42 CST
# (trade id, ts, side, size, price, pnl, fees, order id, riskd's): Trade/search
FILLS = [
    (7000004, 1796673489167435127, SIDE_BUY, 1, "20998.50", None, "0.37", 9000004, False),
    (7000014, 1796673556714564974, SIDE_SELL, 1, "20999.75", "2.50", "0.37", 9000014, False),
    (7000016, 1796673573105776163, SIDE_BUY, 7, "21000.25", None, "2.59", 9000016, False),
    (7000017, 1796673575902532089, SIDE_SELL, 2, "21000.00", "-1.00", "0.74", 9000017, False),
    (7000018, 1796673615217475755, SIDE_SELL, 2, "21000.00", "-1.00", "0.74", 9000018, True),
]
MINUTE = 60_000_000_000
BAR0 = 1796673480000000000             # 13:58:00 CST


def history() -> AccountHistory:
    fills = [Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=ts, price=D(price),
                  pnl=None if pnl is None else D(pnl), fees=D(fees), side=side, size=size,
                  order_id=oid) for tid, ts, side, size, price, pnl, fees, oid, _ in FILLS]
    orders = [OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=ts - 150,
                          updated_ns=ts + 70, status=STATUS_FILLED, type=ORDER_MARKET,
                          side=side, size=size, fill_volume=size)
              for _tid, ts, side, size, _p, _pnl, _f, oid, _ in FILLS]
    bars = {MNQ: [Bar(ts_ns=BAR0 + i * MINUTE, open=D("21000.25"), high=D("21000.50"),
                      low=D("21000.00"), close=D("21000.25"), volume=100) for i in range(4)]}
    return AccountHistory(account_id=ACCOUNT, name="SIM-DEMO-1", balance=D("50000"),
                          fills=fills, orders=orders, contracts={MNQ: CONTRACTS[MNQ]},
                          bars=bars)


def records() -> RiskdRecords:
    rec = RiskdRecords()
    for tid, *_rest, oid, riskd in FILLS:
        rec.verdicts[tid] = riskd
        if riskd:
            rec.orders.add(oid)
    # enforcement's journal: done, its list of orders complete, naming the trader's sell
    # (riskd cannot tell which), its own call's answer lost (unsettled) on MNQ
    rec.closes = [LiveClose(
        REDUCE_NS, "max_contracts", "reduce_position", MNQ, "6aa3b770", "6aa3b770.1",
        reason="7 contracts open (gross), limit 5: reduce MNQ by 2", finished_ns=RESULT_NS,
        settled=True, closed_on=frozenset({MNQ}), lost_on=frozenset({MNQ}), lost=(LostCall(
            contract_id=MNQ, size=2, lost_ns=1796673583151046377, how="timed out",
            either=9000017),),
        close_orders=(CloseOrder(order_id=9000017, contract_id=MNQ, side=SIDE_SELL, size=2),),
        event_ns=REDUCE_NS)]
    return rec


def test_a_late_cut_of_riskds_carries_out_its_reduce(config):
    result = Runner(build_engine(load(config), {}), history(), records()).run()
    [day] = result.days.values()
    # riskd's late fill is its cut: the trader's sell stays the trader's (main: dropped, +1.00)
    assert day.guarded == day.actual and day.dropped == 0, day
    [cut] = [x for x in result.decisions if x.rule == "max_contracts"]
    assert result.riskd_own[cut.id].decision_id == "6aa3b770", result.riskd_own
    assert result.rules["max_contracts"].contracts_closed == 2, result.rules
    # the trader's sell given back at riskd's late fill, as live: the third trade of the minute
    [lock] = [x for x in result.decisions if x.rule == "trade_frequency_limit"]
    assert (lock.ts_ns, lock.event_ns) == (FILLS[4][1], FILLS[3][1]), lock
    assert not [n for n in result.notes if "no fill of riskd's was left" in n
                or "bar price" in n], result.notes


def test_enforcements_lost_call_is_kept_in_riskds_records():
    """enforcement's journal result of the trial's reduce (done, its orders known, the trader's
    sell named, its own call unsettled): the lost call is kept, so riskd's late fill can be its."""
    rec = RiskdRecords()
    rec.closes = [LiveClose(REDUCE_NS, "max_contracts", "reduce_position", MNQ, "6aa3b770",
                            "6aa3b770.1")]
    lost = LostCall(contract_id=MNQ, size=2, lost_ns=1796673583151046377, how="timed out",
                    either=9000017)
    rec.outcomes([CommandResult(
        command_id="6aa3b770.1", account_id=ACCOUNT, status="done", action="reduce_position",
        rule="max_contracts", finished_ns=RESULT_NS, orders_known=True,
        close_orders=[CloseOrder(order_id=9000017, contract_id=MNQ, side=SIDE_SELL, size=2)],
        unsettled=[lost])])
    [close] = rec.closes
    assert close.settled and close.lost == (lost,) and close.lost_on == {MNQ}, close
    late = Fill(account_id=ACCOUNT, trade_id=7000018, contract_id=MNQ, ts_ns=FILLS[-1][1],
                price=D("21000"), pnl=D("-1"), fees=D("0.74"), side=SIDE_SELL, size=2,
                order_id=9000018)
    assert close.may_be_carried_by(late)
