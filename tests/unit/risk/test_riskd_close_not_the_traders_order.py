"""riskd's own close is never the trader's order (RULES.md "Whose trade it is"), in whatever
order the broker's events and enforcement's results arrive.

Trial 2026-12-05 (Saturday, outside the session): with session_block_outside enabled on Demo 2,
`riskctl sim buy MES 1` was closed by riskd, and then a second breach went to the phone:
"cancel working orders MES ... MES order 9000210 outside its trading session" — 9000210 was
riskd's own close (the SELL 24 ms after the trader's buy). Risk knew it was riskd's (its
expected exit claimed the order: riskd_orders held it), but session_block_outside judged every
working order in the book, riskd's included, at the order's first event and in its clock sweep
(every 0.1 s). It also "cancelled" the trader's market buy itself (already filled): two actions
for one buy, and which rule closed the position hung on whether that order event came first.

Here the shipped rules (etc/riskd.toml) run with session_block_outside switched on (the trial's
`riskctl rules enable`), on a Saturday. A buy of 1 MES: the trader's Order, Trade, Position,
filled Order and Account events in any order (an order's open before its filled); then riskd's
close: its Order, Trade, Position, filled Order and Account events, with enforcement's results
(accepted, done) anywhere among them; a clock tick may come between any two. Then a second buy,
on the now locked MES, the same way. Each buy is exactly one action, a close of MES; nothing
is decided about riskd's order; riskd's fill is not the trader's trade; MES is locked until
Monday's session; lockout enforcement says the second buy opened the position.
symbol_blocks, the other rule that cancels orders, is held to the same with MES listed; and
no_stop_loss_grace, which looks at positions on every order event and tick, does not close a
second time a position riskd's close has closed (enforcement's "done" before its fill).
"""
from __future__ import annotations

from decimal import Decimal

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.config.load import load_config
from shared.messages.enforce import CommandResult
from shared.messages.market import (ORDER_MARKET, POSITION_LONG, SIDE_BUY, SIDE_SELL,
                                    STATUS_FILLED, STATUS_OPEN, AccountUpdate, ContractInfo,
                                    Fill, OrderUpdate, PositionUpdate)
from tests.unit.risk.desk import SHIPPED, chi, shipped_engine, shipped_with

ACCOUNT = 1001
MES = "CON.F.US.MES.Z26"
MES_INFO = ContractInfo(contract_id=MES, name="MESZ6", tick_size=Decimal("0.25"),
                        tick_value=Decimal("1.25"), symbol="F.US.MES")
SATURDAY = chi(2026, 12, 5, 15, 38)            # the trial's moment: no session until Monday
MONDAY_OPEN = chi(2026, 12, 7, 8, 30)
STEP_NS = 7_000_000                             # 7 ms between two deliveries
FEE = Decimal("0.37")


# session_block_outside enabled at its shipped parameters (08:30-15:00 America/Chicago,
# Mon-Fri): the trial's `riskctl rules enable 1002 session_block_outside`
SESSION = shipped_with(load_config(SHIPPED), "session_block_outside", enabled=True)
# symbol_blocks (on as shipped) with MES listed: the other rule that cancels orders
BLOCKED = shipped_with(load_config(SHIPPED), "symbol_blocks", symbols=["MES"])
# no_stop_loss_grace enabled at its shipped grace (10 s): it looks at positions on every
# order event and clock tick, riskd's own close order's included
GRACE = shipped_with(load_config(SHIPPED), "no_stop_loss_grace", enabled=True)
WEDNESDAY = chi(2026, 12, 2, 10, 0)            # inside the session


class Broker:
    """The sim's events of one market order that fills at once (services/simbroker/accounts.py)."""

    def __init__(self):
        self.balance = Decimal(50_000)
        self.ids = iter(range(1, 10**6))

    def market(self, order_id: int, side: int, now: int, size_after: int,
               pnl=None) -> dict:
        self.balance += (pnl or 0) - FEE
        order = OrderUpdate(account_id=ACCOUNT, order_id=order_id, contract_id=MES,
                            created_ns=now, updated_ns=now, status=STATUS_OPEN,
                            type=ORDER_MARKET, side=side, size=1)
        return {
            "open": order,
            "trade": Fill(account_id=ACCOUNT, trade_id=next(self.ids) + 500, contract_id=MES,
                          ts_ns=now, price=Decimal("6000.25") if side == SIDE_BUY
                          else Decimal("6000"), pnl=pnl, fees=FEE, side=side, size=1,
                          order_id=order_id),
            "position": PositionUpdate(account_id=ACCOUNT, position_id=7, contract_id=MES,
                                       ts_ns=now, type=POSITION_LONG, size=size_after,
                                       average_price=Decimal("6000.25")),
            "filled": attrs.evolve(order, status=STATUS_FILLED, fill_volume=1),
            "account": AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1",
                                     balance=self.balance, can_trade=True),
        }


def ordered(draw, names: list) -> list:
    """A permutation of names in which an order's open comes before its filled, and
    enforcement's accepted before its done."""
    perm = list(draw(st.permutations(names)))
    for first, then in (("open", "filled"), ("accepted", "done")):
        if first in perm and perm.index(first) > perm.index(then):
            i, j = perm.index(first), perm.index(then)
            perm[i], perm[j] = perm[j], perm[i]
    return perm


class Run:
    def __init__(self, data, loaded, start: int):
        self.data = data
        self.now = start
        self.engine = shipped_engine(loaded, self.now)
        self.engine.on_event(MES_INFO, self.now)
        self.outs = [self.engine.recheck(self.now)]     # as the worker does at its start
        self.broker = Broker()
        self.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1",
                                balance=self.broker.balance, can_trade=True))

    def feed(self, event) -> None:
        self.now += STEP_NS
        if self.data.draw(st.booleans(), label="tick first"):
            self.outs.append(self.engine.tick(self.now))
        if isinstance(event, CommandResult):
            self.outs.append(self.engine.on_result(event, self.now))
        else:
            self.outs.append(self.engine.on_event(event, self.now))

    def commands(self, since: int = 0) -> list:
        return [c for o in self.outs[since:] for c in o.commands]

    def decisions(self, since: int = 0) -> list:
        return [d for o in self.outs[since:] for d in o.decisions]

    def buy(self, trader_id: int, riskd_id: int, hold_s: int = 0) -> tuple[list, list]:
        """The trader's market buy of 1 MES (held hold_s seconds) and riskd's close of it;
        (commands, decisions)."""
        since = len(self.outs)
        events = self.broker.market(trader_id, SIDE_BUY, self.now, 1)
        for name in ordered(self.data.draw, list(events)):
            self.feed(events[name])
        if hold_s:
            self.now += hold_s * 1_000_000_000
            self.outs.append(self.engine.tick(self.now))
        closes = [c for c in self.commands(since) if c.action == "close_position"]
        assert closes, f"no close of the buy: {self.decisions(since)}"
        close = closes[0]
        events = self.broker.market(riskd_id, SIDE_SELL, self.now, 0, pnl=Decimal("-1.25"))
        for name in ordered(self.data.draw, list(events) + ["accepted", "done"]):
            if name in ("accepted", "done"):
                self.feed(CommandResult(command_id=close.id, account_id=ACCOUNT, status=name,
                                        action=close.action, rule=close.rule))
            else:
                self.feed(events[name])
        for _ in range(3):                      # the clock's sweeps after it all
            self.now += 100_000_000
            self.outs.append(self.engine.tick(self.now))
        return self.commands(since), self.decisions(since)


def about(d, order_id: int) -> bool:
    return d.order_id == order_id or str(order_id) in d.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_buy_outside_the_session_is_one_close_and_riskds_close_is_never_the_traders(data):
    run = Run(data, SESSION, SATURDAY)
    two_buys(run)
    [lock] = run.engine.lockouts.all(ACCOUNT)
    assert (lock.rule, lock.symbol, lock.kind, lock.until_ns) == (
        "session_block_outside", "MES", "until_session", MONDAY_OPEN)
    # the breach the phone and history show: the position outside the session, closed
    [breach] = [d for d in run.decisions() if d.rule == "session_block_outside"
                and not d.suppressed]
    assert (breach.action, breach.contract_id) == ("close_position", MES)
    assert breach.reason == "MES position outside its trading session"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_buy_of_a_blocked_symbol_is_one_close_and_riskds_close_is_not_cancelled(data):
    run = Run(data, BLOCKED, WEDNESDAY)
    two_buys(run)
    [lock] = run.engine.lockouts.all(ACCOUNT)
    assert (lock.rule, lock.symbol) == ("symbol_blocks", "MES")


def two_buys(run: Run) -> None:
    """Two market buys of 1 MES, each closed by riskd: one action each, none on riskd's."""
    for trader_id, riskd_id in ((9000209, 9000210), (9000211, 9000212)):
        commands, decisions = run.buy(trader_id, riskd_id)
        # one action: the close of the position the buy opened (no "cancel" of the filled
        # market buy, none of riskd's own close)
        assert [(c.action, c.contract_id) for c in commands] == [("close_position", MES)], \
            [(c.action, c.contract_id, c.order_id, c.rule) for c in commands]
        blamed = [d for d in decisions if about(d, riskd_id)]
        assert not blamed, [(d.rule, d.action, d.reason, d.suppressed) for d in blamed]
        assert not [d for d in decisions if d.action == "cancel_orders"], \
            [(d.rule, d.reason) for d in decisions]
        assert riskd_id in run.engine.accounts[ACCOUNT].riskd.orders
        # a buy from flat made while locked "opened" the position, whichever event came
        # first (its Trade first read "added to")
        for d in decisions:
            if d.rule == "lockout":
                # (a symbol_blocks lockout's words: "MES position opened on account ...
                # while MES is listed in symbol_blocks ...", lockouts.while_locked)
                assert d.reason.startswith(("MES position opened while MES on account",
                                            "MES position opened on account")), d.reason
    acct = run.engine.accounts[ACCOUNT]
    assert acct.trades_today == 2                   # the two buys; riskd's closes are not
    assert not acct.positions and not acct.orders


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_position_riskd_has_closed_is_not_closed_again_before_its_fill_arrives(data):
    """no_stop_loss_grace closes a buy held 11 s without a stop. Enforcement's "done" may come
    before the close's Trade and Position (its own REST check of the position against
    market's relay of the hub): riskd's own close order's event, or a tick, in between found
    the position still open in risk's book, and closed it a second time (a second breach
    alert, "already flat")."""
    run = Run(data, GRACE, WEDNESDAY)
    commands, decisions = run.buy(9000209, 9000210, hold_s=11)
    assert [(c.action, c.rule) for c in commands] == [("close_position", "no_stop_loss_grace")], \
        [(c.action, c.rule, c.reason) for c in commands]
    assert len([d for d in decisions if not d.suppressed]) == 1, decisions
    acct = run.engine.accounts[ACCOUNT]
    assert not acct.positions and acct.trades_today == 1
    # the next buy, held as long, is closed again: a close that is done covers only its own
    commands, _ = run.buy(9000211, 9000212, hold_s=11)
    assert [(c.action, c.rule) for c in commands] == [("close_position", "no_stop_loss_grace")]
