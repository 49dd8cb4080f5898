"""A reduce of riskd's that found the position already at its target is not said to have found
it flat, and is not carried out by the fill of riskd's next reduce (fresh-user trial 23c,
finding F2).

The trial's Demo 1 at 11:54:34: long 5 (max_contracts' limit, shipped: 5); the trader bought 2
(7: riskd decided to reduce by 2) and sold 2 at once, before riskd's reduce got to the broker;
enforcement's journal: "MNQ on account Demo 1 (id 1001) is at 5 (target 5): nothing left to
do", done with no close order of its own. The replay paired its own reduce with riskd's and
said "[riskd's own: ...; its close found MNQ already flat and made no fill]" (JSON found_flat):
MNQ was at 5, not flat. At 11:54:53 the trader bought 2 again (7) and riskd's next reduce sold
2 (its own order): the replay made no reduce there and listed riskd's under "riskd's closes the
replay did not make ... (the config replayed, or the bar prices, did not reach them)": its
reduce of 11:54:34 was still in flight, left for riskd's fill of the next reduce (of another
order than any riskd's 11:54:34 result named), so the engine took the new breach as that one's.

riskd's records are written here as the risk worker and enforcement leave them; the config is
etc/riskd.toml as shipped.
"""
from __future__ import annotations

import attrs
import pytest

from cli.commands.replay import load
from cli.replay import report as rep
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from tests.support.replay_days import MNQ, Days, chi

pytestmark = pytest.mark.timeout(30)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 12, 7, 11, 54)
ACCOUNT = 1001


def decision_lines(config: str, result) -> list[str]:
    engine = build_engine(load(config), {})
    report = rep.build("riskd.toml", [result], engine.calendar.trading_day, sorted(result.days))
    return rep.decision_lines(report, engine.zone)


REASON = "7 contracts open (gross), limit 5: reduce MNQ by 2"


def day(nothing_detail: str, sell: int, again: bool = False) -> tuple[Days, RiskdRecords]:
    """Long 5 from 11:53:10; the trader buys 2 at 11:54:34.000 and sells `sell` at .035;
    riskd's reduce by 2, decided at the buy, ends done at .050 with no close order. again:
    the trader buys 2 more at 11:54:53.000 and riskd's next reduce, decided then, sells 2 at
    .300 (its own order 9100, named in its result at .350)."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0 - 60 * NS, [21000, 21000, 21000])
    rows = [(-50 * NS, "buy", 5, 9001), (34 * NS, "buy", 2, 9002),
            (34 * NS + 35 * MS, "sell", sell, 9003)]
    if again:
        rows += [(53 * NS, "buy", 2, 9004), (53 * NS + 300 * MS, "sell", 2, 9100)]
    rec = RiskdRecords()
    for at, side, size, oid in rows:
        f = d.trade(T0 + at, MNQ, side, size, 21000, order_id=oid)
        d.order(oid, MNQ, side, size, T0 + at, T0 + at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid == 9100))     # as live risk judged each
    rec.closes = [LiveClose(T0 + 34 * NS, "max_contracts", "reduce_position", MNQ, "d1",
                            "d1.1", reason=REASON)]
    results = [CommandResult(command_id="d1.1", account_id=ACCOUNT, status="done",
                             action="reduce_position", rule="max_contracts",
                             detail=nothing_detail, finished_ns=T0 + 34 * NS + 50 * MS,
                             orders_known=True)]
    if again:
        rec.closes.append(LiveClose(T0 + 53 * NS, "max_contracts", "reduce_position", MNQ,
                                    "d2", "d2.1", reason=REASON))
        results.append(CommandResult(
            command_id="d2.1", account_id=ACCOUNT, status="done", action="reduce_position",
            rule="max_contracts", finished_ns=T0 + 53 * NS + 350 * MS, orders_known=True,
            close_orders=[CloseOrder(order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=2,
                                     answered=True)]))
    rec.outcomes(results)
    return d, rec


@pytest.mark.parametrize("sell,found", [
    (2, "at 5 (target 5): nothing left to do"),
    (7, "was already flat")])
def test_a_reduce_that_found_the_position_within_its_target_is_not_said_flat(config, sell,
                                                                             found):
    """Sold 2 (MNQ at 5, the target) or all 7 (flat): either way riskd's reduce made no fill,
    and the line says it found MNQ at or under its target (old code: "already flat" for both)."""
    d, rec = day(f"MNQ on account Demo 1 (id 1001) {found}", sell)
    result = Runner(build_engine(load(config), {}), d.history(), rec).run()
    [line] = [x for x in decision_lines(config, result) if "max_contracts" in x]
    assert line.endswith(
        "[riskd's own: Mon 11:54:34 CST: 7 contracts open (gross), limit 5: reduce MNQ by 2; "
        "its reduce found MNQ already at or under its target and made no fill]"), line
    [day_] = result.days.values()
    assert day_.guarded == day_.actual, day_


def test_riskds_next_reduce_is_made_by_the_replay_too(config):
    """After the reduce that found MNQ at 5, the trader's buy of 2 at 11:54:53 is a new breach:
    the replay reduces there too, matched with riskd's, carried out by riskd's own sell, and
    no note says the config did not reach it (old code: no reduce at 11:54:53)."""
    d, rec = day("MNQ on account Demo 1 (id 1001) is at 5 (target 5): nothing left to do", 2,
                 again=True)
    result = Runner(build_engine(load(config), {}), d.history(), rec).run()
    reduces = [x for x in result.decisions if x.rule == "max_contracts" and not x.suppressed]
    assert [x.ts_ns - T0 for x in reduces] == [34 * NS, 53 * NS], reduces
    assert [result.riskd_own[x.id].decision_id for x in reduces] == ["d1", "d2"]
    [day_] = result.days.values()
    assert day_.guarded == day_.actual, day_
    assert result.rules["max_contracts"].contracts_closed == 2, result.rules["max_contracts"]
    assert not [n for n in result.notes if "guarded this day" in n], result.notes
