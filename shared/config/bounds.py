"""The sane range of each rule parameter, one place for the rules' validators and the docs.

A value outside its range is refused with the range named ("expected a whole number from 1 to
1000, got 1000000000"), by `riskctl rules set` / `config set` (nothing written) and by riskd's
load and reload of a hand-edited file (the reload keeps the last good rules, loudly). Round 21
(admin21): a limit of 1e9 was accepted. The ranges are wide enough for any real account (the
largest funded accounts allow tens of contracts and lose a few thousand a day) and narrow
enough that a typo of a few extra zeros, a negative or a tenth of a cent is caught.
docs/rules.md (What every rule has) lists them under "Allowed values".
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from shared.config.validators import _fail, whole_number

CONTRACTS = (1, 1000)                                   # max_contracts, per-instrument limits
MONEY = (Decimal("0.01"), Decimal("1000000"))           # loss limits, targets, tier losses
BALANCE = (Decimal("1"), Decimal("10000000"))           # drawdown_guard's balance and line
TRADES = (0, 10000)                                     # trade counts per window; 0 = off
COOLDOWN_SECONDS = (1, 604800)                          # a cooldown: one second to one week
GRACE_SECONDS = (0, 86400)                              # no_stop_loss_grace: up to a day
TICKS = (0, 10000)                                      # trade_management; 0 = that step off


def amount(lo: Decimal, hi: Decimal) -> Callable:
    """An amount of money from lo to hi (a Decimal: the converter refused NaN and infinity)."""
    def check(_inst, attribute, value) -> None:
        if value is None or not (lo <= value <= hi):
            _fail(f"an amount from {lo} to {hi}", value, attribute)
    return check


def whole(bounds: tuple[int, int]) -> Callable:
    """A whole number within bounds."""
    return whole_number(*bounds)


def in_bounds(value, bounds) -> bool:
    lo, hi = bounds
    return not isinstance(value, bool) and isinstance(value, int) and lo <= value <= hi


contracts = whole(CONTRACTS)
money_limit = amount(*MONEY)
buffer_amount = amount(Decimal(0), MONEY[1])
balance = amount(*BALANCE)
trades = whole(TRADES)
cooldown_seconds = whole(COOLDOWN_SECONDS)
grace_seconds = whole(GRACE_SECONDS)
ticks = whole(TICKS)
distance_ticks = whole((1, TICKS[1]))
