"""A done close beside a position still open (fresh-user trial 2026-12-05, finding 3): a watch
frame showed 'daily_unrealized_loss close_position done' while POSITIONS still showed 'MNQ long
5 ... -605.00': enforcement's result came before risk's position update (two streams). The
position is now marked CLOSING until figures made after the close arrive. Decision and result
come in either order: both are tested."""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision, PositionView
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state

MNQ = "CON.F.US.MNQ.Z26"


def mnq_account(ts_ns=NOW, positions=None):
    return attrs.evolve(account(positions=positions if positions is not None else [PositionView(
        contract_id=MNQ, symbol="MNQ", side="long", size=5, average_price=Decimal("21000"),
        last=Decimal("20939.50"), unrealized=Decimal("-605.00"))]), ts_ns=ts_ns)


def close(action="close_position", contract=MNQ):
    return Decision(id="d1", ts_ns=NOW + NS_PER_S, rule="daily_unrealized_loss",
                    account_id=1001, action=action, contract_id=contract)


def done(action="close_position"):
    return CommandResult(command_id="d1.1", account_id=1001, status="done", action=action,
                         detail="MNQ on account 1001 closed", started_ns=NOW + NS_PER_S,
                         finished_ns=NOW + 2 * NS_PER_S, first_answer_ns=NOW + NS_PER_S)


def positions(s):
    [acct] = build_screen(s, NOW + 3 * NS_PER_S, CHICAGO, CALENDAR).accounts
    return [(p.ticker, p.size, p.note) for p in acct.positions]


@pytest.mark.parametrize("action,contract", [("close_position", MNQ), ("flatten", None)])
@pytest.mark.parametrize("result_first", [False, True])
def test_a_position_closed_after_the_figures_is_marked_closing(action, contract, result_first):
    s = state(mnq_account())
    for msg in ([done(action), close(action, contract)] if result_first
                else [close(action, contract), done(action)]):
        s.apply(msg)
    assert positions(s) == [("MNQ", 5, "closing")]
    text = plain(render(build_screen(s, NOW + 3 * NS_PER_S, CHICAGO, CALENDAR), 110, None,
                        unicode=False))
    assert "-605.00 CLOSING" in text, text
    s.apply(mnq_account(NOW + 3 * NS_PER_S, positions=[]))     # risk's figures after the close
    assert positions(s) == []


def test_figures_made_after_the_close_and_other_contracts_are_not_marked():
    s = state(mnq_account(NOW + 5 * NS_PER_S))                  # newer than the result
    s.apply(close())
    s.apply(done())
    assert positions(s) == [("MNQ", 5, "")]
    s = state(mnq_account())
    s.apply(close(contract="CON.F.US.EP.Z26"))                 # another contract was closed
    s.apply(done())
    assert positions(s) == [("MNQ", 5, "")]
