"""What a stop leaves open, in words: one wording for every stop alert and answer.

`riskctl stop` of a guard worker (from market's answer at the stop: commands/stop.py) and riskd
stopping (from risk's state at the stop: riskdalerts.py, lastheld.py) say the same thing the same
way (a trial saw "1 open position(s) on SIM-DEMO-1" in one alert and "Demo 1 holds MNQ long 1"
in the other): one line per account that holds anything, named as every alert names it
(shared/accountname.called: "Demo 1 (id 1001)"), its positions as ticker, side and size,
its working orders counted (shared/plural.py): "Demo 1 (id 1001) holds MNQ long 2, ES short 1
and 1 working order".
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional, Sequence

import attrs

from shared.accountname import called, uncalled
from shared.messages.notify import LINE_HEADER
from shared.plural import plural
from shared.symbols import tickers_in

NONE_OPEN = "no open position or working order"


class Owned(str):
    """A line about one account (account_id), or a header of such lines (LINE_HEADER): a stop
    alert goes to every chat, but a chat that sees only some accounts gets only their lines
    (services/notify/scopesplit.py; trial 2026-12-06). Equal to its text as any str."""
    account_id: Optional[int]

    def __new__(cls, text: str, account_id: Optional[int]):
        line = super().__new__(cls, text)
        line.account_id = account_id
        return line


def line_owners(lines: Sequence[str]) -> list:
    """NotifyEvent.line_accounts for these lines: each Owned line's account (None for the
    others); [] when none is owned (the alert is not split)."""
    owners = [getattr(line, "account_id", None) for line in lines]
    return owners if any(o is not None for o in owners) else []


@attrs.frozen
class Holding:
    """One account's open positions (contract id, side, size) and its working orders."""
    account_id: int
    broker_name: str
    positions: tuple[tuple[str, str, int], ...] = ()
    orders: int = 0


def holds(name: str, holding: Holding) -> str:
    """'Demo 1 holds MNQ long 2, ES short 1 and 1 working order' ('' when it holds nothing)."""
    parts = [tickers_in(f"{c} {side} {size}") for c, side, size in holding.positions]
    if holding.orders:
        parts.append(plural(holding.orders, "working order"))
    if not parts:
        return ""
    what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{name} holds {what}"


def alert_name(name_of: Callable[[int, str], str], account_id: int, broker_name: str) -> str:
    """The account as every alert names it, 'Demo 1 (id 1001)' (shared/accountname.called),
    whether name_of gives the bare name or that already. Fresh-user trial 2026-12-06: stop
    alerts said "Demo 1 holds MNQ long 1", the only alert without the id."""
    return called(uncalled(name_of(account_id, broker_name), account_id), account_id)


def holds_lines(holdings: Iterable[Holding], name_of: Callable[[int, str], str]) -> list[str]:
    """One line per account holding anything, by account id; name_of(account id, broker
    name): the account's name, said as alerts say it (alert_name)."""
    lines = ((holds(alert_name(name_of, h.account_id, h.broker_name), h), h.account_id)
             for h in sorted(holdings, key=lambda h: h.account_id))
    return [Owned(line, aid) for line, aid in lines if line]


def by_account(positions: Sequence, orders: Sequence) -> list[Holding]:
    """Market's rows (PositionRow, OrderRow) grouped into one Holding per account."""
    names = {r.account_id: r.account_name for r in (*positions, *orders)}
    return [Holding(aid, names[aid],
                    tuple((p.contract_id, p.side, p.size) for p in positions
                          if p.account_id == aid),
                    sum(1 for o in orders if o.account_id == aid))
            for aid in sorted(names)]


def left_open_header(source: str) -> str:
    """The line above holds_lines in a stop alert: 'left open, unguarded (SOURCE):'."""
    return Owned(f"left open, unguarded ({source}):", LINE_HEADER)
