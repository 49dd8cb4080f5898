"""riskd's held close carried out by the broker about a second after its command's result, on
the position the trader opened while that command was finishing, is riskd's late close and is
said as one (docs/rules.md "Whose trade it is").

flake24 (tests/integration/test_late_carried_close_said.py, enforcement killed -9, 2 of ~5 runs
under load): the killed process's closeContract was held at the sim; the resumed close closed
MNQ; the admin unlocked and the trader bought 1 MNQ 0.08 s before the command's result (its
check left that newer position: e10c777f); the held call, released about a second later, closed
the trader's MNQ +1. Its fill fell within SKEW_NS of the result (the broker's clock and risk's
may differ that much), so risk could not tell by the clocks whether the command's own close
made it: no "Close taken as riskd's late close", the trader's stop left working, and once the
sell counted as the trader's 3rd trade of the minute (a wrongful trade_frequency_limit
lockout). A close of riskd's never takes a position opened after the one it was decided on
(shared/openedafter.py): only the lost call can have closed it, whatever the clocks say.

Every order of the events involved: the trader's buy's Trade, Position and Order, the
command's result, the late sell's Trade, Position and Order (each stream keeps its own order:
the buy's event before the sell's; the sell's Trade before the result too: held for the
command in flight, then its own lost call's, exits.py own_late); and a restart of risk (store
committed, a fresh engine loaded) after each event of two of them. Before the fix
(services/risk/exits.py Exit.carried_late, own_late) every one of them failed: no late close
said, or the sell counted as the trader's trade. The engine with its injected clock
(tests/unit/risk/desk.py); the rules of test_late_close_under_a_newer_close.py, which says
why the shipped config's other rules are off (they would lock the account after the first
close's loss: the same close in flight, the same path).
"""
from __future__ import annotations

import itertools

import pytest

from shared.latewords import RESTARTED
from shared.messages.enforce import CloseOrder, CommandResult, LostCall
from shared.messages.market import (ORDER_MARKET, STATUS_FILLED, Fill, OrderUpdate,
                                    PositionUpdate)
from tests.unit.risk.desk import ACCOUNT, MNQ, NS, SIDE_BUY, SIDE_SELL, D, Desk
from tests.unit.risk.test_late_carried_close_said import clock, notes
from tests.unit.risk.test_late_exit_facts_across_a_restart import Saved

RULES = {"daily_unrealized_loss": {"limit": 200},
         "trade_frequency_limit": {"per_minute": 3, "per_minute_cooldown": 60}}
EVENTS = ("buy_trade", "buy_position", "buy_order", "result",
          "sell_trade", "sell_position", "sell_order")
# the buy's market Order first (its fill follows it at the broker), then every order of the
# rest: the buy's Trade and Position, the result, the late sell's Trade, Position and Order
ORDERS = [("buy_order",) + o for o in itertools.permutations(EVENTS[:2] + EVENTS[3:])
          if all(o.index("buy_" + s) < o.index("sell_" + s) for s in ("trade", "position"))]


class Story:
    """The trader's long 2 breaches daily_unrealized_loss; riskd's close call is held at the
    broker; enforcement, killed -9, resumes the command 4 s later and its call closes the 2
    (order 200); the trader buys 1 (order 300) 0.08 s before the result; the held call is
    carried out `late_s` after the result (order 400), closing that 1."""

    def __init__(self, desk: Desk, late_s: float = 0.99):
        self.desk = desk
        desk.trade(contract=MNQ, side=SIDE_BUY, size=2, price="21000", order_id=100,
                   trade_id=1)
        desk.long(2, MNQ, 21000)
        desk.price(MNQ, 20800)
        [self.cmd] = desk.commands()
        self.sent = desk.now
        desk.wait(4)
        desk.trade("-800", contract=MNQ, side=SIDE_SELL, size=2, price="20800",
                   order_id=200, trade_id=2)
        desk.flat(MNQ)
        desk.wait(0.05)
        self.bought = desk.now + int(0.03 * NS)     # the broker's time of the buy
        self.done = self.bought + int(0.08 * NS)    # when the result comes
        self.sold = self.done + int(late_s * NS)    # the broker's time of the late sell

    def step(self, name: str) -> None:
        desk = self.desk
        desk.now += int(0.01 * NS)
        if name == "result":
            desk.now = max(desk.now, self.done)
        elif name.startswith("sell"):
            desk.now = max(desk.now, self.sold)
        desk.now = max(desk.now, self.bought)
        if name == "result":
            desk.history.append(desk.engine.on_result(CommandResult(
                command_id=self.cmd.id, account_id=ACCOUNT, status="done",
                action=self.cmd.action, rule=self.cmd.rule,
                detail="MNQ on account 1001 closed; the long 1 open on it now was opened "
                       "after riskd decided this close: not closed by it",
                attempts=1, orders_known=True, issued_ns=self.cmd.issued_ns,
                first_answer_ns=self.sent + 4 * NS,
                unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=self.sent,
                                    how=RESTARTED)],
                close_orders=[CloseOrder(order_id=200, contract_id=MNQ, side=SIDE_SELL,
                                         size=2, answered=True)]), desk.now))
            return
        buy = name.startswith("buy")
        at, side = (self.bought, SIDE_BUY) if buy else (self.sold, SIDE_SELL)
        kind = name.split("_")[1]
        if kind == "trade":
            desk.feed(Fill(account_id=ACCOUNT, trade_id=3 if buy else 4, contract_id=MNQ,
                           ts_ns=at, price=D(20800), pnl=None if buy else D(0),
                           fees=D(0), side=side, size=1, order_id=300 if buy else 400))
        elif kind == "position":
            if buy:
                desk.feed(PositionUpdate(account_id=ACCOUNT, position_id=77, contract_id=MNQ,
                                         ts_ns=at, type=1, size=1, average_price=D(20800)))
            else:
                desk.flat(MNQ)
        else:
            desk.feed(OrderUpdate(account_id=ACCOUNT, order_id=300 if buy else 400,
                                  contract_id=MNQ, created_ns=at, updated_ns=at,
                                  status=STATUS_FILLED, type=ORDER_MARKET, side=side, size=1))



def said_late(story: Story, desk: Desk) -> None:
    acct = desk.account
    assert acct.trades[4].by_riskd, "the held call's sell counted as the trader's trade"
    assert acct.trades_today == 2                # the trader's buy of 2 and buy of 1
    assert not [c for c in desk.lockout_changes() if c.lockout.rule == "trade_frequency_limit"]
    [note] = notes(desk)
    assert note.reason.startswith("Your MNQ +1 closed at "), note.reason
    assert (f"riskd's earlier close of MNQ (sent at {clock(story.sent)}, before enforcement "
            f"restarted) carried out late") in note.reason, note.reason


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_the_held_call_soon_after_the_result_is_riskds_late_close(order):
    desk = Desk(**RULES)
    story = Story(desk)
    for step in order:
        story.step(step)
    said_late(story, desk)


# the usual order, and the late sell's Trade before the result (held for the command) with
# the buy's Position after it; cut after each event
SEEN = [EVENTS, ("buy_order", "buy_trade", "sell_trade", "buy_position", "result",
                 "sell_position", "sell_order")]
CUTS = [(o, c) for o in SEEN for c in range(1, len(o))]


@pytest.mark.parametrize("order,cut", CUTS, ids=[f"{'-'.join(o[:c])}|{'-'.join(o[c:])}"
                                                  for o, c in CUTS])
def test_a_restart_of_risk_in_the_middle(tmp_path, order, cut):
    """risk killed -9 after the cut-th event (the store committed as the worker commits each
    step) and started again: the same facts (Exit.newer is saved with the exit), the same
    words."""
    desk = Desk(**RULES)
    saved = Saved(tmp_path, desk)
    story = Story(desk)
    for step in order[:cut]:
        story.step(step)
    said = notes(desk)
    story.desk = desk = saved.restarted(RULES)
    for step in order[cut:]:
        story.step(step)
    acct = desk.account
    assert acct.trades[4].by_riskd, "the held call's sell counted as the trader's trade"
    assert acct.trades_today == 2
    [note] = said + notes(desk)
    assert "before enforcement restarted) carried out late" in note.reason, note.reason
    saved.store.close()
