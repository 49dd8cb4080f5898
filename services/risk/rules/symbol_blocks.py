"""11. symbol_blocks: a blocked symbol is locked (a symbol lockout, listed in status, history
and on the screen, for as long as it is listed): its orders are cancelled, its positions
closed. The engine runs it again on a config reload, so a newly listed symbol acts at once.
The orders it cancels are the trader's, not a market order (rules/base.py judged_orders):
riskd's own close is not cancelled, and a market order's position is closed instead."""
from __future__ import annotations

from services.risk.lockouts import SYMBOL_BLOCKS
from services.risk.rules.base import (ORDER, POSITION, Rule, closed_with_orders, judged_orders,
                                      symbol_matches)
from services.risk.state import symbol_of
from shared.messages.risk import (ACTION_NONE, CANCEL_ORDERS, CLOSE_POSITION, ENFORCE, MANUAL,
                                  LockSpec)
from shared.symbols import is_contract_id, root_for_ticker


def blocked(params, contract_id: str) -> bool:
    return any(symbol_matches(s, contract_id) for s in params.symbols)


def ticker_of_entry(entry: str) -> str:
    """The ticker a configured entry names (ES for 'ES', 'EP', 'F.US.EP' or a contract id)."""
    text = entry.strip().upper()
    if not text:
        return ""
    if is_contract_id(text):
        return symbol_of(text)
    root = text.split(".")[2] if text.count(".") == 2 else root_for_ticker(text)
    return symbol_of(f"CON.F.US.{root}.Z00")


def lock_of(contract_id: str) -> LockSpec:
    return LockSpec(kind=MANUAL, symbol=symbol_of(contract_id), clears_on=SYMBOL_BLOCKS)


class SymbolBlocks(Rule):
    name = "symbol_blocks"
    listens = frozenset({POSITION, ORDER})
    description = "orders and positions in blocked symbols: cancel / close them (symbol lockout)"
    warns = False

    def blocks(self, params, symbol: str) -> bool:
        """Is this ticker (a symbol lockout's scope) still on the list?"""
        stand_in = f"CON.F.US.{root_for_ticker(symbol)}.Z00"     # any contract of the ticker
        for entry in params.symbols:
            text = entry.strip().upper()
            if symbol_of(text) == symbol.upper() if is_contract_id(text) \
                    else symbol_matches(text, stand_in):
                return True
        return False

    def listed(self, ctx, params, now) -> list:
        """A lockout for every listed symbol, traded or not (enforce mode): what the status,
        the history and the screen show as blocked."""
        if params.mode != ENFORCE:
            return []
        out = []
        for entry in params.symbols:
            ticker = ticker_of_entry(entry)
            if ticker:
                out.append(self.decide(ctx, params, now, ACTION_NONE,
                                       f"{ticker} is a blocked symbol",
                                       lock=LockSpec(kind=MANUAL, symbol=ticker,
                                                     clears_on=SYMBOL_BLOCKS)))
        return out

    def evaluate(self, ctx, event, now, params):
        if not params.symbols:
            return []
        acct = ctx.account
        out = [self.decide(ctx, params, now, CLOSE_POSITION,
                           f"{p.symbol} is a blocked symbol", contract_id=p.contract_id,
                           lock=lock_of(p.contract_id))
               for p in acct.positions.values()
               if blocked(params, p.contract_id) and acct.live_size(p) > 0]
        closed = closed_with_orders(acct, (d.contract_id for d in out), now)
        out += [self.decide(ctx, params, now, CANCEL_ORDERS,
                            f"order {o.order_id} in blocked symbol {symbol_of(o.contract_id)}",
                            contract_id=o.contract_id, order_id=o.order_id,
                            lock=lock_of(o.contract_id))
                for o in judged_orders(acct)
                if blocked(params, o.contract_id) and o.contract_id not in closed]
        return out
