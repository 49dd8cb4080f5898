"""History says what was DONE (trial finding 7): enforcement's outcome, never risk's plan
presented as a fact ("cancel 1 order" when nothing was cancelled)."""
from __future__ import annotations

import re
import time
from types import SimpleNamespace

import attrs

from cli.commands import history
from cli.commands.history import rows
from shared.messages.enforce import CommandState, EnforcementStatus
from shared.messages.risk import Decision, HistoryReply, LockSpec

NOW = time.time_ns()


def flatten_decision(**kw):
    return Decision(id="d7", ts_ns=NOW, rule="daily_unrealized_loss", account_id=1002,
                    action="flatten", reason="open -216.85 <= -200.00",
                    lock=LockSpec(kind="timer", until_ns=NOW + 900 * 10**9),
                    what="flatten: close 0 positions, cancel 1 order; lock the account (timer)",
                    **kw)


def final(detail, status="done", traded=True):
    """traded: a trading call was answered (first_answer_ns); else the command found nothing
    to do, as the screens say (shared/outcomewords.py)."""
    return CommandState(command_id="d7.1", account_id=1002, action="flatten", state="final",
                        status=status, detail=detail, first_answer_ns=NOW if traded else 0)


def test_what_is_enforcements_outcome_not_the_plan():
    [row] = rows(HistoryReply(decisions=[flatten_decision()]), {"d7.1": final(
        "flattened account 1002: close CON.F.US.MNQ.Z26 (verified flat)")})
    assert row[3] == ("done: flattened account 1002: close CON.F.US.MNQ.Z26 (verified flat); "
                      "lock the account (timer)")
    assert "cancel 1 order" not in row[3]


def test_an_already_flat_account_says_so_and_a_failure_is_loud():
    [row] = rows(HistoryReply(decisions=[flatten_decision()]),
                 {"d7.1": final("account 1002 was already flat", traded=False)})
    # the word watch and `flatten --all` show for it (trial 2026-12-06: "done: ..." here)
    assert row[3].startswith("nothing to do: account 1002 was already flat")
    [row] = rows(HistoryReply(decisions=[flatten_decision()]),
                 {"d7.1": final("flatten failed: 503", status="failed")})
    assert row[3].startswith("FAILED: flatten failed: 503")


def test_without_an_outcome_the_plan_is_labelled_a_plan(capsys):
    [row] = rows(HistoryReply(decisions=[flatten_decision()]), {})
    assert row[3].startswith("planned: flatten: close 0 positions, cancel 1 order")

    class Ctx:
        json = False
        config_path = "no-such-riskd.toml"      # the display zone's default

        def request(self, _msg, tolerate=(), **_wait):   # timeout, retries: as Context's
            return SimpleNamespace(ok=True, body=HistoryReply(decisions=[flatten_decision()]))

        def call(self, msg, **_kw):
            if type(msg).__name__ in ("RiskStatusRequest", "StatusRequest"):   # names
                return SimpleNamespace(ok=False, body=None)
            assert msg.command_ids == ["d7.1"]
            return SimpleNamespace(ok=True, body=EnforcementStatus(commands=[final(
                "flattened account 1002: close CON.F.US.MNQ.Z26 (verified flat)")]))
    history.run(SimpleNamespace(account="", since=None, limit=10), Ctx())
    out = capsys.readouterr().out
    assert "done: flattened account 1002: close MNQ (verified flat)" in out
    assert "cancel 1 order" not in out


def test_audit_shows_times_and_values_for_people():
    """Trial finding 13: no until_ns=1796421403304845937, no 30.0 -> 600.0, no ['...']."""
    from cli.commands.audit import what_of
    from services.supervisor.audit import access_changes
    from shared.config.access import AdminConfig
    text = what_of({"account": "1001", "until_ns": 1796421403304845937, "session": True,
                    "changes": ["a: 1 -> 2", "b: x -> y"]})
    assert "until_ns" not in text and "1796421403304845937" not in text
    # a time in the display zone (Chicago by default), with its zone; the day when not today
    assert re.search(r"until=(\w{3} )?(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d CST", text), text
    assert "session=true" in text
    assert "a: 1 -> 2; b: x -> y" in text and "[" not in text
    old = SimpleNamespace(admin=AdminConfig(session_minutes=30.0), ops=AdminConfig())
    new = SimpleNamespace(admin=AdminConfig(session_minutes=600.0), ops=AdminConfig())
    [change] = access_changes(old, new)
    assert change.endswith("session_minutes changed: 30 -> 600"), change


def test_an_admin_flatten_shows_what_enforcement_did():
    """Trial finding: after `riskctl flatten 1001` answered 'done ... (verified flat)', history
    said 'planned: flatten ... (enforcement no longer knows the outcome)': it looked the
    outcome up as '<decision id>.1', but the kill switch numbers its command itself."""
    d = Decision(id="a1", ts_ns=NOW, rule="admin", account_id=1001, action="flatten",
                 by="admin:root", what="flatten: close 1 position, cancel 0 orders",
                 command_id="k42.1001")
    state = CommandState(command_id="k42.1001", account_id=1001, action="flatten",
                         state="final", status="done", first_answer_ns=NOW,
                         detail="flattened account Demo 1: close MNQ (verified flat)")
    [row] = rows(HistoryReply(decisions=[d]), {"k42.1001": state})
    assert row[3] == "done: flattened account Demo 1: close MNQ (verified flat)"


def test_history_names_an_account_as_status_does_even_one_the_config_does_not_list(capsys):
    """Fresh-user trial 2026-12-05, finding 5: status and watch named the sim's unlisted account
    SIM-DEMO-3, history said 1003. History now takes the names risk shows on status."""
    from shared.messages.risk import AccountStatus, RiskStatusReply
    d = attrs.evolve(flatten_decision(), account_id=1003)

    class Ctx:
        json = False
        config_path = "no-such-riskd.toml"

        def request(self, _msg, tolerate=(), **_wait):   # timeout, retries: as Context's
            return SimpleNamespace(ok=True, body=HistoryReply(decisions=[d]))

        def call(self, msg, **_kw):
            if type(msg).__name__ == "RiskStatusRequest":
                return SimpleNamespace(ok=True, body=RiskStatusReply(accounts=[AccountStatus(
                    account_id=1003, name="SIM-DEMO-3", ts_ns=0, trading_day="")]))
            return SimpleNamespace(ok=True, body=EnforcementStatus(commands=[]))
    history.run(SimpleNamespace(account="", since=None, limit=10), Ctx())
    out = capsys.readouterr().out
    assert "SIM-DEMO-3" in out and "1003" not in out.split("\n", 2)[2], out


def test_the_value_column_shows_money_with_two_decimals_and_counts_whole():
    # trial: "-201.0 vs -200", "-600 vs -200", "-603.33 vs -600" in one column
    from decimal import Decimal
    from shared.messages.risk import RuleWarning
    body = HistoryReply(decisions=[
        attrs.evolve(flatten_decision(), value=Decimal("-201.0"), limit=Decimal("-200")),
        attrs.evolve(flatten_decision(), id="d8", rule="daily_net_loss",
                     value=Decimal("-603.33"), limit=Decimal("-600"), ts_ns=NOW + 1),
        Decision(id="d9", ts_ns=NOW + 2, rule="max_contracts", account_id=1002,
                 action="reduce_position", value=Decimal(6), limit=Decimal(5))],
        warnings=[RuleWarning(id="w", ts_ns=NOW + 3, rule="trade_frequency_limit",
                              account_id=1002, value=Decimal(2), limit=Decimal(3), warn_at=0.8),
                  RuleWarning(id="n", ts_ns=NOW + 4, rule="drawdown_guard", account_id=1002,
                              value=None, limit=None, warn_at=0.8)])
    assert [r[4] for r in rows(body, {})] == ["-201.00 vs -200.00", "-603.33 vs -600.00",
                                              "6 vs 5", "2 vs 3", ""]
