"""The scripted trading session of the reliability suite: 5 accounts on the shipped rules.

Every account runs the default profile of etc/riskd.toml exactly as shipped
(nothing loosened) and trades its own contract in its own trader thread, so
one account's waits never slow another's clock-sensitive steps. Prices move
only through /sim/quote (the random walk is off), so a run with chaos and a
run without it face the same market. A story is a list of steps; a `mark`
step ends a breach: the runner then counts the broker calls since the last
mark at the sim, for that account, so two runs are compared breach by breach.

  loser      (MNQ)  5 long, MNQ falls 51 points: daily_unrealized_loss closes it,
                    then daily_realized_loss flattens (cancelling a resting MES order)
                    and locks until the roll; cooldown_after_loss adds its timer
  oversize   (MES)  buys 4 then 3: max_contracts reduces to 5; the sale of the 5 is the
                    third trade in a minute: a 60 s cooldown; it waits the cooldown out
                    (asking riskd) and does it again
  selflock   (ENQ)  long 2 with a resting buy and a stop: the trader locks themself out
                    for the day: a flatten with cancels on an unlocked account
  underwater (M2K)  long 1, M2K falls 45 points: closed, then cooldown_after_loss (900 s)
                    flattens and cancels a resting RTY order
  drawdown   (RTY)  long 1, RTY falls 39 points: closed; daily_net_loss and
                    drawdown_guard flatten (a resting M2K order) and lock until the roll

Then every locked account keeps trying: each buy is closed and each resting
order cancelled by the lockout (the `attempts` count scales the session).
`chaos` steps name a worst moment the chaos run arms just before the step
that reaches it; a run without chaos skips them.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

import attrs

MNQ, MES, ENQ, M2K, RTY = ("CON.F.US.MNQ.Z26", "CON.F.US.MES.Z26", "CON.F.US.ENQ.Z26",
                           "CON.F.US.M2K.Z26", "CON.F.US.RTY.Z26")
START = {MNQ: Decimal("21000"), MES: Decimal("6000"), ENQ: Decimal("21000"),
         M2K: Decimal("2200"), RTY: Decimal("2200")}

ACCOUNTS = {"loser": 3001, "oversize": 3002, "selflock": 3003, "underwater": 3004,
            "drawdown": 3005}
CONTRACT = {"loser": MNQ, "oversize": MES, "selflock": ENQ, "underwater": M2K, "drawdown": RTY}
FAR = Decimal(500)            # a resting order this far from the market never fills


@attrs.frozen
class Step:
    """One thing a trader does.

    kind: price | buy | sell | rest (a limit order FAR away; value = +1 buy / -1 sell)
          | stop (a protective stop sell `value` points below) | selflock | expect
          | locked (wait until riskd lists a lockout of rule `what`)
          | unlocked (wait until riskd lists no lockout of the account) | mark | chaos
    """
    account: str
    kind: str
    contract: str = ""
    value: Decimal = Decimal(0)
    expect: Optional[Callable] = None    # (positions dict, working orders) -> bool
    what: str = ""                       # mark: the breach's label; chaos: the moment


def _s(a, kind, contract="", value=0, expect=None, what="") -> Step:
    return Step(a, kind, contract or CONTRACT[a], Decimal(str(value)), expect, what)


def flat(pos, orders) -> bool:
    return not pos and not orders


def no_position(pos, _orders) -> bool:
    return not pos


def attempts(a: str, n: int, with_orders: bool) -> list[Step]:
    """A locked account keeps trying: each buy is closed, each resting order cancelled."""
    steps = []
    for i in range(n):
        steps += [_s(a, "buy", value=1), _s(a, "expect", expect=no_position,
                                             what="the buy during the lockout closed"),
                  _s(a, "mark", what=f"buy during the lockout #{i + 1}")]
        if with_orders:
            steps += [_s(a, "rest", value=1), _s(a, "expect", expect=flat,
                                                 what="the order during the lockout cancelled"),
                      _s(a, "mark", what=f"order during the lockout #{i + 1}")]
    return steps


def losing_move(a: str, rest_on: str, rest_side: int, size: int, drop: int, moment: str,
                what: str, label: str, n: int, with_orders: bool) -> list[Step]:
    """Long `size` with a resting order on another contract; the price falls `drop` points
    (the chaos run arms `moment` just before); then the locked account keeps trying."""
    c = CONTRACT[a]
    p = START[c]
    return [_s(a, "price", value=p), _s(a, "rest", rest_on, rest_side), _s(a, "buy", value=size),
            _s(a, "expect", expect=lambda pos, _o: pos.get(c) == size, what=f"long {size}"),
            _s(a, "mark", what="opening"),
            _s(a, "chaos", what=moment),
            _s(a, "price", value=p - drop),
            _s(a, "expect", expect=flat, what=what),
            _s(a, "mark", what=label),
            _s(a, "price", value=p)] + attempts(a, n, with_orders)


def loser(n: int) -> list[Step]:
    return losing_move("loser", MES, 1, 5, 51, "enforcement.close_sent",
                       "closed, flattened, the MES order cancelled", "the losing day", n, True)


def oversize(cycles: int) -> list[Step]:
    a, p = "oversize", START[MES]
    steps = [_s(a, "price", value=p), _s(a, "chaos", what="market.fill_received"),
             _s(a, "chaos", what="reduce answered too late")]
    for i in range(cycles):
        steps += [_s(a, "buy", value=4), _s(a, "buy", value=3),
                  _s(a, "expect", expect=lambda pos, _o: pos.get(MES) == 5,
                     what="reduced to 5 contracts"),
                  _s(a, "mark", what=f"reduce #{i + 1}"),
                  _s(a, "price", value=p + 1), _s(a, "sell", value=5),
                  _s(a, "expect", expect=flat, what="sold out"),
                  _s(a, "price", value=p),
                  _s(a, "locked", what="trade_frequency_limit"),
                  _s(a, "unlocked", what="the per-minute cooldown over"),
                  _s(a, "mark", what=f"cooldown #{i + 1}")]
    return steps


def selflock(n: int) -> list[Step]:
    a, p = "selflock", START[ENQ]
    return [_s(a, "price", value=p), _s(a, "buy", value=2), _s(a, "rest", value=1),
            _s(a, "stop", value=100),
            _s(a, "expect", expect=lambda pos, o: pos.get(ENQ) == 2 and len(o) == 2,
               what="long 2 with 2 working orders"),
            _s(a, "mark", what="opening"),
            _s(a, "chaos", what="riskd mid-flatten"),
            _s(a, "selflock"),
            _s(a, "expect", expect=flat, what="flattened by the self-lockout"),
            _s(a, "mark", what="self-lockout")] + attempts(a, n, with_orders=True)


def underwater(n: int) -> list[Step]:
    return losing_move("underwater", RTY, 1, 1, 45, "risk.decision_committed",
                       "closed, flattened, the RTY order cancelled", "the losing position", n,
                       True)


def drawdown(n: int) -> list[Step]:
    return losing_move("drawdown", M2K, -1, 1, 39, "enforcement.running_recorded",
                       "closed, flattened, the M2K order cancelled", "the drawdown", n, True)


def stories(attempts_n: int = 2, cycles: int = 1) -> dict[str, list[Step]]:
    """Every account's steps; attempts_n and cycles scale the session."""
    return {"loser": loser(attempts_n), "oversize": oversize(cycles),
            "selflock": selflock(attempts_n), "underwater": underwater(attempts_n),
            "drawdown": drawdown(attempts_n)}


def order_count(per_account: dict[str, list[Step]]) -> int:
    return sum(1 for steps in per_account.values() for s in steps
               if s.kind in ("buy", "sell", "rest", "stop"))
