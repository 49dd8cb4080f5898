"""`riskctl rules list`'s '*' marks the account's own value (an override), never the profile's
value in force while the account's own looser one waits for the roll (fresh-user trial17a
section 9: `rules set 1003 max_contracts limit 5` over the profile's 4 listed "limit=4*" and
"waiting: limit=5 at the roll")."""
from __future__ import annotations

from cli.commands.rules import param_cells


def test_the_star_goes_with_the_accounts_own_value_that_waits():
    params, waits = param_cells("max_contracts", {"limit": "4"}, ["limit"], {"limit": "5"})
    assert (params, waits) == ("limit=4", "limit=5*"), (params, waits)


def test_an_own_value_in_force_keeps_its_star():
    params, waits = param_cells("max_contracts", {"limit": "3"}, ["limit"], {})
    assert (params, waits) == ("limit=3*", ""), (params, waits)
