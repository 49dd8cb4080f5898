"""riskd's close of more contracts than risk had seen is riskd's, its fill seen before the
Position that shows it flat (chaos17's open case 1, in the form found here; RULES.md "Whose
trade it is").

The example test_riskd_fills_across_restarts.py's machine found (no restart): the self-lockout's
flatten carried out, the trader buys 1 while locked, market's snapshot shows it, the trader
buys 1 more, the lockout's close (issued for the 1 risk saw) closes the 2 the broker holds,
the websocket drops and market's reconciliation brings the trades back, oldest first, then the
position: the close's sell of 2 fitted no exit (1 expected) and was counted as the trader's
trade. The cause: the snapshot listed the reopened position (1) and every fill, the flatten's
sell of 2 of the earlier position among them; that sell was taken off the position the book
held, as the fills see it (AccountState.furthest: 1 - 2 + 1 = 0, then 1 after the second
buy), so the lockout's close of the second buy, not sent (the same close in flight), expected
the 1 it saw rather than the 2 the broker held. A riskd fill whose exits were all issued for
another position than the book's (gone, another position id) closed that earlier position:
it no longer moves the one held."""
from shared.messages.market import SIDE_SELL
from tests.unit.risk.test_riskd_fills_across_restarts import ACCOUNT, RiskdFillsAcrossRestarts


def test_a_close_of_a_buy_seen_only_in_the_reconciliation_is_riskds():
    m = RiskdFillsAcrossRestarts()          # long 2, the self-lockout's flatten issued
    try:
        [flatten] = m._closing_commands()
        m.ran.add(flatten)
        m._carry_out(flatten)               # its answer never comes
        m.trader_buys_while_locked(size=1)
        m.market_snapshot(complete=True)
        m.trader_buys_while_locked(size=1)
        [close] = m._closing_commands()      # the lockout's close of the first buy
        m.ran.add(close)
        m._carry_out(close)                  # closes the 2 held
        assert m.queue[-1][0].side == SIDE_SELL and m.queue[-1][0].size == 2
        m.websocket_dropped()
        m.market_reconciles()
        m.riskds_closes_are_never_the_traders_trades()
        assert m.risk.engine.accounts[ACCOUNT].trades_today == 3       # the trader's buys
    finally:
        m.teardown()
