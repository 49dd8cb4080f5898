"""Rate limit with aggregation: a flood becomes the limit's worth of messages plus one digest."""
from __future__ import annotations

from shared.clock import FakeClock, NS_PER_S
from services.notify.ratelimit import DIGEST, SINGLE, WAIT, Planner, Queued, TokenBucket


class Channel:
    """Drives a Planner like the sender thread does: queue, decide, 'send', on a fake clock."""

    def __init__(self, clock: FakeClock, rate=10, quiet=5.0, max_wait=60.0):
        self.clock = clock
        self.planner = Planner(rate, quiet, max_wait, self.now())
        self.queue: list[Queued] = []
        self.sent: list[tuple[str, tuple[int, ...], float]] = []
        self.next_id = 1

    def now(self) -> float:
        return self.clock.now_ns() / NS_PER_S

    def arrive(self, severity="warning") -> int:
        q = Queued(self.next_id, severity, self.now())
        self.next_id += 1
        self.queue.append(q)
        return q.id

    def pump(self) -> None:
        while True:
            plan = self.planner.decide(self.queue, self.now())
            if plan.kind == WAIT:
                return
            self.sent.append((plan.kind, plan.ids, self.now()))
            self.queue = [q for q in self.queue if q.id not in plan.ids]


def test_fifty_breaches_in_ten_seconds_give_the_limit_plus_one_digest_naming_the_rest():
    clock = FakeClock()
    ch = Channel(clock)
    for _ in range(50):
        ch.arrive()
        ch.pump()
        clock.advance(0.2)
    for _ in range(120):                   # two more minutes, ticking every second
        clock.advance(1.0)
        ch.pump()
    singles = [s for s in ch.sent if s[0] == SINGLE]
    digests = [s for s in ch.sent if s[0] == DIGEST]
    assert len(singles) == 10 and len(digests) == 1
    assert len(ch.sent) <= 10 + 1
    named = {i for _k, ids, _t in ch.sent for i in ids}
    assert named == set(range(1, 51))            # every one of the 50 is in a message
    assert digests[0][1] == tuple(range(11, 51))  # the digest names all 40 merged ones
    assert not ch.queue


def test_the_digest_waits_for_calm_and_a_token_but_not_longer_than_max_wait():
    clock = FakeClock()
    ch = Channel(clock, rate=2, quiet=5.0, max_wait=20.0)
    ch.arrive(); ch.arrive(); ch.pump()
    assert len(ch.sent) == 2
    start = ch.now()
    while ch.now() - start < 60:          # an endless trickle: one alert a second
        ch.arrive()
        ch.pump()
        clock.advance(1.0)
    digests = [t - start for k, _ids, t in ch.sent if k == DIGEST]
    assert digests and 19.0 <= digests[0] <= 31.0    # max_wait (20 s) and the next token (30 s)
    assert all(b - a >= 29.0 for a, b in zip(digests, digests[1:]))   # 2/min: a token each 30 s


def test_critical_bypasses_the_digest_delay():
    clock = FakeClock()
    ch = Channel(clock, rate=1)
    ch.arrive(); ch.pump()                  # spends the only token
    ch.arrive(); ch.arrive(); ch.pump()     # digest mode, waiting
    crit = ch.arrive("critical")
    ch.pump()
    assert ch.sent[-1] == (SINGLE, (crit,), ch.now())
    assert [q.severity for q in ch.queue] == ["warning", "warning"]


def test_a_quiet_channel_sends_each_alert_alone():
    clock = FakeClock()
    ch = Channel(clock)
    for _ in range(30):
        ch.arrive()
        ch.pump()
        clock.advance(7.0)                  # slower than 10 a minute
    assert [k for k, _i, _t in ch.sent] == [SINGLE] * 30


def test_token_bucket_refills_at_its_rate():
    b = TokenBucket(6, now=0.0)             # one every 10 s, bursts of 6
    assert all(b.take(0.0) for _ in range(6))
    assert not b.take(0.0)
    assert b.next_token_at(0.0) == 10.0
    assert not b.take(9.9) and b.take(10.0)
    assert b.available(1000.0) and b.tokens == 6.0


def test_criticals_queued_together_go_out_together_at_once():
    clock = FakeClock()
    ch = Channel(clock, rate=1)
    ch.arrive(); ch.pump()                  # the only token is gone
    ids = [ch.arrive("critical") for _ in range(5)]
    ch.arrive("warning")
    ch.pump()
    assert ch.sent[-1] == (DIGEST, tuple(ids), ch.now())
    assert [q.severity for q in ch.queue] == ["warning"]
