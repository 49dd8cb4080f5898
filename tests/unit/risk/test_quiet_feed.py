"""A held contract with no quote for the stale-feed wait during trading hours: one decision
(shared/quietprice.py), one phone alert when it starts and one when prices flow again
(services/risk/quietfeed.py), risk's status marks the position (services/risk/views.py).

Fresh-user trial 2026-12-06: the sim's quotes silenced with a position held; `riskctl status`
said "guarded now", no phone alert came, and a price past the loss line was acted on only when
a stale-feed reconnect happened to bring a quote. Every test runs on an injected clock.
"""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from services.market import app as market_app
from services.market.connection import FeedWatch
from services.risk.quietfeed import Holding, QuietFeed
from services.risk.views import account_status
from shared import pricewords, quietprice
from shared.clock import NS_PER_S, FakeClock, to_ns
from shared.config.errors import ConfigError
from shared.config.load import validate_full
from shared.config.sections import BrokerConfig, SimConfig
from shared.config.trading_day import TradingDayConfig
from tests.support.env import REPO
from tests.unit.risk.desk import ACCOUNT, MNQ, Desk, chi

ES = "CON.F.US.EP.Z26"
CHICAGO = ZoneInfo("America/Chicago")
WED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CHICAGO)       # the market open
PRICE = {MNQ: Decimal("20660.00"), ES: Decimal("6010.25")}


class Feed:
    """A QuietFeed on a FakeClock, the quotes risk got, the accounts holding."""

    def __init__(self, market_open=quietprice.always_open, start=WED):
        self.clock = FakeClock(start)
        self.quiet = QuietFeed(quietprice.STALE_AFTER_S, market_open)
        self.quoted: dict[str, int] = {}
        self.holdings = [Holding(1001, "Demo 1", MNQ, "long", 1)]

    def quote(self, *cids):
        for cid in cids or (MNQ,):
            self.quoted[cid] = self.clock.now_ns()

    def run(self, seconds: float, every: float = 1.0, quotes_every: float = 0.0) -> list:
        """Check once a second for `seconds` (quotes_every: a quote that often), the alerts."""
        out, quoted_at = [], self.clock.monotonic()
        for _ in range(int(seconds / every)):
            self.clock.advance(every)
            if quotes_every and self.clock.monotonic() - quoted_at >= quotes_every - 1e-9:
                self.quote(*{h.contract_id for h in self.holdings})
                quoted_at = self.clock.monotonic()
            out += self.quiet.check(self.clock.now_ns(), self.holdings, self.quoted,
                                    PRICE.get)
        return out


def test_one_decision_the_wait_is_market_s_stale_feed_wait_and_the_age_screens_show():
    assert market_app.STALE_AFTER == quietprice.STALE_AFTER_S == pricewords.OLD_AFTER_S == 15.0
    assert FeedWatch(FakeClock()).base == quietprice.STALE_AFTER_S
    now = to_ns(WED)
    assert quietprice.stale_for(now - 14 * NS_PER_S, now) is None
    assert quietprice.stale_for(now - 15 * NS_PER_S, now) == 15.0
    assert quietprice.stale_for(None, now) is None                  # no quote ever: not this
    assert quietprice.stale_for(now - 99 * NS_PER_S, now, market_open=lambda _n: False) is None
    quiet_sim = BrokerConfig(sim=SimConfig(tick_interval=0))
    assert quietprice.stale_after(quiet_sim) == quietprice.NEVER    # quiet on purpose
    assert quietprice.stale_after(BrokerConfig(sim=SimConfig(tick_interval=0.5))) == 15.0


def test_the_wait_is_the_broker_s_stale_after_setting_15_s_as_shipped():
    """`[broker] stale_after` (etc/riskd.toml: 15 s) is the wait market's stale-feed watch and
    risk's quiet feed both take (shared/quietprice.stale_after); a bad value is a config
    problem naming its key. Before, the wait was a constant: a test had to wait out 15 s."""
    shipped = tomllib.loads(open(os.path.join(REPO, "etc", "riskd.toml")).read())
    assert shipped["broker"]["stale_after"] == 15.0 == BrokerConfig().stale_after
    config, _ = validate_full({"broker": {"stale_after": 3, "kind": "projectx"}}, "riskd.toml",
                              env={})
    assert config.broker.stale_after == 3.0
    assert quietprice.stale_after(config.broker) == 3.0
    assert FeedWatch(FakeClock(), quietprice.stale_after(config.broker)).base == 3.0
    for bad, expected in ((0, "expected a number from 1 to 3600, got 0.0"),
                          (-5, "from 1 to 3600"), (86400, "from 1 to 3600"),
                          ("15s", "expected a number, got '15s'"),
                          (True, "expected a number, got True")):
        with pytest.raises(ConfigError) as info:
            validate_full({"broker": {"stale_after": bad}}, "riskd.toml", env={})
        found = {p.path: p.message for p in info.value.problems}
        assert expected in found.get("broker.stale_after", ""), (bad, found)


def test_the_broker_s_trading_hours_from_riskd_s_calendar():
    broker = SimpleNamespace(kind="projectx")
    hours = quietprice.market_hours(broker, TradingDayConfig(), {dt.date(2026, 11, 26)})
    assert hours(to_ns(WED))                                          # Wednesday 10:00
    assert not hours(to_ns(WED.replace(hour=16, minute=30)))          # the daily break
    assert not hours(to_ns(dt.datetime(2026, 11, 28, 12, tzinfo=CHICAGO)))   # Saturday
    assert not hours(to_ns(WED.replace(hour=18)))      # the session closing on the holiday
    assert quietprice.market_hours(SimpleNamespace(kind="sim"), None, ()) is \
        quietprice.always_open


def test_one_alert_when_the_price_goes_stale_and_one_when_prices_flow_again():
    f = Feed()
    f.quote()
    assert f.run(14) == []                                  # 14 s: not stale yet
    [quiet] = f.run(1)
    assert (quiet.kind, quiet.severity) == ("prices_stale", "warning")
    assert quiet.title == "🟠 No price for MNQ for 15s: riskd judges the last price"
    assert quiet.lines[0] == ("Demo 1 (id 1001): MNQ long 1: open PnL as of 20660.00; price "
                              "rules run on that price")
    assert "One more alert when prices flow again" in quiet.lines[-1]
    assert quiet.line_accounts == [1001, None] and quiet.account_id == 1001
    assert f.run(300) == []                                 # not one per check or per minute
    f.quote()
    assert f.run(1) == []                                   # one quote: not news yet
    [back] = f.run(20, quotes_every=1.0)                    # quotes keep coming: once
    assert (back.kind, back.severity) == ("prices_flowing", "info")
    assert back.title == "🟢 MNQ: prices flowing again after 5m15s without steady prices", back.title
    assert back.lines == ["Demo 1 (id 1001): MNQ: price rules judge live prices again"]
    assert f.run(60, quotes_every=1.0) == []


def test_a_lone_quote_from_a_stale_feed_reconnect_is_not_prices_flowing_again():
    f = Feed()
    f.quote()
    assert len(f.run(15)) == 1
    # a dead feed: each reconnect brings one quote, then silence again (15/30/60/... s)
    assert f.run(600, quotes_every=60.0) == []
    assert f.quiet.silent_since(MNQ, f.clock.now_ns()) == to_ns(WED)     # still silent


def test_a_silence_the_checks_fell_between_counts_and_so_does_the_next():
    """The sim's quotes silenced, its prices walking on: market reconnects after 15 s of
    silence and the subscriber's quote arrives within the second, every ~16 s (trial log:
    "quotes again after 16 s of silence"). Checked once a second, risk may never see the price
    15 s old; the gap between two quotes says it all the same, and the lone quotes are no
    prices flowing again."""
    f = Feed()
    f.quote()
    f.clock.advance(0.5)
    assert f.run(14) == []                        # checked at 1.5 s ... 14.5 s
    f.clock.advance(0.7)
    f.quote()                                     # 15.2 s after the last: between two checks
    f.clock.advance(0.3)
    [quiet] = f.quiet.check(f.clock.now_ns(), f.holdings, f.quoted, PRICE.get)
    assert quiet.title == "🟠 No price for MNQ for 15s: riskd judges the last price"
    assert f.quiet.silent_since(MNQ, f.clock.now_ns()) == to_ns(WED)
    for _ in range(10):                           # the same again, ten times: no news
        assert f.run(15) == []
        f.clock.advance(0.7)
        f.quote()
        f.clock.advance(0.3)
        assert f.quiet.check(f.clock.now_ns(), f.holdings, f.quoted, PRICE.get) == []
    assert f.quiet.silent_since(MNQ, f.clock.now_ns()) == to_ns(WED)
    [back] = f.run(16, quotes_every=1.0)          # quotes keep coming
    assert back.title.startswith("🟢 MNQ: prices flowing again after 2m55s"), back.title
    assert f.quiet.silent_since(MNQ, f.clock.now_ns()) is None


def test_a_closed_market_raises_nothing():
    f = Feed(market_open=lambda _ns: False)
    f.quote()
    assert f.run(600) == []
    # a close ten seconds after the last quote
    opened = Feed(market_open=quietprice.market_hours(
        SimpleNamespace(kind="projectx"), TradingDayConfig(), ()),
        start=WED.replace(hour=15, minute=59, second=50))
    opened.quote()
    assert opened.run(600) == []                                  # 16:00: closed till 17:00
    # 17:00: the wait counts from the open, not from the last quote before the close
    opened.clock.set(to_ns(WED.replace(hour=17)))
    assert opened.run(14) == []
    [quiet] = opened.run(2)
    assert quiet.title.startswith("🟠 No price for MNQ for 15s"), quiet.title


def test_accounts_and_contracts_going_quiet_together_are_one_alert_split_per_account():
    f = Feed()
    f.holdings += [Holding(1002, "Demo 2 (strict)", MNQ, "short", 2),
                   Holding(1002, "Demo 2 (strict)", ES, "long", 1)]
    f.quote(MNQ, ES)
    [quiet] = f.run(15)
    assert quiet.title.startswith("🟠 No price for ES, MNQ for 15s"), quiet.title
    assert quiet.line_accounts == [1002, 1001, 1002, None] and quiet.account_id is None
    assert quiet.lines[0].startswith("Demo 2 (strict, id 1002): ES long 1: open PnL as of "
                                     "6010.25"), quiet.lines
    # an account that buys into the silence gets its own; the others are not told again
    f.holdings.append(Holding(1003, "Demo 3", MNQ, "long", 1))
    [joined] = f.run(1)
    assert joined.line_accounts == [1003, None]
    # nobody holds ES any more: its silence ends with its own alert, to the account told
    f.holdings = [h for h in f.holdings if h.contract_id != ES]
    [gone] = f.run(1)
    assert gone.title.startswith("🟢 ES: no position held in it now"), gone.title
    assert gone.line_accounts == [1002, None]
    f.quote(MNQ)
    [back] = f.run(20, quotes_every=1.0)
    assert back.title.startswith("🟢 MNQ: prices flowing again"), back.title
    assert back.line_accounts == [1001, 1002, 1003]


def test_a_silence_whose_position_is_closed_before_prices_flow_ends_with_an_alert():
    """Fresh-user trial 2026-12-06 (trial13a, finding 4): the sim paused, "🟠 No price for MNQ
    for 15s ... One more alert when prices flow again" went to Demo 2; the next quote closed
    its position (a rule acted), quotes flowed for minutes, and no 🟢 alert ever came: the
    silence was forgotten once nobody held MNQ, and market stops MNQ's quotes then anyway.
    The phone's last word on MNQ stayed "No price"."""
    f = Feed()
    f.holdings = [Holding(1002, "Demo 2", MNQ, "long", 2)]
    f.quote()
    [quiet] = f.run(15)
    assert quiet.lines[-1].startswith("fills are still watched"), quiet.lines
    assert ("One more alert when prices flow again, or once no account holds a position in "
            "it") in quiet.lines[-1], quiet.lines[-1]
    assert f.run(6) == []
    f.quote()                                     # the next quote: a rule closes the position
    f.holdings = []
    [gone] = f.run(1)
    assert (gone.kind, gone.severity) == ("prices_flowing", "info")
    assert gone.title == "🟢 MNQ: no position held in it now, after 22s without steady prices", \
        gone.title
    assert gone.lines[0] == ("Demo 2 (id 1002): MNQ: no position held in it now: no price rule "
                             "waits on its price"), gone.lines
    assert gone.lines[-1].startswith("riskd gets quotes only of contracts held"), gone.lines
    assert gone.line_accounts == [1002, None] and gone.account_id == 1002
    assert f.run(120, quotes_every=1.0) == []     # told once: the pair is closed
    assert f.quiet.silent() == frozenset()


def test_prices_flowing_again_tells_an_account_that_closed_meanwhile_it_holds_none():
    f = Feed()
    f.holdings = [Holding(1001, "Demo 1", MNQ, "long", 1),
                  Holding(1002, "Demo 2", MNQ, "long", 2)]
    f.quote()
    assert len(f.run(15)) == 1
    f.holdings = f.holdings[:1]                   # Demo 2 closed; Demo 1 holds on
    f.quote()
    [back] = f.run(20, quotes_every=1.0)
    assert back.title.startswith("🟢 MNQ: prices flowing again after 16s"), back.title
    assert back.lines == ["Demo 1 (id 1001): MNQ: price rules judge live prices again",
                          "Demo 2 (id 1002): MNQ: no position held in it now"], back.lines
    assert back.line_accounts == [1001, 1002]


def test_a_silence_over_the_close_ends_when_nobody_holds_the_contract_any_more():
    f = Feed()
    f.quote()
    assert len(f.run(15)) == 1
    f.quiet.market_open = lambda _ns: False
    assert f.run(60) == []
    f.holdings = []                               # closed at the close (an admin's flatten)
    [gone] = f.run(1)
    assert gone.title.startswith("🟢 MNQ: no position held in it now"), gone.title


def test_risk_s_status_marks_the_silent_price_and_the_screens_say_it():
    desk = Desk(start=chi(2026, 11, 25, 10))
    quiet = desk.engine.quiet = QuietFeed()
    desk.long(1, MNQ, 20670)
    desk.price(MNQ, "20660.00")
    bought = desk.now

    def check():
        holdings = [Holding(ACCOUNT, "SIM-1", MNQ, "long", 1)]
        return quiet.check(desk.now, holdings, desk.engine.market.quoted_ns,
                           desk.engine.market.price)

    assert check() == []
    assert account_status(desk.engine, ACCOUNT, desk.now).positions[0].price_stale_since is None
    desk.now += 102 * NS_PER_S
    assert len(check()) == 1
    st = account_status(desk.engine, ACCOUNT, desk.now)
    assert st.positions[0].price_stale_since == bought
    assert pricewords.stale_lines([st], desk.now) == [
        "MNQ: no price for 1m42s; open PnL as of 20660.00; price rules run on that price"]
    desk.now += 18 * NS_PER_S
    desk.price(MNQ, "20650.00")                   # a lone quote: the silence goes on
    desk.now += 3 * NS_PER_S
    assert check() == []
    st = account_status(desk.engine, ACCOUNT, desk.now)
    assert pricewords.stale_lines([st], desk.now) == [
        "MNQ: no steady prices for 2m03s (the last 3s ago); open PnL as of 20650.00; price "
        "rules run on that price"]
    quiet.market_open = lambda _ns: False                      # closed: no line
    assert account_status(desk.engine, ACCOUNT, desk.now).positions[0].price_stale_since is None


def test_accounts_are_named_only_for_the_alerts_that_name_them():
    """Every second risk checks every held position; naming each account there looked it up
    in the config's account list each time (O(accounts^2) a second)."""
    asked = []

    def name_of(aid, broker_name):            # as the engine's account_name names it
        asked.append(aid)
        return {1001: "Demo 1 (id 1001)"}.get(aid, broker_name)

    f = Feed()
    f.holdings = [Holding(1001, "SIM-DEMO-1", MNQ, "long", 1)]
    f.quote()
    for _ in range(14):
        f.clock.advance(1.0)
        assert f.quiet.check(f.clock.now_ns(), f.holdings, f.quoted, PRICE.get, name_of) == []
    assert asked == []
    f.clock.advance(1.0)
    [quiet] = f.quiet.check(f.clock.now_ns(), f.holdings, f.quoted, PRICE.get, name_of)
    assert asked == [1001] and quiet.lines[0].startswith("Demo 1 (id 1001): MNQ long 1")


def test_the_screen_and_the_phone_say_the_same_time_without_steady_prices():
    """Fresh-user trial 2026-12-06: the phone said "🟢 MNQ: prices flowing again after 32s
    without one" while status and watch had said "no steady prices for 40s": the screen counted
    the silence on to now while prices were already flowing again (and, once a reconnect's lone
    quote was 15 s old, from that quote). Both now count as shared/quietprice.silence_s does:
    from the last quote before the silence to the first quote of the flow."""
    desk = Desk(start=chi(2026, 11, 25, 10))
    quiet = desk.engine.quiet = QuietFeed()
    desk.long(1, MNQ, 20670)
    desk.price(MNQ, "20660.00")                   # the last quote before the silence

    def check():
        holdings = [Holding(ACCOUNT, "SIM-1", MNQ, "long", 1)]
        return quiet.check(desk.now, holdings, desk.engine.market.quoted_ns,
                           desk.engine.market.price)

    def screen():
        return pricewords.stale_lines([account_status(desk.engine, ACCOUNT, desk.now)],
                                      desk.now)

    alerts, seen = [], []
    for second in range(1, 80):
        desk.now += NS_PER_S
        if second == 16 or second >= 32:          # a reconnect's lone quote; the flow at 32 s
            desk.price(MNQ, "20655.00")
        alerts += check()
        seen += screen()
        if second == 40:
            assert screen() == ["MNQ: no steady prices for 32s, quotes again for 8s; open PnL as "
                                "of 20655.00; price rules run on that price"], screen()
        if second == 31:                          # the lone quote 15 s old: counted from before
            assert screen()[0].startswith("MNQ: no steady prices for 31s (the last 15s ago)"), \
                screen()
    stale, back = alerts
    assert stale.title == "🟠 No price for MNQ for 15s: riskd judges the last price"
    assert back.title == "🟢 MNQ: prices flowing again after 32s without steady prices"
    assert seen[-1].startswith("MNQ: no steady prices for 32s, quotes again for 14s"), seen[-1]
    assert screen() == []                         # steady again: no line


def test_a_reconnect_s_lone_quote_shortly_before_the_feed_comes_back_is_not_where_it_came_back():
    """The trial's own sequence: the sim's quotes silenced, market's stale-feed reconnects
    bring a lone quote every ~16 s (at 16 s and 32 s), the quotes come back at 41 s. The alert
    said "after 32s" (the lone quote at 32 s taken for the flow's first) while the screen had
    said "no steady prices for 40s". The silence lasted 41 s: both say so, and the screen's
    count never goes back."""
    desk = Desk(start=chi(2026, 11, 25, 10))
    quiet = desk.engine.quiet = QuietFeed()
    desk.long(1, MNQ, 20670)
    desk.price(MNQ, "20660.00")

    def check():
        return quiet.check(desk.now, [Holding(ACCOUNT, "SIM-1", MNQ, "long", 1)],
                           desk.engine.market.quoted_ns, desk.engine.market.price)

    alerts, counts = [], []
    for second in range(1, 70):
        desk.now += NS_PER_S
        if second in (16, 32) or second >= 41:
            desk.price(MNQ, "20655.00")
        alerts += check()
        for line in pricewords.stale_lines([account_status(desk.engine, ACCOUNT, desk.now)],
                                           desk.now):
            counts.append(int(line.split(" for ")[1].split("s")[0]))
    assert alerts[-1].title == "🟢 MNQ: prices flowing again after 41s without steady prices"
    assert counts == sorted(counts) and counts[-1] == 41, counts


def test_a_restart_during_the_silence_keeps_the_promise_of_one_more_alert(tmp_path):
    """trial13a: risk (or riskd) restarted while MNQ's quotes were silent; the "No price"
    alert had promised one more, and the new risk never sent it. The silences alerted are
    written to risk's store before the alert goes out and read back by the new risk, which
    says "prices flowing again" once quotes keep coming. Until market's complete snapshot
    (whole=False) its empty book is not taken as "no position held"."""
    from services.risk.store import Store
    f = Feed()
    f.quote()
    [quiet] = f.run(15)
    assert quiet.kind == "prices_stale"
    store, _ = Store.open(str(tmp_path))
    store.save_quiet(SimpleNamespace(quiet=f.quiet))
    store.close()                                       # the old risk is gone (kill -9 too)
    later = Feed(start=WED + dt.timedelta(seconds=40))
    store, _ = Store.open(str(tmp_path))
    later.quiet.load_json(store._meta("quiet"))
    store.close()
    assert later.quiet.silent() == frozenset({MNQ})
    booked, later.holdings = later.holdings, []        # before market's snapshot: empty book
    out = [n for _ in range(3) for n in (later.clock.advance(1) or later.quiet.check(
        later.clock.now_ns(), [], later.quoted, PRICE.get, whole=False))]
    assert out == [], [n.title for n in out]
    later.holdings = booked                             # the snapshot: MNQ still held
    later.quote()
    [back] = later.run(20, quotes_every=1.0)
    assert back.title.startswith("🟢 MNQ: prices flowing again after "), back.title
    assert back.lines == ["Demo 1 (id 1001): MNQ: price rules judge live prices again"]


def test_the_store_reads_the_silences_back_into_a_new_risk(tmp_path):
    from services.risk.store import Store
    f = Feed()
    f.quote()
    f.run(15)
    store, _ = Store.open(str(tmp_path))
    store.save_quiet(SimpleNamespace(quiet=f.quiet))
    store.close()
    desk = Desk()
    desk.engine.quiet = QuietFeed(quietprice.STALE_AFTER_S)
    store, _ = Store.open(str(tmp_path))
    store.load(desk.engine, desk.now)
    store.close()
    assert desk.engine.quiet.silent() == frozenset({MNQ})
    assert desk.engine.quiet.silent_since(MNQ, desk.now) == f.quiet.silent_since(MNQ, 0)


def test_no_quote_is_due_while_markets_stream_is_silent():
    """trial16a finding 5: `riskctl stop market` with a position held, and 15 s later "🟠 No
    price for MNQ ... fills are still watched", untrue then. fed=False (risk hears nothing from
    market): no alert; the wait counts again from when market is back."""
    quiet = QuietFeed(after_s=15)
    mnq = "CON.F.US.MNQ.Z25"
    held = [Holding(1001, "SIM-DEMO-1", mnq, "long", 1)]
    t0 = 1_000 * 10**9
    assert quiet.check(t0, held, {mnq: t0}, lambda c: 21000) == []
    for s in range(1, 40):                          # market stopped for 39 s
        assert quiet.check(t0 + s * 10**9, held, {mnq: t0}, lambda c: 21000, fed=False) == []
    back = t0 + 40 * 10**9                          # back; its first quote takes a while
    for s in range(0, 15):
        assert quiet.check(back + s * 10**9, held, {mnq: t0}, lambda c: 21000) == [], s
    assert [n.kind for n in quiet.check(back + 15 * 10**9, held, {mnq: t0},
                                        lambda c: 21000)] == ["prices_stale"]


def _checks(f: Feed, seconds: int, fed: bool = True, quote_at=(), every_s=0) -> list:
    """Checks once a second for `seconds` on f's clock, the alerts: a quote half a second
    before the checks numbered in quote_at (1-based), or before every one when every_s."""
    out = []
    for s in range(1, seconds + 1):
        f.clock.advance(0.5)
        if s in quote_at or every_s:
            f.quote()
        f.clock.advance(0.5)
        out += f.quiet.check(f.clock.now_ns(), f.holdings, f.quoted, PRICE.get, fed=fed)
    return out


def test_the_first_quote_after_market_is_back_is_no_silence_a_real_one_still_alerts():
    """Round 16: `riskctl stop market`, then `riskctl start market`: "🟠 No price for MNQ for
    15s" about 1 s after the new market's first message (2 of 6 runs). The first check that
    heard market again kept the quote from before the stop as the last one it saw; the new
    market's first quote, a check later, made a gap of the whole stop, taken as a silence the
    checks fell between. The gap counts from when market is back. Then quotes flow, stop (the
    broker's feed silent, market alive), and the alert comes after the wait, once."""
    f = Feed()
    f.quote()
    assert _checks(f, 2) == []
    assert _checks(f, 40, fed=False) == []            # market stopped for 40 s
    assert _checks(f, 3) == []                        # back: its heartbeats, no quote yet
    assert _checks(f, 1, quote_at=(1,)) == []         # its first quote
    assert _checks(f, 30, every_s=1) == []            # quotes flow
    assert f.quiet.silent() == frozenset()
    assert _checks(f, 14) == []                       # the broker's feed falls silent
    [quiet] = _checks(f, 1)
    assert quiet.title == "🟠 No price for MNQ for 15s: riskd judges the last price"
    assert _checks(f, 10) == []


def test_the_first_quote_after_the_open_is_no_silence():
    """The same over a market close: the check at the open keeps the quote from before the
    close; the first quote after the open ends nothing and begins no silence."""
    f = Feed(market_open=quietprice.market_hours(
        SimpleNamespace(kind="projectx"), TradingDayConfig(), ()),
        start=WED.replace(hour=15, minute=59, second=50))
    f.quote()
    assert f.run(600) == []                                       # 16:00: closed till 17:00
    f.clock.set(to_ns(WED.replace(hour=17)))
    assert _checks(f, 2) == []
    assert _checks(f, 1, quote_at=(1,)) == []                     # the first quote of the day
    assert _checks(f, 20, every_s=1) == []
    assert f.quiet.silent() == frozenset()


def test_a_market_restarted_within_risk_s_silence_counts_the_wait_from_its_first_message():
    """market killed (kill -9) and started again by the supervisor at once: its first message
    (a heartbeat, a new epoch on the bus) reaches risk within the 2.5 s risk takes to call it
    silent, so no check finds it stopped; the new market logs in and subscribes before its
    first quote. market_back (risk's app, at the new epoch) starts the wait from that first
    message: a silence that was riskd's own restart is no stale price, a feed that stays
    silent after it is one, after the wait."""
    f = Feed()
    f.quote()
    assert _checks(f, 1) == []                        # killed just after this check
    f.clock.advance(2.0)
    f.quiet.market_back(f.clock.now_ns())             # the new market's first message
    assert _checks(f, 13) == []                       # 16 s after the last quote: no alert
    assert _checks(f, 1, quote_at=(1,)) == []         # its first quote, 17 s after the last
    assert _checks(f, 20, every_s=1) == []
    # the same restart, and the new market's feed stays silent: stale 15 s after it was back
    g = Feed()
    g.quote()
    assert _checks(g, 1) == []
    g.clock.advance(2.0)
    g.quiet.market_back(g.clock.now_ns())
    assert _checks(g, 14) == []
    [quiet] = _checks(g, 1)
    assert quiet.title == "🟠 No price for MNQ for 15s: riskd judges the last price"


@pytest.mark.parametrize("lone_quote", [False, True], ids=["no quote", "one quote at back"])
def test_no_prices_flowing_alert_after_market_is_back_with_the_broker_still_down(lone_quote):
    """Trial25c F3: MNQ already silent and alerted; the broker stopped, market killed and
    restarted (risk heard it back): 5 s after the NOT GUARDED alerts the phone said "🟢 MNQ:
    prices flowing again after 1m31s ... price rules judge live prices again" with no price
    at all. market_back restarts the wait, so no check found MNQ stale; the old quote (from
    before the stop) started a "flow" and the wait since it (31 s, not quotes for 15 s) had
    passed. No flow without quotes over the wait; real quotes after it still end the silence
    once. Fails before (the 🟢 alert at the first checks after market is back)."""
    f = Feed()
    f.quote()
    assert len(_checks(f, 16)) == 1                   # the 🟠 alert
    assert _checks(f, 60) == []                       # still silent
    f.quote()                                         # a last quote, then the broker stops
    assert _checks(f, 5, fed=False) == []             # market killed: nothing heard
    f.quiet.market_back(f.clock.now_ns())
    got = _checks(f, 40, quote_at=(1,) if lone_quote else ())
    assert [n.kind for n in got if n.kind == "prices_flowing"] == [], [n.title for n in got]
    assert MNQ in f.quiet.silent()
    [back] = [n for n in _checks(f, 20, every_s=1) if n.kind == "prices_flowing"]
    assert back.lines == ["Demo 1 (id 1001): MNQ: price rules judge live prices again"]
