"""A close enforcement's result lists as unsettled (its answer was lost, it was called again)
is riskd's when the broker carries it out after the result (flake17, the sim's slow success
longer than [broker] timeout: max_contracts' reduce 5 -> 4 timed out, the second round cut to
4, the broker carried the first out late, 5 -> 3, and risk counted that sell as the trader's
6th trade of the minute and extended the cooldown). RULES.md "Whose trade it is"; its price
(a trader's own close of that size within LATE_NS counts as riskd's): docs/rules.md."""
from shared.messages.enforce import CommandResult, LostCall
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, SIDE_SELL, Desk

FREQ = {"per_minute": 2, "per_minute_cooldown": 60}


def reduced_with_a_lost_close(desk):
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=5)
    desk.long(5, MNQ, 21000)                                   # the trader's one trade
    [cmd] = desk.commands()
    assert (cmd.action, cmd.size) == ("reduce_position", 1)
    out = desk.trade("-1", contract=MNQ, side=SIDE_SELL, size=1, price=20999)  # round 2's
    assert out.fills[0].by_riskd
    desk.long(4, MNQ, 21000)
    desk.wait(1)
    desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", action=cmd.action,
        rule=cmd.rule, detail="reduced MNQ on account 1 from 5 contracts to 4",
        unsettled=[LostCall(contract_id=MNQ, size=1)]), desk.now)
    return cmd


def test_a_timed_out_partial_close_carried_out_after_the_result_is_riskds():
    desk = Desk(max_contracts={"limit": 4}, trade_frequency_limit=FREQ)
    reduced_with_a_lost_close(desk)
    desk.wait(20)                                              # past WINDOW_NS (15 s)
    out = desk.trade("-1", contract=MNQ, side=SIDE_SELL, size=1, price=20999)   # the late one
    desk.long(3, MNQ, 21000)
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 1
    assert desk.engine.lockouts.all() == []                    # no "2 trades this minute"


def test_long_after_the_result_a_sell_is_the_traders_again():
    desk = Desk(max_contracts={"limit": 4}, trade_frequency_limit=FREQ)
    reduced_with_a_lost_close(desk)
    desk.wait(130)                                             # past LATE_NS (120 s)
    out = desk.trade("1", contract=MNQ, side=SIDE_SELL, size=1)
    assert not out.fills[0].by_riskd
    assert desk.account.trades_today == 2
