"""A reduce of riskd's that found the position already at its target is not said to have found
it flat (fresh-user trial 23c, finding F2).

The trial's Demo 1 at 11:54:34: long 5 (max_contracts' limit, shipped: 5); the trader bought 2
(7: riskd decided to reduce by 2) and sold 2 at once, before riskd's reduce got to the broker;
enforcement's journal: "MNQ on account Demo 1 (id 1001) is at 5 (target 5): nothing left to
do", done with no close order of its own. The replay paired its own reduce with riskd's and
said "[riskd's own: ...; its close found MNQ already flat and made no fill]" (JSON found_flat):
MNQ was at 5, not flat.

riskd's records are written here as the risk worker and enforcement leave them; the config is
etc/riskd.toml as shipped.
"""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay import report as rep
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.enforce import CommandResult
from shared.messages.market import STATUS_FILLED
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


def day(nothing_detail: str, sell: int) -> tuple[Days, RiskdRecords]:
    """Long 5 from 11:53:10; the trader buys 2 at 11:54:34.000 and sells `sell` at .035;
    riskd's reduce by 2, decided at the buy, ends done at .050 with no close order."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0 - 60 * NS, [21000, 21000, 21000])
    for at, side, size, oid in ((-50 * NS, "buy", 5, 9001), (34 * NS, "buy", 2, 9002),
                                (34 * NS + 35 * MS, "sell", sell, 9003)):
        f = d.trade(T0 + at, MNQ, side, size, 21000, order_id=oid)
        d.order(oid, MNQ, side, size, T0 + at, T0 + at, STATUS_FILLED)
    rec = RiskdRecords()
    for f in d.h.fills:
        rec.add_fill(f)                            # every fill the trader's, as live risk had
    rec.closes = [LiveClose(T0 + 34 * NS, "max_contracts", "reduce_position", MNQ, "d1",
                            "d1.1", reason="7 contracts open (gross), limit 5: reduce MNQ by 2")]
    rec.outcomes([CommandResult(command_id="d1.1", account_id=ACCOUNT, status="done",
                                action="reduce_position", rule="max_contracts",
                                detail=nothing_detail, finished_ns=T0 + 34 * NS + 50 * MS,
                                orders_known=True)])
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
