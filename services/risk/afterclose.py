"""risk's note of a trader's fill that opened a position right after riskd's close of that
contract: the trader's own close came after riskd's, found the contract flat and opened the
other side (trial22a F7: riskd's profit-target close sold MNQ long 1; the trader's sell of 1, sent
at the same moment, opened short 1, and nothing said so).

Words only: the fill is the trader's trade and the position theirs, counted and judged by the
rules as any (riskd cannot know the trader meant to close what it had just closed). When it is
said: the fill is the trader's, the contract was flat just before it and it opened a position;
the fill before it on that contract is riskd's own, on the same side (riskd's sell of a long,
then the trader's sell), at most shared/afterclosewords.WINDOW_NS (15 s) before it. Which action
of riskd's closed it (its rule, or 'lockout enforcement') comes from the done results risk saw
(Closes: remembered from each done close or flatten that closed something); not known (a
restart of risk between them) it is left out of the words. The words are shared/
afterclosewords.py's; the note goes to history, LAST ACTIONS and the phone.

during_note: the trader's fill taken for riskd's close in flight by what riskd expected (or
held as no one's), given to the trader when riskd's closes there named their orders and it was
not one of them (the engine's _close_orders): said the same way, WHO "trader (during riskd's
close)" (trial23c F0).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Optional

from shared import afterclosewords, latewords
from shared.messages.market import SIDE_SELL, Fill
from shared.messages.risk import RuleWarning
from shared.outcomewords import acted_cell
from shared.showprice import fmt_price
from shared.symbols import ticker_of

KEEP_NS = 60_000_000_000        # a close's who is remembered this long after its result
LAST = 4                        # the newest fills kept per contract (seen)


class Closes:
    """Who closed what, from risk's done results: (account, contract or '' for a flatten) ->
    (when the result came, who in LAST ACTIONS' words); and the newest fills of each contract
    ((broker time, trade id), LAST of them), so the fill before a trader's is found without
    a walk over the day's trades (AccountState.trades.scans)."""

    def __init__(self) -> None:
        self.by: dict[tuple[int, str], tuple[int, str]] = {}
        self.fills: dict[tuple[int, str], list[tuple[int, int]]] = {}

    def seen(self, fill: Fill) -> None:
        """A new fill (anyone's) of the contract."""
        key = (fill.account_id, fill.contract_id)
        self.fills[key] = sorted(self.fills.get(key, []) + [(fill.ts_ns, fill.trade_id)])[-LAST:]

    def before(self, fill: Fill) -> Optional[int]:
        """The trade id of the newest fill of the contract before `fill` (None: not seen)."""
        earlier = [k for k in self.fills.get((fill.account_id, fill.contract_id), ())
                   if k < (fill.ts_ns, fill.trade_id)]
        return earlier[-1][1] if earlier else None

    def done(self, account_id: int, contract_id: Optional[str], rule: str, by: str,
             now: int) -> None:
        self.by = {k: v for k, v in self.by.items() if now - v[0] <= KEEP_NS}
        self.by[(account_id, contract_id or "")] = (now, acted_cell(rule, by))

    def who(self, account_id: int, contract_id: str, now: int) -> str:
        known = [v for k in ((account_id, contract_id), (account_id, ""))
                 for v in [self.by.get(k)] if v is not None and now - v[0] <= KEEP_NS]
        return max(known)[1] if known else ""


def _signed(fill: Fill) -> int:
    return -fill.size if fill.side == SIDE_SELL else fill.size


def riskds_close_before(acct, fill: Fill, closes: Closes) -> Optional[Fill]:
    """riskd's own fill that made the contract flat just before the trader's `fill` opened a
    position there, on the same side, at most WINDOW_NS before it; None else."""
    after = acct.exposure(fill.contract_id)
    if fill.by_riskd or fill.voided or not after or after - _signed(fill) != 0 \
            or (after > 0) != (_signed(fill) > 0):
        return None
    tid = closes.before(fill)
    last = acct.trades.get(tid) if tid is not None else None
    if last is None or last.voided or not last.by_riskd or last.side != fill.side \
            or fill.ts_ns - last.ts_ns > afterclosewords.WINDOW_NS:
        return None
    return last


def opened_note(acct, fill: Fill, closes: Closes, zone: dt.tzinfo,
                new_id: Callable[[], str], now: int) -> Optional[RuleWarning]:
    """The note of the trader's `fill` that opened a position right after riskd's close
    (riskds_close_before); None when it is not one."""
    riskds = riskds_close_before(acct, fill, closes)
    if riskds is None:
        return None
    symbol = ticker_of(fill.contract_id)
    words = afterclosewords.sentence(
        symbol, "sell" if fill.side == SIDE_SELL else "buy", fill.size, fmt_price(fill.price),
        latewords.clock(fill.ts_ns, zone), acct.exposure(fill.contract_id),
        latewords.clock(riskds.ts_ns, zone), closes.who(acct.account_id, fill.contract_id, now))
    return RuleWarning(id=new_id(), ts_ns=now, rule=afterclosewords.OPENED_AFTER,
                       account_id=fill.account_id, value=None, limit=None, warn_at=0.0,
                       reason=words, fill_ns=fill.ts_ns)


def during_note(acct, fill: Fill, what: str, by: str, zone: dt.tzinfo,
                new_id: Callable[[], str], now: int) -> RuleWarning:
    """The note of the trader's `fill`, made while riskd's close (what: 'close' / 'cut') of
    that contract by `by` was in flight, that riskd's closes did not make: the trader's."""
    symbol = ticker_of(fill.contract_id)
    words = afterclosewords.during_sentence(
        symbol, "sell" if fill.side == SIDE_SELL else "buy", fill.size, fmt_price(fill.price),
        latewords.clock(fill.ts_ns, zone), fill.order_id, what, by,
        acct.exposure(fill.contract_id))
    return RuleWarning(id=new_id(), ts_ns=now, rule=afterclosewords.DURING,
                       account_id=fill.account_id, value=None, limit=None, warn_at=0.0,
                       reason=words, fill_ns=fill.ts_ns)


__all__ = ["Closes", "during_note", "opened_note", "riskds_close_before"]
