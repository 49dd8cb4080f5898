"""Show working orders as the market worker sees them (suspended bracket children included)."""
from __future__ import annotations

from cli.commands._market_view import add_account_argument, show
from shared.messages.market import OrdersRequest
from shared.showprice import fmt_price

NAME = "orders"
READ = True


def add_arguments(parser) -> None:
    add_account_argument(parser)


def run(args, ctx) -> int:
    return show(args, ctx, OrdersRequest, "orders", "no working orders",
                ("account", "order", "ticker", "side", "type", "status", "size", "limit", "stop",
                 "filled", "tag"),
                lambda r, account: (account, r.order_id, r.ticker, r.side, r.type, r.status, r.size,
                           fmt_price(r.limit_price), fmt_price(r.stop_price), r.fill_volume,
                           r.custom_tag))
