"""A close the replay decides while riskd's own close of that contract is in flight is carried
out by riskd's fill, as live, not at a bar price (fresh-user trial 20b, section 4).

The trial's own minutes (Demo 1, Mon 2026-12-07 03:08-03:10 CST), as the sim broker and riskd's
records hold them: after a first MNQ round trip (03:03:54-03:06:42, riskd's close) the trader
buys 1 MNQ at 20999.75 at 03:08:49 and 1 ES at 5994.00 at 03:08:51; MNQ is set to 20880 at
03:09:00. riskd closes MNQ at 03:09:02 (daily_unrealized_loss; its fill 20885.25 comes at
03:09:12, the broker's answer late), ES at 03:09:04 (-450.00 at 5985.00) and flattens at
03:09:04 (daily_net_loss, -600 as shipped): the one MNQ fill of 03:09:12 closes it for both.
The minute bar 03:09 of MNQ opens at 21001.75, falls to 20880.00 and closes at 20998.00.

On main the replay left its MNQ close in flight for riskd's fill (matched with riskd's), but the
flatten set off at 03:09:04 closed MNQ again at once, at a price between the bar's open and
close (about 21001, where MNQ was not then), and read guarded +232.50 better than riskd's own
fills on a day its records hold every fill.

Config: etc/riskd.toml as shipped (daily_net_loss 600, as riskd had it at 03:09; the trial
loosened it later)."""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.model import AccountHistory, Bar
from cli.replay.riskdrecords import LiveClose, LiveUnlock, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.market import (ORDER_MARKET, SIDE_BUY, SIDE_SELL, STATUS_FILLED, Fill,
                                    OrderUpdate)
from tests.support.replay_days import CONTRACTS, ES, MNQ

pytestmark = pytest.mark.timeout(60)
ACCOUNT = 1001
D = Decimal
# (trade id, ts, contract, side, size, price, pnl, fees, order id, riskd's): Trade/search
FILLS = [
    (7000001, 1796634234086506200, MNQ, SIDE_BUY, 2, "21003.75", None, "0.74", 9000001, False),
    (7000002, 1796634402892903300, MNQ, SIDE_SELL, 2, "20956.75", "-188.0", "0.74", 9000002,
     True),
    (7000006, 1796634529534365600, MNQ, SIDE_BUY, 1, "20999.75", None, "0.37", 9000006, False),
    (7000007, 1796634531518280600, ES, SIDE_BUY, 1, "5994.0", None, "1.4", 9000007, False),
    (7000008, 1796634544374419000, ES, SIDE_SELL, 1, "5985.0", "-450.0", "1.4", 9000008, True),
    (7000009, 1796634552349247600, MNQ, SIDE_SELL, 1, "20885.25", "-229.0", "0.37", 9000009,
     True),
]
# History/retrieveBars, one-minute, 03:03-03:09 CST
BARS = {
    ES: [(1796634480000000000, "5991.0", "5995.75", "5990.0", "5993.25"),
         (1796634540000000000, "5993.5", "5995.25", "5984.0", "5995.0")],
    MNQ: [(1796634180000000000, "20999.25", "21003.75", "20998.0", "21000.75"),
          (1796634240000000000, "21001.0", "21001.75", "20995.5", "20998.25"),
          (1796634300000000000, "20998.5", "21000.25", "20940.0", "20943.75"),
          (1796634360000000000, "20943.5", "20960.75", "20943.5", "20960.25"),
          (1796634420000000000, "20960.5", "21002.25", "20879.75", "20893.5"),
          (1796634480000000000, "20893.75", "21002.0", "20893.75", "21002.0"),
          (1796634540000000000, "21001.75", "21001.75", "20880.0", "20998.0")],
}
# riskd's closing decisions (risk's history); the cooldown flatten found the account flat
LIVE = [(1796634342799782381, "daily_unrealized_loss", "close_position", MNQ, "5d23884f", False),
        (1796634402909063651, "cooldown_after_loss", "flatten", None, "0e3a814d", True),
        (1796634542264429814, "daily_unrealized_loss", "close_position", MNQ, "5b897c8a", False),
        (1796634544322231485, "daily_unrealized_loss", "close_position", ES, "c33d3f63", False),
        (1796634544322231485, "daily_net_loss", "flatten", None, "62175f12", False)]


def trial_history() -> AccountHistory:
    fills = [Fill(account_id=ACCOUNT, trade_id=tid, contract_id=cid, ts_ns=ts, price=D(price),
                  pnl=None if pnl is None else D(pnl), fees=D(fees), side=side, size=size,
                  order_id=oid) for tid, ts, cid, side, size, price, pnl, fees, oid, _ in FILLS]
    orders = [OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=cid, created_ns=ts - 150,
                          updated_ns=ts + 70, status=STATUS_FILLED, type=ORDER_MARKET,
                          side=side, size=size, fill_volume=size)
              for _tid, ts, cid, side, size, _p, _pnl, _f, oid, _ in FILLS]
    bars = {cid: [Bar(ts_ns=ts, open=D(o), high=D(h), low=D(lo), close=D(c), volume=700)
                  for ts, o, h, lo, c in rows] for cid, rows in BARS.items()}
    return AccountHistory(account_id=ACCOUNT, name="SIM-DEMO-1", balance=D("49127.98"),
                          fills=fills, orders=orders,
                          contracts={MNQ: CONTRACTS[MNQ], ES: CONTRACTS[ES]}, bars=bars)


def trial_records() -> RiskdRecords:
    rec = RiskdRecords()
    for tid, *_rest, oid, riskd in FILLS:
        rec.verdicts[tid] = riskd
        if riskd:
            rec.orders.add(oid)
    rec.closes = [LiveClose(ts, rule, action, cid, did, nothing)
                  for ts, rule, action, cid, did, nothing in LIVE]
    # the trial's admin lifted the cooldown of 03:06:42 at 03:08:42, before the buys
    rec.unlocks = [LiveUnlock(ts_ns=1796634522235848938, rule="cooldown_after_loss",
                              by="admin:root", symbol=None, reason="trial")]
    return rec


def test_a_flatten_while_riskds_close_is_in_flight_waits_for_riskds_fill(config):
    result = Runner(build_engine(load(config), {}), trial_history(), trial_records()).run()
    [day] = result.days.values()
    # riskd's fills hold it all: guarded as actual (main: +232.50, MNQ closed about 21001)
    assert round(day.actual, 2) == D("-872.02"), day
    assert day.guarded == day.actual, day
    flattens = [x for x in result.decisions if x.action == "flatten" and not x.suppressed
                and x.rule in ("daily_net_loss", "daily_realized_loss")]
    assert flattens, result.decisions                          # the flatten riskd made too
    assert not [n for n in result.notes if "the replay's closes riskd did not make" in n], \
        result.notes
    # the notes name times in the display zone, as the table does (main: 2026-12-07 09:08:42Z)
    [unlock] = [n for n in result.notes if "lifted" in n]
    assert "riskd's cooldown_after_loss lockout was lifted at Mon 2026-12-07 03:08:42 CST by " \
           "admin:root" in unlock, unlock
    # riskd's three fills (2 MNQ, 1 ES, 1 MNQ) credited once each, to the closes that waited
    # for them. MNQ's 03:09 low (20880) is known at the minute's end only, after riskd's MNQ
    # fill of 03:09:12, and the 03:08 minute's low came at its open, before the buy of
    # 03:08:49, so it is not played against that long (trial 21c: until then it set off a
    # close at 03:08:59 of a price the long never had, which matched riskd's of 03:09:02):
    # the replay's flatten of 03:09:04 (daily_net_loss) waits for riskd's MNQ fill and takes
    # it, and the notes say the replay did not reach riskd's MNQ close of 03:09:02
    assert result.rules["daily_unrealized_loss"].contracts_closed == 3, result.rules
    assert result.rules["daily_net_loss"].contracts_closed == 1, result.rules
    assert set(result.rules) == {"daily_unrealized_loss", "daily_net_loss"}, result.rules
    assert [n for n in result.notes if "riskd's closes the replay did not make: Mon "
            "2026-12-07 03:09:02 CST daily_unrealized_loss close_position MNQ" in n], \
        result.notes



def test_a_close_inside_a_bar_takes_the_price_the_contract_traded_at_there(config):
    """The same minutes with MNQ's minute 03:08 opening at 20950.00, not 20893.75 (so no bar
    before 03:09 reaches the -200 limit on the 1 MNQ bought at 20999.75 and no close of MNQ is
    in flight at 03:09:04): the flatten set off by the ES fill's realized loss at 03:09:04
    closes MNQ itself, at a moment inside the minute 03:09 that is none of its prices. It is
    carried out at the price MNQ traded at nearest that moment in that minute: riskd's own
    fill of 03:09:12, 20885.25 (replaychk20 took the minute's low, 20880.00, the worst for the
    long: 10.50 worse than any price riskd's day had; main before it: about 21001.50, better
    than riskd's own fill by 232.50)."""
    h = trial_history()
    bars = h.bars[MNQ]
    at = next(i for i, b in enumerate(bars) if b.ts_ns == 1796634480000000000)
    bars[at] = attrs.evolve(bars[at], open=D("20950.0"), low=D("20950.0"))
    result = Runner(build_engine(load(config), {}), h, trial_records()).run()
    [day] = result.days.values()
    # MNQ 20885.25 - 20999.75 = -229.00, as riskd's fill read
    assert day.guarded == day.actual, day
    # the flatten is riskd's own (daily_net_loss, matched); riskd's close of 03:09:02 is the
    # one the changed bar did not reach, and the note says so
    [said] = [n for n in result.notes if "guarded this day" in n]
    assert "guarded and actual agree, but the decisions differ: riskd's closes the replay did " \
           "not make: Mon 2026-12-07 03:09:02 CST daily_unrealized_loss close_position MNQ" \
           in said, said
