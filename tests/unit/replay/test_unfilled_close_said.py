"""A day riskd guarded where riskd's close got no fill of riskd's: the notes say so, truly
(fresh-user trial 20c, finding 4).

The trial's Demo 2: riskd's daily_unrealized_loss close of a long 2 MNQ got no answer from the
broker; the trader's own sell closed the long; that sell's loss set off riskd's
daily_realized_loss flatten. The replay matched riskd's close but, with no fill of riskd's to
carry it out, closed the long at once at a bar price, a price riskd's day never had: the guarded
day read +10.48 off the actual one and
1. with one-minute bars no note said anything of it;
2. with one-second bars the replay's own flatten came 4 s before riskd's (set off by the loss its
   bar-price close realized), too far apart to be matched, and the note said riskd's flatten was
   one "the config replayed, or the bar prices, did not reach": the replay had made it;
3. the decision list gave the replay's own moment and value ("realized PnL -447.48") with no
   word of riskd's (-443.22): a matched close now also names riskd's own decision of it.

riskd's records are written here as the risk worker stores them (every fill the trader's, its
two closing decisions), the config is etc/riskd.toml as shipped (daily_unrealized_loss 200 a
position, daily_realized_loss 500). They hold no word of enforcement's journal (its rows gone,
or unreadable): with the journal saying the close ended with no close order of its own
(closedby named the trader's sell), the replay leaves it to that sell instead
(test_close_found_flat.py)."""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.model import Bar
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay import report as rep
from cli.replay.runner import Runner
from shared.messages.market import STATUS_FILLED
from tests.support.replay_days import MNQ, D, Days, chi

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
T0 = chi(2026, 11, 25, 10, 0)
ACCOUNT = 1001


def trades(d: Days, *rows) -> None:
    for at, side, size, price, oid in rows:
        t = T0 + at * NS
        d.trade(t, MNQ, side, size, price, order_id=oid)
        d.order(oid, MNQ, side, size, t, t, STATUS_FILLED)


def records(d: Days, *closes: LiveClose) -> RiskdRecords:
    rec = RiskdRecords()
    for f in d.h.fills:
        rec.add_fill(f)                        # every fill the trader's, as live risk had them
    rec.closes = list(closes)
    return rec


def run(config: str, d: Days, rec: RiskdRecords):
    return Runner(build_engine(load(config), {}), d.history(), rec).run()


def decision_lines(config: str, result) -> list[str]:
    """riskctl replay --decisions' lines of the replay."""
    engine = build_engine(load(config), {})
    report = rep.build("riskd.toml", [result], engine.calendar.trading_day,
                       sorted(result.days))
    return rep.decision_lines(report, engine.zone)


def sold_after_riskds_close() -> tuple[Days, RiskdRecords]:
    """Long 2 from 09:59:01 at 21000, the 10:00 minute's low 20930; riskd's close at 10:00:05
    (its decision 'd1', command 'd1.1'); the trader sells the 2 at 20940 at 10:01:20, in the
    next minute (a bar's low is never judged before the trader's exit inside that bar: it may
    have come after it, trial 23c F2)."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0 - 60 * NS, [21000, (21000, 21000, 20930, 20940), 20940])
    trades(d, (-59, "buy", 2, 21000, 9001), (80, "sell", 2, 20940, 9002))
    return d, records(d, LiveClose(T0 + 5 * NS, "daily_unrealized_loss", "close_position",
                                   MNQ, "d1", "d1.1", reason="MNQ open PnL -240.00"))


def guarded_note(result, difference) -> str:
    """The one day's 'riskd guarded this day' note, the day's difference checked first."""
    [day] = result.days.values()
    assert day.guarded - day.actual == difference, day
    [said] = [n for n in result.notes if "guarded this day" in n]
    return said


def test_a_close_riskd_made_that_no_fill_of_riskds_carried_out_is_said(config):
    """One-minute bars: buy 2 at 21000 (09:59:01); riskd closes at 10:00:05 (MNQ at 20940,
    -240) and gets no fill; the trader sells the 2 at 20940 at 10:01:20. The replay judges the
    10:00 minute's low, 20930, at the minute's end (the long was held all that minute: a
    position opened inside a bar meets none of its extremes, test_opened_inside_a_bar.py),
    matches riskd's close, and closes at 20930: -40.00 off the actual day. Old code: the same
    figure, and no note."""
    d, rec = sold_after_riskds_close()
    result = run(config, d, rec)
    # the replay's decision (the minute's low, judged at the minute's end) names riskd's
    [line] = [x for x in decision_lines(config, result) if "daily_unrealized_loss" in x]
    assert line.endswith("[riskd's own: Wed 10:00:05 CST: MNQ open PnL -240.00]"), line
    said = guarded_note(result, D("-40.00"))
    assert said == (
        "2026-11-25: riskd guarded this day (its records hold every fill), yet guarded differs "
        "from actual by -40.00: riskd's closes no fill of riskd's was left to carry out (its "
        "records hold none from the replay's moment to 2 minutes after riskd's), which the "
        "replay carried out at a bar price, a price riskd's day never had: Wed 2026-11-25 "
        "10:00:05 CST "
        "daily_unrealized_loss close_position MNQ (the replay's at Wed 2026-11-25 10:00:59 "
        "CST)"), said


def second_bars(d: Days, prices: list) -> None:
    """One-second bars from T0 (a number: a flat bar at that price)."""
    d.h.bar_ns = NS
    d.h.bars[MNQ] = [Bar(ts_ns=T0 + i * NS, open=D(p), high=D(p), low=D(p), close=D(p),
                         volume=1) for i, p in enumerate(prices)]


def test_riskds_flatten_the_replay_made_earlier_is_not_said_to_be_unreached(config):
    """One-second bars: buy 4 at 21000 (10:00:01); MNQ at 20930 from 10:00:05 (-560 on the 4);
    riskd's close at 10:00:05 gets no fill; the trader sells the 4 at 20935 at 10:00:10
    (-520 and fees: past daily_realized_loss's 500), riskd flattens at 10:00:10. The replay
    closes at 20930 at 10:00:05 (-564 realized with fees; -40.00 off the actual day) and
    flattens there, 5 s before riskd. Old code: "riskd's closes the replay did not make: ...
    10:00:10 CST daily_realized_loss flatten (the config replayed, or the bar prices, did not
    reach them)", and nothing of the close that had no fill."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    second_bars(d, [21000] * 5 + [20930] * 10)
    trades(d, (1, "buy", 4, 21000, 9001), (10, "sell", 4, 20935, 9002))
    rec = records(d,
                  LiveClose(T0 + 5 * NS, "daily_unrealized_loss", "close_position", MNQ, "d1"),
                  LiveClose(T0 + 10 * NS, "daily_realized_loss", "flatten", None, "d2"))
    result = run(config, d, rec)
    flattens = [x.ts_ns for x in result.decisions if x.rule == "daily_realized_loss"
                and x.action == "flatten" and not x.suppressed]
    assert flattens and T0 + 5 * NS <= flattens[0] < T0 + 6 * NS, flattens
    [said] = [n for n in result.notes if "guarded this day" in n]
    assert "did not reach" not in said, said
    assert "yet guarded differs from actual by -40.00" in said, said
    assert "riskd's closes no fill of riskd's was left to carry out (its records hold none " \
           "from the replay's moment to 2 minutes after riskd's), which the replay carried " \
           "out at a bar price, a price riskd's day never had: Wed 2026-11-25 10:00:05 CST " \
           "daily_unrealized_loss close_position MNQ (the replay's at Wed 2026-11-25 10:00:05 " \
           "CST)" in said, said
    assert "riskd's closes the replay made at another moment, not set off by what set " \
           "riskd's off (more than a bar and a second from it, or another fill or moment), " \
           "so not taken as the same close: Wed 2026-11-25 10:00:10 CST " \
           "daily_realized_loss flatten (the replay's at Wed 2026-11-25 10:00:05 CST, 5 s " \
           "earlier)" in said, said


def test_a_close_that_failed_live_is_said_to_have_failed(config):
    """The first test's minute, with enforcement's journal saying what riskd's close did: its
    tries all failed (the broker did not answer), the last at 10:00:40. The replay still takes
    riskd's close as carried out (at a bar price: -40.00 off the actual day), and the note says
    so plainly, with when and why it failed live. Old code: the note read as if the journal
    were gone ("no fill of riskd's was left to carry out"), the failure never named."""
    from shared.messages.enforce import CommandResult
    d, rec = sold_after_riskds_close()
    words = "close MNQ: no answer from the broker after 3 calls"
    rec.outcomes([CommandResult(command_id=f"d1.{n}", account_id=ACCOUNT, status="failed",
                                action="close_position", finished_ns=T0 + at * NS,
                                detail=words, orders_known=True)
                  for n, at in ((1, 15), (2, 40))])
    result = run(config, d, rec)
    said = guarded_note(result, D("-40.00"))
    assert said == (
        "2026-11-25: riskd guarded this day (its records hold every fill), yet guarded differs "
        "from actual by -40.00: riskd's closes that failed live (enforcement's journal: their "
        "last try failed, and no fill of riskd's carried them out), which the replay carried "
        "out at a bar price: a replay takes every close of riskd's as carried out, so the "
        "guarded figure, and what follows from it, is what that close would have made, not "
        "riskd's day: Wed 2026-11-25 10:00:05 CST daily_unrealized_loss close_position MNQ "
        f"(failed at Wed 2026-11-25 10:00:40 CST: {words}; the replay's at Wed 2026-11-25 "
        "10:00:59 CST)"), said
