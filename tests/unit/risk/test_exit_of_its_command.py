"""A fill uses up the exits of the command it belongs to (services/risk/exits.py claim_fill,
_of_its_command; docs/rules.md "Whose trade it is"), not whichever exit is to be forgotten
first: by its order when a result named it (or an earlier fill of that order was the
command's), otherwise the command whose exits alone expect its size. Round 18 (cut18, trial18a
section 2): a reduce's sell of 2 used a held close's one expected contract and one of the
reduce's; the reduce's other contract was left expected and unmet, and its effects (a buy never
made, "bought while locked", cut; a close's sell counted as the trader's) were patched where
they showed. The first three fail on the code before this fix (checked at 5bd632c); the last
(one close of what two commands expected) passed before and must still pass."""
from __future__ import annotations

from decimal import Decimal

from services.risk.exits import SIDE_SELL, RiskdExits
from shared.messages.enforce import CloseOrder
from shared.messages.market import Fill

NS = 1_000_000_000
MNQ = "CON.F.US.MNQ.Z26"
T0 = 1_000 * NS


def sell(size: int, order_id: int, trade_id: int = 1) -> Fill:
    return Fill(account_id=1, trade_id=trade_id, contract_id=MNQ, ts_ns=T0, price=Decimal(21000),
                pnl=None, fees=Decimal(0), side=SIDE_SELL, size=size, order_id=order_id)


def expects(r: RiskdExits, command_id: str) -> int:
    return r.expects_of(command_id, MNQ, T0 + 10 * NS)


def held_close_and_a_reduce() -> RiskdExits:
    """trial18a: the close of the 1st buy (held at the broker), the 2nd buy's cut (a reduce of
    1) and the 3rd buy's contract left to that cut (its top-up)."""
    r = RiskdExits()
    r.expect(MNQ, 1, None, "close.1", T0)
    r.expect(MNQ, 2, 1, "cut.1", T0 + NS)
    r.expect(MNQ, 3, 1, "cut.1", T0 + 2 * NS, down_to=1)
    return r


def test_a_reduces_sell_uses_the_reduces_exits_not_the_held_closes():
    r = held_close_and_a_reduce()
    assert expects(r, "close.1") == 1 and expects(r, "cut.1") == 2
    assert r.claim_fill(sell(2, 9004), T0 + 3 * NS)
    assert expects(r, "cut.1") == 0          # before: 1 (the top-up left unmet)
    assert expects(r, "close.1") == 1        # before: 0 (the close's contract used)


def test_a_fill_of_an_order_a_result_named_uses_that_commands_exits():
    r = RiskdExits()
    r.expect(MNQ, 2, 1, "cut.1", T0)              # a reduce of 1 of 2, done, its fill to come
    r.settle("cut.1", T0 + NS, closed=True)
    r.expect(MNQ, 2, None, "close.1", T0 + NS)     # then a close of the 1 left
    assert expects(r, "cut.1") == 1 and expects(r, "close.1") == 1
    r.take_orders("close.1", [CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL,
                                         size=1)])
    assert r.claim_fill(sell(1, 77), T0 + 2 * NS)
    assert expects(r, "close.1") == 0         # before: 1 (the reduce's exit, first, was used)
    assert expects(r, "cut.1") == 1


def test_later_fills_of_an_order_use_its_commands_exits():
    """One order is one command's: its second partial fill follows its first, even when its
    size alone would fit another command exactly."""
    r = RiskdExits()
    r.expect(MNQ, 1, None, "close.1", T0)             # a close of 1
    r.expect(MNQ, 5, 4, "cut.1", T0 + NS)             # a reduce of 4 (after a buy of 4)
    assert r.claim_fill(sell(3, 88, trade_id=1), T0 + 2 * NS)     # only the cut expects 3
    assert r.claim_fill(sell(1, 88, trade_id=2), T0 + 2 * NS)     # the rest of its order
    assert expects(r, "cut.1") == 0
    assert expects(r, "close.1") == 1         # before: 0


def test_one_close_of_what_two_commands_expected_uses_both():
    """trial 2026-12-05: a lockout's one closeContract closed the contracts a close and a
    reduce expected one each: its fill of 2 fits neither alone and uses both."""
    r = RiskdExits()
    r.expect(MNQ, 1, None, "close.1", T0)
    r.expect(MNQ, 2, 1, "cut.1", T0 + NS)
    assert r.claim_fill(sell(2, 90), T0 + 2 * NS)
    assert expects(r, "close.1") == 0 and expects(r, "cut.1") == 0
