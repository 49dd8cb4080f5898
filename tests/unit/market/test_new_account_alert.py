"""An account the broker adds while riskd runs gets one alert that riskd guards it (fresh-user
trial 17g section 2: market's log said "the broker lists 1 account not watched before: [1003];
watching them now", and the phone's first word about SIM-DEMO-3 was a drawdown warning). One
alert per account market adopts, named as alerts name accounts (the broker's name, with the
id, when the config does not list it), none for the accounts listed at market's start, none
for one the config disables. The worker's loop driven by hand (test_new_accounts.py's rig)."""
from __future__ import annotations

from types import SimpleNamespace

from services.market.brokerio import RestDone
from shared import topics
from shared.clock import FakeClock
from shared.config.accounts import AccountConfig
from shared.messages.notify import NotifyEvent
from shared.projectx.realtime import USER_HUB
from tests.unit.market.test_new_accounts import Hub, account
from tests.unit.market.test_stale_feed import worker


class Pub:
    def __init__(self) -> None:
        self.sent: list = []

    def publish(self, topic, msg) -> None:
        self.sent.append((topic, msg))


def rig(accounts):
    w = worker(FakeClock())
    w.hubs[USER_HUB] = Hub()
    w.pub = Pub()
    w.config = SimpleNamespace(accounts=accounts)
    w.account_ids, w.reconciled, w.reconciling = [], False, False
    w.subs_unconfirmed, w.reconciled_gen, w.reconcile_again = 0, 1, False
    w.contracts_asked, w.touched = set(), set()
    w.calendar.start_of = lambda _day: 0
    return w


def alerts(w) -> list:
    return [m for t, m in w.pub.sent if t == topics.NOTIFY and isinstance(m, NotifyEvent)]


def test_an_account_the_broker_adds_is_alerted_once_the_start_list_is_not():
    w = rig([AccountConfig(id=1001, name="SIM-1001", display_name="Demo 1")])
    w._done_accounts(RestDone(job="accounts", result=[account(1001), account(1002)]))
    assert alerts(w) == []                          # riskd's start: no alert
    w._done_accounts_check(RestDone(job="accounts_check",
                                    result=[account(1001), account(1002), account(1003)]))
    [told] = alerts(w)
    assert told.title == ("🛡 riskd now guards SIM-1003 (id 1003): the broker added it while "
                          "riskd runs"), told.title
    assert told.account_id == 1003 and told.severity == "warning"
    assert told.lines == [
        "the broker listed it at riskd's check of its accounts (every 60 s); riskd guards it "
        "from now on",
        "the config does not list it: it runs the rules of the default profile (`riskctl rules "
        "list 1003` shows them)"], told.lines
    w._done_accounts_check(RestDone(job="accounts_check",
                                    result=[account(1001), account(1002), account(1003)]))
    assert len(alerts(w)) == 1                      # once


def test_a_configured_account_goes_by_its_name_one_disabled_gets_none():
    w = rig([AccountConfig(id=1004, name="SIM-1004", display_name="Demo 4"),
             AccountConfig(id=1005, enabled=False)])
    w._done_accounts(RestDone(job="accounts", result=[account(1001)]))
    w._done_accounts_check(RestDone(job="accounts_check",
                                    result=[account(1001), account(1004), account(1005)]))
    [told] = alerts(w)
    assert told.title.startswith("🛡 riskd now guards Demo 4 (id 1004):"), told.title
    assert told.lines[1] == "the config lists it: it runs the rules the config gives it"
