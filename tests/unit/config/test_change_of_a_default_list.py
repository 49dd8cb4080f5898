"""An edit of a table list the file left at its built-in default says what changed from that
default (shared/config/edit.py _with_default_lists).

Fresh-user trial 17g, finding 8: `riskctl config set broker.sim.accounts '[{id = 1001, ...},
{id = 1002, ...}, {id = 1003, ...}]'` on the shipped config (which leaves broker.sim.accounts to
the sim's two built-in accounts) was audited "broker.sim.accounts[0].id: (unset) -> 1001; ...
[1].id: (unset) -> 1002" although both accounts were there before.

etc/riskd.toml as shipped, edited with the function `riskctl config set` uses (set_key).
"""
from __future__ import annotations

import os

import tomlkit

from shared.config.edit import config_changes, parse_value, set_key

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "etc",
                       "riskd.toml")


def test_adding_a_sim_account_says_only_the_new_one():
    old = open(SHIPPED, encoding="utf-8").read()
    doc = tomlkit.parse(old)
    set_key(doc, "broker.sim.accounts", parse_value(
        '[{id = 1001, name = "SIM-DEMO-1"}, {id = 1002, name = "SIM-DEMO-2"}, '
        '{id = 1003, name = "SIM-DEMO-3"}]'))
    got = config_changes(old, tomlkit.dumps(doc))
    assert got == ['broker.sim.accounts[2].id: (unset) -> 1003',
                   'broker.sim.accounts[2].name: (unset) -> "SIM-DEMO-3"'], got


def test_a_changed_balance_is_said_against_the_default():
    old = open(SHIPPED, encoding="utf-8").read()
    doc = tomlkit.parse(old)
    set_key(doc, "broker.sim.accounts", parse_value(
        '[{id = 1001, name = "SIM-DEMO-1", balance = 100000.0}, {id = 1002, name = "SIM-DEMO-2"}]'))
    got = config_changes(old, tomlkit.dumps(doc))
    assert got == ['broker.sim.accounts[0].balance: 50000.0 -> 100000.0'], got
