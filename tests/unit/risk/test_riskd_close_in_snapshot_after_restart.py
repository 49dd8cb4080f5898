"""riskd's own close, reaching a restarted risk only in market's complete snapshot, is not
growth of a locked position (docs/rules.md "Lockouts"; services/risk/ahead.py traders_lead).

Chaos finding (python -m tests.chaos --runs 1 at main 2b36cbf, 2026-12-07 04:22): riskd was
killed mid-flatten (accounts CHAOS-SELFLOCK long 2 NQ, self-locked; CHAOS-DRAWDOWN long 1 RTY,
locked by daily_net_loss). The new risk's book was empty, market's first snapshot incomplete
(the accounts, no positions); market's reconciliation then showed the position by its
Position event alone (the opening buy, taken before the restart, not replayed), so the fills'
view of the contract started at flat. The flatten's close was carried out, its Position (flat)
came live, its Trade only with market's complete snapshot: from flat, the sell of 2 read as 2
contracts opened by fills no position shows, and the end of the restart's window
(LockoutBook.fills_left) closed "NQ position grew by 2 while ... locked" (and "RTY ... grew by
1"): two closes of positions already flat. The fill was riskd's (its order named by the
flatten's result, or claimed by its expected exit); riskd's fills are never cut, as on the live
path (LockoutBook.enforce). The rules are the shipped ones (etc/riskd.toml), nothing changed.
"""
from __future__ import annotations

import pytest

from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import SIDE_BUY, SIDE_SELL, MarketSnapshot
from tests.unit.risk.desk import NQ
from tests.unit.risk.test_riskd_fills_across_restarts import (ACCOUNT, Risk,
                                                              RiskdFillsAcrossRestarts, account)


@pytest.mark.parametrize("result_first", [True, False],
                         ids=["result-names-the-order", "fill-by-its-expected-exit"])
def test_flattens_close_in_the_snapshot_is_not_growth(result_first):
    """Fails on main's code: a lockout close_position "NQ position grew by 2 while ... locked"."""
    m = RiskdFillsAcrossRestarts()          # long 2, the self-lockout's flatten issued
    try:
        [flatten] = m._closing_commands()
        m.time_passes(0.5)
        m.risk.stop()                       # riskd killed -9 before the flatten ran
        m.risk = Risk(m.dir, m.now, "r1")
        outs = [m.risk.step(m.risk.engine.apply_snapshot(   # market has not read the broker
            MarketSnapshot(seq=0, epoch=1, complete=False, accounts=[account()]), m.now))]
        outs.append(m._feed(m._position()))  # market's reconciliation: long 2, its Position
        m.time_passes(0.1)
        m.ran.add(flatten)                   # the re-sent flatten closes the 2 at the broker
        trade, position, order = m._fill(SIDE_SELL, 2, riskd=True)
        outs += [m._feed(position), m._feed(order)]     # its Trade comes with the snapshot
        m.time_passes(0.2)
        if result_first:                    # the result names the close's order (whose18)
            outs.append(m.risk.step(m.risk.engine.on_result(CommandResult(
                command_id=flatten, account_id=ACCOUNT, status=DONE, detail="flattened",
                close_orders=[CloseOrder(order_id=order.order_id, contract_id=NQ,
                                         side=SIDE_SELL, size=2)],
                orders_known=True), m.now)))
        m.time_passes(0.2)
        outs.append(m._sync(complete=True))  # market's complete snapshot: the close's Trade
        m.riskds_closes_are_never_the_traders_trades()
        cuts = [d.reason for o in outs for d in o.decisions
                if d.rule == "lockout" and not d.suppressed]
        assert cuts == [], cuts
        assert m.risk.engine.accounts[ACCOUNT].trades_today == 1
    finally:
        m.teardown()


def test_a_buy_after_the_flattens_close_in_the_snapshot_is_still_closed():
    """The other side of the fix: riskd's sell of 2 is not growth, and the trader's buy of 1
    made after it, reaching risk only in the same complete snapshot (its Position too), is a
    locked account's new position: it is closed (guarantee 3)."""
    m = RiskdFillsAcrossRestarts()          # long 2, the self-lockout's flatten issued
    try:
        [flatten] = m._closing_commands()
        m.time_passes(0.5)
        m.risk.stop()
        m.risk = Risk(m.dir, m.now, "r1")
        outs = [m.risk.step(m.risk.engine.apply_snapshot(
            MarketSnapshot(seq=0, epoch=1, complete=False, accounts=[account()]), m.now))]
        outs.append(m._feed(m._position()))
        m.time_passes(0.1)
        m.ran.add(flatten)
        trade, position, order = m._fill(SIDE_SELL, 2, riskd=True)
        outs += [m._feed(position), m._feed(order)]
        m.time_passes(0.3)
        m._fill(SIDE_BUY, 1)                # the trader's buy: its events come with the snapshot
        m.time_passes(0.2)
        outs.append(m._sync(complete=True))
        m.time_passes(1.5)
        outs.append(m.risk.step(m.risk.engine.tick(m.now)))
        cuts = [(d.action, d.contract_id) for o in outs for d in o.decisions
                if d.rule == "lockout" and not d.suppressed]
        assert cuts and all(c == NQ for _, c in cuts), cuts
    finally:
        m.teardown()
