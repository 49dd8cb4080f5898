"""`riskctl status` and `watch` name the account a symbol's lockout is on (fresh-user trial 17g
section 6: "CL LOCKED while CL is listed in symbol_blocks ..." stood above the account's header
line without the account's name: with several accounts printed, whose CL was locked could be
read only from where the line stood). The banner now reads "CL LOCKED on Demo 1 (id 1001)",
named as every screen names an account (shared/accountname.py called)."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.risk import RiskStatusReply
from shared.messages.system import ok
from tests.unit.cli.screens import (CALENDAR, CHICAGO, NOW, WORKERS, account, lockout, state,
                                    status_output)

CL = attrs.evolve(lockout(kind="manual", rule_name="symbol_blocks", symbol="CL",
                          reason="CL is a blocked symbol"), clears_on="symbol_blocks")


def accounts():
    return [account(lockouts=[CL]), account(account_id=1002, name="SIM-DEMO-2")]


def test_the_watch_banner_of_a_symbols_lockout_names_its_account():
    screen = build_screen(state(*accounts()), NOW, CHICAGO, CALENDAR)
    [banner] = screen.accounts[0].banners
    assert (banner.kind, banner.on) == ("CL LOCKED", "SIM-DEMO-1 (id 1001)"), banner
    assert banner.countdown == ("while CL is listed in symbol_blocks (an admin's unlock does "
                                "not free it: CL's next trade is closed and CL locked again)"
                                ), banner
    text = plain(render(screen, 120, None, unicode=False))
    assert " CL LOCKED on SIM-DEMO-1 (id 1001)  while CL is listed" in text, text


def test_riskctl_status_prints_the_account_with_the_symbols_lockout(capsys, monkeypatch):
    sup = SupervisorStatus(pid=1, started_ns=NOW, config_path="riskd.toml",
                           workers=[WorkerInfo(name=n, state="running") for n in WORKERS],
                           trading_day="2026-11-25")
    out = status_output(capsys, monkeypatch, sup, ok(RiskStatusReply(accounts=accounts())))
    [line] = [ln for ln in out.splitlines() if "CL LOCKED" in ln]
    assert line.lstrip().startswith("CL LOCKED on SIM-DEMO-1 (id 1001)  while CL is listed"), out
