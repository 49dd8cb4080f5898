"""risk's record of a late-carried close: a fill riskd takes as its close the broker carried out
after riskd's command had ended, closing what the trader held then (riskd cannot tell it from
the trader's own close of the whole position, and says so: shared/latewords.py).

The fill is riskd's already (services/risk/exits.py: a late exit took it, RiskdExits.last_late),
so it is never the trader's trade. What this module owns is saying it: one note (a RuleWarning
with no reading, rule shared/latewords.LATE_CLOSE) that the store keeps in the history and
notify sends to the phone, in the words of shared/latewords.py: which close it was, why riskd
did not know its outcome (timed out at ..., sent before enforcement restarted), what it closed
and at what time, and what the position is now when it is not flat (trial18c section 1: the
trader's MNQ +1, bought after an unlock, vanished with no history line and no alert).

A late close IS riskd's close, so it closes the contract's orders too (RULES.md "Closing a
contract closes its orders"; trial20a section 1: the trader's stop, placed for the position
the late close then closed, stayed working on a flat MNQ and later opened a short nothing
guarded). When the fill leaves the contract flat, the orders working on it that were placed
before the fill (the broker's times: the late close closed the position they protected) are
cancelled: one decision (late_cancel: cancel_orders of the contract, by WHO), sent through
enforcement as every action is (the outbox, the journal: exactly once, across a kill -9),
whose command carries the fill's time (Command.placed_by_ns): an order the trader placed
after the late close came is for what they opened since, not riskd's to cancel, and stays.
The note names the orders it cancels; the cancel's own Done says it was done.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from shared import latewords
from shared.messages.market import ORDER_MARKET, SIDE_SELL, Fill
from shared.messages.risk import CANCEL_ORDERS, Decision, RuleWarning
from shared.orderwords import order_words
from shared.symbols import ticker_of
from shared.trywords import decision_of


def left_working(acct, fill: Fill, after: int) -> list:
    """The orders riskd's late close `fill` leaves working that it cancels: none unless the
    fill leaves the contract flat (after: the signed position now); else the trader's orders
    working on the contract (not a market order: one working now is a close on its way, not
    an order that rests; not riskd's own) placed at or before the fill, by the broker's
    times (an order of no known time: before)."""
    if after:
        return []
    mine = acct.riskd.orders
    return sorted((o for o in acct.working_orders(fill.contract_id)
                   if o.type != ORDER_MARKET and o.order_id not in mine
                   and (not o.created_ns or o.created_ns <= fill.ts_ns)),
                  key=lambda o: o.order_id)


def order_named(order) -> str:
    """'sell stop MNQ 1 @ 20900.00 (order 9000023)'."""
    return f"{order_words(order)} (order {order.order_id})"


def late_close_note(late, fill: Fill, before: int, after: int, zone: dt.tzinfo,
                    new_id: Callable[[], str], now: int, cancelled=(),
                    sold: str = "", also=()) -> RuleWarning:
    """The note of `fill`, which the late exit `late` (services/risk/exits.py Exit) took;
    before/after: the signed position on its contract before and after the fill, as risk
    reads it (AccountState.exposure); cancelled: the orders riskd cancels with it
    (left_working); sold: the trader's own sell riskd took for this reduce's cut until it
    came (latewords.reduce_sentence); also: the other lost closes of riskd's the fill may as
    well be (RiskdExits.others_late): each is named, in the order their calls went out."""
    closed = fill.size if fill.side == SIDE_SELL else -fill.size
    # a reduce's cut (not a whole close) listed by a done result: riskd cut again after it and
    # reached the target, so all this one took was more than the limit needed (trial23b)
    args = (ticker_of(fill.contract_id), latewords.why_words(late.how, late.lost_ns, zone),
            latewords.clock(fill.ts_ns, zone), closed, before, after,
            tuple(order_named(o) for o in cancelled))
    whys = [w for _ns, w in sorted([(late.lost_ns, args[1])] + [
        (e.lost_ns, latewords.why_words(e.how, e.lost_ns, zone)) for e in also])]
    words = latewords.reduce_sentence(*args, sold=sold) if late.overcut \
        else latewords.sentence(*args, whys=tuple(dict.fromkeys(whys)))
    # a close whose command did not end done: its decision's history line says it (late_of),
    # as the engine's carried_out_late does in memory
    return RuleWarning(id=new_id(), ts_ns=now, rule=latewords.LATE_CLOSE,
                       account_id=fill.account_id, value=None, limit=None, warn_at=0.0,
                       reason=words, late_of="" if late.closed else decision_of(late.command_id),
                       fill_ns=fill.ts_ns)


def late_cancel(fill: Fill, orders: list, zone: dt.tzinfo, now: int) -> Decision:
    """riskd's cancel of the orders its late close left working (left_working: not empty):
    cancel_orders of the contract, only of orders placed by the fill's time (event_ns, which
    the command carries as placed_by_ns: services/risk/acting.py)."""
    return Decision(id="", ts_ns=now, rule=latewords.LATE_CLOSE, account_id=fill.account_id,
                    action=CANCEL_ORDERS, contract_id=fill.contract_id, event_ns=fill.ts_ns,
                    by=latewords.WHO,
                    reason=latewords.cancel_reason(ticker_of(fill.contract_id),
                                                   latewords.clock(fill.ts_ns, zone),
                                                   [order_named(o) for o in orders]))


__all__ = ["late_close_note", "late_cancel", "left_working"]
