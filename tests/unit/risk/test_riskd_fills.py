"""riskd's own fills are not the trader's trades (issue 14 point 2; RULES.md "Whose trade it
is"): they never count for trade_frequency_limit nor start its cooldown, their PnL counts."""
import attrs

from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import ORDER_MARKET, STATUS_FILLED, STATUS_OPEN, Fill, OrderUpdate
from tests.unit.risk.desk import ACCOUNT, MNQ, NQ, SIDE_BUY, SIDE_SELL, D, Desk

FREQ = {"per_minute": 3, "per_minute_cooldown": 60}


def buy(desk, size, total, contract=MNQ, price=21000):
    desk.trade(None, contract=contract, side=SIDE_BUY, size=size, price=price)
    desk.long(total, contract, price)


def test_buy_7_with_max_5_riskd_sells_2_and_that_is_no_trade_of_the_trader():
    desk = Desk(max_contracts={"limit": 5}, trade_frequency_limit=FREQ)
    buy(desk, 7, 7)
    [cmd] = desk.commands()
    assert (cmd.action, cmd.size) == ("reduce_position", 2)
    out = desk.trade("-5", contract=MNQ, side=SIDE_SELL, size=2, price=20999)   # riskd's fill
    desk.long(5, MNQ, 21000)
    [fill] = out.fills
    assert fill.by_riskd                                    # marked where trades are kept
    assert desk.account.trades_today == 1                   # the trader made one trade
    assert desk.account.realized(False) == -5               # its money counts all the same
    assert desk.engine.lockouts.all() == []                 # no "3 trades this minute"
    assert [c.action for c in desk.commands()] == ["reduce_position"]


def test_an_admin_flatten_is_riskds_and_makes_no_trades():
    desk = Desk(trade_frequency_limit=FREQ)
    buy(desk, 1, 1, MNQ)
    buy(desk, 1, 1, NQ, 20000)
    # the kill switch goes to enforcement directly: risk sees its result stream
    out = desk.engine.on_result(CommandResult(command_id="ks1.1", account_id=ACCOUNT,
                                              status="accepted", action="flatten",
                                              rule="manual"), desk.now)
    [d] = out.decisions
    assert d.by == "admin" and d.action == "flatten"
    desk.trade("1", contract=MNQ, side=SIDE_SELL, size=1)
    desk.trade("1", contract=NQ, side=SIDE_SELL, size=1, price=20000)
    desk.flat(MNQ)
    desk.flat(NQ)
    assert desk.account.trades_today == 2                   # only the trader's two buys
    assert desk.engine.lockouts.all() == []


def test_a_riskd_order_is_known_by_its_order_and_later_fills_of_it_are_riskds():
    desk = Desk(max_contracts={"limit": 1}, trade_frequency_limit=FREQ)
    buy(desk, 3, 3)
    [cmd] = desk.commands()                                 # reduce by 2
    order = OrderUpdate(account_id=ACCOUNT, order_id=77, contract_id=MNQ, created_ns=desk.now,
                        updated_ns=desk.now, status=STATUS_OPEN, type=ORDER_MARKET,
                        side=SIDE_SELL, size=2)
    desk.feed(order)
    assert 77 in desk.account.riskd.orders
    for tid in (901, 902):                                  # the order fills in two parts
        out = desk.feed(Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=desk.now,
                             price=D(21000), pnl=D(0), fees=D(0), side=SIDE_SELL, size=1,
                             order_id=77))
        assert out.fills[0].by_riskd
    desk.feed(attrs.evolve(order, status=STATUS_FILLED))
    assert desk.account.trades_today == 1


def test_a_trader_fill_on_the_other_side_or_too_large_is_the_traders():
    desk = Desk(max_contracts={"limit": 5}, trade_frequency_limit=FREQ)
    buy(desk, 7, 7)                                         # riskd expects to sell 2
    out = desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1)      # the trader buys
    assert not out.fills[0].by_riskd
    # larger than riskd expects, and below the reduce's target (5): a sell of 3 from the 8 the
    # fills show is what that reduce, cutting to 5 whatever it reads, does (trial14a). While
    # the reduce is in flight it may be its (a close of contracts risk has not seen): held,
    # counted as no one's trade, until the reduce's result names the order it created
    out = desk.trade("1", contract=MNQ, side=SIDE_SELL, size=4)
    desk.long(4, MNQ, 21000)
    assert desk.account.trades_today == 2
    # the reduce found its target reached (the trader's sell did it): it created no order
    [reduce] = [c for c in desk.commands() if c.action == "reduce_position"]
    desk.engine.on_result(CommandResult(
        command_id=reduce.id, account_id=ACCOUNT, status="done", action=reduce.action,
        close_orders=[], orders_known=True), desk.now)
    assert not desk.account.trades[out.fills[0].trade_id].by_riskd
    assert desk.account.trades_today == 3
    desk.wait(60 * 11)                                      # long after: expectation gone
    out = desk.trade("1", contract=MNQ, side=SIDE_SELL, size=1)
    assert not out.fills[0].by_riskd


def test_expected_exits_survive_a_restart(tmp_path):
    from services.risk.store import Store
    desk = Desk(max_contracts={"limit": 5}, trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    for out in desk.history:
        store.commit(out, desk.engine)
    buy(desk, 7, 7)
    for out in desk.history[-2:]:
        store.commit(out, desk.engine)
    store.close()
    later = Desk(max_contracts={"limit": 5}, trade_frequency_limit=FREQ)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    out = later.trade("-5", contract=MNQ, side=SIDE_SELL, size=2, price=20999, trade_id=500)
    assert out.fills[0].by_riskd
    assert later.account.trades_today == 1                  # the buy (saved), not the close


def test_two_commands_closing_the_same_contract_leave_no_expectation_for_the_traders_fill():
    # a close (rule 4) and a flatten (rule 14) on the same fill expect the same 2 contracts;
    # riskd's one close fills both, so the trader's buy right after is the trader's
    desk = Desk(daily_unrealized_loss={"limit": 200}, daily_net_loss={"limit": 600},
                trade_frequency_limit=FREQ)
    desk.trade(None, contract=NQ, side=SIDE_SELL, size=2, price=20000)
    desk.short(2, NQ, 20000)
    desk.price(NQ, 20015)                                   # -600 open: both rules act
    assert sorted(c.action for c in desk.commands()) == ["close_position", "flatten"]
    out = desk.trade("-600", contract=NQ, side=SIDE_BUY, size=2, price=20015)
    desk.flat(NQ)
    assert out.fills[0].by_riskd
    out = desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20015)
    # on the side of the close and flatten in flight: held until their results name the
    # orders they created (not this buy's)
    for cmd in desk.commands():
        desk.engine.on_result(CommandResult(command_id=cmd.id, account_id=ACCOUNT,
                                            status="done", action=cmd.action,
                                            orders_known=True), desk.now)
    assert not desk.account.trades[out.fills[0].trade_id].by_riskd
    assert desk.account.trades_today == 2


def test_an_admin_flatten_in_history_names_the_admin_and_the_reason_they_gave():
    """Trial finding 8: `riskctl flatten 1001 --reason "desk risk check 42"` was shown as
    WHO admin, REASON kill switch; enforcement's result carries the command's own words."""
    desk = Desk(trade_frequency_limit=FREQ)
    buy(desk, 1, 1, MNQ)
    out = desk.engine.on_result(CommandResult(command_id="ks2.1", account_id=ACCOUNT,
                                              status="accepted", action="flatten",
                                              rule="manual", reason="desk risk check 42",
                                              by="admin:root"), desk.now)
    [d] = out.decisions
    assert (d.by, d.reason) == ("admin:root", "desk risk check 42")


def test_an_admin_flatten_is_one_decision_from_accepted_to_its_final_result():
    # the kill switch's "accepted", its fills (which use up the expected exits), a tick that
    # prunes what is used up, then its final "done": one admin decision in history, not two
    desk = Desk(trade_frequency_limit=FREQ)
    buy(desk, 1, 1, MNQ)

    def result(status):
        return desk.engine.on_result(CommandResult(command_id="ks2.1", account_id=ACCOUNT,
                                                   status=status, action="flatten",
                                                   rule="manual"), desk.now)
    first = result("accepted")
    desk.trade("1", contract=MNQ, side=SIDE_SELL, size=1)
    desk.flat(MNQ)
    desk.wait(1)
    last = result("done")
    assert [d.by for d in first.decisions + last.decisions] == ["admin"]


def test_an_admin_flatten_of_a_flat_account_is_one_decision_too():
    desk = Desk(trade_frequency_limit=FREQ)
    outs = [desk.engine.on_result(CommandResult(command_id="ks3.1", account_id=ACCOUNT,
                                                status=s, action="flatten", rule="manual"),
                                  desk.now) for s in ("accepted", "done")]
    assert len([d for o in outs for d in o.decisions]) == 1


def test_a_repeated_result_of_risks_own_flatten_is_not_taken_for_an_admins():
    """Chaos run, selflock: a flatten of risk's own, finished on a flat account (nothing to
    expect), answered once more by enforcement: history showed an admin flatten too."""
    desk = Desk(trade_frequency_limit=FREQ)
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, session=True)
    [cmd] = out.commands
    done = CommandResult(command_id=cmd.id, account_id=ACCOUNT, status="done", action="flatten",
                         rule="self_lockout")
    desk.engine.on_result(done, desk.now)
    assert desk.engine.on_result(done, desk.now).decisions == []


def test_a_fill_seen_after_a_flatten_was_issued_is_closed_by_it_as_riskds():
    """Chaos run, selflock: the trader's buy reached risk only after the self-lockout's
    flatten was issued (market restarting); the flatten's close of it was then counted as the
    trader's trade, the third of the minute, and took a cooldown the calm run does not."""
    desk = Desk(trade_frequency_limit=FREQ)
    bought = desk.now - 1_000_000_000                       # before the self-lockout
    out, _ = desk.engine.self_lock(ACCOUNT, desk.now, session=True)
    [flatten] = out.commands
    desk.feed(Fill(account_id=ACCOUNT, trade_id=501, contract_id=MNQ, ts_ns=bought,
                   price=D(21000), pnl=None, fees=D(0), side=SIDE_BUY, size=2, voided=False))
    desk.long(2, MNQ, 21000)
    out = desk.trade("-10", contract=MNQ, side=SIDE_SELL, size=2, price=20999)   # the flatten
    assert out.fills[0].by_riskd
    assert desk.account.trades_today == 1
    # a buy placed after the flatten was issued is the trader's, closed on its own
    desk.wait(2)
    out = desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20000)
    assert not out.fills[0].by_riskd
    assert [(c.action, c.contract_id) for c in out.commands] == [("close_position", NQ)]
    assert desk.account.trades_today == 2
