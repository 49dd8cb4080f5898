"""Unguarded time: feed drops, a silent enforcement worker and risk's own downtime add up per
trading day, split at the roll, and land in the history once."""
from services.risk.guard import Guard
from tests.unit.risk.desk import chi

NS = 1_000_000_000


def connected(g):
    g.hub("user", "connected")
    g.hub("market", "connected")


def test_a_feed_drop_and_a_silent_enforcement_worker_count_as_unguarded():
    t = chi(2026, 11, 25, 10)
    g = Guard(enforcement_timeout=5)
    g.start(t, None, chi(2026, 11, 24, 17), 0)
    connected(g)
    g.enforcement_alive(t)
    g.tick(t)
    assert g.why_unguarded(t) == "" and g.seconds(t) == 0
    g.hub("user", "reconnecting")
    g.tick(t + 1 * NS)
    assert g.why_unguarded(t + 1 * NS) == "user hub reconnecting"
    g.enforcement_alive(t + 3 * NS)
    g.hub("user", "connected")
    g.tick(t + 4 * NS)
    assert g.seconds(t + 4 * NS) == 3.0
    [iv] = g.take_closed()
    assert (iv.end_ns - iv.start_ns, iv.reason) == (3 * NS, "user hub reconnecting")
    g.tick(t + 9 * NS)                                      # enforcement silent for 6 s
    assert g.why_unguarded(t + 9 * NS) == "enforcement not running"
    assert g.seconds(t + 10 * NS) == 4.0
    g.enforcement_alive(t + 10 * NS)
    g.tick(t + 10 * NS)
    assert g.take_closed()[0].reason == "enforcement not running"
    g.hub("market", "market_closed")                        # a closed market is not a gap
    g.enforcement_alive(t + 11 * NS)
    g.tick(t + 11 * NS)
    assert g.why_unguarded(t + 11 * NS) == ""


def test_risk_downtime_counts_from_its_last_sign_of_life_and_the_roll_splits_the_day():
    g = Guard()
    start = chi(2026, 11, 25, 16, 59)
    g.start(start, chi(2026, 11, 25, 16, 58), chi(2026, 11, 24, 17), 30 * NS)
    assert g.seconds(start) == 90.0                         # 30 s saved + 60 s down
    assert g.take_closed()[0].reason == "risk was not running"
    g.tick(start)                                           # no feed yet: unguarded
    ended = g.roll(chi(2026, 11, 25, 17))
    assert ended == 150.0                                   # ... up to the roll
    assert g.seconds(chi(2026, 11, 25, 17, 0, 10)) == 10.0  # the new day's share
