"""Prices on screens (screens round 2, finding 4): an average price showed as 20998.03125.
One formatter, shared/showprice.py, for watch, status, positions and orders."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from cli.commands import orders, positions
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.messages.market import OrderRow, OrdersTable, PositionRow, PositionsTable
from shared.messages.risk import PositionView
from shared.showprice import fmt_price
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state

AVERAGE = Decimal("20998.03125")      # eight MNQ fills: not a price that ever traded
LAST = Decimal("20998.25")


class Ctx:
    json = False
    config_path = "no-such-riskd.toml"

    def __init__(self, body):
        self.body = body

    def request(self, _msg, **_kw):
        return SimpleNamespace(body=self.body)

    def call(self, _msg, **_kw):              # the accounts' names: riskd cannot say here
        return SimpleNamespace(ok=False, body=None)


def test_the_watch_and_status_screen_round_an_average_to_its_contracts_decimals():
    s = state(account(positions=[PositionView(
        contract_id="CON.F.US.MNQ.Z26", symbol="MNQ", side="long", size=8,
        average_price=AVERAGE, last=LAST, unrealized=Decimal("17.50"))]))
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    [line] = screen.accounts[0].positions
    assert (line.average, line.last) == ("20998.03", "20998.25")
    text = plain(render(screen, 120, None, unicode=False))
    assert "20998.03125" not in text and "20998.03" in text


def test_positions_and_orders_show_prices_as_the_screen_does(capsys):
    row = PositionRow(account_id=1001, account_name="Demo 1", contract_id="CON.F.US.MNQ.Z26",
                      ticker="MNQ", side="long", size=8, average_price=AVERAGE, last=LAST,
                      unrealized=Decimal("17.50"))
    positions.run(SimpleNamespace(account=None), Ctx(PositionsTable(positions=[row])))
    out = capsys.readouterr().out
    assert "20998.03125" not in out and "20998.03 " in out and "20998.25" in out, out
    order = OrderRow(account_id=1001, account_name="Demo 1", order_id=7,
                     contract_id="CON.F.US.MNQ.Z26", ticker="MNQ", side="sell", type="stop",
                     status="open", size=8, stop_price=Decimal("20990.5"))
    orders.run(SimpleNamespace(account=None), Ctx(OrdersTable(orders=[order])))
    out = capsys.readouterr().out
    assert "20990.50" in out, out


def test_a_traded_price_keeps_every_digit_and_an_average_follows_its_contract():
    assert fmt_price(Decimal("1.08345")) == "1.08345"            # 6E: a tick of 0.00005
    assert fmt_price(Decimal("20968")) == "20968.00"
    assert fmt_price(Decimal("1.0834125"), like=(Decimal("1.08345"),)) == "1.08341"
    assert fmt_price(AVERAGE, like=(None,)) == "20998.03"          # no last yet: two
    assert fmt_price(None) == "-"
