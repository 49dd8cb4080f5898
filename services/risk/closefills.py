"""What riskd's own close, reduce or flatten filled: size, price and PnL, from the fills risk sees.

Trial23a finding 7: "✅ Done ... MNQ closed" and history's "done: MNQ closed" gave no size,
price or PnL (three 1-lot buys closed while locked read "done: ES closed" three times).
Enforcement's result names the broker orders its closes created (CommandResult.close_orders,
with their sizes) but has no fill data; risk has the fills (Fill.order_id, price, pnl, fees).
This module matches the two, whichever comes first: the result's orders are kept (Waiting)
until every one of them has fills for its whole size, within LATE_NS of the result; the
fills may be in before the result (the broker's Trade events usually beat enforcement's
order search) or come after it. Then risk writes one note (a RuleWarning of rule
CLOSE_FILLS, no reading), "close by rule max_contracts (decided at 10:15:02): closed MNQ +3
at 21034.25, PnL -187.50, fees 1.11", which history shows under WHO WHO and notify puts under
the command's "✅ Done" (services/notify: the Done waits for it a moment), or sends after it
when the fills came later. Never a guessed figure: an order whose fills do not add up to its
size (a fill not seen yet), a result that does not know its orders, says nothing; a risk
restarted meanwhile forgets what it waited for (no line then, never a wrong one). Only the
orders of the result that risk took as riskd's (the engine's _close_orders, run first) are
said: trial25c F2, the trader's market buy named beside a reduce's cut (in its call's window)
was said as riskd's "closed MNQ +0 at ... (average)" while it was rightly counted the trader's.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

from shared.closefillwords import ACTIONS, CLOSE_FILLS, WHO, wanted
from shared.latewords import LATE_NS
from shared.messages.enforce import CommandResult
from shared.messages.market import SIDE_SELL
from shared.messages.risk import RuleWarning
from shared.outcomewords import who_acted
from shared.rulenumbers import money_text
from shared.showprice import fmt_price
from shared.symbols import ticker_of


@attrs.define
class Waiting:
    """A done command whose orders' fills are not all in yet."""
    command_id: str
    account_id: int
    orders: dict              # order id -> its size
    what: str                 # 'close by rule max_contracts'
    until_ns: int


def what_of(res: CommandResult) -> str:
    """'close by rule max_contracts', 'flatten by admin:root': the action and who took it, as
    the Done's first words say them (templates.answering)."""
    who = who_acted(res.rule, res.by) if res.rule or res.by else ""
    return ACTIONS[res.action] + (f" by {who}" if who else "")


def fills_words(trades, orders: dict) -> Optional[str]:
    """'closed MNQ +3 at 21034.25, PnL -187.50, fees 1.11' from the fills of `orders` (order id
    -> size) among `trades` (trade id -> Fill); None unless every order's fills add up to its
    size. A close of a short reads '-2'; fills at several prices 'at 21034.50 (average)'; more
    than one contract (a flatten) each in turn, '; '."""
    fills = [f for f in trades.values() if f.order_id in orders and not f.voided]
    for oid, size in orders.items():
        if sum(f.size for f in fills if f.order_id == oid) != size:
            return None
    parts = []
    for cid in sorted({f.contract_id for f in fills}):
        mine = [f for f in fills if f.contract_id == cid]
        closed = sum(f.size if f.side == SIDE_SELL else -f.size for f in mine)
        qty = sum(f.size for f in mine)
        prices = {Decimal(f.price) for f in mine}
        if len(prices) == 1:
            price = fmt_price(next(iter(prices)))
        else:
            avg = sum(Decimal(f.price) * f.size for f in mine) / qty
            price = f"{fmt_price(avg, like=prices)} (average)"
        words = f"closed {ticker_of(cid)} {closed:+d} at {price}"
        pnls = [f.pnl for f in mine]
        if pnls and all(p is not None for p in pnls):
            pnl = sum(Decimal(p) for p in pnls)
            words += f", PnL {'+' if pnl > 0 else ''}{money_text(pnl)}"
        fees = sum(Decimal(f.fees or 0) for f in mine)
        if fees:
            words += f", fees {money_text(fees)}"
        parts.append(words)
    return "; ".join(parts) or None


class CloseFills:
    """The done commands waiting for their fills, per account (memory only)."""

    def __init__(self) -> None:
        self.waiting: dict[str, Waiting] = {}

    def result(self, acct, res: CommandResult, now: int,
               new_id: Callable[[], str]) -> Optional[RuleWarning]:
        """A final result: its note now when its fills are all in, else it waits for them."""
        if not wanted(res):
            return None
        orders: dict[int, int] = {}
        for o in res.close_orders:
            if o.order_id not in acct.riskd.orders:
                continue        # risk gave it to the trader (take_orders): not riskd's fill
            orders[o.order_id] = orders.get(o.order_id, 0) + o.size
        if not orders:
            return None
        wait = Waiting(command_id=res.command_id, account_id=res.account_id, orders=orders,
                       what=what_of(res), until_ns=now + LATE_NS)
        note = self._note(acct, wait, now, new_id)
        if note is None:
            self.waiting[res.command_id] = wait
        return note

    def fill(self, acct, fill, now: int, new_id: Callable[[], str]) -> list[RuleWarning]:
        """A fill risk just took: the notes of the commands it completes."""
        out = []
        for cid, wait in list(self.waiting.items()):
            if wait.until_ns < now:
                del self.waiting[cid]           # its fills never all came: nothing said
                continue
            if wait.account_id != acct.account_id or fill.order_id not in wait.orders:
                continue
            note = self._note(acct, wait, now, new_id)
            if note is not None:
                del self.waiting[cid]
                out.append(note)
        return out

    @staticmethod
    def _note(acct, wait: Waiting, now: int, new_id) -> Optional[RuleWarning]:
        words = fills_words(acct.trades, wait.orders)
        if words is None:
            return None
        return RuleWarning(id=new_id(), ts_ns=now, rule=CLOSE_FILLS, account_id=wait.account_id,
                           value=None, limit=None, warn_at=0.0,
                           reason=f"{wait.what}: {words}", of_command=wait.command_id)


__all__ = ["CLOSE_FILLS", "WHO", "CloseFills", "fills_words", "wanted"]
