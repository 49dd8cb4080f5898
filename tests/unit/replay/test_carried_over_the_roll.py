"""A position held over the roll is held when the next day's replay starts (trial25c F10).

The trial's Demo 2 held short 2 MNQ over the 17:00 roll; `riskctl replay --from 2026-12-08 --to
2026-12-08 --decisions` started the day flat and read "6 contracts open (gross), limit 2:
reduce MNQ by 4 [riskd's own: ... 4 contracts open (gross), limit 2: reduce MNQ by 2]", and a
breach riskd caught was "not reached". The day here: short 2 MNQ since Wednesday 16:50 (riskd's
kept fill); Thursday's trading day (after the roll) the trader sells 4 more at 17:01:00 (6 >
max_contracts' limit 5, shipped) and riskd's reduce by 1, decided at that fill, buys 1 at
17:01:00.300 (its own order 9100, named in its result). riskd's records are built as the risk
worker and enforcement leave them; the config is etc/riskd.toml as shipped."""
from __future__ import annotations

import itertools

import attrs
import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import RiskdRecords, read_records
from cli.replay.runner import Runner
from shared.messages.market import POSITION_SHORT, SIDE_BUY, SIDE_SELL, STATUS_FILLED
from tests.support.replay_days import MNQ, Days, chi, recorded, riskds_reduce
from tests.unit.replay.test_riskd_closes_recorded import Live, order, position

pytestmark = pytest.mark.timeout(30)
MS = 1_000_000
ACCOUNT = 1001
HELD = chi(2026, 11, 25, 16, 50)       # Wednesday, before the roll
T0 = chi(2026, 11, 25, 17, 1)          # Thursday's trading day
REASON = "6 contracts open (gross), limit 5: reduce MNQ by 1"


def day() -> tuple[Days, RiskdRecords]:
    before = Days(ACCOUNT, "SIM-DEMO-1")
    rec = RiskdRecords()
    rec.before.append(before.trade(HELD, MNQ, "sell", 2, 21000, order_id=8001))
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000, 21000])
    recorded(d, rec, T0, [(0, "sell", 4, 9001), (300 * MS, "buy", 1, 9100)])
    riskds_reduce(rec, ACCOUNT, T0, REASON, T0 + 350 * MS, [(9100, SIDE_BUY, 1)])
    return d, rec


def test_the_replay_starts_from_the_position_riskd_held_over_the_roll(config):
    d, rec = day()
    r = Runner(build_engine(load(config), {}), d.history(), rec).run()
    [reduce] = [x for x in r.decisions if x.rule == "max_contracts" and not x.suppressed]
    assert reduce.reason.startswith(REASON), reduce.reason
    assert r.riskd_own[reduce.id].decision_id == "d1", r.riskd_own
    [tally] = r.days.values()
    assert tally.guarded == tally.actual and tally.dropped == 0 and tally.blocked == 0, tally
    assert r.rules["max_contracts"].contracts_closed == 1, r.rules
    assert "MNQ -2 at 21000 was held when the range starts (riskd's records of its fills " \
           "before it, kept 8 days): the replay starts from it, as riskd did" in r.notes, r.notes
    assert not [n for n in r.notes if "did not make" in n or "no rule breached" in n], r.notes
    # riskd's cut left short 5 open at the day's end, as the broker holds it
    assert [n for n in r.notes if "MNQ -5 still open at the day's end" in n], r.notes


def short(size: int, ts: int):
    """The broker's Position event of a short `size` MNQ at 21000."""
    return attrs.evolve(position(size, 21000, ts), type=POSITION_SHORT)


def test_risks_stored_fills_before_the_range_are_the_position_carried_in(config):
    """The same day guarded by risk's own engine on the shipped config, its store written as
    the risk worker writes it, and read by the replay as the command reads it (read_records
    over the history's first to last fill): the sell of 2 on Wednesday is in risk's store,
    not in the replayed history (Thursday's only)."""
    live = Live(config)
    before = Days(ACCOUNT, "SIM-DEMO-1")
    before._ids = itertools.count(500)          # the broker's trade ids: one count
    at = HELD
    f = before.trade(at, MNQ, "sell", 2, 21000, order_id=8001)
    live.step(order(before, 8001, SIDE_SELL, 2, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(short(2, at), at)
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000, 21000])
    f = d.trade(T0, MNQ, "sell", 4, 21000, order_id=9001)
    live.step(order(d, 9001, SIDE_SELL, 4, T0, T0, STATUS_FILLED), T0)
    live.step(f, T0)
    live.step(short(6, T0), T0)
    [cut] = [c for c in live.commands if c.rule == "max_contracts"]
    assert cut.size == 1, cut                       # riskd, holding the 2, cut 1
    live.result(cut, T0 + 350 * MS)
    live.store.close()
    h = d.history()
    rec = read_records(config, {ACCOUNT: (h.fills[0].ts_ns, h.fills[-1].ts_ns)})[ACCOUNT]
    r = Runner(build_engine(load(config), {}), h, rec).run()
    [reduce] = [x for x in r.decisions if x.rule == "max_contracts" and not x.suppressed]
    assert reduce.reason.startswith(REASON), reduce.reason
    assert r.riskd_own[reduce.id].rule == "max_contracts", r.riskd_own
    assert [n for n in r.notes if n.startswith("MNQ -2 at 21000 was held when the range "
                                               "starts")], r.notes
