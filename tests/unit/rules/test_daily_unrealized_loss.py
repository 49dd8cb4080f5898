"""daily_unrealized_loss: a losing open position (or the account's open loss) is cut."""
from tests.unit.risk.desk import ES, MNQ, D, Desk


def test_long_2_mnq_at_21000_falling_to_20890_closes_that_position_alone():
    desk = Desk(daily_unrealized_loss={"limit": 200})
    desk.long(2, MNQ, 21000)
    desk.long(1, ES, 6000)
    desk.price(ES, 6001)
    out = desk.price(MNQ, 20890)        # (20890-21000)/0.25 * 0.50 * 2 = -440
    [d] = out.decisions
    assert (d.action, d.contract_id, d.value, d.limit) == ("close_position", MNQ, -440, -200)
    assert d.lock is None
    # the next tick does not close it twice while the close is on its way
    assert desk.price(MNQ, 20880).decisions == []


def test_a_199_loss_is_a_near_miss():
    desk = Desk(daily_unrealized_loss={"limit": 200})
    desk.long(2, MNQ, 21000)
    assert desk.price(MNQ, "20950.25").decisions == []        # -199
    [w] = desk.warnings()
    assert w.value == -199


def test_account_scope_flattens_on_the_sum_and_locks_until_roll():
    desk = Desk(daily_unrealized_loss={"limit": 200, "scope": "account"})
    desk.short(1, ES, 6000)
    desk.long(2, MNQ, 21000)
    assert desk.price(MNQ, "20950.25").decisions == []     # -199 (ES has no price yet)
    [d] = desk.price(ES, "6008.25").decisions    # short ES: -33 ticks * 12.50 = -412.50
    assert d.action == "flatten" and d.value == D("-611.5") and d.lock.kind == "until_reset"


def test_a_price_from_before_the_position_opened_never_closes_it():
    # market unsubscribes a contract every account is flat in and its quotes stop; risk's
    # last price of it is stale. A new position is valued only by a quote that arrived since
    # it opened: the stale 21000 read against a 21120 entry (-120) must not close it.
    desk = Desk(daily_unrealized_loss={"limit": 50})
    desk.price(MNQ, 21000)
    desk.long(1, MNQ, 21000)
    desk.flat(MNQ)                       # flat everywhere: market unsubscribes MNQ
    desk.wait(3600)
    out = desk.long(1, MNQ, 21120)       # the stale price would read (21000-21120)*2 = -240
    assert out.decisions == [] and desk.decisions() == []
    assert desk.wait(1).decisions == []
    # the first fresh quote values it, even at an unchanged price, and the rule acts on it
    desk.wait(1)
    [d] = desk.price(MNQ, 21000).decisions
    assert (d.action, d.contract_id, d.value) == ("close_position", MNQ, -240)


def test_a_fresh_quote_at_the_same_price_as_the_stale_one_still_counts():
    desk = Desk(daily_unrealized_loss={"limit": 50})
    desk.price(MNQ, 21000)
    desk.wait(60)
    desk.long(1, MNQ, 21120)
    assert desk.decisions() == []
    desk.wait(0.2)
    [d] = desk.price(MNQ, 21000).decisions           # same price, but it arrived just now
    assert d.value == -240
