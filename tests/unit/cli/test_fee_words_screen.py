"""The watch screen says realized PnL includes fees (third trial: realized -400.74 beside
open -400.00 and "one trade lost 400.37", with no word on fees; the fees stood apart at the
end of the line, as if they came on top)."""
from __future__ import annotations

from cli.watch.model import account_view
from cli.watch.view import money_lines
from tests.unit.cli.screens import CHICAGO, NOW, account, state


def test_realized_reads_incl_fees_beside_it():
    view = account_view(state(account()), account(), NOW, CHICAGO)
    text = "".join(part for line in money_lines(view, 200) for part, _style in line)
    assert "realized -312.50 incl. fees 2.96  unrealized +45.00" in text, text
