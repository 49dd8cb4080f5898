"""Lockouts as a trader lives them: cooldowns that only get longer, no double flatten, a locked
account that cannot trade, symbol locks, unlocks and self-lockouts."""
from shared.messages.enforce import CommandResult
import itertools

import attrs

from shared.messages.market import ORDER_MARKET, SIDE_SELL, STATUS_FILLED
from tests.unit.risk.desk import ES, MNQ, Desk, chi

NS = 1_000_000_000
TIERS = {"tiers": [{"loss": 100, "seconds": 300}, {"loss": 200, "seconds": 900}],
         "flatten": False}


def test_a_longer_cooldown_replaces_a_shorter_one_never_the_reverse():
    desk = Desk(cooldown_after_loss=TIERS)
    t0 = desk.now
    desk.trade(pnl="-150")                                   # 300 s
    desk.wait(60)
    out = desk.trade(pnl="-250")                             # 900 s from now: longer
    [change] = out.lockouts
    assert change.change == "extended" and change.lockout.until_ns == desk.now + 900 * NS
    [d] = out.decisions
    # recorded, not acted on twice; the lockout in force is its own, extended: never "already
    # locked ... by cooldown_after_loss" naming itself (fresh-user trial 2026-12-06)
    assert d.suppressed == "its own lockout extended: account SIM-1 (id 1001) locked (timer)", d.suppressed
    from shared.historywords import rows
    from shared.messages.risk import HistoryReply
    [row] = rows(HistoryReply(decisions=[d]), {})
    # with its new end (trial15a: history gave only the end the extension replaced)
    assert row[6] == ("its own lockout extended, now locked until Wed 2026-11-25 09:16 CST "
                      "(timer); no new action"), row
    desk.wait(60)
    out = desk.trade(pnl="-150")                             # 300 s: shorter, ignored
    assert out.lockouts == [] and out.decisions == []
    [lock] = desk.engine.lockouts.all()
    assert lock.until_ns == t0 + 60 * NS + 900 * NS


def test_a_breach_while_the_same_lockout_is_active_does_not_flatten_twice():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    desk.trade(pnl="-50")
    desk.trade(pnl="-50")
    assert len(desk.decisions("daily_realized_loss")) == 1
    assert [c.action for c in desk.commands()] == ["flatten"]


def finish(desk: Desk, command) -> None:
    desk.engine.on_result(CommandResult(command_id=command.id, account_id=command.account_id,
                                        status="done", action=command.action), desk.now)


def test_a_locked_account_has_its_new_order_cancelled_and_new_position_closed_at_once():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    [flatten] = desk.commands()
    finish(desk, flatten)                                    # the breach's flatten is over
    [d] = desk.order(31, ES).decisions
    assert (d.rule, d.action, d.order_id) == ("lockout", "cancel_orders", 31)
    assert "locked until the roll by daily_realized_loss" in d.reason
    [d] = desk.long(1, ES, 6000).decisions
    assert (d.rule, d.action, d.contract_id) == ("lockout", "close_position", ES)
    # its protective stop is not cancelled while the close is on its way
    assert desk.order(32, ES, side=SIDE_SELL, size=1, type=4, stop_price="5990").decisions == []
    # a position that only shrinks is left alone
    assert desk.long(1, ES, 6000).decisions == []


def test_a_closing_order_larger_than_the_position_is_cancelled_and_says_why():
    """Trial (2026-12-06): a 'sell stop 2' for a long 1 while locked was cancelled, and read as
    riskd cancelling the trader's protective stop; the reason now says it could open a
    position (an order no larger than the position is let through, as above)."""
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    finish(desk, desk.commands()[0])
    desk.long(1, ES, 6000)
    [d] = desk.order(33, ES, side=SIDE_SELL, size=2, type=4, stop_price="5990").decisions
    assert (d.action, d.order_id) == ("cancel_orders", 33)
    assert "(sell 2 is larger than the long 1 it could protect" in d.reason
    [d] = desk.order(34, MNQ).decisions              # no position to protect: no such words
    assert d.action == "cancel_orders" and "could protect" not in d.reason


def test_a_symbol_lockout_blocks_only_that_symbol():
    rth = {"default": {"start": "08:30", "end": "15:00"}}
    desk = Desk(start=chi(2026, 11, 25, 8), session_block_outside=dict(
        rth, sessions={"ES": {"start": "07:00", "end": "16:00"}}))
    desk.order(1, MNQ)                                       # MNQ closed: locked until 8:30
    assert [lk.symbol for lk in desk.engine.lockouts.all()] == ["MNQ"]
    assert desk.order(2, ES).decisions == []                 # ES is in its session
    desk.wait(10)
    [d] = desk.order(3, MNQ).decisions                       # cancelled by the rule or the lock
    assert d.order_id == 3
    desk.at(chi(2026, 11, 25, 8, 30))
    assert desk.engine.lockouts.all() == []


def test_unlock_obeys_allow_unlock():
    desk = Desk(allow_unlock=False, daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    out, refusal = desk.engine.unlock(1001, None, "admin", "mistake", desk.now)
    assert "allow_unlock = false" in refusal and desk.engine.lockouts.all()
    desk2 = Desk(daily_realized_loss={"limit": 500})
    desk2.trade(pnl="-600")
    out, refusal = desk2.engine.unlock(1001, None, "admin", "broker error, checked", desk2.now)
    assert refusal == "" and [c.change for c in out.lockouts] == ["cleared"]
    assert out.lockouts[0].by == "admin"
    _, refusal = desk2.engine.unlock(1001, None, "admin", "again", desk2.now)
    assert "not locked" in refusal


def test_a_trader_locks_themselves_out_for_the_session_and_it_flattens():
    desk = Desk()
    desk.long(1, MNQ, 21000)
    out, refusal = desk.engine.self_lock(1001, desk.now, session=True, reason="big win, done")
    assert refusal == ""
    [d] = out.decisions
    assert d.action == "flatten" and d.rule == "self_lockout"
    [lock] = desk.engine.lockouts.all()
    assert lock.by == "trader" and lock.until_ns == chi(2026, 11, 25, 17)
    _, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now - 1)
    assert "future" in refusal


def test_alert_mode_records_once_and_sends_an_alert_command_but_locks_nothing():
    desk = Desk(daily_realized_loss={"limit": 500, "mode": "alert"})
    desk.trade(pnl="-600")
    desk.trade(pnl="-100")
    [d] = desk.decisions()
    assert d.mode == "alert"
    [c] = desk.commands()
    assert c.mode == "alert" and c.action == "flatten"
    assert desk.engine.lockouts.all() == []
    assert desk.order(5, MNQ).decisions == []


def test_an_action_in_flight_is_not_repeated_until_its_result_arrives():
    desk = Desk(daily_unrealized_loss={"limit": 100})
    desk.long(1, MNQ, 21000)
    [d] = desk.price(MNQ, 20900).decisions
    assert desk.price(MNQ, 20890).decisions == []
    desk.engine.on_result(CommandResult(command_id=f"{d.id}.1", account_id=1001,
                                        status="failed", detail="market closed"), desk.now)
    # still open: tried again, as the same decision's next command after the backoff
    # (services/risk/retries.py), not as a new decision on every quote (one alert each)
    assert desk.price(MNQ, 20880).decisions == []
    assert desk.engine.outbox.due(desk.now) == []
    desk.wait(5)
    [again] = desk.engine.outbox.due(desk.now)
    assert again.id == f"{d.id}.2" and again.action == d.action
    desk.flat(MNQ)
    assert desk.engine.inflight == {}


def test_a_flatten_in_flight_covers_the_closes_and_cancels_of_its_account():
    """A lockout's close or cancel beside a flatten of the same account (events of the trader
    arriving after the lockout, or a new risk after a restart mid-flatten) would close what the
    flatten is closing: not sent for what happened before the flatten was issued; what happens
    later (the flatten may have read the orders already) and after it is over is acted on."""
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.long(1, ES, 6000)
    desk.trade(pnl="-600")
    [flatten] = desk.commands()
    assert flatten.action == "flatten"
    assert desk.order(31, ES).commands == []                 # the flatten cancels it
    assert desk.long(2, ES, 6000).commands == []             # ... and closes this
    assert desk.engine.accounts[1001].riskd.knows(flatten.id)
    desk.wait(1)
    # placed after the flatten was issued: it may come after its last read of the orders
    [c] = desk.order(32, ES).commands
    assert (c.action, c.order_id) == ("cancel_orders", 32)
    finish(desk, flatten)
    [c] = desk.order(33, ES, side=SIDE_SELL, size=3).commands
    assert (c.action, c.order_id) == ("cancel_orders", 33)


def test_a_flatten_reloaded_from_the_outbox_after_a_restart_still_covers_its_account():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    [flatten] = desk.commands()
    restarted = Desk(daily_realized_loss={"limit": 500})
    restarted.engine.lockouts = desk.engine.lockouts
    restarted.engine.outbox.load([flatten], restarted.now)
    restarted.engine.track(flatten)                          # what the store does on load
    assert restarted.order(31, MNQ).commands == []


def test_a_market_buy_while_locked_is_closed_once_whatever_the_order_of_its_events():
    """The chaos run: the buy's market order was cancelled (a call on a filled order) only
    when its 'open' event came before its fill; decisions may not depend on event order."""
    def events(desk):
        return {"open": lambda: desk.order(41, ES, type=ORDER_MARKET),
                "fill": lambda: desk.trade(contract=ES, price="6000"),
                "filled": lambda: desk.order(41, ES, type=ORDER_MARKET, status=STATUS_FILLED),
                "position": lambda: desk.long(1, ES, 6000)}
    seen = set()
    for order in itertools.permutations(["open", "fill", "filled", "position"]):
        desk = Desk(daily_realized_loss={"limit": 500})
        desk.trade(pnl="-600")
        finish(desk, desk.commands()[0])
        actions = []
        for name in order:
            actions += [(c.action, c.contract_id) for c in events(desk)[name]().commands]
        seen.add(tuple(actions))
    assert seen == {(("close_position", ES),)}


def test_a_lockout_cancel_that_failed_is_sent_again_while_the_order_works():
    """Issue 15: an order placed during a lockout was still working 30 s later; a cancel that
    failed was never decided again (no later event of the order asks for it). It was then sent
    once more, at once; now it is tried again while the order works, after a backoff (5 s,
    15 s, ...: services/risk/retries.py), each try a new command of the same decision."""
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    finish(desk, desk.commands()[0])
    [c] = desk.order(31, ES).commands
    failed = CommandResult(command_id=c.id, account_id=1001, status="failed",
                           action=c.action, rule=c.rule, detail="gave up after 4 rounds")
    [again] = desk.engine.on_result(failed, desk.now).commands
    assert (again.action, again.order_id) == ("cancel_orders", 31)
    assert again.id == f"{c.decision_id}.2"
    desk.wait(5)
    assert [x.id for x in desk.engine.outbox.due(desk.now)] == [again.id]
    failed = attrs.evolve(failed, command_id=again.id)
    [third] = desk.engine.on_result(failed, desk.now).commands        # still working: again
    assert third.id == f"{c.decision_id}.3"
    desk.cancelled(31, ES)                                             # gone: no more tries
    desk.wait(15)
    assert desk.engine.outbox.due(desk.now) == []
    [c] = desk.order(34, ES).commands                                  # a gone order: no retry
    desk.cancelled(34, ES)
    failed = attrs.evolve(failed, command_id=c.id)
    assert desk.engine.on_result(failed, desk.now).commands == []


def test_a_position_the_broker_opened_before_the_lock_is_not_new_when_risk_sees_it_late():
    """Chaos run finding: market was down when the trader locked themself out, so risk's book
    did not show the position yet; when market came back, its position (opened before the
    lock, says the broker) is the self-lockout's flatten's to close, not a breach of the
    lock. A position the broker opened after the lock started is closed as before."""
    from decimal import Decimal
    from shared.messages.market import POSITION_LONG, PositionUpdate
    desk = Desk(daily_realized_loss={"limit": 500})
    opened_at = desk.now
    desk.wait(5)
    desk.trade(pnl="-600", contract=ES)                      # locked until the roll
    [flatten] = desk.commands()
    finish(desk, flatten)
    desk.wait(5)

    def seen_late(contract, opened_ns):
        return desk.feed(PositionUpdate(account_id=1001, position_id=77, contract_id=contract,
                                        ts_ns=opened_ns, type=POSITION_LONG, size=2,
                                        average_price=Decimal(21000)))
    assert seen_late(MNQ, opened_at).decisions == []
    [d] = seen_late(ES, desk.now).decisions
    assert (d.rule, d.action, d.contract_id) == ("lockout", "close_position", ES)


def test_a_buy_while_locked_after_a_close_risk_missed_is_closed_in_every_order():
    """Chaos run finding: market was down while riskd's flatten closed ES, so risk's book still
    held the old ES long 1; half a second later the trader bought 1 ES while locked. Its
    Position event (a new position id, the same size) read as 'same', its fill was netted
    against riskd's close, and the buy stayed open. Whatever order the three events arrive
    in, the buy is closed, once."""
    from decimal import Decimal
    from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
    for order in itertools.permutations(("riskd_close", "buy_fill", "position")):
        desk = Desk(daily_realized_loss={"limit": 500})
        desk.trade(contract=ES, price="6000")                # the book's ES long 1 (id 1),
        desk.long(1, ES, 6000)                               # its fill and its position
        desk.wait(30)
        desk.trade(pnl="-600")                               # locked until the roll, flatten
        [flatten] = desk.commands()
        closed_at = desk.now + NS // 10                      # the broker's times
        bought_at = closed_at + NS // 2
        desk.wait(1)                                         # market back: the events arrive
        finish(desk, flatten)

        def fill(trade_id, side, ts, pnl=None):
            return desk.feed(Fill(account_id=1001, trade_id=trade_id, contract_id=ES, ts_ns=ts,
                                  price=Decimal(6000), pnl=pnl, fees=Decimal(0), side=side,
                                  size=1))
        events = {
            "riskd_close": lambda: fill(801, SIDE_SELL, closed_at, Decimal(0)),
            "buy_fill": lambda: fill(802, SIDE_BUY, bought_at),
            "position": lambda: desk.feed(PositionUpdate(
                account_id=1001, position_id=99, contract_id=ES, ts_ns=bought_at,
                type=POSITION_LONG, size=1, average_price=Decimal(6000))),
        }
        for name in order:
            events[name]()
        # once: a close, or (the fill first, read against the book's stale long 1) a reduce
        # by the 1 bought, which closes the 1 the broker holds
        closes = [(d.contract_id, d.size or 1) for d in desk.decisions("lockout")
                  if d.action in ("close_position", "reduce_position")]
        assert closes == [(ES, 1)], (order, desk.decisions())


def test_a_second_flatten_for_a_loss_the_first_was_closing_is_recorded_not_sent():
    """Chaos run finding (drawdown): daily_net_loss flattens on the price; the close's losing
    fill then starts cooldown_after_loss. In the calm run that fill arrives while the flatten
    is in flight (its flatten is recorded, not sent); after a restart it arrived once the
    flatten had finished, and a second flatten ran on a flat account. The cooldown is taken
    either way, its flatten is not sent again. Round 19's chaos run (drawdown again): the
    trader had bought since, and the cooldown's flatten ran beside lockout enforcement's close
    of that buy (without the restart: recorded "in flight", not sent); the lockout of the
    whole account, whose flatten is done, asks for nothing more: lockout enforcement alone
    closes what opened since."""
    from decimal import Decimal
    from shared.messages.market import SIDE_BUY, Fill
    for opened_since in (False, True):
        desk = Desk(daily_net_loss={"limit": 600},
                    cooldown_after_loss={"tiers": [{"loss": 300, "seconds": 1800}],
                                         "flatten": True})
        desk.trade(contract=ES, price="6000")
        desk.long(1, ES, 6000)
        desk.wait(30)
        desk.price(ES, 5980)                                 # -1,000 open: net loss breach
        [flatten] = desk.commands()
        assert (flatten.rule, flatten.action) == ("daily_net_loss", "flatten")
        closed_at = desk.now + NS // 10
        desk.wait(0.5)
        finish(desk, flatten)                                # done before its fill arrives
        if opened_since:
            outs = [desk.trade(contract=MNQ, side=SIDE_BUY),  # the trader's buy after it:
                    desk.long(1, MNQ, 21000)]                 # locked: the lockout closes it
            assert [(c.rule, c.action) for o in outs for c in o.commands] == \
                [("lockout", "close_position")]
        desk.wait(0.5)
        out = desk.feed(Fill(account_id=1001, trade_id=900, contract_id=ES, ts_ns=closed_at,
                             price=Decimal(5980), pnl=Decimal(-1000), fees=Decimal(0),
                             side=SIDE_SELL, size=1))
        [d] = [d for d in out.decisions if d.rule == "cooldown_after_loss"]
        assert [c.lockout.rule for c in out.lockouts] == ["cooldown_after_loss"]
        assert d.suppressed == ("locked already, no new action: account SIM-1 (id 1001) locked until "
                                "the roll by daily_net_loss"), d.suppressed
        assert out.commands == []


def test_a_new_position_on_a_locked_flat_account_is_said_to_open():
    """Trial 2026-12-05: "MES position added to while account ... locked" for a brand-new
    position on a flat account (elsewhere "MNQ position grew by 1")."""
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600")
    [flatten] = desk.commands()
    finish(desk, flatten)
    out = desk.trade(contract=ES, size=1, price="6000")          # a buy: its fill comes first
    [d] = [d for d in out.decisions if d.rule == "lockout"]
    assert d.reason.startswith("ES position opened while account SIM-1 (id 1001) locked"), d.reason
    assert "added to" not in d.reason


def test_a_position_all_new_under_a_lockout_is_said_opened_with_its_side_and_size():
    """Fresh-user trial 2026-12-06: "position grew by 1" for one opened from flat (after a
    restart, or bought while the account was disabled)."""
    from services.risk.lockouts import grew
    assert grew(1, 1) == "opened long 1" and grew(-2, 2) == "opened short 2"
    assert grew(3, 1) == "grew by 1"
