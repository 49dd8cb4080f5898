"""Alerts name an account one way, title and body alike (trial: the title said "Demo 1" and
the body "account 1001": two names for one account, and a trader is left to guess whether
they are the same). shared/accountname.py is the one helper; risk's lockout words,
enforcement's results and notify's titles all use it. Fresh-user trial 2026-12-06: one session
still read "SIM-DEMO-1 (1001)", "1002 max_contracts.limit: saved", "Demo 1 (id 1001)" and
"Demo 2 (strict)": now every answer, screen and alert says called()'s 'Demo 1 (id 1001)'."""
from __future__ import annotations

from types import SimpleNamespace

from services.enforcement.app import EnforcementWorker
from services.notify.templates import build, context_for
from shared.accountname import Caller, account_called, account_name, called, uncalled
from shared.config.accounts import AccountConfig
from shared.config.load import load_config
from shared.messages.enforce import FAILED, CommandResult
from shared.messages.market import ORDER_LIMIT, SIDE_BUY, STATUS_OPEN, AccountUpdate, OrderUpdate
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

LOADED = load_config(SHIPPED)          # etc/riskd.toml: account 1001 is "Demo 1"


def test_the_helper_names_by_label_then_broker_name_then_id():
    accounts = [AccountConfig(id=1001, name="SIM-DEMO-1", display_name="Demo 1"),
                AccountConfig(name="SIM-DEMO-3")]
    assert account_name(accounts, 1001) == "Demo 1"
    assert account_name(accounts, 1003, "SIM-DEMO-3") == "SIM-DEMO-3"
    assert account_name(accounts, 1004, "BROKER-4") == "BROKER-4"
    assert account_name(accounts, 1005) == "1005"
    assert called("Demo 1", 1001) == "Demo 1 (id 1001)" and called("1005", 1005) == "1005"
    assert account_called(accounts, 1001) == "Demo 1 (id 1001)"
    assert account_called(accounts, 1004, "BROKER-4") == "BROKER-4 (id 1004)"


def test_a_name_ending_in_a_bracket_gets_its_id_inside_it():
    # trial 2026-12-05: "Demo 2 (strict) (1002)"; 2026-12-06: "Demo 2 (strict), id 1002" in
    # a list of names split by commas. One form on screens, in answers and in alerts
    assert called("Demo 2 (strict)", 1002) == "Demo 2 (strict, id 1002)"
    assert uncalled("Demo 2 (strict, id 1002)", 1002) == "Demo 2 (strict)"
    assert uncalled("Demo 1 (id 1001)", 1001) == "Demo 1"


def test_a_lockout_breach_names_the_account_in_its_body_as_in_its_title():
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(LOADED, now)
    engine.on_event(AccountUpdate(account_id=1001, name="SIM-DEMO-1", balance=50_000,
                                  can_trade=True), now)
    out, refusal = engine.self_lock(1001, now, until_ns=now + 3600 * NS, reason="on tilt")
    assert refusal == ""
    now += NS
    out = engine.on_event(OrderUpdate(account_id=1001, order_id=77, contract_id=MNQ,
                                      created_ns=now, updated_ns=now, status=STATUS_OPEN,
                                      type=ORDER_LIMIT, side=SIDE_BUY, size=1), now)
    [cancel] = out.decisions
    assert "account Demo 1 (id 1001) locked" in cancel.reason, cancel.reason
    alert = build(cancel, context_for(LOADED.config))
    # a context that heard of no lockout: until when comes from risk's decision (under)
    assert alert.title == ("🔒 Lockout enforced on Demo 1 (id 1001): locked until Wed 10:00 CST "
                           "(self_lockout)"), alert.title
    assert "SIM-DEMO-1" not in alert.text and " 1001" not in alert.text.replace("(id 1001)", "")


def test_enforcement_results_name_it_the_same_way():
    label = EnforcementWorker._label(SimpleNamespace(config=LOADED.config, called=Caller()), 1001)
    assert label == context_for(LOADED.config).called(1001) == "Demo 1 (id 1001)"
    failed = CommandResult(command_id="c1.1", account_id=1001, status=FAILED,
                           detail=f"flatten on account {label} gave up after 3 passes",
                           attempts=3, finished_ns=1)
    alert = build(failed, context_for(LOADED.config))
    assert "on Demo 1 (id 1001)" in alert.title, alert.title
    # every mention of the account is the one form
    assert alert.text.count("1001") == alert.text.count("Demo 1 (id 1001)"), alert.text
