"""Trial finding: one account had three names (the broker's "SIM-DEMO-1" on status, watch,
positions, orders and history; the id "1001" in lockouts; "Demo 1" in alerts). Every screen now
names it as alerts do, with its id once: "Demo 1 (id 1001)", and a display_name change shows on the
next refresh (the supervisor's status carries its live config's names)."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import attrs

from cli.commands import history, lockouts, orders, positions
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.accountname import account_name, labels, named
from shared.config.accounts import AccountConfig
from shared.messages.control import StatusRequest, SupervisorStatus, WorkerInfo
from shared.messages.market import OrderRow, OrdersTable, PositionRow, PositionsTable
from shared.messages.risk import HistoryReply, LockoutList
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, lockout, state
from tests.unit.cli.test_trial_history import flatten_decision

ACCOUNTS = [AccountConfig(id=1001, name="SIM-DEMO-1", display_name="Demo 1"),
            AccountConfig(name="SIM-DEMO-2")]


def supervisor(names: dict) -> SupervisorStatus:
    return SupervisorStatus(pid=1, started_ns=NOW, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state="running") for n in WORKERS],
                            account_labels=names)


def test_the_supervisors_names_are_the_alerts_names():
    names = labels(ACCOUNTS)
    for aid, broker in ((1001, ""), (1001, "SIM-DEMO-1"), (None, "SIM-DEMO-2"),
                        (1002, "SIM-DEMO-2"), (1003, "SIM-DEMO-3"), (1003, "")):
        assert named(names, aid, broker) == account_name(ACCOUNTS, aid, broker)
    assert named(names, 1001, "SIM-DEMO-1") == "Demo 1"
    assert named(names, 1002, "SIM-DEMO-2") == "SIM-DEMO-2"


def test_watch_and_status_name_the_account_as_alerts_do_and_follow_a_rename():
    s = state(account(1001, "SIM-DEMO-1"))
    s.apply(supervisor(labels(ACCOUNTS)))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 100, None, unicode=False))
    assert "Demo 1 (id 1001)  balance" in text and "SIM-DEMO-1" not in text
    # riskctl accounts set 1001 display_name "Ana main": the next status says so
    assert s.apply(supervisor(labels([AccountConfig(id=1001, name="SIM-DEMO-1",
                                                    display_name="Ana main")])))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 100, None, unicode=False))
    assert "Ana main (id 1001)  balance" in text and "Demo 1" not in text


class Ctx:
    json = False
    config_path = "no-such-riskd.toml"

    def __init__(self, body, names=None):
        self.body, self.names = body, names if names is not None else labels(ACCOUNTS)

    def request(self, _msg, **_kw):
        return SimpleNamespace(ok=True, body=self.body)

    def call(self, msg, **_kw):
        if isinstance(msg, StatusRequest):
            return SimpleNamespace(ok=True, body=supervisor(self.names))
        return SimpleNamespace(ok=False, body=None, code="", reason="")


def test_positions_orders_and_lockouts_name_the_account_as_alerts_do(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")    # a wide terminal: one line a lockout
    row = PositionRow(account_id=1001, account_name="SIM-DEMO-1", contract_id="CON.F.US.MNQ.Z26",
                      ticker="MNQ", side="long", size=1, average_price=Decimal("20990"),
                      last=Decimal("20991"), unrealized=Decimal("2"))
    positions.run(SimpleNamespace(account=None), Ctx(PositionsTable(positions=[row])))
    out = capsys.readouterr().out
    assert "Demo 1 (id 1001)" in out and "SIM-DEMO-1" not in out
    positions.run(SimpleNamespace(account="Demo 1"), Ctx(PositionsTable(positions=[row])))
    assert "Demo 1 (id 1001)" in capsys.readouterr().out          # --account by its name too
    order = OrderRow(account_id=1001, account_name="SIM-DEMO-1", order_id=7,
                     contract_id="CON.F.US.MNQ.Z26", ticker="MNQ", side="sell", type="stop",
                     status="open", size=1, stop_price=Decimal("20980"))
    orders.run(SimpleNamespace(account=None), Ctx(OrdersTable(orders=[order])))
    out = capsys.readouterr().out
    assert "Demo 1 (id 1001)" in out and "SIM-DEMO-1" not in out
    lockouts.run(SimpleNamespace(account=""), Ctx(LockoutList(lockouts=[lockout()])))
    out = capsys.readouterr().out
    assert "Demo 1 (id 1001)" in out.splitlines()[-1], out


def test_history_names_the_account_as_alerts_do(capsys):
    decision = flatten_decision()
    names = {str(decision.account_id): "Ana main"}
    history.run(SimpleNamespace(account="", since=None, limit=10),
                Ctx(HistoryReply(decisions=[decision]), names))
    assert f"Ana main (id {decision.account_id})" in capsys.readouterr().out


def test_history_s_what_leaves_the_account_to_its_column(capsys):
    # trial 2026-12-05: ACCOUNT "Demo 1 (id 1001)" beside WHAT "reduced MNQ on account Demo 1"
    decision = attrs.evolve(flatten_decision(),
                            what="reduce CON.F.US.MNQ.Z26 on account Ana main by 2")
    names = {str(decision.account_id): "Ana main"}
    history.run(SimpleNamespace(account="", since=None, limit=10),
                Ctx(HistoryReply(decisions=[decision]), names))
    out = capsys.readouterr().out
    assert f"Ana main (id {decision.account_id})" in out and "MNQ by 2" in out, out
    assert "on account" not in out, out


def test_rules_list_names_an_account_target_as_screens_do():
    # trial 2026-12-05: `rules list` said "account:SIM-DEMO-2" where screens said Demo 2
    from cli.accountnames import namer
    from cli.commands.rules import target_text
    name = namer(Ctx(None, {"1002": "Demo 2 (strict)", "SIM-DEMO-2": "Demo 2 (strict)"}))
    ids = {"SIM-DEMO-2": 1002}
    assert target_text("account:SIM-DEMO-2", name, ids) == "account Demo 2 (strict, id 1002)"
    assert target_text("account:1002", name, {}) == "account Demo 2 (strict, id 1002)"
    assert target_text("profile:default", name, ids) == "profile:default"
    assert target_text("account:GONE", name, ids) == "account:GONE"      # risk does not know it
