"""riskd's own fill that closed more than its close was to close when decided is said (trial25c
F4.3, F1).

The trial's Demo 1: long 1 MNQ; the trader's `riskctl lockout 1001 --until 30m` at 16:45:00
(its flatten held 6 s at the broker), `riskctl unlock 1001` at 16:45:00.5, a buy of 1 at
16:45:01.5; the held close then sold both ("closed MNQ +2"). The replay matched its flatten with
riskd's and let riskd's fill carry it out: "[riskd's own: Mon 16:45:00 CST: trial v2]", with no
word that the fill took the contract bought after the unlock. Here the same at 10:00: live is
risk's own engine on the shipped config, each step committed to its store
(test_riskd_closes_recorded.Live); the day is replayed under the same config."""
from __future__ import annotations

import pytest

from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from shared.messages.risk import FLATTEN
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_people_in_time_order import replayed, unlock
from tests.unit.replay.test_riskd_closes_recorded import ACCOUNT, T0, Live, bought, order, position

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000


def test_riskds_flatten_fill_that_took_a_later_buy_is_said(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    live = Live(config)
    bought(d, live, T0 + NS, 1, 9001)
    at = T0 + 5 * NS
    out, refusal = live.engine.self_lock(ACCOUNT, at, until_ns=at + 1800 * NS, reason="trial")
    assert not refusal, refusal
    live._commit(out)
    [flatten] = [c for c in out.commands if c.action == FLATTEN]
    unlock(live, at + 500 * MS)
    bought(d, live, at + 1_500 * MS, 1, 9002, held=1)
    sold = at + 6 * NS                      # the held close, carried out: sells both
    f = d.trade(sold, MNQ, "sell", 2, 21000, order_id=9100)
    live.step(order(d, 9100, SIDE_SELL, 2, sold, sold, STATUS_FILLED), sold)
    live.step(f, sold)
    live.step(position(0, 0, sold), sold)
    live._commit(live.engine.on_result(CommandResult(
        command_id=flatten.id, account_id=ACCOUNT, status="done", action=FLATTEN,
        rule=flatten.rule, finished_ns=sold + 100 * MS, orders_known=True,
        close_orders=[CloseOrder(order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=2)]),
        sold + 100 * MS))
    live.store.close()
    r = replayed(config, d)
    [said] = [n for n in r.notes if "more than" in n]
    assert said == ("riskd's self_lockout flatten decided at Wed 2026-11-25 10:00:05 CST was "
                    "carried out by its fill of MNQ 2 at Wed 2026-11-25 10:00:11 CST, 1 more "
                    "than the 1 it was to close when decided: it took contracts opened after "
                    "that decision too; your fills of MNQ after that decision: Wed 2026-11-25 "
                    "10:00:06 CST; the replay plays riskd's fill as it happened, so guarded "
                    "follows it there"), said
