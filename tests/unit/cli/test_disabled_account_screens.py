"""An account an admin disabled is said NOT GUARDED on every screen and on the phone (trial
2026-12-06: after `riskctl accounts disable 1002 --now` the status header said "guarded now",
Demo 2 "LOCKED OUT" and "RULES no readings from risk yet", the phone "🟢 guarded now" and
"🔒 account locked", while risk enforced nothing on it).

Risk's status of the account carries why it does not guard it (AccountStatus.not_guarded,
services/risk/disabled.py); `riskctl status`, watch and the phone's /status and /lockouts say
it, and that its lockout is not enforced while it is disabled."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.notify.bot.answers import lockouts_text, status_text
from services.notify.templates import Context
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.risk import RiskStatusReply
from shared.messages.system import ok
from tests.unit.cli.screens import (CALENDAR, CHICAGO, NOW, WORKERS, account, lockout, state,
                                    status_output)

WHY = "disabled by admin:root at Wed 14:01:07 CST (trial disable 2)"
LABELS = {"1001": "Demo 1", "1002": "Demo 2 (strict)"}


def disabled_demo2():
    lock = attrs.evolve(lockout(kind="timer", rule_name="self_lockout",
                                until_ns=NOW + 16 * 60 * NS_PER_S, reason="trial"),
                        account_id=1002)
    return attrs.evolve(account(account_id=1002, name="SIM-DEMO-2", rules=[], positions=[],
                                lockouts=[lock]), not_guarded=WHY)


def supervisor():
    return SupervisorStatus(pid=1, started_ns=NOW - 60 * NS_PER_S, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state="running") for n in WORKERS],
                            account_labels=LABELS)


def test_riskctl_status_says_guarded_now_except_the_disabled_account(capsys, monkeypatch):
    out = status_output(capsys, monkeypatch, supervisor(),
                        ok(RiskStatusReply(accounts=[account(), disabled_demo2()])))
    [head] = [ln for ln in out.splitlines() if ln.startswith("trading day ")]
    assert head.endswith(f"so far; guarded now except Demo 2 (strict, id 1002): {WHY}"), head


def test_watch_says_not_guarded_and_the_lockout_not_enforced():
    s = state(account(), disabled_demo2())
    s.apply(supervisor())                      # the labels: accounts named as alerts name them
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.notice == f"guarded now except Demo 2 (strict, id 1002): {WHY}", screen.notice
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR, selected=1), 200))
    assert "NOT GUARDED" in text and WHY in text, text
    assert "NOT ENFORCED while the account is disabled" in text
    assert "no readings from risk yet" not in text


def test_the_phone_says_it_too():
    ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1", 1002: "Demo 2 (strict)"})
    text = status_text([account(), disabled_demo2()], supervisor(), True, ctx, NOW)
    first = text.splitlines()[0]
    assert first.startswith(f"🟠 guarded now except Demo 2 (strict, id 1002): {WHY}"), first
    assert f"🔴 NOT GUARDED: {WHY}" in text
    assert "🔒 account locked" not in text
    assert "NOT ENFORCED while the account is disabled" in text
    locks = lockouts_text([disabled_demo2()], ctx, NOW)
    assert "NOT ENFORCED while the account is disabled" in locks, locks
    # every account guarded: the header as before
    assert status_text([account()], supervisor(), True, ctx, NOW).startswith("🟢 guarded now ·")


def test_riskctl_lockouts_says_the_lockout_is_not_enforced(capsys):
    from types import SimpleNamespace
    from cli.commands import lockouts
    from shared.messages.risk import LockoutList
    from tests.unit.cli.test_one_account_name import Ctx
    lock = disabled_demo2().lockouts[0]
    lockouts.run(SimpleNamespace(account=""),
                 Ctx(LockoutList(lockouts=[lock], not_guarded={"1002": WHY}), LABELS))
    out = capsys.readouterr().out
    assert (f"Demo 2 (strict, id 1002): NOT ENFORCED while the account is disabled ({WHY})"
            in out), out


def test_status_names_a_configured_account_the_broker_does_not_report(capsys, monkeypatch):
    """Trial 2026-12-06: after `accounts add 1003` status never mentioned 1003."""
    out = status_output(capsys, monkeypatch, supervisor(),
                        ok(RiskStatusReply(accounts=[account()], unreported=["1003"])))
    [head] = [ln for ln in out.splitlines() if ln.startswith("trading day ")]
    assert head.endswith("so far; guarded now except 1003: the broker does not report this "
                         "account for this login"), head
    ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    text = status_text([account()], supervisor(), True, ctx, NOW, ["1003"])
    assert text.startswith("🟠 guarded now except 1003: the broker does not report"), text
    s = state(account())
    s.apply(RiskStatusReply(accounts=[account()], unreported=["1003"]))
    assert build_screen(s, NOW, CHICAGO, CALENDAR).notice == (
        "guarded now except 1003: the broker does not report this account for this login")


def test_status_names_an_id_only_account_by_the_brokers_name(capsys, monkeypatch):
    """trial17b: after `riskctl accounts add 1004` (no --name) `riskctl status` said "1004"
    though `accounts list` showed the broker's SIM-DEMO-4: the header names it as every screen
    does, display_name, else name, else the broker's name, else the id."""
    sup = attrs.evolve(supervisor(), account_labels={**LABELS, "1004": "1004"})
    added = attrs.evolve(disabled_demo2(), account_id=1004, name="SIM-DEMO-4", lockouts=[])
    out = status_output(capsys, monkeypatch, sup,
                        ok(RiskStatusReply(accounts=[account(), added])))
    [head] = [ln for ln in out.splitlines() if ln.startswith("trading day ")]
    assert head.endswith(f"so far; guarded now except SIM-DEMO-4 (id 1004): {WHY}"), head
    assert "\n1004 " not in out and " 1004 " not in out.replace("(id 1004)", ""), out
