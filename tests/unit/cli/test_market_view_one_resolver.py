"""`riskctl positions --account NAME` and `orders` keep the rows of the account risk resolves
the name to: the one resolver every command taking an account uses (trial15c: a name matched
here ignoring case showed account 1001's 5 MNQ for "demo 1", account 1002, which was flat)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from cli.commands._market_view import show
from cli.errors import CliError
from shared.messages.risk import RiskStatusReply, RiskStatusRequest
from shared.messages.system import error, ok

ROWS = [SimpleNamespace(account_id=1001, account_name="SIM-DEMO-1", ticker="MNQ"),
        SimpleNamespace(account_id=1002, account_name="SIM-DEMO-2", ticker="ES")]


class Ctx:
    json = False

    def __init__(self, risk_answer):
        self.risk_answer = risk_answer

    def request(self, request, **_k):
        return SimpleNamespace(body=SimpleNamespace(positions=ROWS, connections=[]))

    def call(self, request, **_k):
        if isinstance(request, RiskStatusRequest):
            return self.risk_answer(request.account)
        raise CliError("no supervisor here")       # labels_of: no labels


def run(ctx, account, capsys):
    args = SimpleNamespace(account=account)
    show(args, ctx, lambda account_id=None: None, "positions", "no open positions",
         ("account", "ticker"), lambda r, name: (name, r.ticker))
    return capsys.readouterr().out


def test_the_rows_are_those_of_the_account_risk_names(capsys):
    ctx = Ctx(lambda ref: ok(RiskStatusReply(accounts=[SimpleNamespace(account_id=1002)])))
    out = run(ctx, "sim-demo-1", capsys)      # a name risk resolves to 1002 (say, a label)
    assert "ES" in out and "MNQ" not in out, out


def test_an_ambiguous_or_unknown_name_is_an_error_not_an_empty_table(capsys):
    for code in ("ambiguous_account", "unknown_account"):
        ctx = Ctx(lambda ref, code=code: error(code, f"{code}: {ref}"))
        with pytest.raises(CliError) as refused:
            run(ctx, "demo", capsys)
        assert code in str(refused.value)


def test_without_risk_the_rows_are_kept_by_an_exact_name_first(capsys):
    def silent(ref):
        raise CliError("risk does not answer")
    out = run(Ctx(silent), "SIM-DEMO-2", capsys)
    assert "ES" in out and "MNQ" not in out, out
