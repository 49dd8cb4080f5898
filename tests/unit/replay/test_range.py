"""A day's replayed result does not depend on the range replayed (trial16g, finding 1).

The sim's own history (`riskctl sim history`: Gateway.add_history, seed 7) written as the trial
wrote it, 5 days and then 10, is replayed through the sim's real REST server and the real
ProjectX client under the shipped config (every default rule on), once after each write. Before
the fix the 10-day run left riskd's engine holding 2 NQ from 2026-11-26 that the replayed book
had closed (a flatten carried out on the trader's fill before the fill's own position update,
which was then fed stale): from 2026-11-30 every close of it found the book flat, 1,360 of them,
and Demo 2's 11-30 and 12-01 read 0.00 guarded where the 5-day run read -334.00 and -366.06.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from cli.commands import replay as command
from cli.commands.replay import load
from cli.context import Context
from cli.main import build_parser
from cli.replay.engine import calendar_of
from cli.replay.runner import Runner, ids
from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from services.simbroker.gateway import Gateway
from services.simbroker.rest import RestServer
from shared.clock import FakeClock
from shared.config.sections import SimConfig
from shared.messages.market import POSITION_LONG, PositionUpdate
from shared.projectx.rest import ProjectXRest
from shared.tradingday import TradingCalendar
from tests.support.replay_days import ES, NQ, D, Days, chi
from tests.unit.risk.desk import only

pytestmark = pytest.mark.timeout(120)
TODAY = "2026-12-06"                      # the trial's day: the sim writes the weekdays before it


@pytest.fixture
def sim():
    clock = FakeClock(chi(2026, 12, 6, 16, 0))
    gateway = Gateway(SimConfig(calendar_date=TODAY, tick_interval=0), "u", "k", clock)
    server = RestServer("127.0.0.1", 0, gateway, None)
    server.start()
    client = ProjectXRest(f"http://127.0.0.1:{server.server_address[1]}", "u", "k", clock=clock,
                          sleep=clock.advance)
    try:
        yield gateway, client, clock
    finally:
        client.close()
        server.stop()


def replay_json(config, client, clock, capsys) -> dict:
    args = build_parser().parse_args(["replay", "--json"])
    assert command.run(args, Context(config, json_output=True), client=client, clock=clock,
                       sleep=clock.advance) == 0
    return json.loads(capsys.readouterr().out)


def test_the_same_day_gives_the_same_result_after_more_days_are_written(sim, config, capsys):
    gateway, client, clock = sim
    gateway.add_history(5, [1001, 1002], 7)
    five = replay_json(config, client, clock, capsys)
    gateway.add_history(10, [1001, 1002], 7)      # writes 11-23 .. 11-27, skips the 5 above
    ten = replay_json(config, client, clock, capsys)
    assert [d["day"] for d in five["days"] if d["account_id"] == 1002] == \
        ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]
    longer = {(d["account_id"], d["day"]): d for d in ten["days"]}
    # drawdown_guard judges the guarded balance, which starts from today's balance minus the
    # range's PnL (docs/replay.md, Balance): a longer range starts it elsewhere, so a day
    # where it acted in either run may differ by design; every other day is the same
    day_of = calendar_of(load(config)).trading_day
    balance_days = {(x["account_id"], day_of(x["ts_ns"]).isoformat())
                    for doc in (five, ten) for x in doc["decisions"]
                    if x["rule"] == "drawdown_guard"}
    compared = 0
    for d in five["days"]:
        key = (d["account_id"], d["day"])
        if key in balance_days:
            continue
        compared += 1
        assert (longer[key]["guarded"], longer[key]["blocked"], longer[key]["dropped"]) == \
            (d["guarded"], d["blocked"], d["dropped"]), key
    assert compared >= 8
    # the trial's day: -334.00 in both (0.00 before the fix in the 10-day run)
    assert longer[(1002, "2026-11-30")]["guarded"] == "-334.00"
    [unrealized] = [r for r in ten["rules"] if r["rule"] == "daily_unrealized_loss"]
    assert unrealized["fired"] < 60                  # 1,383 before the fix
    # every close riskd sent was done; the sim's history was never guarded by riskd, so its
    # records hold none of the fills, said once per account (cli/replay/riskdrecords.py)
    assert [n for n in ten["notes"] if "riskd's records" not in n] == []
    assert len([n for n in ten["notes"] if "none of the" in n]) == 2


def test_a_flatten_on_the_trader_s_fill_leaves_the_engine_flat_as_the_book():
    """The stale position in isolation: a day at -289.50 realized, then an NQ entry of 2 whose
    fees (2.00) take it past the 290 loss line: daily_realized_loss flattens on that fill. The
    engine must hold what the book holds (nothing), so no later close is sent for it. Only
    these two rules (FixedRules, as the other hand-written days): the scenario is one flatten."""
    d = Days()
    t = chi(2026, 11, 25, 9, 0)
    d.bars(ES, t, [5000] * 10)
    d.trade(t, ES, "buy", 1, 5000)
    d.trade(t + 60 * 10 ** 9, ES, "sell", 1, "4994.25")      # -287.50, fees 2.00: -289.50
    t2 = chi(2026, 11, 25, 9, 30)
    d.bars(NQ, t2, [20000] * 30 + [19900] * 30)              # 2 NQ would lose 4,000 here
    d.trade(t2, NQ, "buy", 2, 20000)                         # fees 2.00: -291.50 realized
    d.trade(t2 + 59 * 60 * 10 ** 9, NQ, "sell", 2, 19900)
    engine = Engine(TradingCalendar.make(), FixedRules(only(
        daily_realized_loss={"limit": 290}, daily_unrealized_loss={"limit": 500})), ids=ids())
    runner = Runner(engine, d.history())
    result = runner.run()
    acted = [(x.rule, x.action) for x in result.decisions if not x.suppressed]
    assert acted == [("daily_realized_loss", "flatten")]     # before the fix: closes of 2 NQ
    assert engine.accounts[1001].signed(NQ) == 0 == runner.book.book(NQ).guarded
    assert result.notes == []


def test_a_close_the_book_cannot_do_is_said_once_and_not_sent_again():
    """The safety net behind the fix: riskd's state holding 2 NQ the replayed book does not hold
    (what the stale position left, from 11-26 on) gets one close, said in the notes, and the
    engine is given the book's flat position, not 1,360 closes of it."""
    d = Days()
    t = chi(2026, 11, 25, 9, 0)
    d.bars(NQ, t, [20000] * 5 + [19900] * 55)
    d.trade(t + 50 * 60 * 10 ** 9, NQ, "buy", 1, 19900)
    d.trade(t + 55 * 60 * 10 ** 9, NQ, "sell", 1, 19900)
    engine = Engine(TradingCalendar.make(), FixedRules(only(
        daily_unrealized_loss={"limit": 500})), ids=ids())
    runner = Runner(engine, d.history())
    start = engine.start

    def start_holding(now):           # riskd's state says 2 NQ long at 20000; the book: flat
        start(now)
        engine.on_event(PositionUpdate(account_id=1001, position_id=99, contract_id=NQ,
                                       ts_ns=now, type=POSITION_LONG, size=2,
                                       average_price=D(20000)), now)
    engine.start = start_holding
    result = runner.run()
    closes = [x for x in result.decisions if not x.suppressed and x.contract_id == NQ]
    assert [(x.rule, x.action) for x in closes] == [("daily_unrealized_loss", "close_position")]
    [note] = result.notes
    assert "close_position NQ: not done (the replayed book holds +0 where riskd's state " \
           "held +2" in note
    assert engine.accounts[1001].signed(NQ) == 0
    assert result.days[dt.date(2026, 11, 25)].guarded == result.days[
        dt.date(2026, 11, 25)].actual


def _drawdown_days(config, client, clock, capsys, to: str) -> tuple[dict, list]:
    args = build_parser().parse_args(["replay", "--json", "--from", "2026-12-03", "--to", to,
                                      "--account", "1002"])
    assert command.run(args, Context(config, json_output=True), client=client, clock=clock,
                       sleep=clock.advance) == 0
    doc = json.loads(capsys.readouterr().out)
    day_of = calendar_of(load(config)).trading_day
    return ({d["day"]: d["guarded"] for d in doc["days"]},
            [(x["ts_ns"], x["reason"]) for x in doc["decisions"]
             if x["rule"] == "drawdown_guard" and day_of(x["ts_ns"]).isoformat() == "2026-12-03"])


def test_a_later_to_does_not_change_an_earlier_days_drawdown_result(sim, config, capsys):
    """trial17b finding 5: `--to` one day later changed that earlier day's drawdown equity by
    the later day's PnL (the start balance was today's balance minus the replayed trades' PnL,
    so trades after --to were never taken out). The shipped config with drawdown_guard's line
    set to 49,800 (the one change: only drawdown_guard reads the balance, and at this line it
    acts on 2026-12-03 of Demo 2's seed-7 history); before the fix the one-day run never acted
    that day (it started 601.17 higher: 12-04's PnL) while the two-day run flattened at 07:57."""
    gateway, client, clock = sim
    text = open(config, encoding="utf-8").read()
    assert "# line = 48000" in text
    open(config, "w", encoding="utf-8").write(text.replace("# line = 48000", "line = 49800"))
    gateway.add_history(5, [1001, 1002], 7)
    one_days, one = _drawdown_days(config, client, clock, capsys, "2026-12-03")
    two_days, two = _drawdown_days(config, client, clock, capsys, "2026-12-04")
    assert one and one == two, (one, two)
    assert one_days["2026-12-03"] == two_days["2026-12-03"]


def test_decisions_are_dated_by_their_trading_day():
    """trial17b: `--decisions` dated trading day 2026-12-07's first event '2026-12-06 17:40:00
    CST' (its calendar date) while the day table said 2026-12-07."""
    from cli.replay.report import Report, decision_lines
    from cli.replay.runner import AccountReplay
    from shared.messages.risk import Decision
    calendar = TradingCalendar.make()
    ts = chi(2026, 12, 6, 17, 40)                       # Sunday evening: Monday's trading day
    replay = AccountReplay(1002, "SIM-DEMO-2", decisions=[Decision(
        id="r1", ts_ns=ts, rule="drawdown_guard", account_id=1002, action="flatten",
        reason="equity below the line")])
    report = Report("riskd.toml", [replay], [], [], day_of=calendar.trading_day)
    [line] = decision_lines(report, calendar.tz)
    assert line.startswith("2026-12-07 Sun 17:40:00 CST "), line
