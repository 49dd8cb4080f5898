"""A held price risk found stale (no quote for the stale-feed wait during trading hours:
shared/quietprice.py) never reads "guarded now": `riskctl status`, the watch screen and the
phone's /status say which price, how old, and that the price rules run on it.

Fresh-user trial 2026-12-06: the sim's quotes silenced, a position held; `riskctl status` said
"guarded now" while the price rules judged a price minutes old.
"""
from __future__ import annotations

from decimal import Decimal

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.notify.bot.answers import status_text
from services.notify.templates import Context
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.risk import PositionView, RiskStatusReply
from shared.messages.system import ok
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, state, \
    status_output

LINE = "MNQ: no price for 1m42s; open PnL as of 20660.00; price rules run on that price"


def held(stale: bool, account_id: int = 1001):
    """Demo 1 long MNQ; stale: its last quote 1m42s ago began a silence risk found."""
    return account(account_id=account_id, positions=[PositionView(
        contract_id="CON.F.US.MNQ.Z26", symbol="MNQ", side="long", size=1,
        average_price=Decimal("20670.00"), last=Decimal("20660.00"),
        unrealized=Decimal("-5.00"), quoted_ns=NOW - 102 * NS_PER_S,
        price_stale_since=NOW - 102 * NS_PER_S if stale else None)])


def supervisor():
    return SupervisorStatus(pid=1, started_ns=NOW - 60 * NS_PER_S, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state="running") for n in WORKERS],
                            account_labels={"1001": "Demo 1", "1002": "Demo 2"})


def test_riskctl_status_says_prices_not_live_not_guarded_now(capsys, monkeypatch):
    out = status_output(capsys, monkeypatch, supervisor(),
                        ok(RiskStatusReply(accounts=[held(True), held(True, 1002)])))
    [head] = [ln for ln in out.splitlines() if ln.startswith("trading day ")]
    assert head.endswith(f"so far; prices NOT live (fills guarded): {LINE}"), head
    assert "guarded now" not in out, out
    # fresh prices: as before
    out = status_output(capsys, monkeypatch, supervisor(),
                        ok(RiskStatusReply(accounts=[held(False)])))
    [head] = [ln for ln in out.splitlines() if ln.startswith("trading day ")]
    assert head.endswith("so far; guarded now"), head


def test_watch_says_it_in_its_notice():
    s = state(held(True))
    s.apply(supervisor())
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.notice == f"prices NOT live (fills guarded): {LINE}", screen.notice
    assert screen.notice_level == "warning"
    assert LINE in plain(render(screen, 200))
    fresh = state(held(False))
    fresh.apply(supervisor())
    assert build_screen(fresh, NOW, CHICAGO, CALENDAR).notice == ""


def test_the_phone_s_status_says_it_too():
    ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    first = status_text([held(True)], supervisor(), True, ctx, NOW).splitlines()[0]
    assert first.startswith(f"🟠 prices NOT live (fills guarded): {LINE} ·"), first
    assert status_text([held(False)], supervisor(), True, ctx, NOW).startswith("🟢 guarded now")
