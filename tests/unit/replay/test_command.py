"""riskctl replay end to end over an in-test data source: the shipped config (defaults on),
the disk cache, the options, and the one-line errors for bad arguments."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from cli.commands import replay as command
from cli.context import Context
from cli.errors import EXIT_USAGE, CliError
from cli.main import build_parser
from shared.clock import FakeClock
from tests.support.replay_days import CL, ES, MNQ, BrokerOfDays, Days, chi

pytestmark = pytest.mark.timeout(60)


def two_days(account_id: int = 1001, name: str = "SIM-DEMO-1") -> Days:
    """Day 1: three ES losses of 187.50 (each under the 200 open-loss limit, each a 300 s
    cooldown of rule 7, spaced wider) reach -568.50 with fees: daily_realized_loss flattens
    and locks until the roll, so the MNQ round trip after it (+100, fee 1) is blocked.
    Day 2: one MNQ round trip of +20 (fees 1)."""
    d = Days(account_id, name)
    for hh, mm in ((9, 0), (9, 15), (9, 30)):
        t = chi(2026, 11, 24, hh, mm)
        d.bars(ES, t, [5000] * 5)
        d.trade(t, ES, "buy", 1, 5000)
        d.trade(t + 5 * 60 * 10 ** 9, ES, "sell", 1, "4996.25")
    t = chi(2026, 11, 24, 9, 50)
    d.bars(MNQ, t, [20000] * 10 + [20050])
    d.trade(t, MNQ, "buy", 1, 20000)                              # blocked until the roll
    d.trade(t + 10 * 60 * 10 ** 9, MNQ, "sell", 1, 20050)
    t = chi(2026, 11, 25, 10, 0)
    d.bars(MNQ, t, [20000] * 5 + [20010])
    d.trade(t, MNQ, "buy", 1, 20000)
    d.trade(chi(2026, 11, 25, 10, 5), MNQ, "sell", 1, 20010)      # +20
    return d


class Run:
    def __init__(self, config, broker):
        self.config, self.broker = config, broker
        self.clock = FakeClock(chi(2026, 11, 27, 12, 0))

    def __call__(self, *argv, capsys=None):
        args = build_parser().parse_args(["replay", *argv])
        ctx = Context(self.config, json_output=getattr(args, "json", False))
        return command.run(args, ctx, client=self.broker, clock=self.clock,
                           sleep=self.clock.advance)


@pytest.fixture
def replay(config):
    return Run(config, BrokerOfDays(two_days().history()))


def test_a_replay_then_the_same_replay_from_the_cache(replay, capsys):
    assert replay("--from", "2026-11-24", "--to", "2026-11-25") == 0
    out = capsys.readouterr().out
    assert "first breach Tue 09:05:00 CST cooldown_after_loss flatten" in out
    assert "2026-11-24" in out
    first = replay.broker.calls
    # bars: ES and MNQ on day 1, MNQ on day 2
    assert first and replay.broker.by_endpoint["/api/History/retrieveBars"] == 3
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert replay.broker.calls == first and doc["broker_calls"] == 0
    day1, day2 = doc["days"]
    assert (day1["actual"], day1["guarded"]) == ("-469.50", "-568.50")
    assert day1["first_breach"]["rule"] == "cooldown_after_loss"
    assert (day1["blocked"], day1["dropped"]) == (1, 1)       # the MNQ entry, then its exit
    assert day2["actual"] == day2["guarded"] == "19.00"
    assert doc["totals"]["difference"] == "-99.00"
    [rule] = [r for r in doc["rules"] if r["rule"] == "daily_realized_loss"]
    assert rule["fired"] == 1 and rule["changed"] == "-99.00"


def test_a_day_without_trades_is_asked_again_not_cached_as_none(config, capsys):
    """trial16c: `sim history --days 5`, a replay, then `sim history --days 10` wrote trades into
    days the first replay had found empty; every later replay still said "no trades" there,
    from the cache. An empty day is now asked again each time; a day with trades stays cached."""
    day2_only = two_days()
    day2_only.h.fills = [f for f in day2_only.h.fills if f.ts_ns >= chi(2026, 11, 25, 0, 0)]
    run = Run(config, BrokerOfDays(day2_only.history()))
    with pytest.raises(CliError) as err:
        run("--from", "2026-11-24", "--to", "2026-11-24")
    assert "the broker reports no trades from 2026-11-24 to 2026-11-24" in str(err.value)
    assert run("--from", "2026-11-24", "--to", "2026-11-25") == 0
    capsys.readouterr()
    run.broker.histories[1001] = two_days().history()        # the sim wrote day 1 later
    assert run("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert [d["day"] for d in doc["days"]] == ["2026-11-24", "2026-11-25"]
    assert doc["days"][0]["actual"] == "-469.50"
    # day 1 (asked again: it was empty) then nothing: both days now come from the cache
    assert doc["broker_calls"] > 0
    assert run("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    assert json.loads(capsys.readouterr().out)["broker_calls"] == 0


def test_refresh_asks_the_broker_again_for_days_it_has_cached(replay, capsys):
    assert replay("--from", "2026-11-24", "--to", "2026-11-25") == 0
    first = replay.broker.by_endpoint["/api/Trade/search"]
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--refresh", "--json") == 0
    capsys.readouterr()
    assert replay.broker.by_endpoint["/api/Trade/search"] == 2 * first


def test_set_tries_a_change_and_compare_shows_both(replay, config, tmp_path, capsys):
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--json",
                  "--set", "daily_realized_loss.limit=1000") == 0
    doc = json.loads(capsys.readouterr().out)
    # at 1000 the day's loss is allowed: only the cooldowns fire, and they block nothing
    assert doc["totals"]["difference"] == "0.00"
    assert doc["label"].endswith("daily_realized_loss.limit=1000")
    assert not [r for r in doc["rules"] if r["rule"] == "daily_realized_loss" and r["fired"]]
    other = tmp_path / "loose.toml"
    shutil.copy(config, other)
    text = other.read_text().replace("limit = 500 ", "limit = 1000 ", 1)
    other.write_text(text)
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--compare", str(other)) == 0
    out = capsys.readouterr().out
    assert "B: loose.toml" in out and "-568.50" in out and "-469.50" in out


def test_html_is_one_self_contained_file(replay, tmp_path, capsys):
    page = tmp_path / "r.html"
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--html", str(page)) == 0
    html = page.read_text()
    assert "<svg" in html and "<polyline" in html and "daily_realized_loss" in html
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("argv, expected", [
    (["--set", "daily_realized_los.limit=300"], "unknown rule 'daily_realized_los'"),
    (["--set", "daily_realized_loss.limt=300"], "has no parameter 'limt'"),
    (["--set", "daily_realized_loss.limit=-5"],
     "--set daily_realized_loss.limit=-5: expected an amount from 0.01 to 1000000, got -5"),
    (["--set", "daily_realized_loss"], "expected --set RULE.PARAM=VALUE"),
    (["--from", "2026-11-25", "--to", "2026-11-24"], "expected --from <= --to"),
    (["--from", "25/11/2026"], "expected a date like 2026-11-03"),
    (["NOPE"], "unknown account 'NOPE'; expected an id, name or display name of: "
               "Demo 1 (id 1001)"),
    (["--from", "2026-11-02", "--to", "2026-11-03"], "no trades from 2026-11-02 to 2026-11-03"),
])
def test_bad_arguments_get_one_line_saying_what_was_expected(replay, argv, expected, capsys):
    with pytest.raises(CliError) as err:
        replay(*argv)
    assert err.value.code == EXIT_USAGE
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_a_broker_failing_mid_way_resumes_from_the_cache(replay, capsys):
    replay.broker.fail["/api/History/retrieveBars"] = 99
    with pytest.raises(CliError) as err:
        replay("--from", "2026-11-24", "--to", "2026-11-25")
    assert "History/retrieveBars" in str(err.value) and "run the same replay again" in str(
        err.value)
    trades_calls = replay.broker.by_endpoint["/api/Trade/search"]
    replay.broker.fail["/api/History/retrieveBars"] = 2       # two more failures, then fine
    assert replay("--from", "2026-11-24", "--to", "2026-11-25") == 0
    out = capsys.readouterr().out
    assert replay.broker.by_endpoint["/api/Trade/search"] == trades_calls   # from the cache
    assert "retried:" in out and "History/retrieveBars" in out and "trying again" in out


def test_the_terminal_chart_draws_both_curves_within_its_width():
    from decimal import Decimal as Dd

    from cli.replay.chart import ACTUAL, GUARDED, chart_lines
    points = [(i, Dd(-10 * i), Dd(-5 * i) if i < 5 else Dd(-25)) for i in range(10)]
    lines = chart_lines(points, width=30, height=6)
    assert len(lines) == 6 and all(len(line) == 11 + 30 for line in lines)
    text = "".join(lines)
    assert ACTUAL in text and GUARDED in text
    assert lines[0].strip().startswith("0") and lines[-1].strip().startswith("-90")


def test_the_default_range_is_the_last_20_trading_days_that_ended():
    from cli.commands.replay import trading_days
    from shared.tradingday import TradingCalendar
    cal = TradingCalendar.make(holidays=["2026-11-26"])
    days = trading_days(cal, None, None, chi(2026, 12, 4, 12, 0))      # Friday, day not over
    assert len(days) == 20 and days[-1].isoformat() == "2026-12-03"
    assert all(d.weekday() < 5 for d in days) and "2026-11-26" not in [str(d) for d in days]
    after_roll = trading_days(cal, None, None, chi(2026, 12, 4, 17, 30))  # Friday's day ended
    assert after_roll[-1].isoformat() == "2026-12-04"


def test_the_progress_bar_says_what_how_far_and_how_long():
    import io

    from cli.replay.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    now = [0.0]
    stream = Tty()
    p = Progress(stream, clock=lambda: now[0])
    p.add(4)
    now[0] = 10.0
    p.step("bars CON.F.US.EP.Z26 2026-11-24", waiting=lambda remaining: remaining * 1.2)
    line = stream.getvalue().rsplit("\r", 1)[-1]
    assert "1/4" in line and "bars CON.F.US.EP.Z26 2026-11-24" in line
    assert "~0:30 left" in line                  # 10 s a step x 3 left beats the limit's 3.6 s
    quiet = io.StringIO()                        # not a terminal: nothing drawn
    Progress(quiet).step("x")
    assert quiet.getvalue() == ""


def test_bar_requests_stay_inside_50_per_30_seconds(config, capsys):
    """30 trading days of 3 contracts held each day: 90 bar requests. On the injected clock no
    30 s window holds more than 50 of them, and the whole run waits no longer than needed."""
    d = Days(1001, "SIM-DEMO-1")
    day = dt.date(2026, 10, 1)
    days = []
    while len(days) < 30:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    for day in days:
        for k, cid in enumerate((ES, MNQ, CL)):
            t = chi(day.year, day.month, day.day, 9, k)
            d.bars(cid, t, [100 + k] * 3)
            d.trade(t, cid, "buy", 1, 100 + k)
            d.trade(t + 120 * 10 ** 9, cid, "sell", 1, 100 + k)
    broker = BrokerOfDays(d.history())
    run = Run(config, broker)
    times: list[float] = []
    fetch = broker.retrieve_bars

    def timed(*a, **kw):
        times.append(run.clock.monotonic())
        return fetch(*a, **kw)

    broker.retrieve_bars = timed
    assert run("--from", days[0].isoformat(), "--to", days[-1].isoformat(), "--json") == 0
    capsys.readouterr()
    assert len(times) == 90
    assert max(sum(1 for u in times if t <= u < t + 30) for t in times) <= 50
    assert times[-1] - times[0] <= (90 - 25) * 30 / 25 + 1      # paced, not stalled


def test_replay_shows_times_in_the_display_zone(config, capsys):
    """Trial 2026-12-06: after `riskctl config set notify.timezone America/New_York` every
    screen showed EST but replay printed "first breach Mon 09:55:20 CST" (the trading day's
    zone). The shipped config plus the one setting the trial made."""
    with open(config, "a", encoding="utf-8") as fh:
        fh.write('\n[notify]\ntimezone = "America/New_York"\n')
    replay = Run(config, BrokerOfDays(two_days().history()))
    assert replay("--from", "2026-11-24", "--to", "2026-11-25") == 0
    out = capsys.readouterr().out
    assert "first breach Tue 10:05:00 EST cooldown_after_loss flatten" in out, out
    assert "CST" not in out, out
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert "-05:00" in json.dumps(doc), doc


def test_a_balance_cached_before_the_range_ended_is_asked_again(config, capsys):
    """The replay starts from the balance the broker reported less every trade since the
    range's start (trial17b); a balance cached while a day of the range was still running holds
    none of that day's later trades, so it is asked again, once."""
    run = Run(config, BrokerOfDays(two_days().history()))
    run.clock = FakeClock(chi(2026, 11, 25, 12, 0))          # 2026-11-25 is running
    assert run("--from", "2026-11-24", "--to", "2026-11-24", "--json") == 0
    assert run.broker.by_endpoint["/api/Account/search"] == 1
    run.clock.advance(2 * 24 * 3600)                          # 11-27: 11-25 has ended
    assert run("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    assert run.broker.by_endpoint["/api/Account/search"] == 2
    assert run("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    assert run.broker.by_endpoint["/api/Account/search"] == 2     # now new enough: cached
    capsys.readouterr()


def test_a_replay_says_the_running_day_is_partial_and_which_config_it_judged(config, capsys):
    """small18 item 4 (trial17b): `riskctl replay --from 2026-12-07 --to 2026-12-07` replayed
    the trading day still running without saying so, and judged times before the config (its
    drawdown line set at 17:46:08) by today's config without saying so. The output says both,
    in the text footer, the JSON `range` and the HTML header (docs/replay.md, What a replay
    judges). The config's last change (its modification time) is set inside the range."""
    import os
    changed = chi(2026, 11, 24, 9, 10)
    os.utime(config, ns=(changed, changed))
    run = Run(config, BrokerOfDays(two_days().history()))
    run.clock = FakeClock(chi(2026, 11, 25, 12, 0))          # 2026-11-25 is running
    assert run("--from", "2026-11-24", "--to", "2026-11-25") == 0
    text = capsys.readouterr().out
    assert [x for x in text.split("\n") if len(x) > 80] == []    # wrapped within 80 columns
    out = " ".join(text.split())
    assert ("2026-11-25 is the trading day still running: replayed up to Wed 12:00:00 CST "
            "only; its figures are partial (a position open now counts on the day it is "
            "closed) and it is asked of the broker again on every replay") in out, out
    assert ("rules judged: riskd.toml as it is now (last changed Tue 09:10:00 CST); times "
            "before that are judged by it too, not by the rules riskd held then (or before "
            "riskd guarded the account at all): what riskd did is in `riskctl history`") \
        in out, out
    assert run("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    r = json.loads(capsys.readouterr().out)["range"]
    assert r["running_day"] == "2026-11-25" and r["replayed_until_ns"] == run.clock.now_ns()
    assert r["config"] == {"file": config, "changed_ns": changed,
                           "judged_before_change": True}, r
    # a range that ended, under a config changed before it: no running day, said so
    run.clock.advance(2 * 24 * 3600)
    os.utime(config, ns=(chi(2026, 11, 20, 9), chi(2026, 11, 20, 9)))
    html = config + ".html"
    assert run("--from", "2026-11-24", "--to", "2026-11-25", "--html", html) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "still running" not in out, out
    assert "rules judged: riskd.toml as it is now (last changed Fri 2026-11-20 09:00:00 CST, " \
           "before the range): what riskd did is in `riskctl history`" in out, out
    page = open(html, encoding="utf-8").read()
    assert "rules judged: riskd.toml as it is now" in page


def test_the_footer_names_the_config_the_replay_read_not_an_edit_made_while_it_ran(config,
                                                                                   capsys):
    """trial19a section 5: `riskctl rules set ... daily_realized_loss mode alert` saved while a
    replay ran; the replay judged the rule in enforce mode (as it read the file) and its footer
    named the file "as it is now (last changed <the edit's time>)". The footer names the
    modification time the replay read, and says the later edit is not judged."""
    import os
    read = chi(2026, 11, 20, 9)
    os.utime(config, ns=(read, read))
    broker = BrokerOfDays(two_days().history())
    fetch = broker.search_trades

    def edit_then_fetch(*a, **kw):        # the trader's edit, mid-replay
        text = open(config, encoding="utf-8").read()
        if "# edited" not in text:
            with open(config, "a", encoding="utf-8") as fh:
                fh.write("\n# edited\n")
            edited = chi(2026, 11, 27, 11, 59)
            os.utime(config, ns=(edited, edited))
        return fetch(*a, **kw)

    broker.search_trades = edit_then_fetch
    run = Run(config, broker)
    assert run("--from", "2026-11-24", "--to", "2026-11-25") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "rules judged: riskd.toml as the replay read it (last changed Fri 2026-11-20 " \
           "09:00:00 CST, before the range)" in out, out
    assert "riskd.toml was changed again at Fri 11:59:00 CST, after the replay read it: that " \
           "change is not judged here (replay again to judge it)" in out, out
    assert "as it is now" not in out, out


def test_a_note_of_missing_bars_names_the_account_it_is_of(config, capsys):
    """Trial 21c, finding 4: 'no 1m bars for MNQ on 2026-12-07' named no account, beside
    another account's first breach marked as set off by a bar's price: the bars are fetched
    per account, over the times each held the contract, so the note is one account's. Demo 2
    trades MNQ at 11:00 on 2026-11-25, where the broker keeps no bars; Demo 1's MNQ of 10:00
    has them."""
    d2 = Days(1002, "SIM-DEMO-2")
    d2.trade(chi(2026, 11, 25, 11, 0), MNQ, "buy", 1, 20000)
    d2.trade(chi(2026, 11, 25, 11, 5), MNQ, "sell", 1, 20010)
    run = Run(config, BrokerOfDays(two_days().history(), d2.history()))
    assert run("--from", "2026-11-25", "--to", "2026-11-25", "--json") == 0
    notes = [n for n in json.loads(capsys.readouterr().out)["notes"] if "bars for" in n]
    assert notes == [
        f"Demo 2 (strict, id 1002): no 1m bars for {MNQ} on 2026-11-25 over the times the "
        f"account held it (the broker keeps none there): open-PnL rules saw only its fill "
        f"prices there"], notes
