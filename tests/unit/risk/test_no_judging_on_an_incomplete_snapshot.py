"""Market restarted and has not read the broker yet (its snapshot marked incomplete): the
positions of risk's book it does not list may have closed while it was down, so the rules that
read positions wait for its complete snapshot (or a live Position event of each); the rules on
trades alone still judge (a trade is the broker's fact).

chaos21b (2026-12-07): a restarted market's first quote was judged against a snapshot marked
incomplete; risk closed RTY again, a position the broker no longer held (a close still covering
it now stops that one; the judging was the same). Here nothing covers it: the trader closed ES
himself while market was down, his fill never reached risk, and market's first quote of ES
after its restart is 15 points lower: old risk closed ES (daily_unrealized_loss), flattened the
account and locked it to the roll (daily_net_loss) on a loss the trader never had.

The shipped rules (etc/riskd.toml); the quote that moves comes live after the incomplete
snapshot or inside it (market's last quote), and the complete snapshot lists ES (the broker
still holds it: the rules then act on it) or not.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.config.load import load_config
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk.desk import ES, MNQ, NS, SHIPPED, chi, shipped_engine, shipped_with

ACCOUNT = 3005                 # not listed in etc/riskd.toml: the default profile
LOADED = load_config(SHIPPED)
# symbol_blocks (on as shipped) with MNQ listed: the trader opens MNQ while market is down
BLOCKED = shipped_with(LOADED, "symbol_blocks", symbols=["MNQ"])


class Story:
    def __init__(self, loaded=LOADED) -> None:
        self.now = chi(2026, 11, 25, 9, 0)
        self.risk = shipped_engine(loaded, self.now)
        self.outs: list = []
        self.snapshot(complete=True, positions=[self.es_long()], quotes=[self.quote(5000)],
                      fills=[Fill(account_id=ACCOUNT, trade_id=1, contract_id=ES,
                                  ts_ns=self.now, price=Decimal(5000), pnl=None,
                                  fees=Decimal("1.40"), side=SIDE_BUY, size=1, order_id=11)])
        self.wait(1)
        assert self.risk.accounts[ACCOUNT].ahead == {}

    def es_long(self) -> PositionUpdate:
        return PositionUpdate(account_id=ACCOUNT, position_id=25, contract_id=ES,
                              ts_ns=self.now, type=POSITION_LONG, size=1,
                              average_price=Decimal(5000))

    def quote(self, last) -> Quote:
        return Quote(contract_id=ES, ts_ns=self.now, last=Decimal(last))

    def on(self, event):
        out = self.risk.on_event(event, self.now)
        self.outs.append(out)
        return out

    def wait(self, seconds: float) -> None:
        for _ in range(int(seconds * 10)):
            self.now += NS // 10
            self.outs.append(self.risk.tick(self.now))

    def snapshot(self, complete: bool, positions=(), quotes=(), fills=()) -> None:
        self.outs.append(self.risk.apply_snapshot(MarketSnapshot(
            seq=1, epoch=1, complete=complete,
            accounts=[AccountUpdate(account_id=ACCOUNT, name="CHAOS-DRAWDOWN",
                                    balance=Decimal(50_000), can_trade=True)],
            positions=list(positions), quotes=list(quotes), fills=list(fills)), self.now))

    def acted(self) -> list[tuple[str, str]]:
        return [(d.rule, d.action) for o in self.outs for d in o.decisions if not d.suppressed]

    def traders_close(self) -> Fill:
        """The trader's own sell of ES while market was down, as REST reads it later."""
        return Fill(account_id=ACCOUNT, trade_id=2, contract_id=ES, ts_ns=self.now - 20 * NS,
                    price=Decimal("4999.75"), pnl=Decimal("-12.50"), fees=Decimal("1.40"),
                    side=SIDE_SELL, size=1, order_id=12)


@pytest.mark.parametrize("quote_in_snapshot", [False, True], ids=["live-quote", "in-snapshot"])
def test_a_position_market_does_not_list_is_not_judged_until_the_broker_is_read(
        quote_in_snapshot):
    s = Story()
    assert s.acted() == []
    s.wait(30)                                     # market down; the trader sells ES meanwhile
    drop = s.quote(4985)                           # -750.00 on ES long 1, if it were held
    s.snapshot(complete=False, quotes=[drop] if quote_in_snapshot else [])
    if not quote_in_snapshot:
        s.on(drop)
    s.wait(2)
    assert s.acted() == [], s.acted()
    s.snapshot(complete=True, quotes=[drop], fills=[s.traders_close()])     # REST: flat
    s.wait(2)
    assert s.acted() == [], s.acted()
    assert s.risk.accounts[ACCOUNT].positions == {}
    assert s.risk.lockouts.all(ACCOUNT) == []


@pytest.mark.parametrize("quote_in_snapshot", [False, True], ids=["live-quote", "in-snapshot"])
def test_a_position_the_broker_still_holds_is_judged_once_read(quote_in_snapshot):
    s = Story()
    s.wait(30)
    drop = s.quote(4985)
    s.snapshot(complete=False, quotes=[drop] if quote_in_snapshot else [])
    if not quote_in_snapshot:
        s.on(drop)
    s.wait(2)
    assert s.acted() == []
    s.snapshot(complete=True, positions=[s.es_long()], quotes=[drop])       # REST: long 1
    assert ("daily_net_loss", "flatten") in s.acted(), s.acted()


def test_a_live_position_event_ends_the_doubt_and_its_step_judges():
    s = Story()
    s.wait(30)
    s.snapshot(complete=False)
    s.on(s.quote(4985))
    assert s.acted() == []
    s.on(s.es_long())                               # the broker's word on ES, since the restart
    assert ("daily_net_loss", "flatten") in s.acted(), s.acted()


def test_a_trade_rule_still_judges_while_positions_are_in_doubt():
    """daily_realized_loss reads trades only: a live loss past its line still flattens and
    locks (the flatten closes what the broker holds, whatever risk's book says)."""
    s = Story()
    s.wait(30)
    s.snapshot(complete=False)
    s.on(Fill(account_id=ACCOUNT, trade_id=3, contract_id=ES, ts_ns=s.now,
              price=Decimal(4990), pnl=Decimal("-520.00"), fees=Decimal("1.40"),
              side=SIDE_SELL, size=1, order_id=13))
    assert ("daily_realized_loss", "flatten") in s.acted(), s.acted()


def mnq_long(s: Story) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=26, contract_id=MNQ, ts_ns=s.now,
                          type=POSITION_LONG, size=1, average_price=Decimal(21000))


def mnq_buy(s: Story) -> Fill:
    return Fill(account_id=ACCOUNT, trade_id=4, contract_id=MNQ, ts_ns=s.now,
                price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1,
                order_id=14)


@pytest.mark.parametrize("seen", ["in-the-read", "live"])
@pytest.mark.parametrize("settled_by", ["complete-snapshot", "es-position"])
def test_a_blocked_symbol_opened_while_positions_are_in_doubt_is_closed_once_settled(
        seen, settled_by):
    """symbol_blocks reads positions, so it waits with the others while ES is in doubt; once
    the doubt ends (the broker read, or ES's live Position) it judges what is held, as the
    rules on positions do: MNQ, listed in symbol_blocks and opened while market was down (seen
    in market's broker read) or while it had not read the broker yet (a live Position), is
    closed then. Old code: symbol_blocks was not among the rules judged when the doubt ended
    (rejudge.JUDGED_NOW), and MNQ stayed open with nothing judging it again."""
    s = Story(BLOCKED)
    s.wait(30)
    s.snapshot(complete=False)                      # ES not listed: in doubt
    if seen == "live":
        s.on(mnq_long(s))
        s.on(mnq_buy(s))
    else:
        bought = mnq_buy(s)                         # made while market was down
    s.wait(1)
    assert ("symbol_blocks", "close_position") not in s.acted(), s.acted()
    read = dict(positions=[s.es_long(), mnq_long(s)], fills=[] if seen == "live" else [bought])
    if settled_by == "complete-snapshot":
        s.snapshot(complete=True, **read)
    else:
        s.on(s.es_long())
        if seen == "in-the-read":                   # market's read lists MNQ later
            s.snapshot(complete=True, **read)
    assert ("symbol_blocks", "close_position") in s.acted(), s.acted()
