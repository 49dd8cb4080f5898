"""Lockout enforcement's cuts beside riskd's close held at the broker (trial18a sections 2 and 6),
in-process, the broker's events in the order the trial's sim sent them.

Demo 2 (strict), self-locked and flat. The trader buys 1 MNQ: the lockout closes it, and that
closeContract is held at the broker. A 2nd buy: the lockout cuts it (a reduce to 1), run by
enforcement while the close waits. A 3rd buy: its cut is left to that reduce, "MNQ ends flat"
(the close beside it). The reduce sells 2 (3 -> 1) and is done; the close still has no result.
A 4th buy (2 held). 15 s later the reduce's expectation of the 3rd buy's contract, unmet (its
sell was counted against the close's expected contract), is forgotten. Then the close sells 2.

Before the fix: the 4th buy's cut went "down to 0" beside the close, as a second closeContract
(both read "Done" for the one sell); the forgotten expectation made a line "MNQ position bought
while ... locked, after riskd's reduce in flight last read it: 2 held, cut to 1" for a buy
that never happened; nothing said MNQ was not flat after the reduce. Now: the reduce's sell
is the reduce's (the close keeps its expected contract: exits.py _of_its_command), so the
4th buy is cut to 1 by a reduce of its own, no line without a buy, a "not flat yet" notice
after the reduce's result, and the close's sell (its Trade before its Position) is riskd's:
the trader made 4 trades.

Shipped rules and accounts (etc/riskd.toml), risk's engine on an injected clock with the
worker's 0.1 s tick.
"""
from __future__ import annotations

from decimal import Decimal

from shared.messages.enforce import CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    PositionUpdate)
from shared.messages.risk import CLOSE_POSITION, REDUCE_POSITION
from tests.unit.risk.desk import MNQ, NS
from tests.unit.risk.engine_run import EngineRun

STRICT = 1002


class Run(EngineRun):
    held = 0
    trade = 0

    def __init__(self):
        super().__init__()
        self.on(AccountUpdate(account_id=STRICT, name="SIM-DEMO-2", balance=Decimal(50_000),
                              can_trade=True))

    def fill(self, qty, order_id):
        """The trader's buy (qty > 0) or riskd's sell (qty < 0): its Trade, then its Position
        (the sim's order in the trial)."""
        self.trade += 1
        self.held += qty
        self.on(Fill(account_id=STRICT, trade_id=self.trade, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal(21000), pnl=None if qty > 0 else Decimal(-1),
                     fees=Decimal("0.37"), side=SIDE_BUY if qty > 0 else SIDE_SELL,
                     size=abs(qty), order_id=order_id))
        self.on(PositionUpdate(account_id=STRICT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=self.held,
                               average_price=Decimal(21000)))
        self.wait(0.2)

    def done(self, cmd, detail):
        out = self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=STRICT, status="done", detail=detail, attempts=1,
            broker_calls=1, started_ns=self.now, finished_ns=self.now,
            first_answer_ns=self.now, action=cmd.action, rule=cmd.rule), self.now)
        self.outs.append(out)
        return out

    def decisions(self, since=0):
        return [d for o in self.outs[since:] for d in o.decisions if d.account_id == STRICT]

    def commands(self, since=0):
        return [c for o in self.outs[since:] for c in o.commands if c.account_id == STRICT]


def _story():
    r = Run()
    r.price(21000)
    out, refusal = r.engine.self_lock(STRICT, r.now, until_ns=r.now + 3600 * NS)
    assert not refusal
    r.outs.append(out)
    r.done(out.commands[0], "account 1002 was already flat: nothing to do")
    r.wait(1)
    mark = len(r.outs)
    r.fill(1, 9001)                                  # the close of it: held at the broker
    [close] = r.commands(mark)
    assert close.action == CLOSE_POSITION
    r.wait(1.2)
    mark = len(r.outs)
    r.fill(1, 9002)                                  # cut: a reduce to 1
    [cut] = [c for c in r.commands(mark) if c.rule == "lockout"]
    assert cut.action == REDUCE_POSITION and cut.target == 1, cut
    r.wait(1.2)
    r.fill(1, 9003)                                  # left to that cut: "MNQ ends flat"
    r.wait(7)
    r.fill(-2, 9004)                                 # the cut: 3 -> 1
    r.story = {"close": close, "cut": cut, "cut_done": len(r.outs)}
    r.done(cut, "reduced MNQ on account Demo 2 to 1 contract: closed 2")
    r.wait(3)
    r.story["fourth"] = len(r.outs)
    r.fill(1, 9005)                                  # 2 held
    r.wait(16)                                       # the cut's expectation is forgotten
    r.story["released"] = len(r.outs)
    r.fill(-2, 9006)                                 # the close, released: 2 -> 0
    r.done(close, "MNQ on account Demo 2 is flat: closed")
    r.wait(1)
    return r


def test_no_line_for_a_buy_never_made():
    """Fails on main's code: "... after riskd's reduce in flight last read it: 2 held, cut to
    1", 15 s after the cut's result, with no buy since the 4th (cut on its own)."""
    r = _story()
    lines = [d for d in r.decisions() if d.rule == "lockout"]
    assert len(lines) == 4, [(d.action, d.reason) for d in lines]
    assert not [d for d in lines if "last read it" in d.reason], [d.reason for d in lines]


def test_the_fourth_buy_is_cut_to_the_closes_contract_not_down_to_nothing():
    """Fails on main's code before round 18 (the 4th buy's cut "down to 0" was sent beside the
    close in flight, a second closeContract; both were "Done" for the close's one sell) and on
    round 18's (its cut "down to 0" left to the close): the reduce's sell of 2 was counted
    against the close's expected contract, so the 1 contract held looked closed already. It is
    the close's, still expected of it (services/risk/exits.py _of_its_command): the 4th buy
    is cut to 1, as the 2nd buy was, by a reduce of its own."""
    r = _story()
    [fourth] = [d for d in r.decisions(r.story["fourth"]) if d.rule == "lockout"]
    assert (fourth.action, fourth.size, fourth.target, fourth.suppressed) \
        == ("reduce_position", 1, 1, ""), fourth
    [cmd] = [c for c in r.commands(r.story["fourth"]) if c.rule == "lockout"]
    assert (cmd.action, cmd.target) == ("reduce_position", 1), cmd


def test_ends_flat_is_followed_up_when_the_cut_leaves_contracts():
    """Fails on main's code: nothing after the cut's result said MNQ was still open."""
    r = _story()
    [promise] = [d for d in r.decisions() if "MNQ ends flat" in d.suppressed]
    [notice] = [n for o in r.outs[r.story["cut_done"]:r.story["fourth"]] for n in o.notices
                if n.kind == "not_flat_yet"]
    assert notice.title.startswith("⏳ MNQ not flat yet on Demo 2 (strict"), notice.title
    assert "left 1 contract open" in notice.lines[0], notice.lines
    assert "close of all of MNQ" in notice.lines[0] and "lockout enforcement" in notice.lines[0]
    assert promise.ts_ns < r.story["cut"].issued_ns + 10 * NS
    # said once: the close's own result (flat) says nothing more
    assert len([n for n in r.notices() if n.kind == "not_flat_yet"]) == 1


def test_the_held_closes_sell_is_riskds():
    """The close's sell of 2 (its Trade before its Position), made after a reduce's sell used
    the close's expected contract: riskd's, not the trader's 5th trade."""
    r = _story()
    acct = r.engine.accounts[STRICT]
    assert acct.trades_today == 4, acct.trades_today
    assert not [d for d in r.decisions(r.story["released"])
                if d.rule == "trade_frequency_limit"], r.decisions(r.story["released"])
