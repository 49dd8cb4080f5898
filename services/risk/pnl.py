"""PnL arithmetic in exact Decimal: unrealized per position and per account, profit in ticks.

unrealized = (price - average price) / tick size x tick value x size, signed by side, with the
tick size and value from the broker's contract data (never from a table of ours). A position
without a price or contract data has no unrealized figure (None), never a silent 0.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Optional

from shared.messages.market import ContractInfo
from shared.rulenumbers import money_text

ZERO = Decimal(0)
CENT = Decimal("0.01")


def unrealized(side: int, size: int, average_price: Decimal, price: Optional[Decimal],
               contract: Optional[ContractInfo]) -> Optional[Decimal]:
    """Open PnL of `size` contracts held on `side` (+1 long, -1 short)."""
    if price is None or contract is None or size == 0:
        return None if size else ZERO
    ticks = (price - average_price) / contract.tick_size
    # to the cent: the broker's average price of several fills is a float's repr
    # ("21052.916666666668"), and open PnL from it came out as -917.5000000000080, history
    # --json as "-609.21000000000000032" (trial23a finding 7); a short at its own price is
    # 0.00, never -0 ("-0.00" on the screens)
    value = (ticks * contract.tick_value * size * side).quantize(CENT)
    return value if value else ZERO


def profit_ticks(side: int, average_price: Decimal, price: Decimal,
                 contract: ContractInfo) -> Decimal:
    """How many ticks the position is in profit (negative when losing)."""
    return (price - average_price) / contract.tick_size * side


def round_to_tick(price: Decimal, contract: ContractInfo, up: bool) -> Decimal:
    """Snap a price onto the contract's tick grid, up or down."""
    ticks = (price / contract.tick_size).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR)
    return ticks * contract.tick_size


def fmt_money(value: Optional[Decimal]) -> str:
    """Money for humans as every screen and alert reads it (shared/rulenumbers.py money_text):
    2 decimals, thousands grouped, sign kept ('-210.00', '48,060.29'); '?' when unknown.
    ('equity 48060.29' beside an alert's '48,060.29' read as two numbers, trial 2026-12-05.)"""
    if value is None:
        return "?"
    return money_text(value)


def fee_note(fees: Decimal, included: bool = True, its: bool = False) -> str:
    """What a loss figure in a reason says about fees, so one loss quoted three ways (open
    -400.00 before fees, closing fill lost 400.37, realized -400.74) reads as one: ' incl. fees
    0.74'; ' incl. its fees 0.37' for one fill's own fees (`its`: the entry's are not in it);
    ' (fees 0.74 not counted)' when the rule leaves them out (include_fees = false);
    '' when there were none."""
    if not fees:
        return ""
    shown = fmt_money(fees)
    if not included:
        return f" (fees {shown} not counted)"
    return f" incl. its fees {shown}" if its else f" incl. fees {shown}"


def position_unrealized(account, market, position) -> Optional[Decimal]:
    """Open PnL of one position of an AccountState at the MarketView's latest price that arrived
    since it opened (MarketView.price_of), for the size still open as the fills see it (a close
    whose Position lags is realized already). Contracts riskd's done close or reduce still
    expects fills for are not open either (AccountState.live_size): the broker closed them,
    their PnL is realized at about the price when "done" came (net_open_pnl counts it until
    the fills do), and a later price is not theirs."""
    return unrealized(position.side, account.live_size(position), position.average_price,
                      market.price_of(position), market.contracts.get(position.contract_id))


def account_unrealized(account, market) -> tuple[Decimal, bool]:
    """(sum of the positions' open PnL, complete?) -- incomplete when a price or contract is
    missing; the known part is still summed so a loss elsewhere is not hidden."""
    total, complete = ZERO, True
    for p in account.positions.values():     # a loop, not _summed(generator): every quote
        u = position_unrealized(account, market, p)
        if u is None:
            complete = False
        else:
            total += u
    return total, complete


def net_open_pnl(account, market, open_part: Optional[tuple[Decimal, bool]] = None
                 ) -> tuple[Decimal, bool]:
    """Open PnL for figures read with realized PnL (net loss, equity): the open positions plus
    contracts the broker closed before their fill arrived and those riskd's done closes still
    expect fills for (that PnL is not realized yet: valued at the price when "done" came), so
    realized + this counts every fill exactly once in any event order. open_part: the
    positions' account_unrealized when the caller has it already (rules.base.Ctx)."""
    total, complete = open_part if open_part is not None else account_unrealized(account, market)
    if not account.ahead and not (account.riskd.expected
                                  and account.riskd.any_done_unfilled()):
        return total, complete              # nothing closed whose fills are still to come
    more, known = _summed(not_yet_realized(account, market))
    return total + more, complete and known


def not_yet_realized(account, market):
    """The open PnL (None: unknown) of contracts closed whose fills have not come: riskd's
    done closes (at the price when "done" came), then what the broker's Position shows closed
    (riskd's done exits' price first, the latest price for the rest)."""
    if account.riskd.expected and account.riskd.any_done_unfilled():
        for p in account.positions.values():
            contract = market.contracts.get(p.contract_id)
            for n, done_price in account.done_parts(p):
                yield unrealized(p.side, n, p.average_price, done_price, contract)
    for cid, side, size, avg in account.closed_parts():
        contract = market.contracts.get(cid)
        if contract is not None:
            for n, done_price in account.closed_done_parts(cid, side, size):
                yield unrealized(side, n, avg, done_price, contract)
                size -= n
        yield unrealized(side, size, avg, market.price(cid), contract)


def _summed(values) -> tuple[Decimal, bool]:
    """(sum of the known values, were all known?)"""
    total, complete = ZERO, True
    for u in values:
        if u is None:
            complete = False
        else:
            total += u
    return total, complete
