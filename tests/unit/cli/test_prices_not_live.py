"""While market is not running (trial): watch and status showed 'MNQ long 1 20269.00 20269.75
+1.50' and 'unrealized +1.50' as if live while the broker's price had moved to an open PnL of
about -240; only 'NOT GUARDED now: market not running' hinted. Each account is marked with the
time of its positions' last quote, and the notice says prices and open PnL are not live."""
from __future__ import annotations

from decimal import Decimal

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.risk import PositionView, RiskStatusReply
from shared.messages.system import ok
from tests.unit.cli.screens import (CALENDAR, CHICAGO, NOW, WORKERS, account, state,
                                    status_output)

QUOTED = NOW - 95 * NS_PER_S                 # Wed 14:01:52 CST: market's last quote


def mnq():
    return account(unrealized="1.50", positions=[PositionView(
        contract_id="CON.F.US.MNQ.Z26", symbol="MNQ", side="long", size=1,
        average_price=Decimal("20269.00"), last=Decimal("20269.75"),
        unrealized=Decimal("1.50"), quoted_ns=QUOTED)])


def supervisor(market="stopped"):
    return SupervisorStatus(pid=1, started_ns=NOW - 600 * NS_PER_S, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state=market if n == "market"
                                                else "running") for n in WORKERS],
                            unguarded_now=["market not running"] if market != "running" else [],
                            trading_day="2026-11-25")


def test_prices_are_marked_with_market_last_quote_while_market_is_not_running():
    s = state(mnq())
    s.apply(supervisor())
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    [acct] = screen.accounts
    assert acct.unrealized == "+1.50"                 # risk's figure, as it was ...
    assert acct.not_live == ("not live (market is not running): positions, orders, trades "  # never live
                             "and PnL as of market's last message, prices as of Wed 14:01:52 "
                             "CST"), acct.not_live
    assert screen.notice == ("NOT GUARDED now: market not running; positions, orders, trades, "
                             "PnL and prices not live (market is not running): as of market's "
                             "last message")
    assert screen.notice_level == "error"
    text = plain(render(screen, 100, None, unicode=False))
    assert text.index("prices as of Wed 14:01:52 CST") < text.index("MNQ")


def test_no_quoted_position_says_what_is_not_seen_and_live_again_when_market_runs():
    s = state(account(positions=[]))
    s.apply(supervisor("crashed"))
    [acct] = build_screen(s, NOW, CHICAGO, CALENDAR).accounts
    assert acct.not_live == ("not live (market is not running): positions, orders, trades and "
                             "PnL as of market's last message; what was opened at the broker "
                             "since is not seen"), acct.not_live
    s.apply(supervisor("running"))
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.accounts[0].not_live == "" and screen.notice == ""


def test_riskctl_status_marks_the_prices(capsys, monkeypatch):
    out = status_output(capsys, monkeypatch, supervisor(), ok(RiskStatusReply(accounts=[mnq()])))
    assert "prices as of Wed 14:01:52 CST" in out and "not live (market is not running)" in out


def test_riskctl_status_says_the_positions_and_counts_are_as_of_market_s_last_message(
        capsys, monkeypatch):
    """trial24b F2: with market killed, status said only "prices and open PnL not live" over
    "MNQ long 5" and "trades 21" while the broker held long 8 after 22 trades: risk's book is
    as of market's last message (RiskStatusReply.market_heard_ns), and the screen says so with
    its time, in the notice and on the account."""
    heard = QUOTED + 3 * NS_PER_S                                   # Wed 14:01:55 CST
    out = " ".join(status_output(capsys, monkeypatch, supervisor(), ok(RiskStatusReply(
        accounts=[mnq()], market_heard_ns=heard))).split())
    assert ("positions, orders, trades, PnL and prices not live (market is not running): as of "
            "market's last message at Wed 14:01:55 CST") in out, out
    assert ("not live (market is not running): positions, orders, trades and PnL as of Wed "
            "14:01:55 CST (market's last message), prices as of Wed 14:01:52 CST") in out, out


def test_the_broker_down_marks_the_prices_as_market_down_does():
    """Trial22b finding 4: the broker stopped (`riskctl stop simbroker`), market running and
    reconnecting: status showed 'unrealized +0.50' and the position's open PnL 41 s later with
    no word that they were not live. Each account now says when its prices are from, as while
    market is not running; live again once the quote hub is connected."""
    from shared.messages.market import BrokerConnection, PositionsTable
    s = state(mnq())
    s.apply(supervisor("running"))
    down = [BrokerConnection(hub=h, state="reconnecting", reason="connection refused")
            for h in ("market", "user")]
    s.apply(PositionsTable(positions=[], connections=down))
    [acct] = build_screen(s, NOW, CHICAGO, CALENDAR).accounts
    assert acct.not_live == ("prices as of Wed 14:01:52 CST, not live (no connection to the "
                             "broker's quote feed)"), acct.not_live
    # the quiet-feed precaution is not a broker down (risk marks its held prices itself)
    quiet = BrokerConnection(hub="market", state="reconnecting", precaution=True)
    s.apply(PositionsTable(positions=[], connections=[quiet]))
    assert build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].not_live == ""
    s.apply(PositionsTable(positions=[], connections=[
        BrokerConnection(hub=h, state="connected") for h in ("market", "user")]))
    assert build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].not_live == ""
