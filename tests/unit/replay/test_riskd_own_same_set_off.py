"""A close of the replay's is tagged riskd's own only with riskd's close of the same thing
(trial22c section 3a).

The trial: the replay's lockout close of the trader's buy at 09:19:38 (a trade_frequency_limit
lockout the replay held) read "[riskd's own: Mon 09:19:00 CST: MNQ position opened while ...
locked (timer) by cooldown_after_loss]": riskd's close of another buy, under another lockout,
38 s earlier, taken as the same close because it fell "within a bar and a second". Live, the
09:19:38 buy was not closed. Now riskd's decision is the replay's same close only when what set
it off (Decision.event_ns: the fill, the clock moment) came at the moment that set the
replay's off, give or take a second, or, for a bar's price, within that bar.

The day (records written here as the risk worker leaves them): riskd, under a lockout the
replayed config does not set, closes the trader's buy of 10:00:01 (its sell at 10:00:01.2);
the trader's 3rd trade of the minute at 10:00:11 starts the replay's trade_frequency_limit
lockout (shipped: 3 a minute, 60 s); the trader buys again at 10:00:39, which riskd let stand,
and riskd's daily_unrealized_loss close sells it at 10:00:50."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from cli.commands.replay import load
from cli.replay.agree import parted
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.market import STATUS_FILLED
from tests.support.replay_days import MNQ, Days, chi

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 0)
ACCOUNT = 1001


def test_a_lockout_close_of_another_buy_is_not_riskds_own(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    rec = RiskdRecords()
    rows = [(T0 + NS, "buy", 9001, False), (T0 + 1_200 * MS, "sell", 9002, True),
            (T0 + 10 * NS, "buy", 9003, False), (T0 + 11 * NS, "sell", 9004, False),
            (T0 + 39 * NS, "buy", 9005, False), (T0 + 50 * NS, "sell", 9006, True)]
    for at, side, oid, riskds in rows:
        f = d.trade(at, MNQ, side, 1, 21000, order_id=oid)
        d.order(oid, MNQ, side, 1, at, at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=riskds))
    rec.closes = [LiveClose(T0 + 1_010 * MS, "lockout", "close_position", MNQ, "d1", "d1.1",
                            event_ns=T0 + NS),
                  LiveClose(T0 + 49_900 * MS, "daily_unrealized_loss", "close_position", MNQ,
                            "d2", "d2.1", event_ns=T0 + 49_900 * MS)]
    r = Runner(build_engine(load(config), {}), d.history(), rec).run()
    # the replay's lockout of 10:00:11 blocks the buy of 10:00:39: riskd's records hold no
    # close of that buy by a lockout, so it is not let fill as one riskd closed
    [day] = r.days.values()
    assert day.blocked == 1 and (T0 + 39 * NS, 5, "trade_frequency_limit") in \
        r.blocked_trades, (day, r.blocked_trades)
    for x in r.decisions:
        own = r.riskd_own.get(x.id)
        assert own is None or abs(own.set_off_ns - (x.event_ns or x.ts_ns)) <= NS, (x, own)
    assert not [x for x in r.decisions if x.rule == "lockout"], r.decisions


def test_a_lockout_close_of_another_buy_is_not_said_to_be_riskds_at_another_moment():
    """The notes' "riskd's closes the replay made at another moment" pair a rule's close made
    a little apart; a lockout's close is of one entry, so another entry's is another close."""
    day = dt.date(2026, 11, 25)
    riskds = LiveClose(T0 + NS, "lockout", "close_position", MNQ, "d1", "d1.1")
    [note] = parted(day, Decimal("0"), [riskds], [(T0 + 39 * NS, "lockout", "close_position",
                                                   MNQ)], ZoneInfo("America/Chicago"),
                    decided=[(T0 + 39 * NS, "lockout", "close_position", MNQ)])
    assert "at another moment" not in note, note
    assert "riskd's closes the replay did not make: Wed 2026-11-25 10:00:01 CST lockout " \
           "close_position MNQ" in note, note
    assert "the replay's closes riskd did not make: Wed 2026-11-25 10:00:39 CST lockout " \
           "close_position MNQ" in note, note


def test_riskds_late_close_of_an_entry_the_replay_blocked_is_said_so(config):
    """Fresh-user trial 23c F7: under a lockout both hold (here the trader's 3rd trade of the
    minute at 10:00:05: trade_frequency_limit, shipped 3 a minute, a 60 s cooldown) the trader
    buys at 10:00:20; riskd, restarting, closes that entry only at 10:00:25 (its own sell,
    order 9100), too late to be taken as set off by the buy: the replay blocks the buy, and
    its note said riskd's close was one "the config replayed, or the bar prices, did not
    reach". The same lockout reached it: the note now says the entry was blocked, by which
    lockout, and how late riskd's close came."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000] * 2)
    rec = RiskdRecords()
    rows = [(T0 + NS, "buy", 9001), (T0 + 3 * NS, "sell", 9002), (T0 + 5 * NS, "buy", 9003),
            (T0 + 7 * NS, "sell", 9004), (T0 + 20 * NS, "buy", 9005),
            (T0 + 25_100 * MS, "sell", 9100)]
    for at, side, oid in rows:
        f = d.trade(at, MNQ, side, 1, 21000, order_id=oid)
        d.order(oid, MNQ, side, 1, at, at, STATUS_FILLED)
        rec.add_fill(attrs.evolve(f, by_riskd=oid == 9100))
    rec.closes = [LiveClose(T0 + 25 * NS, "lockout", "close_position", MNQ, "d1", "d1.1",
                            event_ns=T0 + 25 * NS)]
    r = Runner(build_engine(load(config), {}), d.history(), rec).run()
    [day] = r.days.values()
    assert day.blocked == 1 and (T0 + 20 * NS, 5, "trade_frequency_limit") in \
        r.blocked_trades, (day, r.blocked_trades)
    [note] = [n for n in r.notes if "guarded this day" in n]
    assert "did not reach" not in note, note
    assert "riskd's lockout closes of entries the replay blocked" in note, note
    assert "Wed 2026-11-25 10:00:25 CST lockout close_position MNQ (the entry at Wed " \
           "2026-11-25 10:00:20 CST, blocked by trade_frequency_limit; riskd's close 5 s " \
           "later)" in note, note


def test_a_lockout_close_after_the_traders_next_fill_is_not_of_the_blocked_entry():
    """A blocked entry, then another fill of the trader's on the contract, then riskd's
    lockout close: that close is of the later fill, not of the blocked entry."""
    day = dt.date(2026, 11, 25)
    riskds = LiveClose(T0 + 30 * NS, "lockout", "close_position", MNQ, "d1", "d1.1")
    [note] = parted(day, Decimal("0"), [riskds], [], ZoneInfo("America/Chicago"),
                    blocked=[(T0 + 20 * NS, MNQ, "cooldown_after_loss", T0 + 25 * NS)])
    assert "riskd's closes the replay did not make: Wed 2026-11-25 10:00:30 CST lockout " \
           "close_position MNQ" in note, note
    assert "entries the replay blocked" not in note, note
