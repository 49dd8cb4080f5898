"""Risk's reduce names the opening of the position it was decided on (Command.opened_ns), and
its next try after a failure names the same one, so enforcement leaves a position the trader
opened since (services/enforcement/newerposition.py, actions/reduce_position.py): flake25 found
that a failed max_contracts reduce, tried again after the trader had sold the position and
bought again, cut the new position (risk's try, a new command issued after the re-entry, named
no opening: enforcement could only compare with its issue time). On main 3aa9be0d the reduce
named none (0). The shipped rules (etc/riskd.toml: max_contracts 5, reduce) on risk's engine."""
from __future__ import annotations

from decimal import Decimal

from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from shared.openedafter import opened_after
from tests.unit.risk.desk import MNQ, NS
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


def test_the_reduce_and_its_next_try_name_the_position_it_was_decided_on():
    run = EngineRun()
    run.price(21000)
    opened = run.now - NS // 2                  # the broker's opening, before risk heard it
    run.on(Fill(account_id=ACCOUNT, trade_id=1, contract_id=MNQ, ts_ns=opened,
                price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                size=7))
    run.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ, ts_ns=opened,
                          type=POSITION_LONG, size=7, average_price=Decimal("21000")))
    (cut,) = run.sent()
    assert cut.action == "reduce_position" and cut.target == 5, cut
    assert cut.opened_ns == opened, cut
    run.wait(2)                                 # enforcement's rounds, given up
    run.result(cut, "failed", detail="reduce_position gave up after 4 rounds", attempts=4)
    run.wait(5.1)
    (again,) = run.sent()
    assert again.id.endswith(".2") and again.action == "reduce_position", again
    assert again.opened_ns == opened and again.issued_ns > cut.issued_ns, again
    # a position the trader opens later than that is not the try's to cut, however soon
    # after its issue: the one test risk and enforcement share
    assert opened_after(again.issued_ns - NS, again)
