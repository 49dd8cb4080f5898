"""Show working orders as the market worker sees them (suspended bracket children included)."""
from __future__ import annotations

from cli.commands._market_view import account_filter, add_account_argument, feed_line, keep
from cli.table import render_table
from shared.messages.market import OrdersRequest

NAME = "orders"
READ = True


def add_arguments(parser) -> None:
    add_account_argument(parser)


def run(args, ctx) -> int:
    account_id, name = account_filter(args)
    table = ctx.request(OrdersRequest(account_id=account_id)).body
    rows = keep(table.orders, name)
    if ctx.json:
        ctx.print_json({"orders": rows, "connections": table.connections})
        return 0
    note = feed_line(table.connections)
    if note:
        print(note)
    if not rows:
        print("no working orders")
        return 0
    print(render_table(
        ("account", "order", "ticker", "side", "type", "status", "size", "limit", "stop",
         "filled", "tag"),
        [(r.account_name, r.order_id, r.ticker, r.side, r.type, r.status, r.size, r.limit_price,
          r.stop_price, r.fill_volume, r.custom_tag) for r in rows]))
    return 0
