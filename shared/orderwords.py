"""An order in words, as a trader names it: 'sell stop MNQ 2 @ 20880.00'.

Side, type, ticker, size and its price (the stop for a stop order, the limit for a limit, both
for a stop-limit), each as the screens show them (shared/showprice.py, shared/symbols.py).
Trial 2026-12-06: a lockout's cancel was answered "✅ Done ... order 9000040 on account Demo 1:
cancel order 9000040", which said neither what the order was nor plainly that it was cancelled.
"""
from __future__ import annotations

from shared.messages.market import (ORDER_LIMIT, ORDER_MARKET, ORDER_STOP, ORDER_STOP_LIMIT,
                                    ORDER_TRAILING_STOP, SIDE_BUY)
from shared.showprice import fmt_price
from shared.symbols import UnknownSymbol, ticker_of

TYPE_WORDS = {ORDER_LIMIT: "limit", ORDER_MARKET: "market", ORDER_STOP_LIMIT: "stop-limit",
              ORDER_STOP: "stop", ORDER_TRAILING_STOP: "trailing stop"}


def order_words(order) -> str:
    """'sell stop MNQ 2 @ 20880.00', 'buy limit ES 1 @ 5000.25', 'buy stop-limit MNQ 1 @
    20900.00 stop, 20901.00 limit', 'sell market MNQ 1' (order: an OrderUpdate)."""
    side = "buy" if order.side == SIDE_BUY else "sell"
    kind = TYPE_WORDS.get(order.type, "order")
    try:
        ticker = ticker_of(order.contract_id)
    except UnknownSymbol:
        ticker = order.contract_id
    stop, limit = order.stop_price, order.limit_price
    if stop is not None and limit is not None:
        price = f" @ {fmt_price(stop)} stop, {fmt_price(limit)} limit"
    elif stop is not None or limit is not None:
        price = f" @ {fmt_price(stop if stop is not None else limit)}"
    else:
        price = ""
    return f"{side} {kind} {ticker} {order.size}{price}"
