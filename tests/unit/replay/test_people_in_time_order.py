"""People's lockouts and unlocks in riskd's records are played in the replayed range only, in
their own time order, and an unlock is paired only with the replay's lockout of its rule.

trial25c F10: `riskctl replay --from 2026-12-08 --to 2026-12-08 --decisions` listed the
self-lockouts of 2026-12-07 16:45 (riskd's records are read from an hour before the day's first
fill), counted them in the rule table, and its notes paired riskd's unlock of a
cooldown_after_loss lockout (16:44:39) with the replay's self_lockout set 1.5 minutes later.
trial25b F3: "riskd's drawdown_guard lockout was lifted at 17:07:52 ...: the replay lifts its own
then too (self_lockout ...)" for a self-lockout of 17:07:57, and the unlock of that self-lockout
at 17:08:02 "lifted nothing": every lockout of the pending ones was played before every unlock.

Live is risk's own engine on the shipped config, each step committed to its store
(test_riskd_closes_recorded.Live); the day is replayed under the same config, riskd's records
read over the span the command reads (its first to last fill)."""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import read_records
from cli.replay.runner import Runner
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from shared.messages.risk import FLATTEN
from tests.support.replay_days import MNQ, Days, chi
from tests.unit.replay.test_riskd_closes_recorded import (ACCOUNT, T0, Live, bought, order,
                                                          position)

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000


def sold(d: Days, live: Live, at: int, price, oid: int) -> None:
    """The trader's market sell of the 1 MNQ held."""
    f = d.trade(at, MNQ, "sell", 1, price, order_id=oid)
    live.step(order(d, oid, SIDE_SELL, 1, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(position(0, 0, at), at)


def self_lock(live: Live, at: int, minutes: int) -> None:
    """The trader's `riskctl lockout 1001 --until <minutes>m` on a flat account."""
    out, refusal = live.engine.self_lock(ACCOUNT, at, until_ns=at + minutes * 60 * NS,
                                         reason="trial")
    assert not refusal, refusal
    live._commit(out)
    for flatten in [c for c in out.commands if c.action == FLATTEN]:
        live.result(flatten, at + NS // 10)


def unlock(live: Live, at: int) -> None:
    """The admin's `riskctl unlock 1001` (every lockout of the account)."""
    out, refusal = live.engine.unlock(ACCOUNT, None, "admin:root", "test", at)
    assert not refusal, refusal
    live._commit(out)


def replayed(config: str, d: Days):
    h = d.history()
    records = read_records(config, {ACCOUNT: (h.fills[0].ts_ns, h.fills[-1].ts_ns)})
    return Runner(build_engine(load(config), {}), h, records[ACCOUNT]).run()


def test_the_day_befores_lockouts_and_unlocks_are_not_the_replayed_days(config):
    """Wed 16:45 the trader locks the account for 30 minutes, the admin unlocks it at 16:46;
    after the 17:00 roll (Thursday's trading day) the trader buys 1 at 17:01 and sells it at
    17:02. A replay of Thursday alone holds neither: no decision of Wednesday listed or counted
    (trial25c F10: "2026-12-07 Mon 16:45:00 CST ... enforce:self_lockout flatten" in a replay of
    2026-12-08, self_lockout FIRED 4), no note of Wednesday's unlock."""
    live = Live(config)
    self_lock(live, chi(2026, 11, 25, 16, 45), 30)
    unlock(live, chi(2026, 11, 25, 16, 46))
    d = Days(ACCOUNT, "SIM-DEMO-1")
    start = chi(2026, 11, 25, 17, 1)
    d.bars(MNQ, start, [21000, 21000])
    bought(d, live, start + NS, 1, 9001)
    sold(d, live, start + 61 * NS, 21000, 9002)
    live.store.close()
    r = replayed(config, d)
    days = {r_.isoformat() for r_ in r.days}
    assert days == {"2026-11-26"}, days
    assert not [x for x in r.decisions if x.ts_ns < chi(2026, 11, 25, 17, 0)], r.decisions
    assert "self_lockout" not in r.rules, r.rules
    assert not [n for n in r.notes if "lifted" in n or "2026-11-25 16:4" in n], r.notes
    [day] = r.days.values()
    assert day.blocked == 0 and day.guarded == day.actual, (day, r.notes)


def test_lockouts_and_unlocks_between_two_fills_are_played_in_their_order(config):
    """Buy 1 at 10:00:01, sell at 10:00:03 at a 120.00 loss (cooldown_after_loss, 5 minutes,
    shipped tiers); the admin unlocks it at 10:00:12; the trader locks the account at 10:00:15
    (10 minutes); the admin unlocks that at 10:00:18; the trader buys at 10:00:20 and sells at
    10:00:40. All three come between two fills of the history (one replay step): the unlock of
    10:00:12 lifts the replay's cooldown_after_loss, the self-lockout follows, the unlock of
    10:00:18 lifts it; the buy of 10:00:20 stands, as live."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    live = Live(config)
    bought(d, live, T0 + NS, 1, 9001)
    sold(d, live, T0 + 3 * NS, 20940, 9002)
    assert [lk.rule for lk in live.engine.lockouts.all(ACCOUNT)] == ["cooldown_after_loss"]
    for flatten in [c for c in live.commands if c.action == FLATTEN]:
        live.result(flatten, T0 + 4 * NS)          # the cooldown's flatten: nothing held
    unlock(live, T0 + 12 * NS)
    self_lock(live, T0 + 15 * NS, 10)
    unlock(live, T0 + 18 * NS)
    bought(d, live, T0 + 20 * NS, 1, 9003)
    sold(d, live, T0 + 40 * NS, 21000, 9004)
    assert not [c for c in live.commands if c.rule == "lockout"]    # live let the buy stand
    live.store.close()
    r = replayed(config, d)
    said = [n for n in r.notes if "lifted" in n]
    assert len(said) == 2, said
    assert said[0].startswith(
        "riskd's cooldown_after_loss lockout was lifted at Wed 2026-11-25 10:00:12 CST by "
        "admin:root (riskd's records, an unlock of every lockout of the account): the replay "
        "lifts its own then too (cooldown_after_loss set to end ") and "self_lockout" not in \
        said[0], said
    assert said[1].startswith(
        "riskd's self_lockout lockout was lifted at Wed 2026-11-25 10:00:18 CST by admin:root "
        "(riskd's records, an unlock of every lockout of the account): the replay lifts its own "
        "then too (self_lockout set to end Wed 2026-11-25 10:10:15 CST)"), said
    [day] = r.days.values()
    assert day.blocked == 0 and day.dropped == 0 and day.guarded == day.actual, (day, r.notes)
