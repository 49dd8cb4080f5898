"""A breach riskd met late (risk restarting) is riskd's same close, not one "not set off by what
set riskd's off" (trial25c F4.2, F10.4).

The trial's Demo 2 (limit 2) at 16:49:12: long 2, risk killed (kill -9), the trader bought 1
more (3) while risk was down; risk, back at 16:49:15, reduced by 1 (its own sell, order
9000050). riskd's records time that decision by itself (a Position event carries no time of its
own: Decision.event_ns is risk's moment), so the replay's reduce, set off by the buy at
16:49:12, was "not set off by what set riskd's off (more than a bar and a second from it, or
another fill or moment)", carried out at a bar price, and riskd's own fill then read as a close
of its own. No fill came between the two and riskd's words are the replay's: the same fill set
both off. Here with the shipped limit 5: long 5, the trader buys 1 at 10:00:10 (6), riskd
decides at 10:00:13 and sells 1 at 10:00:13.300 (order 9100, named in its result). riskd's
records are built as the risk worker and enforcement leave them; the config is etc/riskd.toml
as shipped."""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import RiskdRecords
from cli.replay.runner import Runner
from shared.messages.market import SIDE_SELL
from tests.support.replay_days import MNQ, Days, chi, recorded, riskds_reduce

pytestmark = pytest.mark.timeout(30)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 0)
ACCOUNT = 1001
REASON = "6 contracts open (gross), limit 5: reduce MNQ by 1"


def day(between: bool) -> tuple[Days, RiskdRecords]:
    """between: the trader's own buy of 1 more at 10:00:12 (7), before riskd's decision: then
    riskd's may have been set off by that one, and it is not taken as the replay's."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000, 21000])
    rows = [(NS, "buy", 5, 9001), (10 * NS, "buy", 1, 9002)]
    if between:
        rows.append((12 * NS, "buy", 1, 9003))
    rows.append((13_300 * MS, "sell", 1, 9100))
    rec = RiskdRecords()
    recorded(d, rec, T0, rows)
    riskds_reduce(rec, ACCOUNT, T0 + 13 * NS, REASON, T0 + 13_400 * MS, [(9100, SIDE_SELL, 1)])
    return d, rec


def test_a_breach_riskd_met_late_is_riskds_same_close(config):
    d, rec = day(between=False)
    r = Runner(build_engine(load(config), {}), d.history(), rec).run()
    [reduce] = [x for x in r.decisions if x.rule == "max_contracts" and not x.suppressed]
    assert reduce.ts_ns == T0 + 10 * NS and reduce.reason.startswith(REASON), reduce
    assert r.riskd_own[reduce.id].decision_id == "d1", r.riskd_own
    [tally] = r.days.values()
    assert tally.guarded == tally.actual and tally.dropped == 0, (tally, r.notes)
    assert r.rules["max_contracts"].contracts_closed == 1, r.rules
    assert not [n for n in r.notes if "another moment" in n or "no rule breached" in n
                or "bar price" in n], r.notes


def test_another_fill_between_keeps_them_apart(config):
    """The buy of 10:00:12 came between: it may have set riskd's off (within a second of it,
    riskd's decision is the replay's close of that buy, as before), never the one of 10:00:10."""
    d, rec = day(between=True)
    r = Runner(build_engine(load(config), {}), d.history(), rec).run()
    first = [x for x in r.decisions if x.rule == "max_contracts" and x.ts_ns == T0 + 10 * NS]
    assert first and first[0].id not in r.riskd_own, (first, r.riskd_own)
