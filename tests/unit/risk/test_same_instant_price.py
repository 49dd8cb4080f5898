"""A price that reached risk in the same instant as the position it values, before it, is judged
by every rule that reads open PnL in one step, as the calm order (quote after the position) is.

Chaos run (2026-12-05, twice in 12 runs under load): risk, restarted, took the drawdown story's
price drop, then market's snapshot named the position, and no quote came after it (the sim's
price only moves when the test moves it). The snapshot's quote step had no quote of that
contract, so the price rules never judged the position; drawdown_guard flattened on the
balance step (or the deferred position rules closed alone and daily_realized_loss flattened on
the close's trade), where the calm run's quote step had daily_unrealized_loss close and
daily_net_loss flatten. Same facts, a different rule acting: the lockout named another rule. A third run showed the
general form: drawdown_guard flattened alone on a balance step, the open PnL never judged by
the rules that read it; so a trade or balance step now judges open PnL first, in rule order.
The shipped rules (etc/riskd.toml) throughout.
"""
from __future__ import annotations

from decimal import Decimal

from shared.config.load import load_config
from shared.messages.enforce import DONE, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk.desk import ES, MNQ, SHIPPED, chi, shipped_engine

NS = 1_000_000_000
ACCOUNT = 1001
BALANCE = AccountUpdate(account_id=ACCOUNT, name="A", balance=Decimal(50_000), can_trade=True)
CALM = [("daily_unrealized_loss", "close_position", False), ("daily_net_loss", "flatten", False),
        ("drawdown_guard", "flatten", True)]     # one step: the position closed, the account
                                                 # flattened and locked by daily_net_loss


def engine_at(t: int):
    engine = shipped_engine(load_config(SHIPPED), t)
    engine.apply_snapshot(MarketSnapshot(seq=1, epoch=1, accounts=[BALANCE], complete=False), t)
    return engine


def long_es(t: int) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=ES, ts_ns=t,
                          type=POSITION_LONG, size=1, average_price=Decimal("6000"))


def drop(t: int) -> Quote:     # ES -40 points on 1 contract: -2,000.00 open, past every line
    return Quote(contract_id=ES, ts_ns=t, last=Decimal("5960"), bid=Decimal("5960"),
                 ask=Decimal("5960.25"))


def acted(outcomes) -> list[list[tuple]]:
    return [[(d.rule, d.action, bool(d.suppressed)) for d in o.decisions]
            for o in outcomes if o.decisions]


def test_the_calm_order_is_the_reference():
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    first = engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE],
                                                 positions=[long_es(t)], complete=True), t)
    assert acted([first, engine.on_quotes([drop(t)], t + 1000)]) == [CALM]


def test_a_snapshot_position_valued_by_a_quote_of_the_same_instant():
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    steps = [engine.on_quotes([drop(t)], t),
             engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE],
                                                  positions=[long_es(t)], complete=True), t)]
    steps += [engine.tick(t + k * NS // 2) for k in range(1, 5)]     # past the deferral
    assert acted(steps) == [CALM]


def test_a_live_position_valued_by_a_quote_of_the_same_instant():
    """Trade first (TopstepX's order), the price drop, then the Position, all in one instant:
    the position's rules and the account's PnL rules judge it in the same step."""
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE], complete=True), t)
    buy = Fill(account_id=ACCOUNT, trade_id=11, order_id=21, contract_id=ES, ts_ns=t,
               side=SIDE_BUY, size=1, price=Decimal("6000"), fees=Decimal("1.40"), pnl=None)
    steps = [engine.on_event(buy, t), engine.on_quotes([drop(t)], t),
             engine.on_event(long_es(t), t)]
    steps += [engine.tick(t + k * NS // 2) for k in range(1, 5)]
    assert acted(steps) == [CALM]


def held_then_silent_drop():
    """Long 1 ES judged at 6000 (no breach), then the drop reaches risk's prices by a path no
    quote step follows (chaos: a price taken in with a restart or a resync). White-box on
    purpose: whatever path brought the price, the next step that reads open PnL judges it."""
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    flat = Quote(contract_id=ES, ts_ns=t, last=Decimal("6000"), bid=Decimal("6000"),
                 ask=Decimal("6000.25"))
    engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE],
                                         positions=[long_es(t)], quotes=[flat],
                                         complete=True), t)
    engine.market.apply_quote(drop(t + 1000), t + 1000)
    return engine, t + 2000


def test_a_balance_step_judges_the_open_pnl_first():
    """drawdown_guard reads the balance; daily_unrealized_loss and daily_net_loss read the same
    open PnL: the balance step judges it in their order, as the quote step would have."""
    engine, t = held_then_silent_drop()
    balance = AccountUpdate(account_id=ACCOUNT, name="A", balance=Decimal("49998.60"),
                            can_trade=True)
    assert acted([engine.on_event(balance, t)]) == [CALM]


def test_a_trade_step_judges_the_open_pnl_first():
    """A trade of another contract: the price rules judge the open ES loss before the trade's
    own rules (daily_realized_loss, cooldown_after_loss) read the account."""
    engine, t = held_then_silent_drop()
    other = Fill(account_id=ACCOUNT, trade_id=12, order_id=22, contract_id=MNQ, ts_ns=t,
                 side=SIDE_BUY, size=1, price=Decimal("21000"), fees=Decimal("0.37"), pnl=None)
    steps = acted([engine.on_event(other, t)])
    assert steps and steps[0][:3] == CALM, steps


def test_a_done_close_covers_a_position_a_restarted_risk_dated_later():
    """Chaos run (make test, 23:37): risk crashed after committing daily_unrealized_loss's close,
    the restarted risk took the position from market's snapshot (its lot stamped at that
    moment, after the close was issued), enforcement found the position flat (done), and a
    quote came before the close's fill: the position was closed a second time ("already
    flat"). The position opened (broker's time) before the close was issued: the done close
    covers it until its fill arrives."""
    def es(at: int, price: str) -> Quote:
        return Quote(contract_id=ES, ts_ns=at, last=Decimal(price), bid=Decimal(price),
                     ask=Decimal(price) + Decimal("0.25"))
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE],
                                         positions=[long_es(t)], complete=True), t)
    step = engine.on_quotes([es(t + 1000, "5995.50")], t + 1000)     # -225.00: rule 4 only
    [close] = step.commands
    assert close.action == "close_position", step.commands
    acct = engine.accounts[ACCOUNT]
    acct.positions[ES].lots[0][0] = t + 5 * NS      # as a risk restarted then dates it
    engine.on_result(CommandResult(command_id=close.id, account_id=ACCOUNT, status=DONE,
                                   detail="ES closed"), t + 6 * NS)
    again = engine.on_quotes([es(t + 7 * NS, "5995.25")], t + 7 * NS)   # a price that moves
    assert acct.positions[ES].size == 1                 # the close's fill has not come yet
    assert [c.action for c in again.commands] == [], again.commands


def test_a_quote_that_moves_no_price_values_a_position_opened_since_the_last_quote():
    """ES dropped to 5960 before the position existed; the position opens; the next ES quote
    repeats 5960 (no price moved): it is the position's first price, and the rules judge it
    (Engine._quote_moves). Risk now looks for such positions only on contracts with a
    position event since their last quote (it looked at every account on every quote that
    moved no price: 8 % of its time at 500 accounts in a storm); a repeat after that one
    finds nothing to judge."""
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE], complete=True), t)
    assert acted([engine.on_quotes([drop(t)], t)]) == []          # nothing held yet
    buy = Fill(account_id=ACCOUNT, trade_id=11, order_id=21, contract_id=ES, ts_ns=t + NS,
               side=SIDE_BUY, size=1, price=Decimal("6000"), fees=Decimal("1.40"), pnl=None)
    steps = [engine.on_event(buy, t + NS), engine.on_event(long_es(t + NS), t + NS)]
    steps.append(engine.on_quotes([drop(t + 2 * NS)], t + 2 * NS))      # the same price
    steps += [engine.tick(t + 2 * NS + k * NS // 2) for k in range(1, 5)]
    assert acted(steps) == [CALM]
    assert not engine._quote_moves(drop(t + 5 * NS), t + 5 * NS)        # nothing new since
