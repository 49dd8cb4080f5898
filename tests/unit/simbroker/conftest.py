"""Fixtures for the sim broker's pure cores: a fake clock, a seeded market, a ledger."""
from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from services.simbroker.accounts import Ledger
from services.simbroker.entities import Account
from services.simbroker.contracts import PRODUCTS, listed
from services.simbroker.market import Market
from shared.clock import FakeClock

MNQ = "CON.F.US.MNQ.Z26"
ES = "CON.F.US.EP.Z26"
DAY = datetime.date(2026, 12, 4)           # the contract calendar of these tests: ESZ6 is active
CONTRACTS = listed(PRODUCTS, DAY)


@pytest.fixture
def clock():
    return FakeClock()


def make_ledger(clock, spread: int = 0, balance: str = "50000"):
    market = Market(CONTRACTS, clock, random.Random(1), spread_ticks=spread)
    ledger = Ledger(market, clock, [Account(id=1, name="A", balance=Decimal(balance)),
                                    Account(id=2, name="B", balance=Decimal(balance))])
    return market, ledger


@pytest.fixture
def book(clock):
    """(market, ledger) with a zero spread: market orders fill at the last price."""
    return make_ledger(clock)
