"""A reduce of what grew while locked says "the rest held before the lock stays" only when the
position was open when the lock started (fresh-user trial 2026-12-06: said of an account that
was flat before its lock)."""
from tests.unit.risk.desk import ES, MNQ, SIDE_BUY, SIDE_SELL, Desk

NS = 1_000_000_000
RULES = dict(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 600,
                                    "per_hour": 0, "per_session": 0, "flatten": False})


def locked(desk: Desk) -> None:
    """Three ES fills in a minute: the cooldown of the account, no flatten (MNQ untouched)."""
    for side in (SIDE_BUY, SIDE_SELL, SIDE_BUY):
        desk.trade(side=side, contract=ES)
        desk.now += 5 * NS
    [lock] = desk.engine.lockouts.all()
    assert lock.rule == "trade_frequency_limit"


def cuts(desk: Desk):
    return [d for d in desk.decisions() if d.rule == "lockout"]


def test_flat_before_the_lock_the_reduce_claims_no_rest_held_before_it():
    desk = Desk(**RULES)
    locked(desk)                              # no MNQ held
    desk.long(1, MNQ, 21000)                  # opened while locked: closed
    desk.now += NS
    desk.long(2, MNQ, 21000)                  # grew before that close filled: the 1 added goes
    actions = [(d.action, d.size) for d in cuts(desk)]
    assert actions[0][0] == "close_position" and ("reduce_position", 1) in actions, actions
    [reduce] = [d for d in cuts(desk) if d.action == "reduce_position"]
    assert reduce.reason.endswith(": the 1 contract added is closed"), reduce.reason
    assert "held before the lock" not in reduce.reason


def test_held_before_the_lock_the_rest_stays_as_before():
    desk = Desk(**RULES)
    desk.long(2, MNQ, 21000)
    desk.now += 3600 * NS
    locked(desk)
    desk.long(3, MNQ, 21000)
    [reduce] = cuts(desk)
    assert (reduce.action, reduce.size) == ("reduce_position", 1)
    assert reduce.reason.endswith(
        ": the 1 contract added is closed, the rest held before the lock stays"), reduce.reason
