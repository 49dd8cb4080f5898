"""A size warning judges the account as the trader will hold it after the cut decided in the
same step (docs/rules.md warn_at).

Fresh-user trial 21b, finding 4: with max_contracts_per_instrument limits {MES = 2} and
max_contracts limit 5, buying MES 4 gave the reduce to 2 and, in the same moment, "max_contracts
at 80% of its limit: 4 of 5 contracts (gross)": max_contracts is judged first, before the
reduce of the other rule in that step was decided. The trader held 2, and the warning was spent
for the day, so no warning came later at a real 4 of 5.
"""
import pytest

from tests.unit.risk.desk import MNQ, NQ, SIDE_SELL, Desk

pytestmark = pytest.mark.timeout(30)


def test_no_max_contracts_warning_of_contracts_the_same_step_cuts():
    desk = Desk(max_contracts={"limit": 5},
                max_contracts_per_instrument={"limits": {"MNQ": 2}})
    desk.filled(4, MNQ, 21000)                  # 4 of MNQ's 2: reduced to 2 at once
    [cut] = desk.commands()
    assert (cut.action, cut.contract_id, cut.rule) == (
        "reduce_position", MNQ, "max_contracts_per_instrument"), cut
    assert [w.reason for w in desk.warnings()] == []       # 2 of 5 held once the cut is done
    desk.trade(contract=MNQ, side=SIDE_SELL, size=2, price="21000")
    desk.long(2, MNQ, 21000)                    # the cut's fill: 2 MNQ held
    assert desk.warnings() == []
    desk.filled(2, NQ, 20000)                   # the trader's own 4 of 5: its warning comes
    [w] = desk.warnings()
    assert (w.rule, int(w.value), int(w.limit)) == ("max_contracts", 4, 5), w
    assert w.reason == "max_contracts at 80% of its limit: 4 of 5 contracts (gross)", w.reason
