"""riskd's own fill is credited to the close whose order it is (round 22, inst22).

With max_contracts limit 2 and max_contracts_per_instrument {MNQ = 1}, buying MNQ 3 makes two
cuts, live and in the replay: max_contracts 3 -> 2, then max_contracts_per_instrument 2 -> 1,
each carried out by riskd's own sell of 1 (its own order, named in its result). The replay's
per-rule table put both under max_contracts (2 and 0): each of riskd's fills was credited to the
first command waiting for a fill of that contract. Now a fill goes to the command whose order it
is, as riskd's records have it, so the per-rule CLOSED column adds up per rule.

Config: etc/riskd.toml as shipped, max_contracts limit 2 (shipped 5) and MNQ's own limit 1
(shipped: none) while riskd guards the day and while it is replayed: the two cuts."""
from __future__ import annotations

import pytest

from services.enforcement.journal import Journal
from shared.config.load import load_config
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from shared.messages.risk import REDUCE_POSITION
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_riskd_closes_recorded import (ACCOUNT, T0, Live, bought, order,
                                                          position, run_replay)

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000


def two_limits(config: str) -> None:
    text = open(config, encoding="utf-8").read()
    text = text.replace("limit = 5                                # open contracts allowed",
                        "limit = 2                                # open contracts allowed", 1)
    text = text.replace("limits = {}                              # e.g.",
                        "limits = {MNQ = 1}                       # e.g.", 1)
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text)


def test_each_of_riskds_fills_is_credited_to_its_own_cut(config, capsys):
    two_limits(config)
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 2)
    live = Live(config)
    at = T0 + NS
    bought(d, live, at, 3, 9001)
    cuts = [c for c in live.commands if c.action == REDUCE_POSITION]
    assert [(c.rule, c.size) for c in cuts] == [
        ("max_contracts", 1), ("max_contracts_per_instrument", 1)], live.commands
    journal = Journal(f"{load_config(config).data_dir}/enforcement.sqlite", at)
    held = 3
    for n, cut in enumerate(cuts):          # the broker carries out each, in turn
        t = at + (n + 1) * 200 * MS
        oid = 9002 + n
        fill = d.trade(t, MNQ, "sell", 1, 21000, order_id=oid)
        live.step(order(d, oid, SIDE_SELL, 1, t, t, STATUS_FILLED), t)
        live.step(fill, t)
        held -= 1
        live.step(position(held, 21000, t), t)
        result = CommandResult(
            command_id=cut.id, account_id=ACCOUNT, status="done", action=cut.action,
            rule=cut.rule, started_ns=at, finished_ns=t + 10 * MS, close_orders=[CloseOrder(
                order_id=oid, contract_id=MNQ, side=SIDE_SELL, size=1, answered=True)],
            orders_known=True)
        live._commit(live.engine.on_result(result, t + 10 * MS))
        # enforcement's journal, as the executor leaves it: the close's own order named
        journal.receive(cut, at)
        journal.start(cut.id, at)
        journal.save_progress(cut.id, {"close_orders": [[oid, MNQ, SIDE_SELL, 1, True]],
                                       "orders_known": True})
        journal.finish(result)
    journal.close()
    live.store.close()
    doc = run_replay(config, d, capsys)
    closed = {r["rule"]: r["contracts_closed"] for r in doc["rules"]
              if r["rule"].startswith("max_contracts")}
    assert closed == {"max_contracts": 1, "max_contracts_per_instrument": 1}, doc["rules"]
    [day] = doc["days"]
    assert day["difference"] == "0.00" and day["blocked"] == 0, day
