"""Show open positions as the market worker sees them (ticker, side, size, average, open PnL).

Prices as every screen shows them (docs/operations.md, Prices on screens). A last price
older than 15 s says its age; a position with no quote since it opened has no open PnL, as
risk (and so `riskctl watch`) values it."""
from __future__ import annotations

import time

from cli.commands._market_view import add_account_argument, show
from shared import pricewords
from shared.messages.market import PositionsRequest
from shared.showprice import fmt_price

NAME = "positions"
READ = True


def add_arguments(parser) -> None:
    add_account_argument(parser)


def run(args, ctx) -> int:
    now = time.time_ns()
    return show(args, ctx, PositionsRequest, "positions", "no open positions",
                ("account", "ticker", "side", "size", "avg price", "last", "open pnl",
                 "contract"),
                lambda r, account: (account, r.ticker, r.side, r.size,
                           fmt_price(r.average_price, like=(r.last,)),
                           pricewords.last_cell(r.last, r.quoted_ns, now),
                           r.unrealized if r.unrealized is not None
                           else f"- ({r.unvalued})" if r.unvalued else None, r.contract_id))
