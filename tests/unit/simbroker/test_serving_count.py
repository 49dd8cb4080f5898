"""The sim broker's start-up line counts what it serves (fresh-user trial: it logged
"1 accounts" while serving 2: it counted the configured accounts, not the ledger, which also
holds the accounts a previous run saved, and it had no singular)."""
from __future__ import annotations

from decimal import Decimal

from services.simbroker.app import serving
from services.simbroker.entities import Account
from services.simbroker.gateway import Gateway
from services.simbroker.store import SimStore
from shared.clock import FakeClock
from shared.config.sections import SimAccount, SimConfig


def gateway(tmp_path, accounts):
    return Gateway(SimConfig(accounts=accounts), "user", "key", FakeClock(),
                   store=SimStore(str(tmp_path)))


def test_the_accounts_a_previous_run_saved_are_counted_in_the_plural(tmp_path):
    first = SimStore(str(tmp_path))
    first.save(accounts=[Account(id=1001, name="SIM-DEMO-1", balance=Decimal(50000)),
                         Account(id=1002, name="SIM-DEMO-2", balance=Decimal(50000))])
    first.db.close()
    # the config now lists one account; the saved second one is served too
    sim = gateway(tmp_path, [SimAccount(id=1001, name="SIM-DEMO-1")])
    assert sorted(sim.ledger.accounts) == [1001, 1002]
    assert serving(sim).startswith("2 accounts, ")


def test_one_account_is_singular(tmp_path):
    sim = gateway(tmp_path, [SimAccount(id=1001, name="SIM-DEMO-1")])
    assert serving(sim).startswith("1 account, ")
    assert serving(sim).endswith(" contracts")
