"""The Telegram bot marks risk's figures not live while market is not running, with the words
`riskctl status` uses (shared/notlive.py). Trial 2026-12-05: /positions with market stopped
answered "Demo 1 (id 1001): flat" from risk's last figures as if live."""
from __future__ import annotations

import attrs
import pytest

from cli.watch.model import build_screen
from services.notify.bot.riskd import Unavailable
from services.notify.templates import Context
from shared.clock import FakeClock
from shared.messages.control import StatusRequest
from shared.messages.risk import RiskStatusReply, RiskStatusRequest
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.cli.test_prices_not_live import mnq, supervisor
from tests.unit.notify.test_commands import S, STATUS_FROM_111, chat_poller

pytestmark = pytest.mark.timeout(30)


class Riskd:
    """riskd's answers: the supervisor's status (market as given) and risk's last figures."""

    def __init__(self, market: str, accounts):
        self.market, self.accounts = market, accounts

    def ask(self, request):
        if isinstance(request, StatusRequest):
            return supervisor(self.market)
        if isinstance(request, RiskStatusRequest):
            return RiskStatusReply(accounts=self.accounts)
        raise Unavailable(f"not asked in this test: {type(request).__name__}")


def answer(tmp_path, text: str, market: str, accounts) -> str:
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = Riskd(market, accounts)
    poller.ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    poller.clock = FakeClock(NOW)
    poller.handle({"update_id": 7, "message": dict(STATUS_FROM_111, date=NOW // S, text=text)})
    return outbox.next_reply("telegram").text


def status_mark(acct) -> str:
    """What `riskctl status` (its screen model) marks this account with, market stopped."""
    s = state(acct)
    s.apply(supervisor("stopped"))
    [shown] = build_screen(s, NOW, CHICAGO, CALENDAR).accounts
    assert shown.not_live
    return shown.not_live


@pytest.mark.parametrize("acct", [account(positions=[]), mnq()], ids=["flat", "long MNQ"])
@pytest.mark.parametrize("command", ["/positions", "/status"])
def test_the_bot_marks_figures_not_live_as_riskctl_status_does(tmp_path, acct, command):
    text = answer(tmp_path, command, "stopped", [acct])
    assert f"⚠️ {status_mark(acct)}" in text, text
    lines = text.splitlines()
    title = next(i for i, x in enumerate(lines) if "Demo 1 (id 1001)" in x)
    assert "not live (market is not running)" in lines[title + 1 + (command == "/status")]


def test_the_flat_answer_of_the_trial(tmp_path):
    text = answer(tmp_path, "/positions", "stopped", [account(positions=[])])
    assert text == ("📈 Demo 1 (id 1001): flat\n  ⚠️ not live (market is not running): "
                    "positions, orders, trades and PnL as of market's last message; what was "
                    "opened at the broker since is not seen")


def test_no_mark_while_market_runs(tmp_path):
    for command in ("/positions", "/status"):
        assert "not live" not in answer(tmp_path, command, "running", [mnq()])


@pytest.mark.parametrize("command", ["/positions", "/status"])
def test_the_bot_marks_figures_not_live_while_the_quote_feed_is_down(tmp_path, command):
    """small22b: market running, its connection to the broker's quote feed down (the broker
    down or unreachable): `riskctl status` said "prices as of ..., not live (no connection to
    the broker's quote feed)", the bot's /status and /positions showed the last prices as
    live. One test for both now (shared/notlive.why_not_live); fails before."""
    from shared.messages.market import BrokerConnection
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = Riskd("running", [mnq()])
    poller.ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    poller.clock = FakeClock(NOW)
    down = [BrokerConnection(hub="market", state="reconnecting", reason="connection refused")]
    poller.connections = lambda: down
    poller.handle({"update_id": 7, "message": dict(STATUS_FROM_111, date=NOW // S,
                                                   text=command)})
    text = outbox.next_reply("telegram").text
    s = state(mnq())
    s.apply(supervisor("running"))
    for c in down:
        s.apply(c)
    [shown] = build_screen(s, NOW, CHICAGO, CALENDAR).accounts
    assert "not live (no connection to the broker's quote feed)" in shown.not_live
    assert f"⚠️ {shown.not_live}" in text, text


class HeardRiskd(Riskd):
    """risk last heard from market 7 s before NOW."""

    def ask(self, request):
        reply = super().ask(request)
        if isinstance(request, RiskStatusRequest):
            return attrs.evolve(reply, market_heard_ns=NOW - 7 * S)
        return reply


@pytest.mark.parametrize("acct", [account(positions=[]), mnq()], ids=["flat", "long MNQ"])
def test_positions_say_when_market_last_spoke_as_status_does(tmp_path, acct):
    """summary24: with market stopped /status said "as of <time> (market's last message)",
    /positions the same words with no time (risk's market_heard_ns was not passed). Fails
    before: /positions had "as of market's last message"."""
    said = {}
    for command in ("/positions", "/status"):
        poller, outbox = chat_poller(tmp_path / command[1:])
        poller.riskd = HeardRiskd("stopped", [acct])
        poller.ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
        poller.clock = FakeClock(NOW)
        poller.handle({"update_id": 7, "message": dict(STATUS_FROM_111, date=NOW // S,
                                                       text=command)})
        said[command] = outbox.next_reply("telegram").text
    mark = next(x for x in said["/status"].splitlines() if "(market's last message)" in x)
    assert mark.strip() in said["/positions"], said
