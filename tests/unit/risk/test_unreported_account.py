"""A configured account the broker does not report for this login is not guarded, and risk says
so (trial 2026-12-06: `riskctl accounts add 1003` answered "saved (applied live)", status never
mentioned 1003 and said "guarded now"; only `accounts list` showed GUARDED NOW no).

The real RiskWorker (tests/unit/risk/test_disable_now.py's fixture: etc/riskd.toml's two
accounts, the broker reporting both), the account added with the function riskctl uses."""
from __future__ import annotations

from shared.config.account_edit import add_account
from shared.messages.risk import RiskStatusRequest
from tests.unit.risk.test_disable_now import ask, reload, worker  # noqa: F401


def test_an_added_account_the_broker_does_not_report_is_named(worker):  # noqa: F811
    w, path, backups, _sent = worker
    assert ask(w, RiskStatusRequest()).body.unreported == []
    add_account(path, "1003", backups, display_name="Demo 3")
    reload(w, path)
    reply = ask(w, RiskStatusRequest()).body
    assert reply.unreported == ["Demo 3 (id 1003)"], reply.unreported
    assert [a.account_id for a in reply.accounts] == [1001, 1002]
    # not said while risk does not hold the broker's state (it may just not have seen it yet)
    w.market_complete = False
    assert ask(w, RiskStatusRequest()).body.unreported == []
