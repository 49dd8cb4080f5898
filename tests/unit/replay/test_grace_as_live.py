"""no_stop_loss_grace in a replay is judged as live risk judges it: at the moment the grace
runs out, from the moment the position stopped being covered (services/risk/stops.py), not at
the next bar price; what the broker's orders cannot tell (a stop's earlier size) is said.

Fresh-user trial 18b, section 1: the guarded day replayed with one-minute bars read "for 16s /
20s / 22s (grace 10s)" at bar prices and fills, where riskd closed each position "for 10s".
The day here is the trial's, each position in its own minutes (times to the millisecond from
the sim's ledger): 2 MNQ whose stop the trader cut from 2 to 1 (the broker reports the stop at
its last size, 1, from its placing), 1 MNQ whose stop was cancelled, 1 MNQ bought with none.
The config is etc/riskd.toml with no_stop_loss_grace switched on (grace 10 s, warn_at 0.8, as
shipped), as the trial's account had it. The fills after each grace are the positions' real
closes (riskd's, but no riskd records here: they count as the trader's exits)."""
from __future__ import annotations

import pytest

from shared.messages.market import ORDER_STOP, SIDE_BUY, SIDE_SELL, STATUS_CANCELLED, \
    STATUS_FILLED
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_riskd_closes_recorded import T0, grace, order, run_replay

pytestmark = pytest.mark.timeout(60)
MS = 1_000_000
MIN = 60_000 * MS


def trial_day() -> Days:
    d = Days(1001, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 10)

    def trade(at, side, size, oid):
        t = T0 + at
        d.trade(t, MNQ, side, size, 21000, order_id=oid)
        order(d, oid, SIDE_BUY if side == "buy" else SIDE_SELL, size, t, t, STATUS_FILLED)

    trade(43_462 * MS, "buy", 2, 9001)
    order(d, 9002, SIDE_SELL, 1, T0 + 44_215 * MS, T0 + 64_311 * MS, STATUS_CANCELLED,
          ORDER_STOP, 20900)                   # placed for 2, cut to 1 at 53.3 s
    trade(64_297 * MS, "sell", 2, 9003)
    trade(3 * MIN + 29_972 * MS, "buy", 1, 9004)
    order(d, 9005, SIDE_SELL, 1, T0 + 3 * MIN + 31_124 * MS, T0 + 3 * MIN + 35_726 * MS,
          STATUS_CANCELLED, ORDER_STOP, 20900)
    trade(3 * MIN + 56_055 * MS, "sell", 1, 9006)
    trade(6 * MIN + 17_794 * MS, "buy", 1, 9007)
    trade(7 * MIN + 2_312 * MS, "sell", 1, 9008)
    return d


def test_the_grace_runs_out_when_it_does_not_at_the_next_bar_price(config, capsys):
    grace(config, True)
    doc = run_replay(config, trial_day(), capsys)
    closes = [x for x in doc["decisions"] if x["rule"] == "no_stop_loss_grace"
              and not x["suppressed"]]
    assert [x["ts_ns"] - T0 for x in closes] == [
        53_462 * MS,                                 # opened 43.462 s, its stop covers 1 of 2
        3 * MIN + 45_726 * MS,                       # the stop cancelled at 35.726 s
        6 * MIN + 27_794 * MS], closes               # bought with no stop at 17.794 s
    assert all(x["reason"].endswith("for 10s (grace 10s)") for x in closes), closes
    # the stop cut from 2 to 1 is in the broker's history at 1 from its placing: said
    [said] = [n for n in doc["notes"] if "stop order" in n]
    assert "9002" in said and "last size, 1" in said and "riskctl history" in said, said
