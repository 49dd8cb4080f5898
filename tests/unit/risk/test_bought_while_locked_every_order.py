"""How many contracts were bought while locked does not depend on the order in which the
broker's Trade and Position events of a burst arrive (trial14a, 2026-12-06).

Burst A: Demo 2 (max_contracts 2) holds long 1; three `sim buy MNQ 2` in quick succession;
the 3rd fill is the 3rd trade of the minute and starts the cooldown. Nothing was bought while
locked (the trade that starts a lockout is kept), but history said "2 of them bought while
locked" and a lockout enforcement line "the 2 contracts added are closed": riskd's own cut
(a sell) between the buys netted the fills back to what a lagging Position showed, the two
streams read as agreed, and the Position catching up read as new growth under the lockout.

Burst B: the same account, three `sim buy MNQ 1`, the 1st starting the cooldown: both later
buys were bought while locked, history counted 1: a buy whose Position came before the
lockout started, and whose Trade after it, was never counted (its growth was "explained").

Each burst is played in every interleaving of its Trade stream and its Position stream (each
in the broker's order, riskd's cut among them once risk has sent it): lockout enforcement's
decisions (acted, or left to the cut in flight) add up to exactly the contracts bought after
the lock-starting trade, in every order.
"""
from __future__ import annotations

import attrs
import pytest

from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill,
                                    PositionUpdate)
from shared.messages.risk import CLOSE_POSITION, REDUCE_POSITION
from tests.unit.risk.desk import ACCOUNT, D, MNQ, NS, Desk


def _desk(trades_this_minute: int) -> Desk:
    """Demo 2's rules that matter here: max_contracts 2 (reduce), 3 trades a minute; long 1
    held, bought over a minute ago, and `trades_this_minute` trades since."""
    desk = Desk(max_contracts={"limit": 2, "action": "reduce"},
                trade_frequency_limit={"per_minute": 3, "per_hour": 0, "per_session": 0})
    desk.price(MNQ, 21000)
    desk.filled(1, MNQ, 21000)
    desk.wait(120)
    for _ in range(trades_this_minute // 2):
        desk.filled(2, MNQ, 21000)          # a buy and a sell: back to long 1
        desk.filled(1, MNQ, 21000)
    return desk


def _streams(steps: list[int]):
    """The broker's Trade and Position streams of a sequence of signed fills (a positive one
    a trader's buy, a negative one riskd's cut), from long 1."""
    trades, positions, held = [], [], 1
    for i, qty in enumerate(steps):
        held += qty
        riskd = qty < 0
        trades.append(("T", i, Fill(account_id=ACCOUNT, trade_id=100 + i, contract_id=MNQ,
                                    ts_ns=0, price=D(21000), pnl=D(0) if riskd else None,
                                    fees=D("0.37"), side=SIDE_SELL if riskd else SIDE_BUY,
                                    size=abs(qty), order_id=9000 + i)))
        positions.append(("P", i, PositionUpdate(account_id=ACCOUNT, position_id=1,
                                                 contract_id=MNQ, ts_ns=0,
                                                 type=POSITION_LONG, size=held,
                                                 average_price=D(21000))))
    return trades, positions


def _interleavings(a: list, b: list):
    if not a or not b:
        yield a + b
        return
    for rest in _interleavings(a[1:], b):
        yield [a[0]] + rest
    for rest in _interleavings(a, b[1:]):
        yield [b[0]] + rest


def _play(trades_this_minute: int, steps: list[int], order: list):
    """The events in this order, 1 ms apart; None when riskd's cut would come before risk
    sent any (an order that cannot happen). Every fill must be taken for whose it is: riskd's
    cuts riskd's, the trader's buys the trader's, and the trades of the minute only the
    trader's (trial14a burst A: riskd's cut that closed more than it asked, 3 where 1 was
    asked, read as the trader's 3rd trade of the minute and started the cooldown)."""
    desk = _desk(trades_this_minute)
    start = len(desk.history)
    day_before = desk.account.trades_today
    whose = {}
    for kind, i, event in order:
        desk.now += 1_000_000
        if steps[i] < 0 and not [c for c in desk.commands()
                                 if c.action in (REDUCE_POSITION, CLOSE_POSITION)]:
            return None
        out = desk.feed(attrs.evolve(event, ts_ns=desk.now - (200 * NS if kind == "P" else 0)))
        if kind == "T":
            whose[i] = [f.by_riskd for f in out.fills]
    seen = " ".join(f"{k}{i}" for k, i, _ in order)
    assert whose == {i: [qty < 0] for i, qty in enumerate(steps)}, (seen, whose)
    assert desk.account.trades_today - day_before == len([q for q in steps if q > 0]), seen
    return [d for o in desk.history[start:] for d in o.decisions]


def _cuts(decisions) -> list:
    return [d for d in decisions if d.rule == "lockout"
            and d.action in (REDUCE_POSITION, CLOSE_POSITION)]


BURSTS = {
    # name: (trades this minute before the burst, the broker's fills, bought while locked)
    "A, riskd cuts once after the burst": (0, [2, 2, 2, -5], 0),
    "A, riskd cuts in two rounds": (0, [2, 2, -3, 2, -2], 0),
    "B, riskd cuts after the burst": (2, [1, 1, 1, -2], 2),
    "B, riskd cuts between the locked buys": (2, [1, 1, -1, 1, -1], 2),
}


@pytest.mark.parametrize("name", sorted(BURSTS))
def test_bought_while_locked_is_counted_exactly_in_every_event_order(name):
    before, steps, locked = BURSTS[name]
    trades, positions = _streams(steps)
    played = 0
    for order in _interleavings(trades, positions):
        decisions = _play(before, steps, order)
        if decisions is None:
            continue
        played += 1
        cuts = _cuts(decisions)
        seen = " ".join(f"{k}{i}" for k, i, _ in order)
        assert sum(d.size or 0 for d in cuts) == locked, (
            seen, [(d.action, d.size, d.target, d.reason, d.suppressed) for d in cuts])
        assert all(d.size for d in cuts), (seen, cuts)
    assert played >= 20


def test_the_buy_whose_position_came_before_the_lock_is_cut_when_its_trade_comes():
    """Burst B in the order of the trial's history: both later buys' Positions came before
    the lock-starting Trade. The cut takes both (down to 2: long 1 and the lock-starting buy),
    one decision of 2 contracts."""
    trades, positions = _streams([1, 1, 1])
    order = positions[:2] + trades[:1] + positions[2:] + trades[1:]
    cuts = _cuts(_play(2, [1, 1, 1], order))
    assert [(d.action, d.size, d.target, bool(d.suppressed)) for d in cuts] \
        == [(REDUCE_POSITION, 2, 2, False)], cuts
    assert "the 2 contracts added are closed" in cuts[0].reason, cuts[0].reason


def _row(decisions, d, detail):
    """History's row of decision d whose command enforcement reported done with detail."""
    from shared.actedby import command_id
    from shared.historywords import decision_row
    from shared.messages.enforce import CommandState
    others = {key: o for o in decisions for key in (o.id, command_id(o)) if key}
    state = CommandState(command_id=f"{d.id}.1", account_id=d.account_id, action=d.action,
                         state="final", status="done", detail=detail, attempts=1,
                         received_ns=d.ts_ns, finished_ns=d.ts_ns, first_answer_ns=d.ts_ns)
    return decision_row(d, {state.command_id: state}, others=others)


def test_history_counts_every_contract_closed_that_was_bought_while_locked():
    """Burst B, Trade events first: the lockout's cut of the 2nd buy is in flight when the
    3rd comes (its cut left to it); enforcement reads both and closes 2, 1 more than asked:
    both were bought while locked (trial14a: "1 of them")."""
    trades, positions = _streams([1, 1, 1, -2])
    decisions = _play(2, [1, 1, 1, -2], trades + positions)
    sent, left = _cuts(decisions)
    assert not sent.suppressed and left.suppressed, (sent, left)
    row = _row(decisions, sent, "reduced MNQ on account 1001 to 2 contracts: closed 2, 1 more "
                                "than asked (bought while the cut was on its way)")
    assert row[3].endswith("closed 2, 1 more than asked (bought while the cut was on its "
                           "way); 2 of the 2 closed were bought while locked (lockout "
                           "enforcement)"), row[3]


def test_history_of_burst_a_says_nothing_was_bought_while_locked():
    """Burst A: max_contracts's reduce (asked 1) closed 5; the lock-starting buy is kept out
    of the count, and no lockout enforcement line claims a buy (trial14a: "2 of them")."""
    trades, positions = _streams([2, 2, 2, -5])
    decisions = _play(0, [2, 2, 2, -5], trades[:3] + positions[:3] + trades[3:] + positions[3:])
    assert _cuts(decisions) == []
    [cut] = [d for d in decisions if d.rule == "max_contracts" and not d.suppressed]
    row = _row(decisions, cut, "reduced MNQ on account 1001 to 2 contracts: closed 5, 4 more "
                               "than asked (bought while the cut was on its way)")
    assert "bought while locked" not in row[3], row[3]
