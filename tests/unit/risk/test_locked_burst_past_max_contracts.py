"""A burst of buys on a self-locked account past max_contracts (trial15c findings 6 and 10):
Demo 2 (strict), max_contracts 2, self-locked; three buys of 4 MNQ a few ms apart. The first
buy's lockout enforcement closes all of MNQ, and max_contracts, past its limit, reduces MNQ to
2 beside that close. The next buys' lockout cuts stand behind max_contracts's reduce in flight
(no second close: rightly). Their words said "left to riskd's cut in flight, which cuts MNQ
down to 2": on a locked account read as 2 contracts staying open, while the close beside it
takes all of MNQ (the account ended flat). Now they say MNQ ends flat.

max_contracts's reduce is still sent (if the lockout's close failed, it would still cut), but
it is marked as beside lockout enforcement's close (Decision.beside): notify logs it and its
outcome without sending them to the phone (tests/unit/notify/test_breach_beside_lockouts_close.py).

Shipped rules and accounts (etc/riskd.toml: account 1002's max_contracts 2), risk's engine on
an injected clock with the worker's 0.1 s tick.
"""
from __future__ import annotations

from decimal import Decimal

from services.notify.templates import Context, build
from shared.historywords import decision_row
from shared.messages.enforce import CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    PositionUpdate)
from shared.messages.risk import CLOSE_POSITION, LEFT_TO_ONE_IN_FLIGHT, REDUCE_POSITION
from tests.unit.risk.desk import CHI, MNQ, NS
from tests.unit.risk.engine_run import EngineRun

STRICT = 1002       # Demo 2 (strict): max_contracts 2


class Run(EngineRun):
    held = 0
    trade = 0

    def __init__(self):
        super().__init__()
        self.on(AccountUpdate(account_id=STRICT, name="SIM-DEMO-2", balance=Decimal(50_000),
                              can_trade=True))

    def buy(self, qty):
        self.trade += 1
        self.held += qty
        self.on(Fill(account_id=STRICT, trade_id=self.trade, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                     size=qty))
        self.on(PositionUpdate(account_id=STRICT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=self.held,
                               average_price=Decimal(21000)))
        self.now += 30_000_000          # 30 ms apart

    def answer(self, cmd, detail):
        self.outs.append(self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=STRICT, status="done", detail=detail, attempts=1,
            broker_calls=1, started_ns=self.now, finished_ns=self.now,
            first_answer_ns=self.now, action=cmd.action, rule=cmd.rule), self.now))

    def decisions(self):
        return [d for o in self.outs for d in o.decisions if d.account_id == STRICT]

    def commands(self):
        return [c for o in self.outs for c in o.commands if c.account_id == STRICT]


def _self_locked_burst():
    r = Run()
    r.price(21000)
    out, refusal = r.engine.self_lock(STRICT, r.now, until_ns=r.now + 3600 * NS)
    assert not refusal
    r.outs.append(out)
    r.answer(out.commands[0], "account 1002 was already flat: nothing to do")
    r.wait(1)
    for _ in range(3):
        r.buy(4)
    return r


def test_the_lockouts_cuts_left_to_max_contracts_reduce_say_mnq_ends_flat():
    """Fails on main's code: "which cuts MNQ down to 2" on a self-locked account."""
    r = _self_locked_burst()
    close = [c for c in r.commands() if c.rule == "lockout" and c.action == CLOSE_POSITION]
    reduce = [c for c in r.commands() if c.rule == "max_contracts"]
    assert len(close) == 1 and len(reduce) == 1, [(c.rule, c.action) for c in r.commands()]
    assert reduce[0].action == REDUCE_POSITION and reduce[0].target == 2
    cuts = [d for d in r.decisions() if d.rule == "lockout" and d.suppressed]
    assert len(cuts) == 2, [(d.rule, d.action, d.suppressed) for d in r.decisions()]
    ctx = Context(tz=CHI, accounts={STRICT: "Demo 2 (strict)"})
    for d in cuts:
        assert d.suppressed.startswith(LEFT_TO_ONE_IN_FLIGHT), d.suppressed
        assert d.suppressed.endswith(f"({reduce[0].id})"), d.suppressed   # still counted by it
        assert "down to 2" not in d.suppressed, d.suppressed
        assert "MNQ ends flat" in d.suppressed, d.suppressed
        assert d.what == ("reduce MNQ by 4: left to riskd's cut in flight and its close of all "
                          "of MNQ beside it: MNQ ends flat, not at 2 as the cut alone would "
                          f"leave it, by decision {reduce[0].decision_id} (max_contracts)"), \
            d.what
        alert = build(d, ctx)
        assert alert.title.startswith("🔒 Lockout enforced on Demo 2 (strict, id 1002)"), alert
        [line] = [x for x in alert.lines if x.startswith("nothing sent: ")]
        assert line.startswith("nothing sent: left to riskd's cut in flight and its close of "
                               "all of MNQ beside it: MNQ ends flat, not at 2 as the cut alone "
                               "would leave it"), alert.lines
        row = decision_row(d, {})
        assert "MNQ ends flat" in row[6] and "cuts MNQ down to 2" not in row[6], row


def test_max_contracts_reduce_beside_the_lockouts_close_is_sent_and_marked():
    """Fails on main's code: no mark (Decision.beside) for notify to go by. The reduce itself
    is still sent: only what is said changes."""
    r = _self_locked_burst()
    [close] = [c for c in r.commands() if c.rule == "lockout" and c.action == CLOSE_POSITION]
    [rule_d] = [d for d in r.decisions() if d.rule == "max_contracts"]
    assert rule_d.action == REDUCE_POSITION and not rule_d.suppressed, rule_d
    assert rule_d.beside == close.id, rule_d
    assert [c.decision_id for c in r.commands() if c.rule == "max_contracts"] == [rule_d.id]
    # lockout enforcement's own decisions and the trader's are never marked
    assert all(not d.beside for d in r.decisions() if d.rule != "max_contracts"), \
        [(d.rule, d.beside) for d in r.decisions()]


def test_a_rules_reduce_with_no_lockout_is_not_marked():
    """Not locked: max_contracts's breach is the news, told as before."""
    r = Run()
    r.price(21000)
    r.buy(4)
    [rule_d] = [d for d in r.decisions() if d.rule == "max_contracts"]
    assert rule_d.action == REDUCE_POSITION and rule_d.beside == "", rule_d
