"""An account the config does not name is named by the broker's name everywhere (trial17b
finding 3): the breach and Done alerts of SIM-DEMO-3, which the config does not list, said
"1003" while history and risk's stop alerts said "SIM-DEMO-3 (id 1003)"; after `riskctl accounts
add 1004` (no --name) every screen and alert said "1004" though `accounts list` showed the
broker's SIM-DEMO-4. docs/operations.md, Account names: display_name, else name, else the
broker's name, else the id. shared/accountname.named decides; risk's records carry the broker's
name (Decision/RuleWarning/Command.account_name) so notify and enforcement can say it, and
`riskctl history` with riskd stopped reads the names risk saved."""
from __future__ import annotations

import os
from decimal import Decimal
from types import SimpleNamespace

import attrs

from cli.storedhistory import stored_broker_names
from services.enforcement.app import EnforcementWorker
from services.notify.app import learn_name
from services.notify.templates import build, context_for
from services.risk.store import Store
from shared.accountname import Caller, account_called, labels, named
from shared.config.accounts import AccountConfig
from shared.config.load import load_config
from shared.messages.market import SIDE_BUY, AccountUpdate, Fill, PositionUpdate
from tests.unit.risk.desk import MNQ, SHIPPED, chi, shipped_engine

LOADED = load_config(SHIPPED)
# etc/riskd.toml's accounts, and 1004 as `riskctl accounts add 1004` writes it: an id alone
ADDED = attrs.evolve(LOADED, config=attrs.evolve(
    LOADED.config, accounts=[*LOADED.config.accounts, AccountConfig(id=1004)]))


def test_an_id_alone_in_the_config_gives_way_to_the_brokers_name():
    accounts = ADDED.config.accounts
    assert account_called(accounts, 1004, "SIM-DEMO-4") == "SIM-DEMO-4 (id 1004)"
    assert account_called(accounts, 1004) == "1004"           # no broker name known: the id
    assert account_called(accounts, 1001, "SIM-DEMO-1") == "Demo 1 (id 1001)"
    assert named(labels(accounts), 1003, "SIM-DEMO-3") == "SIM-DEMO-3"


def _breach(account_id: int, broker: str):
    now = chi(2026, 12, 7, 9, 0)
    engine = shipped_engine(ADDED, now)
    engine.on_event(AccountUpdate(account_id=account_id, name=broker, balance=50_000,
                                  can_trade=True), now)
    # the trader's buy: its Trade, then its Position (risk judges a Position after its fill)
    engine.on_event(Fill(account_id=account_id, trade_id=1, contract_id=MNQ, ts_ns=now,
                         price=Decimal("20900"), pnl=None, fees=Decimal(0), side=SIDE_BUY,
                         size=7), now)
    out = engine.on_event(PositionUpdate(account_id=account_id, position_id=1, contract_id=MNQ,
                                         ts_ns=now, type=1, size=7, average_price=20900), now)
    [d] = [d for d in out.decisions if d.rule == "max_contracts"]
    [cmd] = [c for c in out.commands if c.decision_id == d.id]
    return engine, d, cmd, out


def test_breach_and_done_of_an_unlisted_account_say_the_brokers_name():
    for account_id, broker in ((1003, "SIM-DEMO-3"), (1004, "SIM-DEMO-4")):
        engine, d, cmd, _out = _breach(account_id, broker)
        called = f"{broker} (id {account_id})"
        assert engine.account_name(account_id) == called
        # the command carries the name: enforcement's result words say it
        assert cmd.account_name == broker
        label = EnforcementWorker._label(SimpleNamespace(config=ADDED.config, called=Caller()),
                                         account_id, cmd.account_name)
        assert label == called
        # notify learns it from risk's record and names the account by it in the alert
        worker = SimpleNamespace(broker_names={})
        learn_name(worker, attrs.evolve(d, account_name=broker))
        alert = build(d, context_for(ADDED.config, worker.broker_names))
        assert f"on {called}" in alert.title, alert.title
        assert f"on {account_id}" not in alert.text, alert.text


def test_history_with_riskd_stopped_reads_the_names_risk_saved(tmp_path):
    config = tmp_path / "riskd.toml"
    config.write_text('[paths]\ndata_dir = "data"\n')
    os.makedirs(tmp_path / "data")
    engine, _d, _cmd, out = _breach(1003, "SIM-DEMO-3")
    store = Store(str(tmp_path / "data" / "risk.sqlite"))
    try:
        store.commit(out, engine)       # risk's own step: the rules in force, with the name
    finally:
        store.close()
    assert stored_broker_names(str(config)).get(1003) == "SIM-DEMO-3"
