"""What a bar's price can and cannot time, said in the output; one in-bar price convention for
riskd's closes whatever the bar size; the HTML report shows the notes.

1. Fresh-user trial 18c, section 7: the replay's first breach read 22:02:30 (the trader's next
   fill) where riskd breached at 22:02:26 (the price move): with one-minute bars the minute's
   low is known, not its moment: by the bar's end, or by a fill printed there (trial 20a). Each
   decision a bar's price set off now carries the span that price came in (from the bar's
   start, or the position's open in it, to the fill that printed it, or the bar's end): `*` on
   the first breach with a
   legend, the span in --decisions and in JSON (`bar_timed`). With one-second bars the
   breach is at the second of the price move, and nothing is marked.
2. rep18b: a close at a moment inside a bar that is none of its prices (no_stop_loss_grace
   running out) took the last price played: in a one-minute bar's last third its favourable
   extreme. It then took the bar's open and close weighted by the moment's place in the bar;
   trial 20b: that read guarded figures better than riskd's own fills (a flatten at 21001
   with MNQ at 20880). replaychk20 took the bar's worst price for the position: a grace close
   45 s into a minute read its low, 20980 (-41.00), 10 s after the trader's buy there at 21000
   (the trader made +23.00). It now takes the price of the contract's fill nearest the moment
   inside that bar (a price it really traded at, at a known moment), and the bar's worst only
   when the bar holds no fill; whatever the bar size.
3. rep18b: the HTML report showed no notes.

Config: etc/riskd.toml as shipped (daily_unrealized_loss 200 a position, cooldown_after_loss);
no_stop_loss_grace switched on for 2 (off as shipped), as the trial's account had it."""
from __future__ import annotations

import json

import pytest

from cli.commands import replay as command
from cli.commands.replay import load
from cli.context import Context
from cli.main import build_parser
from cli.replay.engine import build_engine
from cli.replay.model import Bar
from cli.replay.runner import Runner
from shared.clock import FakeClock
from shared.messages.market import STATUS_FILLED
from tests.support.replay_days import MNQ, BrokerOfDays, D, Days, chi
from tests.unit.replay.test_riskd_closes_recorded import ACCOUNT, T0, grace

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000


def breach_day(seconds: bool = False) -> Days:
    """buy 2 MNQ at 10:00:24 (21000); the price falls to 20880 at 10:00:26 (-480 on the 2,
    past daily_unrealized_loss's 200); the trader buys 1 more at 10:00:30 and sells 3 at
    10:00:50. One-minute bars, or one-second bars (seconds) of the same prices."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    if seconds:
        d.h.bar_ns = NS
        d.h.bars[MNQ] = [Bar(ts_ns=T0 + s * NS, open=D(p), high=D(p), low=D(p), close=D(p),
                             volume=1)
                         for s in range(60) for p in [21000 if s < 26 else 20880]]
    else:
        d.bars(MNQ, T0, [(21000, 21000, 20880, 20880), 20880])
    for at, side, size, price, oid in ((24, "buy", 2, 21000, 9001), (30, "buy", 1, 20880, 9002),
                                       (50, "sell", 3, 20880, 9003)):
        t = T0 + at * NS
        d.trade(t, MNQ, side, size, price, order_id=oid)
        d.order(oid, MNQ, side, size, t, t, STATUS_FILLED)
    return d


def replay(config: str, d: Days, capsys, *extra: str) -> str:
    args = build_parser().parse_args(["replay", "--from", "2026-11-25", "--to", "2026-11-25",
                                      *extra])
    clock = FakeClock(chi(2026, 11, 27, 12, 0))
    broker = BrokerOfDays(d.history(), orders=True)
    ctx = Context(config, json_output="--json" in extra)
    assert command.run(args, ctx, client=broker, clock=clock, sleep=clock.advance) == 0
    return capsys.readouterr().out


def test_a_breach_a_bar_sets_off_carries_the_span_its_price_came_in(config, capsys):
    d = breach_day()
    doc = json.loads(replay(config, d, capsys, "--json"))
    [first] = [x for x in doc["decisions"] if x["rule"] == "daily_unrealized_loss"]
    # set off by the next fill's price, 20880 (the minute's low, known by then: trial 20a)
    assert first["ts_ns"] == T0 + 30 * NS
    span = {"from_ns": T0 + 24 * NS, "to_ns": T0 + 30 * NS}
    assert first["bar_timed"] == span, first
    assert doc["days"][0]["first_breach"]["bar_timed"] == span
    text = replay(config, breach_day(), capsys, "--decisions")
    assert "first breach Wed 10:00:30 CST* daily_unrealized_loss close_position" in text, text
    assert "*: set off by a bar's price, timed by the bar only: riskd acted when the price" \
           in text, text
    assert "[a bar's price: it came between Wed 10:00:24 CST and Wed 10:00:30 CST]" in text


def test_with_one_second_bars_the_breach_is_at_the_price_move(config, capsys):
    doc = json.loads(replay(config, breach_day(seconds=True), capsys, "--json", "--bars",
                            "1s"))
    [first] = [x for x in doc["decisions"] if x["rule"] == "daily_unrealized_loss"]
    assert T0 + 26 * NS <= first["ts_ns"] < T0 + 27 * NS, first
    assert first["bar_timed"] is None and doc["days"][0]["first_breach"]["bar_timed"] is None


def grace_day() -> Days:
    """buy 1 MNQ at 10:00:35.5 with no stop, in a minute that opens at 21000 and closes at
    21012 (high 21020 at some moment, low 20980); sold at 10:01:10. Its grace (10 s) runs out
    at 10:00:45.5, in the bar's last third."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [(21000, 21020, 20980, 21012), 21012])
    for at, side, price, oid in ((35_500, "buy", 21000, 9001), (70_000, "sell", 21012, 9002)):
        t = T0 + at * MS
        d.trade(t, MNQ, side, 1, price, order_id=oid)
        d.order(oid, MNQ, side, 1, t, t, STATUS_FILLED)
    return d


def test_a_close_inside_a_bar_takes_the_price_traded_nearest_it_there(config):
    grace(config, True)
    result = Runner(build_engine(load(config), {}), grace_day().history()).run()
    [close] = [x for x in result.decisions if x.rule == "no_stop_loss_grace"
               and x.action == "close_position"]
    assert close.ts_ns == T0 + 45_500 * MS
    # the buy's own price, 21000, 10 s before in that minute: 0.00 on 1 MNQ less its two fees
    # of 0.50; the minute's low read -41.00 (replaychk20), the open and close weighted by the
    # moment 21009.00, +17.00, the last price played, the high 21020, +39.00
    [day] = result.days.values()
    assert day.guarded == D("-1.00"), day


def test_a_close_inside_a_bar_with_no_fill_takes_the_bars_worst(config):
    """The buy at 09:59:55.5, in the minute before: the grace runs out at 10:00:05.5, inside a
    minute that holds no fill; nothing says where MNQ was then but the minute's range, so the
    close takes its worst for the long, its low 20980: -40.00 less two fees of 0.50."""
    grace(config, True)
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0 - 60 * NS, [21000, (21000, 21020, 20980, 21012), 21012])
    for at, side, price, oid in ((-4_500, "buy", 21000, 9001), (70_000, "sell", 21012, 9002)):
        t = T0 + at * MS
        d.trade(t, MNQ, side, 1, price, order_id=oid)
        d.order(oid, MNQ, side, 1, t, t, STATUS_FILLED)
    result = Runner(build_engine(load(config), {}), d.history()).run()
    [close] = [x for x in result.decisions if x.rule == "no_stop_loss_grace"
               and x.action == "close_position"]
    assert close.ts_ns == T0 + 5_500 * MS
    [day] = result.days.values()
    assert day.guarded == D("-41.00"), day


def test_the_html_report_shows_the_notes(config, tmp_path, capsys):
    """A day riskd's records do not reach: the text output's note is in the HTML too."""
    out = tmp_path / "r.html"
    text = replay(config, breach_day(), capsys, "--html", str(out))
    page = out.read_text()
    assert "notes:" in text
    assert "<h2>Notes</h2>" in page
    assert "none of the 3 fills is in riskd&#x27;s records" in page, page[-2000:]
