"""Whether a close of riskd's is in flight (RiskdExits.in_flight, asked on every new fill of
the trader's) looks at the exits whose command has no final result yet, not at every exit of
the last 15 s: a locked trader's 500 breaches in 6 s (the headline bench) made each of them a
scan of ~500 settled exits on the path to the close. The answers are the same as a scan of all
of them, through every way the exits change (added, settled, late, used up, pruned, reloaded).
"""
from __future__ import annotations

import random

from services.risk.exits import SIDE_BUY, SIDE_SELL, Exit, RiskdExits, dump_exit
from shared.messages.market import Fill
from tests.unit.risk.desk import ACCOUNT, MNQ, D

NS = 1_000_000_000
MES = "CON.F.US.MES.Z26"


class Counted(list):
    """A list that counts how often it is walked."""
    walks = 0

    def __iter__(self):
        Counted.walks += 1
        return super().__iter__()


def settled_breaches(n: int, now: int) -> RiskdExits:
    """n closes of a long 1 MNQ, each done (a locked trader's n breaches), then one in flight."""
    r = RiskdExits()
    for i in range(n):
        r.expect(MNQ, 1, None, f"close-{i}.1", now + i)
        r.settle(f"close-{i}.1", now + i, closed=True)
    r.expect(MNQ, 1, None, "close-last.1", now + n)
    return r


def test_a_new_fill_does_not_walk_every_settled_exit():
    now = 1_000 * NS
    r = settled_breaches(300, now)
    r.expected = Counted(r.expected)
    Counted.walks = 0
    for _ in range(10):          # the trader's next buys, and the close's own side
        assert not r.in_flight(MNQ, SIDE_BUY, now + 400)
        assert r.in_flight(MNQ, SIDE_SELL, now + 400)
    assert Counted.walks <= 1, f"every settled exit walked {Counted.walks} times for 20 asks"
    r.settle("close-last.1", now + 401, closed=True)
    assert not r.in_flight(MNQ, SIDE_SELL, now + 402)
    assert Counted.walks <= 1, f"the settle walked every exit ({Counted.walks})"


def brute(r: RiskdExits, contract_id: str, side: int, now: int, but: str = "") -> bool:
    """in_flight as a scan of every exit."""
    return any(e.contract_id == contract_id and e.side == side and e.done_ns == 0
               and e.command_id != but and e.alive(now) for e in r.expected)


class Call:
    """A close whose answer was lost (CommandResult.unsettled's entries)."""

    def __init__(self, contract_id: str, size: int = 0):
        self.contract_id, self.size, self.lost_ns, self.how = contract_id, size, 0, "timed out"


def test_in_flight_answers_as_a_scan_of_every_exit_through_every_change():
    for seed in range(40):
        rnd = random.Random(seed)
        r = RiskdExits()
        now = 1_000 * NS
        cmds: list[str] = []
        for step in range(150):
            now += rnd.choice([1, NS // 10, NS, 5 * NS])
            cid = rnd.choice([MNQ, MES])
            op = rnd.random()
            if op < 0.35:
                c = f"c{step}.1"
                cmds.append(c)
                pos = rnd.choice([1, 2, -1, 3])
                r.expect(cid, pos, rnd.choice([None, 1]), c, now)
            elif op < 0.55 and cmds:
                r.settle(rnd.choice(cmds), now, closed=rnd.random() < 0.7,
                         price_of=lambda _c: D(21000))
            elif op < 0.62 and cmds:
                r.unsettled(rnd.choice(cmds), [Call(cid, rnd.choice([0, 1]))], now,
                            lambda _c: 1)
            elif op < 0.75:
                fill = Fill(account_id=ACCOUNT, trade_id=step, contract_id=cid, ts_ns=now,
                            price=D(21000), pnl=None, fees=D(0),
                            side=rnd.choice([SIDE_BUY, SIDE_SELL]), size=1, order_id=step)
                r.claim_fill(fill, now)
            elif op < 0.85:
                r.prune(now)
            elif op < 0.88 and cmds:
                r.note(f"n{step}.1", now)
            elif op < 0.91:
                # a restart: the rows read back
                again = RiskdExits()
                again.load([dump_exit(e) for e in r.expected], r.orders,
                           [e.n for e in r.expected])
                r = again
            for contract in (MNQ, MES):
                for side in (SIDE_BUY, SIDE_SELL):
                    but = rnd.choice(cmds) if cmds and rnd.random() < 0.3 else ""
                    assert r.in_flight(contract, side, now, but=but) == \
                        brute(r, contract, side, now, but), (seed, step)


def test_an_exit_added_already_settled_is_not_in_flight():
    now = 1_000 * NS
    r = settled_breaches(3, now)
    assert r.in_flight(MNQ, SIDE_SELL, now + 10)
    r.settle("close-last.1", now + 11, closed=False)
    r.unsettled("close-last.1", [Call(MNQ)], now + 12, lambda _c: 1)    # late: done already
    assert any(e.late for e in r.expected)
    assert not r.in_flight(MNQ, SIDE_SELL, now + 13)
    r._add(Exit(MNQ, SIDE_SELL, 1, now + 14, "close-new.1"))
    assert r.in_flight(MNQ, SIDE_SELL, now + 15)


def test_a_tick_that_forgets_nothing_keeps_the_lists_beside_the_exits():
    """RiskdExits.prune runs 10 times a second: one that forgets no exit leaves the list as
    it is, so the next fill does not list the open and the outstanding exits again."""
    now = 1_000 * NS
    r = settled_breaches(300, now)
    assert r.in_flight(MNQ, SIDE_SELL, now + 400) and r.has_live()
    counted = r.expected = Counted(r.expected)
    r.in_flight(MNQ, SIDE_SELL, now + 400)
    r.has_live()
    assert not r.prune(now + 400)             # all within 15 s of their results
    assert r.expected is counted
    Counted.walks = 0
    assert r.in_flight(MNQ, SIDE_SELL, now + 401) and r.has_live()
    assert Counted.walks == 0
    assert r.prune(now + 300 + 16 * NS)       # the settled ones forgotten, the last one kept
    assert [e.command_id for e in r.expected] == ["close-last.1"]
    assert r.in_flight(MNQ, SIDE_SELL, now + 300 + 16 * NS)


def test_a_done_close_asks_about_its_fills_among_the_open_exits_only():
    """done_expecting (asked at every done close, _after_reduced) walks the open exits, not
    every settled exit of the last 15 s."""
    now = 1_000 * NS
    r = RiskdExits()
    for i in range(300):            # closes done and their fills in: used up, remembered 15 s
        r._add(Exit(MNQ, SIDE_SELL, 0, now + i, f"close-{i}.1", done_ns=now + i, closed=True))
    r._add(Exit(MNQ, SIDE_SELL, 1, now + 300, "close-last.1"))
    r.settle("close-last.1", now + 301, closed=True)          # done, its fill still to come
    r.has_live()
    counted = r.expected = Counted(r.expected)
    r.has_live()
    Counted.walks = 0
    for _ in range(10):
        assert r.done_expecting("close-last.1")
        assert not r.done_expecting("close-0.1")
    assert Counted.walks == 0 and r.expected is counted
