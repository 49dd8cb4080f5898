"""A lockout's cut of new growth stands behind a rule's reduce in flight, which cuts down to
its target whenever enforcement reads the position: the growth goes with it, and its fills are
riskd's, not trades of the trader.

Trial 2026-12-06 (Demo 2: max_contracts 2, per_minute 3): five buys of 1 MNQ ten ms apart.
The third started the cooldown and made max_contracts reduce by 1; the 4th and 5th, bought
under the lockout, were each to be cut by the lockout's reduce, which the reduce in flight
stood for (the same action in flight; its exits were told to expect them). Enforcement read
the position after all five and cut 1 ("reduced MNQ from 5 to 4 contracts", done); the
contracts expected of it never came, and nothing judged the account again: 4 held against 2
through the lockout's end. A reduce now carries the size to end at (Command.target), and
enforcement cuts down to it (services/enforcement/actions/reduce_position.py). Should a done
command's expectation still go unmet, its being forgotten (15 s after the result) judges the
account's position rules again: the last test.

Shipped rules (etc/riskd.toml: max_contracts 5 reducing, trade_frequency_limit per_minute 3),
one account on risk's engine with its injected clock and the worker's 0.1 s tick.
"""
from __future__ import annotations

from decimal import Decimal

from shared.messages.market import POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill, PositionUpdate
from shared.messages.risk import REDUCE_POSITION
from services.risk.exits import WINDOW_NS
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


class Run(EngineRun):
    held = 0
    trade = 0

    def fill(self, qty, order_id=None):
        self.trade += 1
        self.held += qty
        out = self.on(Fill(account_id=ACCOUNT, trade_id=self.trade, contract_id=MNQ,
                           ts_ns=self.now, price=Decimal(21000),
                           pnl=None if qty > 0 else Decimal(0), fees=Decimal("0.37"),
                           side=SIDE_BUY if qty > 0 else SIDE_SELL, size=abs(qty),
                           order_id=order_id))
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=self.held,
                               average_price=Decimal(21000)))
        return out

    def reduces(self, since=0):
        return [c for o in self.outs[since:] for c in o.commands if c.action == REDUCE_POSITION]


def _grown_behind_a_reduce():
    r = Run()
    r.price(21000)
    r.fill(4)
    r.fill(2)                     # 6 of 5: max_contracts reduces 1, down to 5; the 2nd trade
    [first] = r.reduces()
    assert (first.size, first.target) == (1, 5)
    r.fill(1)                     # the 3rd trade: the cooldown; 7 of 5, bought under it
    r.fill(1)                     # 8: the lockout's cut of it stands behind the reduce
    assert r.reduces() == [first], "a second reduce beside the one in flight"
    return r, first


def enforce_for(r, seconds: float, answered: set) -> None:
    """The worker's ticks for `seconds`; enforcement carries out each new reduce at once,
    cutting down to its target as the real one does."""
    for _ in range(int(seconds * 10)):
        r.wait(0.1)
        for cmd in r.reduces():
            if cmd.id not in answered:
                answered.add(cmd.id)
                r.fill(-(r.held - cmd.target), order_id=1000 + len(answered))
                r.result(cmd, "done", detail="reduced MNQ")


def _trader_trades(r):
    return r.engine.accounts[ACCOUNT].trades_today


def test_the_reduce_in_flight_reads_the_grown_position_and_cuts_it_to_its_target():
    r, first = _grown_behind_a_reduce()
    r.fill(-(r.held - first.target), order_id=1001)      # enforcement read 8: cut to 5
    r.result(first, "done", detail="reduced MNQ on account 1001 from 8 to 5 contracts")
    assert r.held == 5
    assert _trader_trades(r) == 4, "riskd's cut counted as the trader's trade"
    r.wait(WINDOW_NS / 1e9 + 5)     # past the exits' memory: nothing more to cut, nothing sent
    assert r.reduces() == [first]
    assert r.held == 5


def test_the_reduce_in_flight_read_before_the_growth_and_cut_it_on_its_next_read():
    r, first = _grown_behind_a_reduce()
    r.fill(-1, order_id=1001)     # enforcement read 6: cut 1; its next read, 7: cut 2 more
    r.fill(-2, order_id=1002)
    r.result(first, "done", detail="reduced MNQ on account 1001 from 6 to 5 contracts")
    assert r.held == 5
    assert _trader_trades(r) == 4, "riskd's cut counted as the trader's trade"
    r.wait(WINDOW_NS / 1e9 + 5)
    assert r.reduces() == [first] and r.held == 5


def test_growth_a_done_reduce_never_cut_is_reduced_once_its_exit_is_forgotten():
    """The window left: the growth came after enforcement's last read of the position, and
    risk saw it before the result. The forgotten expectation judges the account again."""
    r, first = _grown_behind_a_reduce()
    r.fill(-1, order_id=1001)     # enforcement cut 6 to 5 before the buys reached the broker
    r.result(first, "done", detail="reduced MNQ on account 1001 from 6 to 5 contracts")
    enforce_for(r, 25, answered={first.id})
    assert r.held == 5, (r.held, [(c.rule, c.size, c.target) for c in r.reduces()])


def test_growth_bought_after_the_lockouts_reduce_last_read_is_cut_by_the_lockout():
    """No rule over its limit (4 of max_contracts 5), only the lockout: its cut of the 4th buy
    (down to 3) read the position before the 5th reached the broker, so the 5th's cut, standing
    behind it, never came. Forgotten unmet, the lockout cuts it itself: 3 held, as when it
    started."""
    r = Run()
    r.price(21000)
    for _ in range(3):
        r.fill(1)                 # the 3rd trade starts the cooldown (the shipped 3 a minute)
    r.fill(1)                     # bought under it: the lockout reduces it, down to 3
    [cut] = r.reduces()
    assert (cut.rule, cut.size, cut.target) == ("lockout", 1, 3), cut
    r.fill(1)                     # 5: its cut stands behind the one in flight
    assert r.reduces() == [cut]
    r.fill(-1, order_id=1001)     # enforcement read 4 before the 5th: cut to 3, done
    r.result(cut, "done", detail="reduced MNQ on account 1001 from 4 to 3 contracts")
    assert r.held == 4
    enforce_for(r, 20, answered={cut.id})   # the unmet expectation is forgotten at 15 s
    assert r.held == 3, (r.held, [(c.rule, c.size, c.target) for c in r.reduces()])
    assert [(c.rule, c.target) for c in r.reduces()] == [("lockout", 3), ("lockout", 3)]
    assert _trader_trades(r) == 5
