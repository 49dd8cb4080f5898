"""A person's own action riskd's records hold is played in the replay as that person's
(trial22c section 5e).

The trial's note for an admin's kill switch read "riskd's closes the replay did not make: Mon
2026-12-07 09:24:16 CST admin flatten (the config replayed, or the bar prices, did not reach
them)"; then (round 22) "... which the replay does not make (it replays the rules, not what a
person did)", while the replay does replay a person's unlock. Now the replay plays it: the
kill switch's decision at riskd's moment (riskd's own fills in the history carried it out), an
admin's lockout as the engine takes it live (locked, its flatten carried out by riskd's own
fill, the trader's entry made while locked closed by the lockout as riskd did).

Live is risk's own engine on the shipped config, each step committed to its store as the risk
worker does (tests/unit/replay/test_riskd_closes_recorded.py); the day is replayed under the
same config."""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import read_records
from cli.replay.runner import Runner
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from shared.messages.risk import FLATTEN
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_riskd_closes_recorded import (ACCOUNT, T0, Live, bought, order,
                                                          position)

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000


def riskds_sell(d: Days, live: Live, at: int, oid: int) -> None:
    """riskd's own market sell of the 1 MNQ held, as the broker carried it out."""
    f = d.trade(at, MNQ, "sell", 1, 21000, order_id=oid)
    live.step(order(d, oid, SIDE_SELL, 1, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(position(0, 0, at), at)


def replayed(config: str, d: Days):
    h = d.history()
    records = read_records(config, {ACCOUNT: (h.fills[0].ts_ns, h.fills[-1].ts_ns)})
    return Runner(build_engine(load(config), {}), h, records[ACCOUNT]).run()


def test_an_admins_kill_switch_is_played_as_the_admins(config):
    """Buy 1 at 10:00:01; the admin's `riskctl flatten` sells it at 10:00:05 (enforcement's
    own order 9100); risk hears the kill switch by its result at 10:00:05.2."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    live = Live(config)
    bought(d, live, T0 + NS, 1, 9001)
    riskds_sell(d, live, T0 + 5 * NS, 9100)
    live._commit(live.engine.on_result(CommandResult(
        command_id="kill-1", account_id=ACCOUNT, status="done", action=FLATTEN, rule="admin",
        finished_ns=T0 + 5_200 * MS, close_orders=[CloseOrder(
            order_id=9100, contract_id=MNQ, side=SIDE_SELL, size=1)], orders_known=True,
        reason="kill switch", by="admin:root"), T0 + 5_200 * MS))
    assert [x.rule for x in live.decisions if x.action == FLATTEN] == ["admin"]
    live.store.close()
    r = replayed(config, d)
    [kill] = [x for x in r.decisions if x.action == FLATTEN]
    assert kill.rule == "admin" and kill.ts_ns == T0 + 5_200 * MS, kill
    assert r.riskd_own[kill.id].command_id == "kill-1", r.riskd_own
    [day] = r.days.values()
    assert day.guarded == day.actual and day.blocked == 0 and day.dropped == 0, day
    assert not [n for n in r.notes if "admin" in n], r.notes
    # its fill came before risk heard the kill switch (by its result): still the admin's
    assert r.rules.get("admin") and r.rules["admin"].contracts_closed == 1, r.rules  # F3: 0


@pytest.mark.parametrize("held", [True, False])
def test_an_admins_lockout_is_played_as_the_admins(config, held):
    """Buy 1 at 10:00:01 (or none: the account flat); the admin's `riskctl lockout --admin` at
    10:00:05 (10 minutes): its flatten sells the 1 at 10:00:05.3; the trader buys 1 at
    10:00:30 while locked, riskd's lockout closes it at 10:00:30.4."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    live = Live(config)
    if held:
        bought(d, live, T0 + NS, 1, 9001)
    at = T0 + 5 * NS
    out, refusal = live.engine.self_lock(ACCOUNT, at, until_ns=at + 600 * NS,
                                         reason="test", admin="admin:root")
    assert not refusal, refusal
    live._commit(out)
    [flatten] = [c for c in live.commands if c.action == FLATTEN]
    if held:
        riskds_sell(d, live, at + 300 * MS, 9100)
    live.result(flatten, at + 400 * MS)
    bought(d, live, T0 + 30 * NS, 1, 9002)
    [close] = [c for c in live.commands if c.rule == "lockout"]
    riskds_sell(d, live, T0 + 30_400 * MS, 9101)
    live.result(close, T0 + 30_500 * MS)
    live.store.close()
    r = replayed(config, d)
    [lock] = [x for x in r.decisions if x.rule == "admin_lockout"]
    assert lock.ts_ns == at and r.riskd_own[lock.id].rule == "admin_lockout", r.riskd_own
    # the trader's entry while locked: let fill and closed by the lockout, as riskd did
    [closed] = [x for x in r.decisions if x.rule == "lockout" and not x.suppressed]
    assert r.riskd_own[closed.id].rule == "lockout", r.riskd_own
    [day] = r.days.values()
    assert day.guarded == day.actual and day.blocked == 0 and day.dropped == 0, day
    assert not [n for n in r.notes if "guarded this day" in n or "admin" in n], r.notes
