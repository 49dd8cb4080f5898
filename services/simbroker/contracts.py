"""The sim's contract catalogue and calendar: which months are listed, which one is active.

Pure (dates in, specs out). Each product (an exchange root) has a month cycle,
an expiry rule and a roll rule; on a given date the sim lists, per product,
the month still trading after the roll (until it expires), the active month
(the first whose roll date is still ahead: `activeContract`) and the next one.
Contracts are named as the gateway names them: id CON.F.US.EP.Z26, name ESZ6
(the ticker traders type, the month code, one digit of the year), symbolId
F.US.EP.

The rules, simplified from the exchanges' and documented here for tests:
- equity index (ES, NQ, RTY, YM and micros): H M U Z, expiry the third Friday
  of the month, roll 8 days before (the Thursday of the week before);
- crude (CL): every month, expiry the 20th of the month before, roll 5 days
  before expiry;
- gold (GC, MGC): G J M Q V Z, expiry the 27th of the month, roll the 26th of
  the month before.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Iterable, Mapping

import attrs

from shared.symbols import MONTH_CODES, contract_name, root_for_ticker, ticker_for_root

MICRO_FEE = Decimal("0.37")    # per contract per fill, micros (MNQ, MES, M2K, MGC, MYM)
MINI_FEE = Decimal("1.40")     # per contract per fill, everything else
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


@attrs.frozen(kw_only=True)
class ContractSpec:
    id: str
    name: str
    description: str
    tick_size: Decimal
    tick_value: Decimal
    start_price: Decimal
    fee: Decimal
    active: bool = True
    expiry: dt.date = dt.date(2099, 12, 31)

    @property
    def root(self) -> str:
        return self.id.split(".")[3]

    @property
    def symbol_id(self) -> str:
        return f"F.US.{self.root}"

    def payload(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description,
                "tickSize": float(self.tick_size), "tickValue": float(self.tick_value),
                "activeContract": self.active, "symbolId": self.symbol_id}


def third_friday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)


def _month_before(year: int, month: int, day: int) -> dt.date:
    return dt.date(year - 1, 12, day) if month == 1 else dt.date(year, month - 1, day)


@attrs.frozen
class Rules:
    months: str                                       # month codes of the cycle
    expiry: Callable[[int, int], dt.date]
    roll: Callable[[int, int], dt.date]


EQUITY = Rules("HMUZ", third_friday, lambda y, m: third_friday(y, m) - dt.timedelta(days=8))
CRUDE = Rules(MONTH_CODES, lambda y, m: _month_before(y, m, 20),
              lambda y, m: _month_before(y, m, 15))
GOLD = Rules("GJMQVZ", lambda y, m: dt.date(y, m, 27), lambda y, m: _month_before(y, m, 26))


@attrs.frozen(kw_only=True)
class Product:
    root: str
    description: str
    tick_size: Decimal
    tick_value: Decimal
    start_price: Decimal
    fee: Decimal
    rules: Rules

    def months(self, since: dt.date) -> Iterable[tuple[int, int]]:
        """(year, month) of the cycle from the year before `since` on, for 3 years."""
        for year in range(since.year - 1, since.year + 3):
            for code in self.rules.months:
                yield year, MONTH_CODES.index(code) + 1

    def spec(self, year: int, month: int, active: bool) -> ContractSpec:
        contract_id = f"CON.F.US.{self.root}.{MONTH_CODES[month - 1]}{year % 100:02d}"
        return ContractSpec(
            id=contract_id, name=contract_name(contract_id),
            description=f"{self.description}: {MONTH_NAMES[month - 1]} {year}",
            tick_size=self.tick_size, tick_value=self.tick_value, start_price=self.start_price,
            fee=self.fee, active=active, expiry=self.rules.expiry(year, month))

    def listed(self, on: dt.date) -> list[ContractSpec]:
        """The months trading on `on`: one after its roll (until expiry), the active, the next."""
        out: list[ContractSpec] = []
        active_seen = False
        for year, month in self.months(on):
            if self.rules.expiry(year, month) <= on:
                continue
            if active_seen:
                out.append(self.spec(year, month, False))
                break
            active = self.rules.roll(year, month) > on
            out.append(self.spec(year, month, active))
            active_seen = active
        return out


def _p(root: str, description: str, tick: str, value: str, start: str, fee: Decimal,
       rules: Rules) -> Product:
    return Product(root=root, description=description, tick_size=Decimal(tick),
                   tick_value=Decimal(value), start_price=Decimal(start), fee=fee, rules=rules)


# E-minis before their micros: Contract/search keeps this order among equal matches.
PRODUCTS: tuple[Product, ...] = (
    _p("EP", "E-mini S&P 500", "0.25", "12.50", "6000.00", MINI_FEE, EQUITY),
    _p("MES", "Micro E-mini S&P 500", "0.25", "1.25", "6000.00", MICRO_FEE, EQUITY),
    _p("ENQ", "E-mini Nasdaq-100", "0.25", "5.00", "21000.00", MINI_FEE, EQUITY),
    _p("MNQ", "Micro E-mini Nasdaq-100", "0.25", "0.50", "21000.00", MICRO_FEE, EQUITY),
    _p("RTY", "E-mini Russell 2000", "0.10", "5.00", "2400.00", MINI_FEE, EQUITY),
    _p("M2K", "Micro E-mini Russell 2000", "0.10", "0.50", "2400.00", MICRO_FEE, EQUITY),
    _p("YM", "E-mini Dow ($5)", "1.00", "5.00", "44000.00", MINI_FEE, EQUITY),
    _p("MYM", "Micro E-mini Dow", "1.00", "0.50", "44000.00", MICRO_FEE, EQUITY),
    _p("CLE", "Crude Light", "0.01", "10.00", "70.00", MINI_FEE, CRUDE),
    _p("GCE", "Gold", "0.10", "10.00", "2650.00", MINI_FEE, GOLD),
    _p("MGC", "Micro Gold", "0.10", "1.00", "2650.00", MICRO_FEE, GOLD),
)


def products_with_fees(fees: Mapping[str, float],
                       products: Iterable[Product] = PRODUCTS) -> tuple[Product, ...]:
    """The products with fee overrides keyed by ticker or root (ES or EP). Unknown keys raise."""
    by_root = {p.root: p for p in products}
    out = dict(by_root)
    for key, fee in fees.items():
        root = root_for_ticker(key)
        if root not in by_root:
            known = ", ".join(sorted(ticker_for_root(r) for r in by_root))
            raise ValueError(f"expected a fee keyed by a known ticker ({known}), got {key!r}")
        out[root] = attrs.evolve(by_root[root], fee=Decimal(str(fee)))
    return tuple(out.values())


def listed(products: Iterable[Product], on: dt.date) -> list[ContractSpec]:
    """Every product's listed months on `on`, product by product in catalogue order."""
    return [spec for product in products for spec in product.listed(on)]


def search_rank(spec: ContractSpec, text: str) -> tuple | None:
    """How well a contract matches a Contract/search text (None: not at all); lower is better.

    The name's prefix first (so `ES` lists ESZ6 before MESZ6), then a match anywhere in
    the name, the description, the ticker or the root; shorter names (the E-mini) before
    longer ones (the micro), the active month before the others.
    """
    t = text.strip().upper()
    name = spec.name.upper()
    if not t:
        rank = 0
    elif name.startswith(t):
        rank = 0
    elif t in name or t in (ticker_for_root(spec.root), spec.root) or (len(t) >= 3 and t in
                                                                spec.description.upper()):
        rank = 1
    else:
        return None
    return (rank, len(spec.name), not spec.active, spec.expiry)


def tick_size_of(contract_id: str, products: Iterable[Product] = PRODUCTS) -> Decimal:
    """The tick size of any month of a known product (KeyError for an unknown root)."""
    root = contract_id.split(".")[3].upper()
    for product in products:
        if product.root == root:
            return product.tick_size
    raise KeyError(f"unknown contract {contract_id!r}")
