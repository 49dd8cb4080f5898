"""Re-sync and delivery bookkeeping: the Clone buffer, market snapshots, the command outbox."""
from decimal import Decimal

from services.risk.clone import Clone
from services.risk.outbox import Outbox
from shared.messages.enforce import Command, CommandResult
from shared.messages.market import (POSITION_LONG, STATUS_OPEN, AccountUpdate, Fill, Quote,
                                    MarketSnapshot, OrderUpdate, PositionUpdate)
from tests.unit.risk.desk import ACCOUNT, ES, MNQ, Desk

NS = 1_000_000_000


def test_updates_older_than_the_snapshot_are_dropped_newer_ones_replayed():
    clone = Clone()
    assert clone.update(5, 10, "a") is None           # waiting for the first snapshot
    assert clone.update(5, 11, "b") is None
    assert clone.update(5, 12, "c") is None
    replay, again = clone.snapshot(epoch=5, seq=11)
    assert replay == ["c"] and not again
    assert clone.update(5, 13, "d") == "d"            # synced: straight through
    assert clone.lost("gap") is True                  # ask once ...
    assert clone.lost("gap") is False                 # ... not again while waiting
    clone.update(4, 99, "old epoch")
    replay, _ = clone.snapshot(epoch=6, seq=0)
    assert replay == []


def test_with_risk_shards_each_stream_is_replayed_from_its_own_position():
    # a shard follows market's main stream and its accounts' user stream, numbered apart
    clone = Clone()
    clone.update(5, 40, "quote at 40", "market")
    clone.update(5, 41, "quote at 41", "market")
    clone.update(5, 7, "fill at 7", "market.s1")
    clone.update(5, 8, "fill at 8", "market.s1")
    replay, _ = clone.snapshot(epoch=5, seq=40, streams={"market.s1": 7})
    assert replay == ["quote at 41", "fill at 8"]


def test_a_buffer_overflow_asks_for_another_snapshot():
    clone = Clone(max_buffer=2)
    for i in range(3):
        clone.update(1, i, i)
    replay, again = clone.snapshot(1, 0)
    assert again and clone.state == "waiting"


def cmd(i):
    return Command(id=f"c{i}", decision_id=f"d{i}", account_id=1, action="flatten")


def test_outbox_resends_with_backoff_until_a_final_result():
    box = Outbox(timeout=2, max_wait=5)
    box.add(cmd(1), 0)
    assert [c.attempt for c in box.due(0)] == [1]
    assert box.due(1 * NS) == []
    assert [c.attempt for c in box.due(2 * NS)] == [2]          # after 2 s
    assert box.due(5 * NS) == []                                 # then 4 s
    assert [c.attempt for c in box.due(6 * NS)] == [3]
    box.result(CommandResult(command_id="c1", account_id=1, status="accepted"), 7 * NS)
    assert box.due(8 * NS) == []
    done = box.result(CommandResult(command_id="c1", account_id=1, status="done"), 9 * NS)
    assert done.id == "c1" and len(box) == 0


def test_outbox_resend_all_after_a_restart():
    box = Outbox()
    box.load([cmd(1), cmd(2)], 0)
    box.due(0)
    box.resend_all(NS)
    assert sorted(c.id for c in box.due(NS)) == ["c1", "c2"]


def account_and_long(now: int, balance: int, size: int) -> dict:
    """A snapshot's account (SIM-1 at `balance`) and its MNQ long of `size` at 21000."""
    return dict(
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(balance),
                                can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=3, contract_id=MNQ,
                                  ts_ns=now, type=POSITION_LONG, size=size,
                                  average_price=Decimal(21000))])


def test_a_snapshot_rebuilds_positions_orders_and_trades_once():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.long(1, ES, 6000)                     # vanished while we were away
    desk.order(9, ES)
    desk.trade(pnl="-100", trade_id=1)
    snap = MarketSnapshot(
        seq=10, epoch=1, **account_and_long(desk.now, 49000, 2),
        orders=[OrderUpdate(account_id=ACCOUNT, order_id=12, contract_id=MNQ,
                            created_ns=desk.now, updated_ns=desk.now, status=STATUS_OPEN,
                            type=4, side=1, size=2, stop_price=Decimal(20900))],
        fills=[Fill(account_id=ACCOUNT, trade_id=1, contract_id=ES, ts_ns=desk.now,
                    price=Decimal(6000), pnl=Decimal(-100), fees=Decimal(0), side=1, size=1),
               Fill(account_id=ACCOUNT, trade_id=2, contract_id=ES, ts_ns=desk.now,
                    price=Decimal(6000), pnl=Decimal(-450), fees=Decimal(0), side=1, size=1)])
    out = desk.engine.apply_snapshot(snap, desk.now)
    acct = desk.account
    assert set(acct.positions) == {MNQ} and set(acct.orders) == {12}
    assert acct.realized() == -550 and acct.balance == 49000
    assert [d.rule for d in out.decisions] == ["daily_realized_loss"]   # the missed trade
    assert desk.engine.apply_snapshot(snap, desk.now).decisions == []    # idempotent


def test_an_incomplete_snapshot_only_adds_and_later_fills_still_count():
    """A market worker that just (re)started has not read the broker yet: its snapshot lists
    the accounts but none of the positions, orders or fills made while it was away. Taking it
    as the truth closed every position and cancelled every order until the reconcile
    republished them; it must only add, and the complete snapshot after it settles the rest."""
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.long(2, MNQ, 21000)
    desk.long(1, ES, 6000)
    desk.order(9, MNQ)
    desk.trade(pnl="-40", trade_id=1)
    account = AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(49960),
                            can_trade=True)
    fill = Fill(account_id=ACCOUNT, trade_id=2, contract_id=MNQ, ts_ns=desk.now,
                price=Decimal(21000), pnl=Decimal(-10), fees=Decimal(0), side=1, size=1)
    partial = MarketSnapshot(seq=9, epoch=2, complete=False, accounts=[account], fills=[fill])
    desk.engine.apply_snapshot(partial, desk.now)
    acct = desk.account
    assert set(acct.positions) == {MNQ, ES} and set(acct.orders) == {9}   # not taken as gone
    assert (acct.trades_today, acct.realized()) == (2, -50)
    desk.trade(pnl="-5", trade_id=3)                                      # the reconcile's
    desk.trade(pnl="-40", trade_id=1)                                     # ... and a repeat
    assert (acct.trades_today, acct.realized()) == (3, -55)
    whole = MarketSnapshot(
        seq=20, epoch=2, accounts=[account], fills=[fill],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=3, contract_id=MNQ,
                                  ts_ns=desk.now, type=POSITION_LONG, size=1,
                                  average_price=Decimal(21000))])
    desk.engine.apply_snapshot(whole, desk.now)
    assert {c: p.size for c, p in acct.positions.items()} == {MNQ: 1}     # ES closed meanwhile
    assert acct.orders == {} and (acct.trades_today, acct.realized()) == (3, -55)


def test_a_run_of_quotes_is_evaluated_once_per_contract_at_its_latest_price():
    from shared.messages.market import Quote
    desk = Desk(daily_unrealized_loss={"limit": 100})
    desk.long(1, MNQ, 21000)
    desk.long(1, ES, 6000)
    run = [Quote(contract_id=MNQ, ts_ns=desk.now, last=Decimal(20900)),     # -200, but ...
           Quote(contract_id=ES, ts_ns=desk.now, bid=Decimal(5990)),
           Quote(contract_id=MNQ, ts_ns=desk.now, last=Decimal(20990)),     # ... -20 is latest
           Quote(contract_id=ES, ts_ns=desk.now, ask=Decimal(5991))]         # mid 5990.5: -475
    out = desk.engine.on_quotes(run, desk.now)
    assert [(d.contract_id, d.value) for d in out.decisions] == [(ES, Decimal("-475"))]


def test_a_snapshot_is_judged_as_the_live_events_would_have_been_whatever_rule_reads_what():
    """Chaos run, drawdown: risk restarted while a position was losing; its snapshot's
    balance ran drawdown_guard (a flatten) before any rule had read the price, where the calm
    run's quote gave daily_unrealized_loss's close and daily_net_loss's flatten."""
    from shared.messages.market import Quote
    rules = dict(daily_unrealized_loss={"limit": 200}, daily_net_loss={"limit": 600},
                 drawdown_guard={"max_loss": 2000, "buffer": 100, "starting_balance": 50000})
    live = Desk(**rules)
    live.long(1, MNQ, 21000)
    live.price(MNQ, 20020)                                   # -1960 open: all three breach
    restarted = Desk(**rules)
    snap = MarketSnapshot(
        seq=10, epoch=1, **account_and_long(restarted.now, 50000, 1),
        quotes=[Quote(contract_id=MNQ, ts_ns=restarted.now, last=Decimal(20020))])
    restarted.history.append(restarted.engine.apply_snapshot(snap, restarted.now))
    acted = [(d.rule, d.action) for d in restarted.decisions()]
    assert acted == [(d.rule, d.action) for d in live.decisions()]
    assert ("daily_net_loss", "flatten") in acted


def test_a_snapshots_copy_of_the_last_quote_does_not_value_a_position_opened_since():
    """test_quiet_feed_screens under load: a position opened after market's last quote (the
    sim's feed quiet) read "no quote since it opened" on `riskctl positions`, and on `riskctl
    status` too, until risk's next re-sync (every 0.5 s while market has not read the broker
    yet; any gap): the snapshot's copy of that same quote was stamped with risk's clock then,
    and valued the position with a price from before it opened (price_of). A quote risk has
    not heard still counts from the snapshot on."""
    desk = Desk(daily_unrealized_loss={"limit": 200})
    quote = Quote(contract_id=MNQ, ts_ns=desk.now, last=Decimal("21000"))
    desk.feed(quote)
    desk.now += NS
    desk.long(1, MNQ, "21000.25")
    market = desk.engine.market

    def snapshot(*quotes):
        desk.now += NS
        desk.engine.apply_snapshot(MarketSnapshot(
            seq=5, epoch=1, complete=False,
            accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1",
                                    balance=Decimal(50_000), can_trade=True)],
            positions=[PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ,
                                      ts_ns=desk.now - 2 * NS, type=POSITION_LONG, size=1,
                                      average_price=Decimal("21000.25"))],
            quotes=list(quotes)), desk.now)
        return market.price_of(desk.account.positions[MNQ])

    assert market.price_of(desk.account.positions[MNQ]) is None
    assert snapshot(quote) is None                        # was 21000: valued from before
    newer = Quote(contract_id=MNQ, ts_ns=desk.now, last=Decimal("20999.75"))
    assert snapshot(newer) == Decimal("20999.75")         # a quote risk never heard: news
