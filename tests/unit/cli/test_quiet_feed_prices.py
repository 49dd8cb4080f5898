"""A position held while the quote feed is quiet: `riskctl positions` and `riskctl watch` agree.

Round 10's trial: the sim paused (`POST /sim/pause`), then `riskctl sim buy MNQ 1`. watch
showed the position's unrealized as "-" with "(partial: no quote yet)" while `riskctl
positions` at the same moment showed "LAST 20680.00  OPEN PNL -0.50". Risk values a position
only with a quote that arrived since it opened (the last price may be hours old); market's
view valued it with the old one, and watch said there was no quote at all. Now both say the
last price known, its age, and no open PnL: shared/pricewords.py.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

import datetime as dt

from cli.watch.model import WatchState, account_view
from services.market.state import MarketState
from services.market.views import positions_table
from services.risk.state import AccountState, MarketView, Position
from services.risk.views import unvalued_why
from shared.messages.market import ContractInfo, PositionUpdate, Quote
from shared.messages.risk import AccountStatus, PositionView
from shared.pricewords import last_cell

S = 1_000_000_000
MNQ = "CON.F.US.MNQ.Z26"
INFO = ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                    tick_value=Decimal("0.50"), symbol="MNQ")
PAUSED_AT, BOUGHT_AT, NOW = 1000 * S, 1100 * S, 1252 * S     # paused, bought 100 s later


def test_positions_shows_the_last_price_its_age_and_no_open_pnl_from_before_the_position():
    state = MarketState()
    state.apply(INFO)
    state.apply(Quote(contract_id=MNQ, ts_ns=PAUSED_AT, last=Decimal("20680.00")))
    state.arrived_ns[MNQ] = PAUSED_AT                  # the worker's loop records arrivals
    state.apply(PositionUpdate(account_id=1002, position_id=7, contract_id=MNQ,
                               ts_ns=BOUGHT_AT, type=1, size=1,
                               average_price=Decimal("20680.25")))
    (row,) = positions_table(state).positions
    assert (row.last, row.unrealized) == (Decimal("20680.00"), None)   # was -0.50
    assert row.unvalued == "no quote since it opened" and row.quoted_ns == PAUSED_AT
    assert last_cell(row.last, row.quoted_ns, NOW) == "20680.00 (4m12s old)"
    assert last_cell(row.last, row.quoted_ns, PAUSED_AT + 3 * S) == "20680.00"
    # the sim resumed: a quote since the position opened values it, on both screens
    state.apply(Quote(contract_id=MNQ, ts_ns=NOW, last=Decimal("20681.00")))
    state.arrived_ns[MNQ] = NOW
    (row,) = positions_table(state).positions
    assert (row.unrealized, row.unvalued) == (Decimal("1.50"), "")


def test_watch_says_why_the_open_pnl_is_partial_with_the_last_price_and_its_age():
    market = MarketView()
    market.apply_contract(INFO)
    market.apply_quote(Quote(contract_id=MNQ, ts_ns=PAUSED_AT, last=Decimal("20680.00")),
                       now=PAUSED_AT)
    account = AccountState(account_id=1002)
    position = Position(contract_id=MNQ, side=1, size=1, average_price=Decimal("20680.25"),
                        opened_ns=BOUGHT_AT, updated_ns=BOUGHT_AT, valued_from=BOUGHT_AT)
    assert unvalued_why(account, market, position) == "no quote since it opened"
    status = AccountStatus(
        account_id=1002, name="SIM-2", ts_ns=NOW, trading_day="2026-12-04", balance=None,
        can_trade=True, realized=Decimal(0), fees=Decimal(0), unrealized=Decimal(0),
        unrealized_complete=False, trades_today=1, open_orders=0,
        positions=[PositionView(contract_id=MNQ, symbol="MNQ", side="long", size=1,
                                average_price=Decimal("20680.25"), last=Decimal("20680.00"),
                                quoted_ns=PAUSED_AT, unvalued="no quote since it opened")])
    view = account_view(WatchState(), status, NOW, dt.timezone.utc)
    assert view.unrealized_note == (                 # was "(partial: no quote yet)"
        "(partial: MNQ: no quote since it opened (last 20680.00, 4m12s old))")
    assert (view.positions[0].last, view.positions[0].unrealized) == ("20680.00", "-")
    never = PositionView(contract_id=MNQ, symbol="MNQ", side="long", size=1,
                         average_price=Decimal("20680.25"), unvalued="no quote yet")
    fresh_market = MarketView()
    assert unvalued_why(account, fresh_market, position) == "no quote yet"
    assert account_view(WatchState(), attrs.evolve(status, positions=[never]), NOW,
                        dt.timezone.utc).unrealized_note == "(partial: MNQ: no quote yet)"


def test_the_watch_header_says_a_market_hub_reconnect_is_only_for_a_quiet_feed():
    """Round 10's trial: the header flipped to "broker market reconnecting" at every
    stale-feed reconnect, as if the feed had dropped."""
    from cli.watch.model import build_screen
    from shared.messages.market import BrokerConnection, PositionsTable
    from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
    s = state(account())
    s.apply(PositionsTable(connections=[
        BrokerConnection(hub="user", state="connected"),
        BrokerConnection(hub="market", state="reconnecting", precaution=True,
                         reason="no quote for 15 s (stale feed ...)")]))
    header = build_screen(s, NOW, CHICAGO, CALENDAR).header
    assert header.broker == "market reconnecting (quiet feed), user connected"


def test_watch_says_a_valued_positions_price_is_old_as_positions_does():
    """Second trial 2026-12-06: with the quotes silent, `riskctl positions` said "LAST 20858.25
    (2m50s old)" while watch and status showed the same last price with no age, and "guarded
    now": the open PnL on screen was as of a price minutes old. The position row now says
    "price 2m50s old" (put back: no such words, fails); a fresh price says nothing."""
    from cli.watch.model import build_screen
    from cli.watch.view import plain, render
    from shared.messages.risk import PositionView
    from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
    old = PositionView(contract_id="CON.F.US.MNQ.Z26", symbol="MNQ", side="long", size=1,
                       average_price=Decimal("20860.00"), last=Decimal("20858.25"),
                       unrealized=Decimal("-3.50"), quoted_ns=NOW - 170 * 10**9)
    text = plain(render(build_screen(state(account(positions=[old])), NOW, CHICAGO, CALENDAR),
                        120))
    [row] = [ln for ln in text.splitlines() if ln.startswith("MNQ")]
    assert row.rstrip().endswith("-3.50 price 2m50s old"), row
    fresh = attrs.evolve(old, quoted_ns=NOW - 2 * 10**9)
    text = plain(render(build_screen(state(account(positions=[fresh])), NOW, CHICAGO, CALENDAR),
                        120))
    [row] = [ln for ln in text.splitlines() if ln.startswith("MNQ")]
    assert "old" not in row, row
