"""Show open positions as the market worker sees them (ticker, side, size, average, open PnL)."""
from __future__ import annotations

from cli.commands._market_view import account_filter, add_account_argument, feed_line, keep
from cli.table import render_table
from shared.messages.market import PositionsRequest

NAME = "positions"
READ = True


def add_arguments(parser) -> None:
    add_account_argument(parser)


def run(args, ctx) -> int:
    account_id, name = account_filter(args)
    table = ctx.request(PositionsRequest(account_id=account_id)).body
    rows = keep(table.positions, name)
    if ctx.json:
        ctx.print_json({"positions": rows, "connections": table.connections})
        return 0
    note = feed_line(table.connections)
    if note:
        print(note)
    if not rows:
        print("no open positions")
        return 0
    print(render_table(
        ("account", "ticker", "side", "size", "avg price", "last", "open pnl", "contract"),
        [(r.account_name, r.ticker, r.side, r.size, r.average_price, r.last, r.unrealized,
          r.contract_id) for r in rows]))
    return 0
