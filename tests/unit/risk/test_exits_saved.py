"""riskd's expected exits survive the store's JSON round trip with every field."""
from __future__ import annotations

import json

import attrs

from services.risk.exits import Exit, RiskdExits


def test_every_field_of_an_expected_exit_is_saved_and_read_back():
    exits = RiskdExits()
    exits.expected = [Exit("CON.F.US.MNQ.Z26", 1, 2, 3_000, "d1.1", 4_000),
                      Exit("", 0, 0, 5_000, "d2.1")]
    rows = json.loads(json.dumps(exits.dump()))
    # every field but its number, which is the key of its row (the store's riskd_exit)
    assert [set(r) for r in rows] == [{f.name for f in attrs.fields(Exit)} - {"n"}] * 2
    again = RiskdExits()
    again.load(rows, [7])
    assert again.expected == exits.expected and again.orders == {7}
