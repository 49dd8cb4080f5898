"""Trial22b finding 7: after an admin's lockout (`riskctl lockout 1001 --admin`), the replay's
notes said its flatten was one of "riskd's closes the replay did not make: ... admin_lockout
flatten (the config replayed, or the bar prices, did not reach them)": an admin's lockout is
neither. The replay now plays a person's action (tests/unit/replay/test_persons_actions_played.py);
one it still did not carry out as riskd's own close is said as that person's; a rule's close
keeps its words."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cli.replay.agree import parted
from cli.replay.riskdrecords import LiveClose
from zoneinfo import ZoneInfo

CHICAGO = ZoneInfo("America/Chicago")
AT = 1_796_652_973 * 10**9          # a moment of 2026-12-07
DAY = dt.date(2026, 12, 7)


def close(rule: str, action: str = "flatten", contract=None) -> LiveClose:
    return LiveClose(ts_ns=AT, rule=rule, action=action, contract_id=contract,
                     decision_id="d-" + rule)


def test_an_admin_lockouts_flatten_is_the_admins_not_the_configs_or_the_prices():
    [note] = parted(DAY, Decimal("0"), [close("admin_lockout")], [], CHICAGO)
    assert "admin_lockout flatten (made by an admin's lockout)" \
        in note, note
    assert "which the replay played at its moment but did not carry out as riskd's own " \
           "close" in note, note
    assert "did not reach" not in note, note


def test_a_rules_close_and_a_persons_are_said_apart():
    [note] = parted(DAY, Decimal("-12.50"), [close("max_contracts", "reduce_position",
                                                   "CON.F.US.MNQ.Z26"),
                                             close("admin"), close("self_lockout")], [], CHICAGO)
    rule_part, person_part = note.split("; ")[0], note.split("; ")[1]
    assert "max_contracts reduce_position MNQ (the config replayed, or the bar prices, did not " \
           "reach them)" in rule_part and "admin" not in rule_part.split(": ", 2)[2], rule_part
    assert "admin flatten (made by an admin's flatten, the kill switch)" in person_part
    assert "self_lockout flatten (made by the trader's own lockout" in person_part, person_part
