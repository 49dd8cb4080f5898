"""Hand-computed PnL: long and short, several contracts, partial closes, fees, voids, a flip.

MNQ: tick 0.25 = 0.50, so 2.00 a point per contract. ES: tick 0.25 = 12.50, 50.00 a point.
"""
from decimal import Decimal

from services.risk.pnl import account_unrealized, position_unrealized, round_to_tick
from shared.messages.market import SIDE_SELL
from tests.unit.risk.desk import CONTRACTS, ES, MNQ, D, Desk


def unreal(desk, contract):
    return position_unrealized(desk.account, desk.engine.market, desk.account.positions[contract])


def test_long_and_short_open_pnl_by_tick_size_and_value():
    desk = Desk()
    desk.long(3, MNQ, "21000.25")
    desk.short(2, ES, "6010.50")
    desk.price(MNQ, "21012.75")          # +12.50 pts = 50 ticks * 0.50 * 3 = +75.00
    desk.price(ES, "6012.00")            # short, +1.50 pts against = 6 ticks * 12.50 * 2 = -150
    assert unreal(desk, MNQ) == D("75")
    assert unreal(desk, ES) == D("-150")
    assert account_unrealized(desk.account, desk.engine.market) == (D("-75"), True)


def test_a_position_without_a_price_is_unknown_not_zero():
    desk = Desk()
    desk.long(1, MNQ, 21000)
    assert unreal(desk, MNQ) is None
    desk.long(1, ES, 6000)
    desk.price(ES, 6001)
    assert account_unrealized(desk.account, desk.engine.market) == (D("50"), False)


def test_realized_pnl_with_partial_closes_fees_and_a_voided_trade():
    desk = Desk()
    desk.trade(pnl=None, fees="1.48", size=4)                  # buy 4: opening half-turn
    desk.trade(pnl="30.00", fees="0.74", side=SIDE_SELL, size=2)   # partial close +7.5 pts x2
    desk.trade(pnl="-12.00", fees="0.74", side=SIDE_SELL, size=2)  # the rest
    desk.trade(pnl="999", fees="5", voided=True)              # voided: nothing
    acct = desk.account
    assert acct.realized_gross == D("18.00")
    assert acct.fees == D("2.96")
    assert acct.realized() == D("15.04")
    assert acct.realized(include_fees=False) == D("18.00")
    assert acct.trades_today == 3


def test_a_trade_voided_after_the_fact_is_taken_back_out_and_duplicates_are_ignored():
    desk = Desk()
    desk.trade(pnl="-100", fees="1", trade_id=77)
    desk.trade(pnl="-100", fees="1", trade_id=77)              # the same event twice
    assert desk.account.realized() == D("-101")
    desk.trade(pnl="-100", fees="1", trade_id=77, voided=True)
    assert desk.account.realized() == 0 and desk.account.trades_today == 0


def test_a_flip_from_long_to_short():
    desk = Desk()
    desk.long(2, MNQ, "21000")
    desk.price(MNQ, "21010")
    assert unreal(desk, MNQ) == D("40")
    # sell 3 at 21010: the broker's trade closes 2 (+40) and opens 1 short at 21010
    desk.trade(pnl="40", fees="1.11", side=SIDE_SELL, size=3, price="21010")
    out = desk.short(1, MNQ, "21010")
    assert desk.account.positions[MNQ].side == -1
    desk.price(MNQ, "21000")
    assert unreal(desk, MNQ) == D("20")                      # short 1 from 21010 to 21000
    assert desk.account.realized() == D("38.89")
    assert out.dirty == {1001}


def test_prices_with_ten_decimals_stay_exact():
    desk = Desk()
    desk.long(1, ES, "6000.1234567891")
    desk.price(ES, "6000.3734567891")                        # exactly one tick
    assert unreal(desk, ES) == D("12.50")


def test_round_to_tick():
    mnq = CONTRACTS[MNQ]
    assert round_to_tick(Decimal("21000.10"), mnq, up=True) == D("21000.25")
    assert round_to_tick(Decimal("21000.10"), mnq, up=False) == D("21000.00")


def test_a_quote_at_an_unchanged_price_values_a_position_opened_since_and_the_rules_look():
    """The first quote after a position opened gives its first open PnL even when the price did
    not move (Engine._quote_moves): the rules judge it then, not at the next price move."""
    desk = Desk(daily_unrealized_loss={"limit": 100})
    desk.price(MNQ, 20900)
    desk.wait(1)
    desk.long(1, MNQ, 21000)                   # opened after that quote: it does not value it
    assert desk.decisions("daily_unrealized_loss") == []
    desk.wait(1)
    out = desk.price(MNQ, 20900)               # the same price, arriving after the open
    assert out.dirty
    assert [d.rule for d in desk.decisions("daily_unrealized_loss")] == ["daily_unrealized_loss"]
