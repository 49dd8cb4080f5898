"""Enforcement names a command's account without walking every configured account each time
(issue 21: labels() ran on every command before it was handed to a pool thread: ~0.09 ms with
the flatten bench's 43 accounts, ~0.9 ms with 500). shared/accountname.Caller makes the labels
once per accounts list; a reloaded config (a new list) is read anew, and the names are
account_called's. Fails on main (checked at e66a846f: no Caller)."""
from __future__ import annotations

import types

import shared.accountname as accountname
from shared.accountname import Caller, account_called
from shared.config.accounts import AccountConfig
from tests.unit.enforcement.test_withdraw import worker


def configured(n: int) -> list[AccountConfig]:
    return [AccountConfig(id=5000 + i, name=f"B-{5000 + i}") for i in range(n)] + [
        AccountConfig(id=1001, name="SIM-1", display_name="Demo 1"), AccountConfig(id=1004)]


def test_the_names_are_account_called_s_and_a_new_list_is_read_anew():
    caller, accounts = Caller(), configured(3)
    for aid, broker in ((1001, ""), (1004, "SIM-DEMO-4"), (5002, ""), (9999, "X-9"), (9999, "")):
        assert caller(accounts, aid, broker) == account_called(accounts, aid, broker)
    renamed = [AccountConfig(id=1001, name="SIM-1", display_name="Desk A")]
    assert caller(renamed, 1001) == "Desk A (id 1001)"


def test_the_worker_walks_the_accounts_once_for_many_commands(tmp_path, clock, monkeypatch):
    w = worker(str(tmp_path / "enforcement.sqlite"), clock)
    w.config = types.SimpleNamespace(accounts=configured(40))
    walks = []
    real = accountname.labels
    monkeypatch.setattr(accountname, "labels", lambda accts: walks.append(1) or real(accts))
    try:
        names = {w._label(aid) for aid in (5000, 5001, 1001, 5000)}
        assert names == {"B-5000 (id 5000)", "B-5001 (id 5001)", "Demo 1 (id 1001)"}
        assert len(walks) == 1
        w.config = types.SimpleNamespace(accounts=configured(2))     # a reloaded config
        assert w._label(5001) == "B-5001 (id 5001)" and len(walks) == 2
    finally:
        w.journal.close()
