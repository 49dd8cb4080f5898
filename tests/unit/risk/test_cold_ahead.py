"""services/risk/coldahead.py on its own: which stream a starting point's Position is ahead
of or behind, read from the broker's times, and when the fills cannot say (the Position then
stays the truth, as before). The engine-level story (a restarted risk reading market's
snapshot one stream ahead): tests/unit/risk/test_locked_reentry_beside_a_close_in_flight.py."""
from __future__ import annotations

from decimal import Decimal

from services.risk.coldahead import ahead_of
from shared.messages.market import SIDE_BUY, SIDE_SELL, Fill
from shared.openedafter import SAME_FILL_NS

NS = 1_000_000_000
DAY = 1_000 * NS            # the trading day's start
T = DAY + 3_600 * NS        # the position's opening (its creationTimestamp)
NOW = T + 60 * NS
PRICE = Decimal(21000)


def _fill(tid: int, at: int, side: int, size: int = 1, by_riskd: bool = False) -> Fill:
    return Fill(account_id=1, trade_id=tid, contract_id="MNQ", ts_ns=at, price=PRICE,
                pnl=None if side == SIDE_BUY else Decimal(0), fees=Decimal(0), side=side,
                size=size, by_riskd=by_riskd)


def test_the_trades_ahead_are_kept_after_the_position():
    """Long 1 opened at T, then a sell (riskd's close) the Position has not shown: agreed at
    long 1, the sell ahead of it (the fills' position flat)."""
    p = ahead_of(1, PRICE, T, [_fill(1, T, SIDE_BUY), _fill(2, T + NS, SIDE_SELL,
                                                             by_riskd=True)], DAY, NOW)
    assert (p.agree, p.fills, p.exits, p.position_lead(1)) == (1, -1, 1, 0)


def test_a_position_ahead_of_its_opening_fill_shows_its_growth():
    """Long 2 opened at T, no fill since (the earlier ones closed a position before): agreed
    at flat, its 2 shown and no fill explaining them yet."""
    earlier = [_fill(1, T - 2 * SAME_FILL_NS, SIDE_BUY), _fill(2, T - SAME_FILL_NS - 1,
                                                              SIDE_SELL)]
    p = ahead_of(2, PRICE, T, earlier, DAY, NOW)
    assert (p.agree, p.fills, p.position_lead(2)) == (0, 0, 2)


def test_agreed_or_not_known_is_left_to_the_position():
    buy, sell = _fill(1, T, SIDE_BUY, 2), _fill(2, T + NS, SIDE_SELL)
    assert ahead_of(1, PRICE, T, [buy, sell], DAY, NOW) is None        # they agree
    # opened before the trading day: today's fills cannot say what it held
    assert ahead_of(1, PRICE, DAY - NS, [], DAY, NOW) is None
    # its opening fill far from its creation (a stamp that is not the opening's): no reading
    assert ahead_of(1, PRICE, T, [_fill(1, T + 2 * SAME_FILL_NS, SIDE_BUY),
                                  _fill(2, T + NS, SIDE_SELL)], DAY, NOW) is None
    # the fills flip it before they reach its size: not this position's
    assert ahead_of(1, PRICE, T, [_fill(1, T, SIDE_BUY, 2), _fill(2, T + NS, SIDE_SELL, 3)],
                    DAY, NOW) is None


def test_a_broker_read_after_the_fills_holds_them():
    """market read the broker after the sell was made: its Position (long 1) is the
    broker's word, whatever the fills say (a disagreement past the window)."""
    fills = [_fill(1, T, SIDE_BUY), _fill(2, T + NS, SIDE_SELL)]
    assert ahead_of(1, PRICE, T, fills, DAY, NOW, read_ns=T + 3 * NS) is None
    assert ahead_of(1, PRICE, T, fills, DAY, NOW, read_ns=T + NS // 2) is not None
