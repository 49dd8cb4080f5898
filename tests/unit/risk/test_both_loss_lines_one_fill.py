"""One fill that crosses daily_net_loss's and daily_realized_loss's lines at once locks the
account with the same rule, whatever order the broker's events of that fill come in.

The event-order model (test_event_order_model.py, seed 219293675830202715218733705302590506441,
2026-12-06) found it: riskd's close of 2 ENQ (daily_unrealized_loss, -550) started
cooldown_after_loss's flatten; the flatten's close of the last position (3 MNQ short, -150
open) took realized from -449.55 to -600.66 and net from -599.55 to -600.66 with its fees:
both lines in one fill. The flatten and the lockout until the roll were the same in every
order, but the lockout was daily_net_loss's when the Trade came first (TopstepX's order) and
daily_realized_loss's when the Position came first: the account was flat in risk's book by the
Trade's step, and only then did the trade's own rules (rule 3 first) judge before the rules
that read open PnL. the_model_example keeps that shape in fewer steps (a slipped ENQ stop-out
starts the flatten; its close of 3 MNQ crosses both lines with its fees).

The answer, in every order (RULES.md "Decisions follow the broker's facts, not its event
order"; docs/rules.md "The broker's event order does not matter"): a fill's step judges the
rules that read the account's open PnL first, with the fill's realized PnL in (4, 5, 14, 15,
in their order), then the trade's own rules (3, 6, 7, 13): daily_net_loss, which reads the
whole account, flattens and holds the lockout; daily_realized_loss's breach is recorded beside
it with no second action ("locked already"). Net and realized both change only on the fill's
Trade (a Position that comes first leaves the closed contracts' open PnL counted until it),
so the Trade's step is where both lines are crossed, in any order.

The shipped rules (etc/riskd.toml, account 1001: daily_realized_loss 500, daily_net_loss 600,
daily_unrealized_loss 200 a position, cooldown_after_loss flattening), with an injected clock.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shared.config.load import load_config
from shared.messages.enforce import CommandResult
from shared.messages.risk import LOCKED_ALREADY
from shared.messages.market import (ORDER_MARKET, POSITION_LONG, POSITION_SHORT, SIDE_BUY,
                                    SIDE_SELL, STATUS_FILLED, AccountUpdate, Fill, OrderUpdate,
                                    PositionUpdate, Quote)
from tests.unit.risk.desk import MNQ, NQ, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
NS = 1_000_000_000
START = Decimal(50_000)
FEE = Decimal("0.37")                   # a contract, as the model's broker charges
ORDERS = list(itertools.permutations(("trade", "position", "order", "account")))
TRADE_FIRST = ("trade", "position", "order", "account")


class Broker:
    """The broker's events of each fill, the account's realized PnL as it books it."""

    def __init__(self, engine, now):
        self.engine, self.now = engine, now
        self.ids = itertools.count(1)
        self.realized = Decimal(0)
        self.outs = []

    def feed(self, event):
        self.outs.append(self.engine.on_event(event, self.now))

    def price(self, cid, last):
        self.feed(Quote(contract_id=cid, ts_ns=self.now, last=Decimal(last)))

    def fill(self, cid, qty, price, pnl, after, avg, order=TRADE_FIRST):
        """A market order of signed qty fills at price; the position is then `after` (signed)
        at avg; its four events come in `order`."""
        pnl = None if pnl is None else Decimal(pnl)
        self.realized += (pnl or 0) - FEE * abs(qty)
        oid, tid = next(self.ids), next(self.ids)
        side = SIDE_BUY if qty > 0 else SIDE_SELL
        events = {
            "trade": Fill(account_id=ACCOUNT, trade_id=tid, contract_id=cid, ts_ns=self.now,
                          price=Decimal(price), pnl=pnl, fees=FEE * abs(qty), side=side,
                          size=abs(qty), order_id=oid),
            "position": PositionUpdate(
                account_id=ACCOUNT, position_id=1 if cid == MNQ else 2, contract_id=cid,
                ts_ns=self.now, type=POSITION_LONG if after > 0 else
                POSITION_SHORT if after < 0 else 0, size=abs(after),
                average_price=Decimal(avg if after else 0)),
            "order": OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=cid,
                                 created_ns=self.now, updated_ns=self.now, status=STATUS_FILLED,
                                 type=ORDER_MARKET, side=side, size=abs(qty),
                                 fill_volume=abs(qty), filled_price=Decimal(price)),
            "account": AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1",
                                     balance=START + self.realized, can_trade=True),
        }
        for kind in order:
            self.feed(events[kind])

    def done(self, commands):
        for c in commands:
            self.outs.append(self.engine.on_result(
                CommandResult(command_id=c.id, account_id=ACCOUNT, status="done"), self.now))


def commands(outs):
    return [c for o in outs for c in o.commands]


def decisions(outs):
    """What was decided and acted on (records with no action of their own apart)."""
    return sorted((d.rule, d.action, d.contract_id or "", d.lock.kind if d.lock else "")
                  for o in outs for d in o.decisions if not d.suppressed)


def lockouts(engine):
    return sorted((lk.rule, lk.kind, lk.until_ns) for lk in engine.lockouts.all())


def the_model_example(order):
    """The model's example in fewer steps: cooldown_after_loss's flatten closes the last
    position, and that close crosses both lines with its fees; its events come in `order`."""
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21053")
    broker.price(NQ, "20000")
    broker.fill(MNQ, -3, "21053", None, -3, "21053")            # short 3 MNQ
    broker.fill(NQ, 1, "20000", None, 1, "20000")               # long 1 ENQ
    broker.price(MNQ, "21076.75")                               # MNQ -142.50 open
    assert commands(broker.outs) == []
    broker.now += NS
    # the ENQ stop-out slips: -455 realized (cooldown_after_loss's 300 tier: flatten)
    broker.fill(NQ, -1, "19977.25", "-455", 0, "0")
    flatten = commands(broker.outs)
    assert [(c.action, c.rule) for c in flatten] == [("flatten", "cooldown_after_loss")]
    assert broker.realized == Decimal("-456.85")                # rule 3's line: -500
    assert engine.lockouts.all()[0].rule == "cooldown_after_loss"
    before = len(broker.outs)
    # the flatten's close of 3 MNQ at the price: -142.50 and 1.11 fees
    broker.fill(MNQ, 3, "21076.75", "-142.50", 0, "0", order=order)
    broker.done(flatten)
    assert broker.realized == Decimal("-600.46")                # net line -600, rule 3's -500
    return engine, broker.outs[before:]


def the_traders_stop_out(order):
    """The same in one fill of the trader's: a stop that slips past both lines."""
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(NQ, "20000")
    broker.fill(NQ, 1, "20000", None, 1, "20000")
    broker.price(NQ, "19990.5")                                 # -190 open: under every line
    before = len(broker.outs)
    broker.fill(NQ, -1, "19970", "-600", 0, "0", order=order)
    assert broker.realized == Decimal("-600.74")
    return engine, broker.outs[before:]


@pytest.mark.parametrize("story", [the_model_example, the_traders_stop_out])
def test_the_trade_first_order_locks_with_daily_net_loss(story):
    engine, outs = story(TRADE_FIRST)
    until_reset = [lk for lk in engine.lockouts.all() if lk.kind == "until_reset"]
    assert [lk.rule for lk in until_reset] == ["daily_net_loss"]
    noted = [(d.rule, d.suppressed.split(":")[0]) for o in outs for d in o.decisions
             if d.rule == "daily_realized_loss"]
    assert noted == [("daily_realized_loss", LOCKED_ALREADY)]     # its breach, recorded


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
@pytest.mark.parametrize("story", [the_model_example, the_traders_stop_out])
def test_every_order_decides_and_locks_as_the_trade_first_order(story, order):
    ref_engine, ref_outs = story(TRADE_FIRST)
    engine, outs = story(order)
    assert lockouts(engine) == lockouts(ref_engine)
    assert decisions(outs) == decisions(ref_outs)
    assert sorted((c.action, c.rule) for c in commands(outs)) == \
        sorted((c.action, c.rule) for c in commands(ref_outs))
