"""The scripted trading session of the reliability suite: 5 accounts, each with its own story.

Every account trades its own contract, so the stories do not disturb each
other, and prices move only through /sim/quote (the random walk is off), so
a run with chaos and a run without it face the same market. Each story is
a list of steps; the runner interleaves the accounts' steps round-robin.

  loser      (MNQ)  loses 30 points on 2 contracts, three times: daily_realized_loss (300)
                    breaks on the third; then tries to trade again while locked
  oversize   (MES)  buys 4 then 3: max_contracts (5) reduces to 5; later sells out in profit
  underwater (ENQ)  long 1 while NQ falls 12 points: daily_unrealized_loss (200) closes it
  calm       (M2K)  many small round trips, no rule near its limit
  mixed      (RTY)  wins 4 points on 1, loses 1.5 on 2, again and again: ends flat, no breach

After a step that should breach, the trader waits (bounded) for the broker to
show its effect before going on, as a person staring at the screen would; a
breach that is never acted on still fails the final checks.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterator, Optional

import attrs

MNQ, MES, ENQ, M2K, RTY = ("CON.F.US.MNQ.Z26", "CON.F.US.MES.Z26", "CON.F.US.ENQ.Z26",
                           "CON.F.US.M2K.Z26", "CON.F.US.RTY.Z26")
START = {MNQ: Decimal("21000"), MES: Decimal("6000"), ENQ: Decimal("21000"),
         M2K: Decimal("2200"), RTY: Decimal("2200")}

ACCOUNTS = {"loser": 3001, "oversize": 3002, "underwater": 3003, "calm": 3004, "mixed": 3005}
CONTRACT = {"loser": MNQ, "oversize": MES, "underwater": ENQ, "calm": M2K, "mixed": RTY}

# The rule set every account runs with in the suite (everything else off).
RULES = {
    "max_contracts": {"limit": 5, "count": "gross", "action": "reduce"},
    "daily_realized_loss": {"limit": 300, "include_fees": True},
    "daily_unrealized_loss": {"limit": 200, "scope": "position"},
}


@attrs.frozen
class Step:
    """One thing a trader does: set a price, buy/sell at market, or wait for an expectation."""
    account: str
    kind: str                     # price | buy | sell | expect
    contract: str
    value: Decimal = Decimal(0)   # the price, or the size
    expect: Optional[Callable] = None    # (positions dict) -> bool, for kind 'expect'
    what: str = ""


def _price(a: str, p) -> Step:
    return Step(a, "price", CONTRACT[a], Decimal(str(p)))


def _buy(a: str, n: int) -> Step:
    return Step(a, "buy", CONTRACT[a], Decimal(n))


def _sell(a: str, n: int) -> Step:
    return Step(a, "sell", CONTRACT[a], Decimal(n))


def _expect(a: str, what: str, check: Callable) -> Step:
    return Step(a, "expect", CONTRACT[a], expect=check, what=what)


def loser() -> list[Step]:
    a, p = "loser", START[MNQ]
    steps = [_price(a, p)]
    for _ in range(3):
        steps += [_buy(a, 2), _price(a, p - 30), _sell(a, 2), _price(a, p)]
    steps += [_expect(a, "flat after the daily loss limit", lambda pos: not pos),
              _buy(a, 1),
              _expect(a, "the buy during the lockout closed", lambda pos: not pos)]
    return steps


def oversize() -> list[Step]:
    a, p = "oversize", START[MES]
    return [_price(a, p), _buy(a, 4), _buy(a, 3),
            _expect(a, "reduced to 5 contracts", lambda pos: pos.get(MES) == 5),
            _price(a, p + 2), _sell(a, 5), _price(a, p)]


def underwater() -> list[Step]:
    a, p = "underwater", START[ENQ]
    steps = [_price(a, p), _buy(a, 1)]
    steps += [_price(a, p - d) for d in (3, 6, 9, 12)]
    steps += [_expect(a, "the losing position closed", lambda pos: not pos), _price(a, p)]
    return steps


def calm(rounds: int) -> list[Step]:
    a, p = "calm", START[M2K]
    steps = [_price(a, p)]
    for i in range(rounds):
        move = Decimal("0.5") if i % 2 == 0 else Decimal("-0.3")
        steps += [_buy(a, 1), _price(a, p + move), _sell(a, 1), _price(a, p)]
    return steps


def mixed(rounds: int) -> list[Step]:
    a, p = "mixed", START[RTY]
    steps = [_price(a, p)]
    for _ in range(rounds):
        steps += [_buy(a, 1), _price(a, p + 4), _sell(a, 1), _price(a, p),
                  _buy(a, 2), _price(a, p - Decimal("1.5")), _sell(a, 2), _price(a, p)]
    return steps


def stories(scale: int = 1) -> dict[str, list[Step]]:
    """Every account's steps; scale multiplies the calm and mixed accounts' round trips."""
    return {"loser": loser(), "oversize": oversize(), "underwater": underwater(),
            "calm": calm(15 * scale), "mixed": mixed(4 * scale)}


def interleave(per_account: dict[str, list[Step]]) -> Iterator[Step]:
    """Round-robin over the accounts' steps, each account's own order kept."""
    queues = {a: list(s) for a, s in per_account.items()}
    while any(queues.values()):
        for a in list(queues):
            if queues[a]:
                yield queues[a].pop(0)


def order_count(per_account: dict[str, list[Step]]) -> int:
    return sum(1 for steps in per_account.values() for s in steps if s.kind in ("buy", "sell"))
