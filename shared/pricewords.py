"""Why a position has no open PnL, how old its last price is, and that it is stale: the words
every screen uses.

Risk values a position only with a quote from since it opened (services/risk/state.py,
MarketView.price_of: arrived since, or stamped by the broker at or after its opening): the
last price from before may be minutes or hours old (a paused sim, a quiet night, a contract
nobody held). `riskctl positions` (market's view) and
`riskctl watch`/`status` (risk's) say the same thing about such a position: the last price
known and its age, and no open PnL. Before, watch said "(partial: no quote yet)" while
positions showed "LAST 20680.00  OPEN PNL -0.50" at the same moment (round 10's trial).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from shared.quietprice import STALE_AFTER_S, silence_s
from shared.showprice import fmt_price
from shared.symbols import UnknownSymbol, ticker_of
from shared.when import duration

OLD_AFTER_S = STALE_AFTER_S   # a last price older than this says its age (the stale-feed wait)

NO_QUOTE = "no quote yet"
NOT_SINCE_OPENED = "no quote since it opened"
NO_CONTRACT = "no contract data yet"


def age_words(quoted_ns: Optional[int], now_ns: int) -> str:
    """'4m12s old' for a last price older than OLD_AFTER_S, else ''."""
    if quoted_ns is None:
        return ""
    age = (now_ns - quoted_ns) / 1e9
    return f"{duration(age)} old" if age >= OLD_AFTER_S else ""


def last_cell(last: Optional[Decimal], quoted_ns: Optional[int], now_ns: int) -> str:
    """A LAST cell: '20680.00', or '20680.00 (4m12s old)', or '-' (no price)."""
    if last is None:
        return "-"
    age = age_words(quoted_ns, now_ns)
    return f"{fmt_price(last)} ({age})" if age else fmt_price(last)


def unvalued_words(ticker: str, why: str, last: Optional[Decimal],
                   quoted_ns: Optional[int], now_ns: int) -> str:
    """'MNQ: no quote since it opened (last 20680.00, 4m12s old)'; 'MNQ: no quote yet'."""
    if last is None or why == NO_QUOTE:
        return f"{ticker}: {NO_QUOTE}"
    age = age_words(quoted_ns, now_ns)
    return f"{ticker}: {why} (last {fmt_price(last)}{', ' + age if age else ''})"


def stale_words(ticker: str, last: Optional[Decimal], quoted_ns: Optional[int],
                since_ns: int, now_ns: int, flowing_ns: Optional[int] = None) -> str:
    """A held contract whose prices went silent (risk's PositionView.price_stale_since), as
    `riskctl status`, `riskctl watch` and the phone's /status say it: 'MNQ: no price for
    1m42s; open PnL as of 20660.00; price rules run on that price'. A lone quote inside the
    silence (a stale-feed reconnect's) does not end it: 'MNQ: no steady prices for 1m42s
    (the last 3s ago); ...'. Quotes flowing again (flowing_ns: PositionView
    .price_flowing_since, and a quote after it), not yet for the stale-feed wait: 'MNQ: no
    steady prices for 1m42s, quotes again for 8s; ...'. The silence is counted as the
    phone's alerts count it (shared/quietprice.silence_s): from the last quote before it,
    never from a lone quote inside it, and only up to the first quote of the flow."""
    tail = f"; open PnL as of {fmt_price(last)}; price rules run on that price"
    if flowing_ns is not None and (quoted_ns is None or quoted_ns <= flowing_ns):
        flowing_ns = None              # one quote is no flow yet: a reconnect's, likely lone
    silent = duration(silence_s(since_ns, now_ns, flowing_ns))
    if quoted_ns is None or quoted_ns <= since_ns:
        return f"{ticker}: no price for {silent}{tail}"
    if flowing_ns is not None:
        again = duration(max(0.0, (now_ns - flowing_ns) / 1e9))
        return f"{ticker}: no steady prices for {silent}, quotes again for {again}{tail}"
    age = duration(max(0.0, (now_ns - quoted_ns) / 1e9))
    return f"{ticker}: no steady prices for {silent} (the last {age} ago){tail}"


def held_ticker(contract_id: str, symbol: str = "") -> str:
    """MNQ for CON.F.US.MNQ.Z26; a contract riskd has no ticker for: its symbol, else its id."""
    try:
        return ticker_of(contract_id)
    except UnknownSymbol:
        return symbol or contract_id


def stale_lines(accounts, now_ns: int, ticker_of=held_ticker) -> list[str]:
    """One stale_words per contract risk marked silent in any account's status (AccountStatus,
    PositionView.price_stale_since), in contract order: a silent feed is one line per contract, not
    one per account holding it."""
    seen: dict[str, str] = {}
    for a in accounts:
        for p in getattr(a, "positions", ()) or ():
            since = getattr(p, "price_stale_since", None)
            if since is not None and p.contract_id not in seen:
                seen[p.contract_id] = stale_words(
                    ticker_of(p.contract_id, p.symbol), p.last, p.quoted_ns, since, now_ns,
                    getattr(p, "price_flowing_since", None))
    return [seen[c] for c in sorted(seen)]
