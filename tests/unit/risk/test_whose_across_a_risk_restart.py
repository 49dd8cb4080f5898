"""Whose trade it is, across a restart of risk and when the broker's facts come late (whose18's
leftovers; services/risk/exits.py dump_pending, drop_order; services/risk/takeback.py):
- a fill held as riskd's (on the side of a close in flight, fitting none of its exits) or
  claimed by expectation is saved with the state risk commits: a kill -9 of risk between the
  fill and the close's result decides as with no restart (before: after one it stayed riskd's);
- an order id taken back from riskd's orders (the fill was the trader's) is deleted from the
  store too (before: after a restart its later fills were riskd's again);
- a trade_frequency_limit cooldown that a fill counted as the trader's started is taken back
  when a close's result names that fill's order riskd's, and the trader is told (before: the
  cooldown stayed).
The first four fail on the code before this fix (checked at 5bd632c in a detached worktree);
the last (a cooldown the trader's own trades still justify stays) passed before and must
still pass."""
from __future__ import annotations

from services.risk.store import Store
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_BUY, SIDE_SELL
from tests.unit.risk.desk import ACCOUNT, MNQ, Desk
from tests.unit.risk.test_riskd_closes_in_a_burst import frequency_decisions, locked
from tests.unit.risk.test_whose_by_order_ids import answered, closes


def saved(store: Store, desk: Desk) -> None:
    """Commit every step the desk has taken since the last call (risk's worker commits each)."""
    done = getattr(desk, "_committed", 0)
    for out in desk.history[done:]:
        store.commit(out, desk.engine)
    desk._committed = len(desk.history)


def restarted(tmp_path, store: Store, desk: Desk) -> Desk:
    """risk killed and started again: a new engine from the store (the same clock)."""
    saved(store, desk)
    store.close()
    later = locked(per_minute=desk_limit(desk))
    later.now = desk.now
    store2, _ = Store.open(str(tmp_path))
    store2.load(later.engine, later.now)
    later.store = store2
    return later


def desk_limit(desk: Desk) -> int:
    return desk.engine.settings.for_account(desk.account).trade_frequency_limit.per_minute


def test_a_held_fill_is_decided_after_a_restart_as_without_one(tmp_path):
    """The trader's flip while riskd's close is in flight is held (no one's trade); risk is
    killed and restarted; the close's result names its own order, not the sell's: the sell
    is the trader's, as without the restart. Before: it stayed riskd's (held was not saved)."""
    desk = locked(per_minute=5)
    store, _ = Store.open(str(tmp_path))
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, order_id=800)
    desk.long(1, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=3, order_id=801)   # flips short 2
    trade = out.fills[0].trade_id
    desk.short(2, MNQ, 21000)
    assert desk.account.trades_today == 1                 # held: no one's trade yet
    later = restarted(tmp_path, store, desk)
    assert later.account.trades_today == 1
    answered(later, close, (802, SIDE_BUY, 2))            # it closed the short 2
    assert not later.account.trades[trade].by_riskd
    assert later.account.trades_today == 2
    later.store.close()


def test_a_claimed_fill_is_decided_after_a_restart_as_without_one(tmp_path):
    """The trader's sell of exactly what riskd's close in flight expects is taken for riskd's
    for now; risk restarts; the close's result names no order (flat when it ran): the sell
    is the trader's, and its order not riskd's. Before: it stayed riskd's."""
    desk = locked(per_minute=10)
    store, _ = Store.open(str(tmp_path))
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=2, order_id=900)
    desk.long(2, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    out = desk.trade("0", contract=MNQ, side=SIDE_SELL, size=2, order_id=901)   # the trader's
    desk.flat(MNQ)
    trade = out.fills[0].trade_id
    assert desk.account.trades_today == 1
    later = restarted(tmp_path, store, desk)
    answered(later, close)
    assert not later.account.trades[trade].by_riskd
    assert later.account.trades_today == 2
    assert 901 not in later.account.riskd.orders
    later.store.close()


def claimed_sell_saved(tmp_path):
    """(desk, store, close): a locked account's buy of 3 and riskd's close of it in flight;
    the trader's own sell of 3 (order 901) taken for riskd's close and saved as riskd's."""
    desk = locked(per_minute=10)
    store, _ = Store.open(str(tmp_path))
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=3, order_id=900)
    desk.long(3, MNQ, 21000)
    [close] = [e.command for e in closes(desk)]
    desk.trade("0", contract=MNQ, side=SIDE_SELL, size=3, order_id=901)   # the trader's
    desk.flat(MNQ)
    saved(store, desk)                                    # the order saved as riskd's
    return desk, store, close


def test_an_order_taken_back_is_not_riskds_after_a_restart(tmp_path):
    """The claimed sell's order was saved as riskd's with the fill's step; the close's result
    makes it the trader's: after a restart, a later fill of that order is the trader's too.
    Before: the order's row stayed in the store, and after a restart its fill was riskd's."""
    desk, store, close = claimed_sell_saved(tmp_path)
    answered(desk, close)                                 # ... and taken back
    assert 901 not in desk.account.riskd.orders
    later = restarted(tmp_path, store, desk)
    assert 901 not in later.account.riskd.orders
    later.store.close()


def test_a_cooldown_started_by_a_fill_later_named_riskds_is_taken_back():
    """An unlocked account, 3 trades a minute. Two buys; riskd's close of the position (its
    open loss) is done, its order search not seeing its order yet (an empty list); its sell
    then counts as the trader's 3rd trade: a cooldown. The close's result comes again (the
    command resumed by a restarted enforcement), naming the sell's order: the sell is
    riskd's, and the cooldown it started is taken back, saying why. Before: the sell became
    riskd's, the cooldown stayed."""
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60},
                daily_unrealized_loss={"limit": 200})
    desk.price(MNQ, 21000)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=500)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=501)
    desk.long(2, MNQ, 21000)
    desk.now += 1_000_000_000
    desk.price(MNQ, 20949)                                # -204 open: the position is closed
    [close] = [c for c in desk.commands() if c.action == "close_position"]
    desk.now += 1_000_000_000
    desk.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, orders_known=True, close_orders=[]), desk.now)
    desk.now += 1_000_000_000
    # the sell fits the close's exits, but its result named all its orders, none this one:
    # counted as the trader's 3rd trade of the minute
    out = desk.trade("-204", contract=MNQ, side=SIDE_SELL, size=2, price="20949",
                     order_id=502)
    desk.flat(MNQ)
    trade = out.fills[0].trade_id
    assert desk.account.trades_today == 3
    [lock] = [lk for lk in desk.engine.lockouts.all(ACCOUNT)
              if lk.rule == "trade_frequency_limit"]
    desk.now += 2_000_000_000
    out = desk.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, orders_known=True,
        close_orders=[CloseOrder(order_id=502, contract_id=MNQ, side=SIDE_SELL, size=2)]),
        desk.now)
    assert desk.account.trades[trade].by_riskd
    assert desk.account.trades_today == 2
    assert not [lk for lk in desk.engine.lockouts.all(ACCOUNT)
                if lk.rule == "trade_frequency_limit"]
    [ended] = [c for c in out.lockouts if c.lockout.id == lock.id]
    assert ended.change == "cleared" and ended.by == "riskd", ended
    assert "riskd's own close, not your trade" in ended.reason, ended.reason
    assert frequency_decisions(desk)      # the breach stays in history, as it happened


def test_a_cooldown_the_traders_own_trades_still_justify_stays():
    """The same, with the trader's 3 buys before riskd's sell: the cooldown their 3rd trade
    started still holds when the sell is named riskd's."""
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60},
                daily_unrealized_loss={"limit": 200})
    desk.price(MNQ, 21000)
    for oid in (500, 501, 503):
        desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price="21000", order_id=oid)
    desk.long(3, MNQ, 21000)
    assert [lk for lk in desk.engine.lockouts.all(ACCOUNT) if lk.rule == "trade_frequency_limit"]
    desk.now += 1_000_000_000
    desk.price(MNQ, 20960)
    [close] = [c for c in desk.commands() if c.action == "close_position"]
    desk.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, orders_known=True, close_orders=[]), desk.now)
    desk.trade("-120", contract=MNQ, side=SIDE_SELL, size=3, price="20960", order_id=502)
    desk.flat(MNQ)
    desk.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", action=close.action,
        rule=close.rule, orders_known=True,
        close_orders=[CloseOrder(order_id=502, contract_id=MNQ, side=SIDE_SELL, size=3)]),
        desk.now)
    assert desk.account.trades_today == 3
    assert [lk for lk in desk.engine.lockouts.all(ACCOUNT) if lk.rule == "trade_frequency_limit"]
