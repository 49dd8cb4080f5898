"""A loosening waits for the roll even across restarts (trial finding 2).

`rules set default daily_realized_loss limit 450` (from 400) waits for the roll; a risk restart
or kill -9 used to lose what waited, and the looser limit applied at once. Risk's store keeps
the rules it enforces for the trading day; a restarted risk (a new Engine and RuleSettings from
the looser config, loaded from the store) keeps the stricter live value until the roll or an
admin override, and an override survives a restart.
"""
import pytest

from services.risk.settings import RuleSettings
from services.risk.store import Store
from shared.config import Config
from shared.config.accounts import ProfileConfig
from tests.unit.risk.desk import ACCOUNT, MNQ, Desk, chi, only

NS = 1_000_000_000


def config(realized, unrealized) -> Config:
    """A config whose default profile runs just the two loss rules."""
    rules = only(daily_realized_loss={"limit": realized},
                 daily_unrealized_loss={"limit": unrealized})
    return Config(profiles={"default": ProfileConfig(rules=rules)})


STRICT, LOOSE = config(400, 200), config(450, 250)
START = chi(2026, 11, 25, 9)
ROLL = chi(2026, 11, 25, 17)


def start_risk(tmp_path, rules_config, now):
    """What the worker does at start: settings from the config, the engine, the store."""
    desk = Desk(start=now)
    desk.engine.settings = RuleSettings(rules_config)
    store, report = Store.open(str(tmp_path))
    assert report == ""
    store.load(desk.engine, now)
    desk.history.clear()
    return desk, store


def limits(desk):
    rules = desk.engine.settings.for_account(desk.account)
    return rules.daily_realized_loss.limit, rules.daily_unrealized_loss.limit


def loosened(tmp_path):
    """risk runs the strict config; the config is loosened: it waits; risk saves every second."""
    desk, store = start_risk(tmp_path, STRICT, START)
    assert limits(desk) == (400, 200)               # the status screen reads them at start
    store.save_marks(desk.engine)
    waiting = desk.engine.settings.update(LOOSE, list(desk.engine.accounts.values()))
    assert sorted(waiting) == ["1001: daily_realized_loss", "1001: daily_unrealized_loss"]
    assert limits(desk) == (400, 200)
    store.save_marks(desk.engine)
    store.close()                                   # or kill -9: nothing else is written
    return desk


def test_after_a_restart_the_old_limit_still_acts_until_the_roll(tmp_path):
    before = loosened(tmp_path)
    desk, store = start_risk(tmp_path, LOOSE, before.now + 60 * NS)
    assert limits(desk) == (400, 200)
    assert sorted(desk.engine.settings.pending_for(ACCOUNT)) == [
        "daily_realized_loss", "daily_unrealized_loss"]
    assert desk.engine.settings.waiting(ACCOUNT)["daily_realized_loss"]["limit"] == (400, 450)
    # the trial: 2 MNQ at -220 open is over the old 200, under the new 250
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20945)
    assert [d.rule for d in desk.decisions()] == ["daily_unrealized_loss"]
    desk.flat(MNQ)
    # a second restart keeps it waiting too
    store.save_marks(desk.engine)
    store.close()
    desk, store = start_risk(tmp_path, LOOSE, desk.now + 60 * NS)
    assert limits(desk) == (400, 200)
    assert [d.rule for d in desk.trade(pnl="-420").decisions] == ["daily_realized_loss"]
    # the roll brings the new limits, and a restart after it keeps them
    store.commit(desk.at(ROLL), desk.engine)
    assert limits(desk) == (450, 250) and desk.engine.settings.pending_for(ACCOUNT) == []
    store.close()
    desk, store = start_risk(tmp_path, LOOSE, ROLL + 60 * NS)
    assert limits(desk) == (450, 250) and desk.engine.settings.pending_for(ACCOUNT) == []
    assert desk.trade(pnl="-420").decisions == []


@pytest.mark.parametrize("first, then, waits", [
    (STRICT, LOOSE, ["daily_realized_loss", "daily_unrealized_loss"]),   # loosened: waits
    (LOOSE, STRICT, []),                                                   # tightened: at once
])
def test_a_config_changed_while_risk_was_down(tmp_path, first, then, waits):
    desk, store = start_risk(tmp_path, first, START)
    limits(desk)                                    # the status screen reads them at start
    store.save_marks(desk.engine)
    store.close()
    desk, store = start_risk(tmp_path, then, START + 600 * NS)
    assert limits(desk) == (400, 200)
    assert sorted(desk.engine.settings.pending_for(ACCOUNT)) == waits


def test_an_override_applies_now_and_survives_a_restart(tmp_path):
    before = loosened(tmp_path)
    desk, store = start_risk(tmp_path, LOOSE, before.now + 60 * NS)
    applied = desk.engine.settings.apply_now(list(desk.engine.accounts.values()), ACCOUNT,
                                             "daily_realized_loss")
    assert [(a, r) for a, r, _d in applied] == [(ACCOUNT, "daily_realized_loss")]
    assert limits(desk) == (450, 200)
    store.save_marks(desk.engine)               # the override's answer waits for this
    store.close()
    desk, store = start_risk(tmp_path, LOOSE, desk.now + 60 * NS)
    assert limits(desk) == (450, 200)
    assert desk.engine.settings.pending_for(ACCOUNT) == ["daily_unrealized_loss"]
    assert desk.trade(pnl="-420").decisions == []


def test_an_override_before_the_broker_names_the_account_holds_once_it_does(tmp_path):
    """After a restart the account is known by id until market's snapshot gives its broker
    name (the settings key changes): an override taken meanwhile is not lost then."""
    before = loosened(tmp_path)
    desk, store = start_risk(tmp_path, LOOSE, before.now + 60 * NS)
    desk.account.name = ""
    desk.engine.settings.apply_now(list(desk.engine.accounts.values()), ACCOUNT,
                                   "daily_realized_loss")
    desk.account.name = "SIM-1"
    assert limits(desk) == (450, 200)
    assert desk.engine.settings.pending_for(ACCOUNT) == ["daily_unrealized_loss"]
