"""Show open positions as the market worker sees them (ticker, side, size, average, open PnL).

Prices as every screen shows them (docs/operations.md, Prices on screens)."""
from __future__ import annotations

from cli.commands._market_view import add_account_argument, show
from shared.messages.market import PositionsRequest
from shared.showprice import fmt_price

NAME = "positions"
READ = True


def add_arguments(parser) -> None:
    add_account_argument(parser)


def run(args, ctx) -> int:
    return show(args, ctx, PositionsRequest, "positions", "no open positions",
                ("account", "ticker", "side", "size", "avg price", "last", "open pnl",
                 "contract"),
                lambda r, account: (account, r.ticker, r.side, r.size,
                           fmt_price(r.average_price, like=(r.last,)), fmt_price(r.last),
                           r.unrealized, r.contract_id))
