"""Alert mode's would-be lockouts survive a restart of risk (small18 item 2): AlertBook kept
them in memory only, so after risk's restart (kill -9 too) a rule still past its daily limit
in alert mode was recorded, logged and alerted again at the account's next trade ("would have
flattened ...; would have locked the account until the roll"), as if it were a new breach.
DESIGN's state guarantee: lockouts (would-be ones too) survive kill -9 of any process.

The shipped rules (etc/riskd.toml, account 1001) with daily_realized_loss switched to alert
mode (the rule under test; nothing else changed). Six losing round trips of 1 MNQ, 45 points
each (90.74 with fees: under cooldown_after_loss's first tier, 20 minutes apart: under
trade_frequency_limit), take the day's realized PnL past -500. Each engine step is committed
as the worker does (Store.commit before publishing); the restart is a new engine loaded from
the reopened store, then market's complete snapshot (what a killed risk's successor gets)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.risk.store import Store
from shared.config.load import load_config
from shared.messages.market import AccountUpdate, MarketSnapshot
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_alert_mode_every_breach import in_alert_mode
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, START, Broker

pytestmark = pytest.mark.timeout(30)
RULE = "daily_realized_loss"


class Kept(Broker):
    """The broker's events, each engine step committed to risk's store as the worker does."""

    def __init__(self, engine, now, store):
        super().__init__(engine, now)
        self.store = store

    def feed(self, event):
        super().feed(event)
        self.store.commit(self.outs[-1], self.engine)


def round_trip(broker: Broker, points: int) -> None:
    broker.price(MNQ, "21000")
    broker.fill(MNQ, 1, "21000", None, 1, "21000")
    broker.now += NS
    broker.price(MNQ, str(21000 - points))
    broker.fill(MNQ, -1, str(21000 - points), str(-points * 2), 0, "0")


def records(broker: Broker, since: int = 0) -> list:
    return [d for o in broker.outs[since:] for d in o.decisions if d.rule == RULE]


def restarted(tmp_path, loaded, before: Kept, now: int) -> Kept:
    """risk killed and started again: its store reopened, a new engine loaded from it, then
    market's complete snapshot (the account, flat, and today's trades)."""
    before.store.close()
    store, report = Store.open(str(tmp_path / "data"))
    assert report == ""
    engine = shipped_engine(loaded, now, prefix="second")
    store.load(engine, now)
    after = Kept(engine, now, store)
    after.realized, after.ids = before.realized, before.ids    # the broker's ids go on
    fills = [f for o in before.outs for f in o.fills]
    after.outs.append(engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=2, complete=True,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1",
                                balance=START + before.realized, can_trade=True)],
        positions=[], orders=[], fills=fills), now))
    return after


def test_a_daily_limit_past_in_alert_mode_is_not_a_new_breach_after_a_restart(tmp_path):
    loaded = in_alert_mode(tmp_path, RULE)
    now = chi(2026, 11, 25, 8, 40)              # a Wednesday, in the session
    store, _ = Store.open(str(tmp_path / "data"))
    broker = Kept(shipped_engine(loaded, now), now, store)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    for _ in range(6):
        round_trip(broker, 45)
        broker.now += 20 * 60 * NS
    [breach] = records(broker)
    assert breach.mode == "alert" and breach.lock is None, breach
    assert "would have locked the account" in breach.what, breach.what
    assert broker.realized < Decimal(-500)
    # without a restart the next trade is the same breach: not recorded again
    before = len(broker.outs)
    round_trip(broker, 2)
    assert records(broker, before) == []
    broker.now += 20 * 60 * NS
    # risk restarts (kill -9: nothing but what the store committed); the next trade
    after = restarted(tmp_path, loaded, broker, broker.now)
    assert records(after) == []                 # the snapshot: nothing new
    round_trip(after, 2)
    assert records(after) == [], [d.what for d in records(after)]
    assert [c for o in after.outs for c in o.commands if c.mode == "alert"] == []
    after.store.close()


def test_a_would_be_lockout_saved_on_an_earlier_trading_day_ends_at_the_roll(tmp_path):
    """The book saved yesterday is read back as the roll leaves it: the daily limit's would-be
    lockout is gone, so today's first breach is recorded (as it is without a restart)."""
    loaded = in_alert_mode(tmp_path, RULE)
    now = chi(2026, 11, 25, 8, 40)
    store, _ = Store.open(str(tmp_path / "data"))
    broker = Kept(shipped_engine(loaded, now), now, store)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    for _ in range(6):
        round_trip(broker, 45)
        broker.now += 20 * 60 * NS
    assert len(records(broker)) == 1
    broker.store.close()
    tomorrow = chi(2026, 11, 26, 8, 40)
    store, _ = Store.open(str(tmp_path / "data"))
    engine = shipped_engine(loaded, tomorrow, prefix="second")
    store.load(engine, tomorrow)
    assert engine.alert_book.locks == {} and engine.alert_book.seen == {}
    store.close()
