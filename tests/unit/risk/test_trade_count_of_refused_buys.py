"""What docs/rules.md (6. trade_frequency_limit) says of buys riskd closed at once (trial15c
finding 7): a buy made while the account is locked, or in a symbol symbol_blocks lists, is
the trader's trade and counts toward the windows; riskd's closing fill of it does not. The
shipped per_minute 3 (etc/riskd.toml's default profile)."""
from __future__ import annotations

from tests.unit.risk.desk import ES, MNQ, NS, SIDE_BUY, SIDE_SELL, Desk

PER_MINUTE = {"per_minute": 3, "per_hour": 10, "per_session": 50}


def test_buys_closed_while_locked_count_and_riskds_closes_do_not():
    desk = Desk(trade_frequency_limit=PER_MINUTE)
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS)
    assert not refusal
    desk.history.append(out)
    desk.now += NS
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1)      # bought while locked
    [cut] = [c for c in desk.commands() if c.rule == "lockout"]
    assert cut.action == "close_position", cut
    desk.now += NS // 20
    close = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=1)   # riskd's close of it
    assert close.fills[0].by_riskd
    assert desk.account.trades_today == 1          # the buy, not riskd's close


def test_a_buy_closed_because_its_symbol_is_blocked_counts():
    desk = Desk(trade_frequency_limit=PER_MINUTE, symbol_blocks={"symbols": ["ES"]})
    desk.trade(None, contract=ES, side=SIDE_BUY, size=1)
    out = desk.long(1, ES, 6000)
    assert [(c.rule, c.action) for c in out.commands] == [("symbol_blocks", "close_position")]
    desk.now += NS // 20
    close = desk.trade("0", contract=ES, side=SIDE_SELL, size=1)
    assert close.fills[0].by_riskd
    assert desk.account.trades_today == 1
