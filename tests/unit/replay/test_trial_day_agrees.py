"""A day riskd guarded, replayed with the default one-minute bars, agrees with riskd's records,
and every difference the notes list is true (fresh-user trial 20a, sections 2 and 7).

The trial's own minutes (Demo 1, Mon 2026-12-07 02:13-02:15 CST), as the sim broker and riskd's
records hold them: the trader buys 2 MNQ at 21000.50 (a stop for 2 at 20800 follows), sells 1,
buys 1 (the 3rd trade of the minute: trade_frequency_limit's lockout), buys 1 more at 02:14:16
while locked; riskd's lockout reduce sells it at once; the trader moves the price down at
02:14:30-41 and riskd closes the 2 at 20945 at 02:14:41 (daily_unrealized_loss, -215.33), and
cooldown_after_loss takes the 200 tier (-216.07). The minute bar 02:14 has the low 20944.

1. On main the replay judged the minute's low just before the trader's add at 02:14:16
   (-224.00 "between 02:14:00 and 02:14:16", before that price existed), and riskd's reduce
   fill at 02:14:16 carried out the replay's close matched with riskd's close of 02:14:41; the
   replay then closed again at a bar price, took the 100 tier and read +72.00 on a day riskd's
   records hold every fill. A bar's high and low are known at its end, or by the fill that
   printed there; a fill of riskd's carries out only a close riskd decided before it.
2. A flatten of riskd's that found nothing to do (enforcement's journal: "account ... was
   already flat") closed nothing: it is not listed as one of riskd's closes.
3. Without --to, the "no trades" error says the trading day still running is left out, and how
   to include it.

Config: etc/riskd.toml as shipped, with no_stop_loss_grace switched on as the trial had it (its
stop covers the position here, so it never acts)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from cli.commands import replay as command
from cli.commands.replay import load
from cli.context import Context
from cli.errors import CliError
from cli.main import build_parser
from cli.replay.engine import build_engine
from cli.replay.model import AccountHistory, Bar
from cli.replay.riskdrecords import LiveClose, RiskdRecords, read_records
from cli.replay.runner import Runner
from services.enforcement.journal import Journal
from services.risk.outcome import Outcome
from services.risk.store import Store
from shared.clock import FakeClock
from shared.messages.enforce import Command, CommandResult
from shared.messages.market import (ORDER_MARKET, ORDER_STOP, SIDE_BUY, SIDE_SELL,
                                    STATUS_CANCELLED, STATUS_FILLED, Fill, OrderUpdate)
from shared.messages.risk import FLATTEN, Decision
from tests.support.replay_days import CONTRACTS, MNQ, BrokerOfDays, Days, chi
from tests.unit.replay.test_riskd_closes_recorded import grace
from tests.unit.risk.desk import shipped_engine

pytestmark = pytest.mark.timeout(60)
ACCOUNT = 1001
D = Decimal
BAR_02_14 = 1796631240000000000                  # Mon 2026-12-07 02:14:00 CST
# (trade id, ts, side, size, price, pnl, order id, riskd's): Trade/search as the sim answered
FILLS = [
    (7000001, 1796631204281352200, SIDE_BUY, 2, "21000.5", None, 9000001, False),
    (7000002, 1796631221535762700, SIDE_SELL, 1, "20996.5", "-8.0", 9000003, False),
    (7000003, 1796631231690351100, SIDE_BUY, 1, "20999.5", None, 9000004, False),
    (7000004, 1796631256826537500, SIDE_BUY, 1, "20996.5", None, 9000005, False),
    (7000005, 1796631256921733000, SIDE_SELL, 1, "20996.5", "-4.666666666666667", 9000006, True),
    (7000006, 1796631281942943100, SIDE_SELL, 2, "20945.0", "-215.33333333333334", 9000007,
     True),
]
RISKD_FILL_AT = FILLS[-1][1]                     # riskd's close of the 2, 02:14:41.942
# (order id, created, updated, status, type, side, size, stop): Order/search's last states
ORDERS = [
    (9000001, 1796631204281223200, 1796631204281408000, STATUS_FILLED, ORDER_MARKET, SIDE_BUY, 2,
     None),
    (9000002, 1796631205363396700, 1796631281946215500, STATUS_CANCELLED, ORDER_STOP, SIDE_SELL,
     2, "20800.0"),
    (9000003, 1796631221535678900, 1796631221535836100, STATUS_FILLED, ORDER_MARKET, SIDE_SELL,
     1, None),
    (9000004, 1796631231690268100, 1796631231690426800, STATUS_FILLED, ORDER_MARKET, SIDE_BUY, 1,
     None),
    (9000005, 1796631256826444500, 1796631256826623500, STATUS_FILLED, ORDER_MARKET, SIDE_BUY, 1,
     None),
    (9000006, 1796631256921603900, 1796631256921802100, STATUS_FILLED, ORDER_MARKET, SIDE_SELL,
     1, None),
    (9000007, 1796631281942856300, 1796631281943034300, STATUS_FILLED, ORDER_MARKET, SIDE_SELL,
     2, None),
]
# History/retrieveBars, one-minute: 02:13, 02:14 (low 20944: the price riskd closed at), 02:15
BARS = [(1796631180000000000, "21000.0", "21002.5", "20995.75", "20996.5"),
        (BAR_02_14, "20996.25", "20999.25", "20944.0", "20946.5"),
        (1796631300000000000, "20946.75", "20961.0", "20946.5", "20961.0")]
# riskd's closing decisions (risk's history): its lockout reduce of the add, its
# daily_unrealized_loss close, cooldown_after_loss's flatten (the account already flat)
LIVE = [(1796631256832507289, "lockout", "reduce_position", MNQ, "6ef92f1638c943bab07b"),
        (1796631281923811580, "daily_unrealized_loss", "close_position", MNQ,
         "f6326ecde8504044bbbb"),
        (1796631281958700208, "cooldown_after_loss", "flatten", None, "f973e7a3358f4d24b62c")]


def trial_history() -> AccountHistory:
    fills = [Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=ts, price=D(price),
                  pnl=None if pnl is None else D(pnl), fees=D("0.37") * size, side=side,
                  size=size, order_id=oid) for tid, ts, side, size, price, pnl, oid, _ in FILLS]
    orders = [OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=c,
                          updated_ns=u, status=st, type=ty, side=side, size=size,
                          stop_price=None if stop is None else D(stop),
                          fill_volume=size if st == STATUS_FILLED else 0)
              for oid, c, u, st, ty, side, size, stop in ORDERS]
    bars = [Bar(ts_ns=ts, open=D(o), high=D(h), low=D(lo), close=D(c), volume=700)
            for ts, o, h, lo, c in BARS]
    return AccountHistory(account_id=ACCOUNT, name="SIM-DEMO-1", balance=D("49763.84"),
                          fills=fills, orders=orders, contracts={MNQ: CONTRACTS[MNQ]},
                          bars={MNQ: bars})


def trial_records() -> RiskdRecords:
    rec = RiskdRecords()
    for tid, _ts, _side, _size, _price, _pnl, oid, riskd in FILLS:
        rec.verdicts[tid] = riskd
        if riskd:
            rec.orders.add(oid)
    rec.closes = [LiveClose(ts, rule, action, cid, did) for ts, rule, action, cid, did in LIVE]
    return rec


def test_the_default_bars_agree_with_riskds_records_of_the_trial_day(config):
    grace(config, True)
    result = Runner(build_engine(load(config), {}), trial_history(), trial_records()).run()
    [day] = result.days.values()
    # riskd's fills hold it all: the trial's realized -230.96, guarded as actual
    assert day.guarded == day.actual and round(day.actual, 2) == D("-230.96"), day
    closes = [x for x in result.decisions if x.rule == "daily_unrealized_loss"]
    [close] = closes                                          # one close, riskd's
    # set off by the price riskd's own fill printed at 02:14:41, not by the minute's low
    # played before the price came (main: 02:14:16, -224.00)
    assert close.ts_ns == RISKD_FILL_AT and round(close.value, 2) == D("-215.33"), close
    # the span the price came in ends where it is known to have come: that fill
    assert result.bar_timed[close.id] == (BAR_02_14, RISKD_FILL_AT)
    [cooldown] = [x for x in result.decisions if x.rule == "cooldown_after_loss"]
    assert "(tier 200.00): cooldown 15m00s" in cooldown.reason, cooldown.reason
    assert not [n for n in result.notes if "guarded this day" in n], result.notes


def test_riskds_fill_of_another_close_does_not_carry_out_a_close_it_did_not_decide(config):
    """The trial's minute with the trader's add at 02:14:16 printed at the minute's low (20944:
    the tick that made it), so the replay's daily_unrealized_loss close is set off there, 25 s
    before riskd's (matched with it: within a bar and a second). riskd's fill of its lockout
    reduce at 02:14:16.92 carries out that reduce only; the close stays in flight until riskd's
    own fill of it at 02:14:41 (main: both were done by the reduce's fill, the replay closed
    again at a bar price and listed that as a close riskd did not make)."""
    h = trial_history()
    add = next(i for i, f in enumerate(h.fills) if f.trade_id == 7000004)
    h.fills[add] = attrs.evolve(h.fills[add], price=D("20944.0"))
    result = Runner(build_engine(load(config), {}), h, trial_records()).run()
    closes = [x for x in result.decisions if x.rule == "daily_unrealized_loss"
              and not x.suppressed]
    assert [x.ts_ns for x in closes] == [h.fills[add].ts_ns], closes
    assert not [n for n in result.notes if "the replay's closes riskd did not make" in n], \
        result.notes
    [rule] = [r for name, r in result.rules.items() if name == "daily_unrealized_loss"]
    assert rule.contracts_closed == 2, rule                   # riskd's own sell of 2


def flatten(did: str, ts: int) -> Decision:
    return Decision(id=did, ts_ns=ts, rule="daily_realized_loss", account_id=ACCOUNT,
                    action=FLATTEN, reason="test")


def test_a_flatten_that_found_nothing_to_do_is_not_listed_as_riskds_close(config):
    """Two flattens of riskd's in its records, neither taken by the config replayed: the one
    whose command enforcement's journal has done with nothing to do ("account ... was already
    flat") closed nothing and is not listed; the one that closed a position is."""
    loaded = load(config)
    h = trial_history()
    t_nothing, t_closed = FILLS[2][1] + 1000, FILLS[3][1] + 1000
    store, _ = Store.open(loaded.data_dir)
    store.commit(Outcome(decisions=[flatten("nothing1", t_nothing), flatten("closed1", t_closed)]),
                 shipped_engine(loaded, t_nothing))
    store.close()
    journal = Journal(f"{loaded.data_dir}/enforcement.sqlite", t_closed)
    for did, at, answered in (("nothing1", t_nothing, 0), ("closed1", t_closed, t_closed + 5)):
        journal.receive(Command(id=f"{did}.1", decision_id=did, account_id=ACCOUNT,
                                action=FLATTEN), at)
        journal.finish(CommandResult(command_id=f"{did}.1", account_id=ACCOUNT, status="done",
                                     action=FLATTEN, finished_ns=at + 10,
                                     first_answer_ns=answered))
    journal.close()
    rec = read_records(config, {ACCOUNT: (h.fills[0].ts_ns, h.fills[-1].ts_ns)})[ACCOUNT]
    for tid, *_rest, riskd in FILLS:
        rec.verdicts[tid] = riskd
    result = Runner(build_engine(loaded, {}), h, rec).run()
    [said] = [n for n in result.notes if "riskd's closes the replay did not make" in n]
    assert said.count("daily_realized_loss flatten") == 1, said
    assert dt.datetime.fromtimestamp(t_closed // 10**9, ZoneInfo("America/Chicago")).strftime(
        "%Y-%m-%d %H:%M:%S CST") in said, said
    assert {c.decision_id: c.nothing for c in rec.closes} == {"nothing1": True,
                                                              "closed1": False}


def test_no_trades_without_to_says_the_running_day_is_left_out(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.trade(chi(2026, 12, 7, 2, 13), MNQ, "buy", 1, 21000)           # today's only
    args = build_parser().parse_args(["replay"])
    clock = FakeClock(chi(2026, 12, 7, 9, 0))
    with pytest.raises(CliError) as err:
        command.run(args, Context(config), client=BrokerOfDays(d.history()), clock=clock,
                    sleep=clock.advance)
    msg = str(err.value)
    assert "the broker reports no trades from 2026-11-09 to 2026-12-04" in msg, msg
    assert ("without --to the range ends with the last trading day that ended, leaving out "
            "the one still running, 2026-12-07: --from 2026-12-07 --to 2026-12-07 replays it "
            "up to now") in msg, msg
