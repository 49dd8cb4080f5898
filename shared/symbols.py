"""Tickers people type <-> exchange roots in ProjectX contract ids: the ONE table.

A contract id looks like CON.F.US.EP.Z26: the fourth dotted part is the
exchange root (EP), which is not always the ticker traders write (ES). Every
module that shows a ticker, reads one from the config or the command line, or
builds a contract id goes through here. Tick sizes and values are never kept
here: they come from the contract data.
"""
from __future__ import annotations

import re
from typing import Iterable

# ticker -> exchange root, only where they differ (identity for every other root).
TICKER_TO_ROOT: dict[str, str] = {
    "ES": "EP",      # E-mini S&P 500
    "NQ": "ENQ",     # E-mini Nasdaq-100
    "CL": "CLE",     # Crude oil
    "GC": "GCE",     # Gold
}
ROOT_TO_TICKER: dict[str, str] = {root: ticker for ticker, root in TICKER_TO_ROOT.items()}

# the exchange roots of every product the built-in sim broker lists (its catalogue,
# services/simbroker/contracts.py PRODUCTS, which a unit test keeps equal to this): with
# broker.kind "sim" these are the only contracts there are to trade or to guard.
SIM_ROOTS: tuple[str, ...] = ("EP", "MES", "ENQ", "MNQ", "RTY", "M2K", "YM", "MYM", "CLE",
                              "GCE", "MGC")


class UnknownSymbol(ValueError):
    """A ticker or contract id that matches none of the known contracts."""


def is_contract_id(text: str) -> bool:
    """True for ids shaped like CON.F.US.MNQ.Z26 (five dotted parts, starting CON)."""
    parts = text.split(".") if isinstance(text, str) else []
    return len(parts) == 5 and parts[0].upper() == "CON" and all(parts)


def root_of(contract_id: str) -> str:
    """CON.F.US.EP.Z26 -> EP. Raises UnknownSymbol for text that is not a contract id."""
    if not is_contract_id(contract_id):
        raise UnknownSymbol(f"expected a contract id like CON.F.US.MNQ.Z26, got {contract_id!r}")
    return contract_id.split(".")[3].upper()


def ticker_of(contract_id: str) -> str:
    """CON.F.US.EP.Z26 -> ES; CON.F.US.MNQ.Z26 -> MNQ."""
    return ticker_for_root(root_of(contract_id))


def ticker_for_root(root: str) -> str:
    """EP -> ES, MNQ -> MNQ."""
    return ROOT_TO_TICKER.get(root.upper(), root.upper())


def contract_name(contract_id: str) -> str:
    """The gateway's contract name: CON.F.US.EP.Z26 -> ESZ6 (ticker, month code, one year digit)."""
    month = contract_id.split(".")[4].upper() if is_contract_id(contract_id) else ""
    if len(month) < 2 or month[0] not in MONTH_CODES or not month[1:].isdigit():
        raise UnknownSymbol(f"expected a contract id like CON.F.US.EP.Z26, got {contract_id!r}")
    return f"{ticker_of(contract_id)}{month[0]}{month[-1]}"


_CONTRACT_IN_TEXT = re.compile(r"\bCON\.[A-Z]+\.[A-Z]+\.([A-Z0-9]+)\.[A-Z]\d{1,2}\b")


def tickers_in(text: str) -> str:
    """Every contract id in a text a person reads, as its ticker: 'close CON.F.US.EP.Z26' ->
    'close ES'."""
    if not text or "CON." not in text:
        return text
    return _CONTRACT_IN_TEXT.sub(lambda m: ROOT_TO_TICKER.get(m.group(1), m.group(1)), text)


def configured_root(symbol: str) -> str:
    """The exchange root a configured symbol names: a ticker (ES), a root (EP), a symbol id
    (F.US.EP) or a contract id (CON.F.US.EP.Z26) -> EP."""
    text = symbol.strip().upper()
    if is_contract_id(text):
        return root_of(text)
    if text.count(".") == 2:
        return text.split(".")[2]
    return root_for_ticker(text)


def root_for_ticker(ticker: str) -> str:
    """ES -> EP, MNQ -> MNQ (case-insensitive; a root given as a ticker maps to itself)."""
    t = ticker.strip().upper()
    return TICKER_TO_ROOT.get(t, t)


def contract_for(ticker_or_id: str, known_contract_ids: Iterable[str]) -> str:
    """The known contract id meant by a ticker (ES, mnq), a root (EP) or a contract id.

    An exact contract id wins (case-insensitive); otherwise the ticker's root is
    matched against the known ids (the nearest expiry when several months are
    known). Raises UnknownSymbol naming what is known.
    """
    known = list(known_contract_ids)
    text = (ticker_or_id or "").strip()
    by_upper = {c.upper(): c for c in known}
    if text.upper() in by_upper:
        return by_upper[text.upper()]
    if not text or is_contract_id(text):
        raise UnknownSymbol(_unknown_message(text, known))
    root = root_for_ticker(text)
    matches = sorted((c for c in known if is_contract_id(c) and root_of(c) == root), key=expiry_key)
    if not matches:
        raise UnknownSymbol(_unknown_message(text, known))
    return matches[0]


MONTH_CODES = "FGHJKMNQUVXZ"


def expiry_key(contract_id: str) -> tuple:
    """Sort key of a contract id by expiry: CON.F.US.EP.Z26 -> (26, 11, id)."""
    month = contract_id.split(".")[4].upper()
    code, year = month[:1], month[1:]
    return (int(year) if year.isdigit() else 99,
            MONTH_CODES.index(code) if code and code in MONTH_CODES else 99, contract_id)


def _unknown_message(text: str, known: list[str]) -> str:
    tickers = sorted({ticker_of(c) for c in known if is_contract_id(c)})
    return (f"unknown symbol {text!r}: expected a ticker ({', '.join(tickers) or 'none known'}) "
            f"or a contract id like CON.F.US.MNQ.Z26")
