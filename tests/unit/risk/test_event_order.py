"""A fill's Trade and Position arrive in either order: no rule counts a fill twice or not at all
(issue 14 points 1 and 11; RULES.md "Decisions follow the broker's facts")."""
import itertools

import pytest

from services.risk.pnl import net_open_pnl
from shared.messages.market import Fill
from tests.unit.risk.desk import ACCOUNT, ES, MNQ, SIDE_BUY, SIDE_SELL, Desk, D

TRADE_FIRST, POSITION_FIRST = "trade first", "position first"


def open_long(desk, size, price, order=TRADE_FIRST):
    steps = [lambda: desk.trade(None, contract=MNQ, side=SIDE_BUY, size=size, price=price),
             lambda: desk.long(size, MNQ, price)]
    return [o for step in (steps if order == TRADE_FIRST else steps[::-1]) for o in [step()]]


def close_long(desk, size, price, pnl, left=0, order=TRADE_FIRST, avg=21000):
    steps = [lambda: desk.trade(pnl, contract=MNQ, side=SIDE_SELL, size=size, price=price),
             lambda: desk.long(left, MNQ, avg) if left else desk.flat(MNQ)]
    return [o for step in (steps if order == TRADE_FIRST else steps[::-1]) for o in [step()]]


def net(desk):
    return desk.account.realized(True) + net_open_pnl(desk.account, desk.engine.market)[0]


@pytest.mark.parametrize("order", [TRADE_FIRST, POSITION_FIRST])
def test_a_400_close_on_a_600_net_limit_is_read_as_400_in_either_order(order):
    # bug: on the Trade the -400 was realized while the position still counted -400 open
    desk = Desk(daily_net_loss={"limit": 600})
    open_long(desk, 2, 21000)
    desk.price(MNQ, 20900)                                  # 2 MNQ, -100 points: -400 open
    first, second = close_long(desk, 2, 20900, "-400", order=order)
    assert net(desk) == -400
    assert first.decisions == [] and second.decisions == []
    assert desk.decisions() == [] and desk.engine.lockouts.all() == []


@pytest.mark.parametrize("order", [TRADE_FIRST, POSITION_FIRST])
def test_a_partial_close_counts_the_closed_part_once(order):
    desk = Desk(daily_net_loss={"limit": 600})
    open_long(desk, 3, 21000)
    desk.price(MNQ, 20900)                                  # -600 open would be the limit
    assert desk.decisions() != []                           # (-600 open: that is a breach)
    desk2 = Desk(daily_net_loss={"limit": 700})
    open_long(desk2, 3, 21000)
    desk2.price(MNQ, 20900)
    for out in close_long(desk2, 1, 20900, "-200", left=2, order=order):
        assert out.decisions == []
        assert net(desk2) == -600                           # -200 realized, -400 open


@pytest.mark.parametrize("order", [TRADE_FIRST, POSITION_FIRST])
def test_a_winning_close_raises_the_trailing_high_once(order):
    # bug: with trailing = unrealized, realized +400 and open +400 made a high of 800
    desk = Desk(daily_net_loss={"limit": 300, "trailing": "unrealized"})
    open_long(desk, 1, 21000)
    desk.price(MNQ, 21200)                                  # +400 open: high 400
    close_long(desk, 1, 21200, "400", order=order)
    assert desk.account.day_highs["net_loss.net.True"] == 400
    desk.price(MNQ, 21000)
    assert desk.decisions() == []                           # flat: +400 net, line +100


def test_a_position_first_close_of_a_winner_is_no_breach_before_its_trade():
    # a +300 MNQ winner open, then -650 realized on ES: net -350 on a 600 limit. The MNQ
    # Position closes first: without its pending part the net would read -650 and flatten.
    desk = Desk(daily_net_loss={"limit": 600, "include_fees": False})
    open_long(desk, 1, 21000)
    desk.price(MNQ, 21150)
    desk.trade("-650", contract=ES, side=SIDE_SELL)
    assert net(desk) == -350
    desk.flat(MNQ)                                          # the Position comes first
    assert desk.price(MNQ, "21150.25").decisions == []     # a quote before the Trade
    assert net(desk) == D("-349.5")
    desk.trade("300", contract=MNQ, side=SIDE_SELL, price=21150)
    assert net(desk) == -350
    assert desk.decisions() == []


@pytest.mark.parametrize("order", [TRADE_FIRST, POSITION_FIRST])
def test_the_fill_that_starts_a_cooldown_is_not_a_breach_of_it(order):
    # bug: the third fill's Trade started the cooldown, its Position then read as
    # "position increased while locked", riskd closed it and its close made a fourth trade
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60})
    open_long(desk, 1, 21000, order)
    desk.wait(1)
    close_long(desk, 1, 21001, "2", order=order)
    desk.wait(1)
    outs = open_long(desk, 1, 21002, order)                  # the third trade this minute
    [lock] = desk.engine.lockouts.all()
    assert lock.rule == "trade_frequency_limit"
    assert [c.action for c in desk.commands()] == []        # flatten = false: nothing closed
    assert all(d.rule == "trade_frequency_limit" for o in outs for d in o.decisions)


@pytest.mark.parametrize("order", [TRADE_FIRST, POSITION_FIRST])
def test_a_fill_made_while_locked_is_closed_once(order):
    desk = Desk(trade_frequency_limit={"per_minute": 1, "per_minute_cooldown": 60})
    open_long(desk, 1, 21000)                               # starts the cooldown
    desk.wait(5)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price=21000) \
        if order == TRADE_FIRST else desk.long(2, MNQ, 21000)
    second = desk.long(2, MNQ, 21000) if order == TRADE_FIRST else \
        desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price=21000)
    closes = [d for d in desk.decisions("lockout")]
    # the lot held when the cooldown started stays; the one bought while locked goes
    assert [(d.action, d.contract_id, d.size) for d in closes] == [("reduce_position", MNQ, 1)]
    assert second.decisions == [] or all(d.suppressed for d in second.decisions)


def test_disagreement_past_the_window_waits_for_a_fresh_broker_read():
    """Past the window the Position is not taken as the truth on its own (it may be market's
    stale one): the fills stand until a snapshot from a broker read begun after it went stale
    (tests/unit/risk/test_stale_position_read_again.py has the chaos run's case)."""
    from shared.messages.market import AccountUpdate, MarketSnapshot, PositionUpdate
    from tests.unit.risk.desk import ACCOUNT
    desk = Desk()
    open_long(desk, 2, 21000)
    desk.trade("-10", contract=MNQ, side=SIDE_SELL, size=2, price=D("20999"))  # no Position
    assert desk.account.live_size(desk.account.positions[MNQ]) == 0
    desk.wait(11)
    assert desk.account.live_size(desk.account.positions[MNQ]) == 0   # still the fills'
    wanted = desk.engine.read_after()
    assert wanted
    held = desk.account.positions[MNQ]
    desk.engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, read_ns=wanted,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(50_000),
                                can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=held.position_id,
                                  contract_id=MNQ, ts_ns=held.opened_ns, type=1, size=2,
                                  average_price=D(21000))]), desk.now)
    assert desk.account.live_size(desk.account.positions[MNQ]) == 2   # the broker's, read afresh
    assert desk.engine.read_after() == 0


def test_a_replayed_position_or_order_changes_nothing_and_decides_nothing():
    # a snapshot replaying what the stream delivered ran the rules again: trade_management
    # asked to move a stop a second time although nothing had changed
    from shared.messages.enforce import CommandResult
    from shared.messages.market import PositionUpdate
    from tests.unit.risk.desk import ACCOUNT
    desk = Desk(trade_management={"breakeven_after_ticks": 10, "trail_after_ticks": 0})
    pos = PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=desk.now,
                         type=1, size=1, average_price=D(21000))
    desk.feed(pos)
    desk.stop(7, MNQ, SIDE_SELL, 1, "20950")
    [d] = desk.price(MNQ, 21005).decisions                  # 20 ticks: stop to breakeven
    desk.engine.on_result(CommandResult(command_id=desk.commands()[0].id, account_id=ACCOUNT,
                                        status="done"), desk.now)
    assert desk.feed(pos).decisions == []                   # the same position again
    assert desk.stop(7, MNQ, SIDE_SELL, 1, "20950").decisions == []   # the same order again


def test_three_trades_in_a_minute_lock_from_the_third_whatever_order_they_arrive_in():
    """Chaos run, oversize: a buy's fill lost when market was killed came back after the sell
    that made three; each fill, counted at its own time, saw only two in its minute, and no
    cooldown was taken. The cooldown runs from the trade that reached the limit in time."""
    seen = set()
    for order in itertools.permutations(range(3)):
        desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60})
        t0 = desk.now
        fills = [dict(trade_id=901 + i, ts=t0 + i * 5_000_000_000) for i in range(3)]
        desk.wait(20)
        for i in order:
            desk.feed(Fill(account_id=ACCOUNT, trade_id=fills[i]["trade_id"], contract_id=MNQ,
                           ts_ns=fills[i]["ts"], price=D(21000), pnl=None, fees=D(0),
                           side=SIDE_BUY, size=1, voided=False))
        [lock] = desk.engine.lockouts.all()
        seen.add((lock.rule, lock.until_ns - t0))
    assert seen == {("trade_frequency_limit", (10 + 60) * 1_000_000_000)}


def test_a_losing_flip_past_max_contracts_decides_the_same_in_either_order():
    """Model test finding: long 4 MNQ and 1 ES; the trader sells 3 ES at a loss (short 2: 6
    contracts gross, limit 5). Trade first, cooldown_after_loss flattens and max_contracts'
    reduce is the flatten's; Position first, the reduce went out before the loss was known,
    then the flatten: one more broker call, other decisions. The Position's rules now wait for
    its fill (up to DEFER_NS), so both orders decide the same."""
    from services.risk.engine import DEFER_NS
    sent = {}
    for order in (TRADE_FIRST, POSITION_FIRST):
        desk = Desk(max_contracts={"limit": 5},
                    cooldown_after_loss={"tiers": [{"loss": 50, "seconds": 300}],
                                         "flatten": True})
        desk.filled(4, MNQ, 21000)
        desk.filled(1, ES, 6000)
        desk.price(ES, 5990)
        steps = [lambda: desk.trade("-500", contract=ES, side=SIDE_SELL, size=3, price="5990"),
                 lambda: desk.short(2, ES, 5990)]
        for step in (steps if order == TRADE_FIRST else steps[::-1]):
            step()
        desk.wait(DEFER_NS / 1e9 + 1)                        # nothing more comes later
        sent[order] = sorted((c.rule, c.action, c.contract_id) for c in desk.commands())
    assert sent[TRADE_FIRST] == sent[POSITION_FIRST] == [("cooldown_after_loss", "flatten", None)]


def test_a_position_whose_fill_never_comes_is_judged_after_a_second():
    from services.risk.engine import DEFER_NS
    desk = Desk(max_contracts={"limit": 5})
    assert desk.long(7, MNQ, 21000).decisions == []          # its Trade is on the way
    assert desk.wait(DEFER_NS / 1e9 / 2).decisions == []
    [d] = desk.wait(DEFER_NS / 1e9).decisions                # it never came: judged as it is
    assert (d.rule, d.action, d.size) == ("max_contracts", "reduce_position", 2)
