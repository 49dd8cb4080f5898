"""9. session_block_outside: orders and positions outside the symbol's session are cancelled /
closed and the symbol is locked until its next session; at session end, positions open then
are flattened and the account locked until the next session (RULES.md rule 9: one breach for
the end, not one per contract; per contract only with `sessions` of their own).

Sessions come from the rule's `sessions` (per symbol) or `default`; holidays are the rule's
`holidays_file` (read by the worker, handed in through the context) or else the trading
calendar's.

The orders judged are the trader's (rules/base.py judged_orders): riskd's own close is never
cancelled nor blamed on the trader, at its first event or in the clock's sweep (trial
2026-12-05: lockout enforcement's close of a buy made outside the session, order 9000210, was
"cancelled" and alerted as the trader's breach), and a market order is not cancelled: it
fills at once, and the position it opens is closed, so one buy outside the session is one
action, in whatever order the broker's events come.
"""
from __future__ import annotations

from services.risk.rules.base import (CLOCK, ORDER, POSITION, Rule, closed_with_orders,
                                      judged_orders, lookup_symbol)
from services.risk.state import symbol_of
from shared import showtime
from shared.messages.risk import (CANCEL_ORDERS, CLOSE_POSITION, FLATTEN, UNTIL_SESSION,
                                  LockSpec)
from shared.tradingday import SessionWindow

_cache: dict[tuple, SessionWindow] = {}


def window_for(params, contract_id: str, holidays) -> SessionWindow:
    return window_of(lookup_symbol(params.sessions, contract_id) or params.default, holidays)


def window_of(session, holidays) -> SessionWindow:
    """A configured session as a window (cached: the clock's sweep reads it each step)."""
    key = (session.start, session.end, session.timezone, tuple(session.days), holidays)
    win = _cache.get(key)
    if win is None:
        if len(_cache) > 256:
            _cache.clear()
        win = _cache[key] = SessionWindow.make(session.start, session.end, session.timezone,
                                               session.days, holidays)
    return win


class SessionBlockOutside(Rule):
    name = "session_block_outside"
    listens = frozenset({POSITION, ORDER, CLOCK})
    description = "orders/positions outside the trading session: cancel/close, lock the symbol"
    warns = False

    def state_words(self, ctx, now, params, zone) -> str:
        """Where the default session stands, as the rule enforces it: 'session ends Mon 15:00
        CST: open positions are closed then', or 'outside the session until Tue 05:00 CST:
        any new position is closed, any new order cancelled' (fresh-user trial 21b: after the
        session's end only the symbols it had touched showed as locked, MNQ and ES, while a
        MES bought then was closed too). Symbols with sessions of their own are named."""
        holidays = ctx.holiday_files.get(params.holidays_file) if params.holidays_file else None
        if holidays is None:
            holidays = ctx.calendar.holidays
        win = window_of(params.default, holidays)
        own = f" (own sessions: {', '.join(sorted(params.sessions))})" if params.sessions else ""
        if not win.is_inside(now):
            return (f"outside the session{own} until {showtime.at(win.next_start(now), zone, now)}"
                    f": any new position is closed, any new order cancelled")
        then = "open positions are closed then, and any new position after it" \
            if params.close_at_session_end else "any new position after it is closed"
        return f"session{own} ends {showtime.at(win.next_end(now), zone, now)}: {then}"

    def session_end(self, ctx, params, now, holidays):
        """One breach for the session's end with positions open: flatten (RULES.md rule 9: "the
        session ends with positions open | flatten at session end"), the account locked until
        the next session, when every symbol trades in the one default session (with
        `sessions` of their own, a flatten would close a symbol inside its own session: each
        contract is closed on its own then). None when nothing is held outside it."""
        win = window_of(params.default, holidays)
        if win.is_inside(now):
            return None
        ended = win.last_end(now)
        # open when the session ended (a position opened after it is one trade outside the
        # session: closed on its own, its symbol locked, in whatever order its events come)
        held = sorted({p.symbol for p in ctx.account.positions.values()
                       if p.size and ended is not None and p.opened_ns < ended})
        if not held:
            return None
        return self.decide(ctx, params, now, FLATTEN,
                           f"the session ended with {', '.join(held)} open",
                           lock=LockSpec(kind=UNTIL_SESSION, until_ns=win.next_start(now)))

    def evaluate(self, ctx, event, now, params):
        holidays = ctx.holiday_files.get(params.holidays_file) if params.holidays_file else None
        if holidays is None:
            holidays = ctx.calendar.holidays
        out = []

        def lock(cid):
            win = window_for(params, cid, holidays)
            return LockSpec(kind=UNTIL_SESSION, until_ns=win.next_start(now),
                            symbol=symbol_of(cid))

        def outside(cid):
            return not window_for(params, cid, holidays).is_inside(now)

        clock = ctx.change == "clock"
        sweep = clock and params.close_at_session_end
        if sweep and not params.sessions:
            ended = self.session_end(ctx, params, now, holidays)
            if ended is not None:
                return [ended]
        if sweep or ctx.change in ("opened", "increased", "flipped"):
            for p in ctx.account.positions.values():
                if (sweep or p.contract_id == event.contract_id) and outside(p.contract_id):
                    out.append(self.decide(ctx, params, now, CLOSE_POSITION,
                                           f"{p.symbol} position outside its trading session",
                                           contract_id=p.contract_id, lock=lock(p.contract_id)))
        if sweep or ctx.change == "new":
            # an order on a contract closed here is cancelled by that close, said once there
            closed = closed_with_orders(ctx.account, (d.contract_id for d in out), now)
            for o in judged_orders(ctx.account):
                if (sweep or o.order_id == event.order_id) and outside(o.contract_id) \
                        and o.contract_id not in closed:
                    out.append(self.decide(ctx, params, now, CANCEL_ORDERS,
                                           f"{symbol_of(o.contract_id)} order {o.order_id} "
                                           f"outside its trading session",
                                           contract_id=o.contract_id, order_id=o.order_id,
                                           lock=lock(o.contract_id)))
        return out
