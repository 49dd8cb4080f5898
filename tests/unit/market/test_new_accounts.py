"""Market watches an account the broker lists while riskd runs, from its search every
ACCOUNTS_EVERY (no reconnect needed: a live firm's new account) as from a reconcile's
(tests/integration/test_new_broker_account_guarded.py, the trial17a section 5 story): published
for risk, subscribed on the open user hub, read by a reconcile once subscribed. The worker's
loop driven by hand (tests/unit/market/test_stale_feed.py's rig)."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from services.market.app import ACCOUNTS_EVERY
from services.market.brokerio import RestDone
from shared.clock import FakeClock
from shared.messages.market import AccountUpdate
from shared.projectx.models import Account
from shared.projectx.realtime import USER_HUB, HubAck
from tests.unit.market.test_stale_feed import FakeHub, worker


class Hub(FakeHub):
    def __init__(self) -> None:
        super().__init__()
        self.invoked: list = []

    def invoke(self, gen, method, args) -> bool:
        self.invoked.append((method, args))
        return True


def account(aid: int) -> Account:
    return Account(id=aid, name=f"SIM-{aid}", balance=Decimal(50_000), can_trade=True)


def test_the_periodic_account_search_adopts_a_new_account():
    clock = FakeClock()
    w = worker(clock)
    w.hubs[USER_HUB] = hub = Hub()
    # the config's accounts and the alert's publisher (test_new_account_alert.py: its alert)
    w.config, w.pub = SimpleNamespace(accounts=[]), SimpleNamespace(publish=lambda *_a: None)
    w.account_ids, w.reconciled, w.reconciling = [1001], True, False
    w.subs_unconfirmed, w.reconciled_gen, w.reconcile_again = 0, 1, False
    w.contracts_asked, w.touched = set(), set()
    w.calendar.start_of = lambda _day: 0
    w._check_accounts()
    assert w.rest.jobs[-1] == ("accounts_check", None), w.rest.jobs
    w._done_accounts_check(RestDone(job="accounts_check",
                                    result=[account(1001), account(1003)]))
    assert w.account_ids == [1001, 1003]
    assert [m.account_id for m in w.published if isinstance(m, AccountUpdate)] == [1003]
    assert ("SubscribeTrades", [1003]) in hub.invoked and \
        ("SubscribeAccounts", []) not in hub.invoked, hub.invoked
    jobs = len(w.rest.jobs)
    for method, _args in hub.invoked:       # the hub confirms each: a reconcile reads 1003
        w._dispatch_item(HubAck(USER_HUB, 1, method))
    assert w.rest.jobs[jobs:] == [("reconcile", None)], w.rest.jobs
    # the same list again: nothing new
    w._done_accounts_check(RestDone(job="accounts_check", result=[account(1001), account(1003)]))
    assert w.account_ids == [1001, 1003]
    assert ACCOUNTS_EVERY <= 60


class Client:
    """The REST client as the account check's job sees it: a token or none."""

    def __init__(self, token):
        self.token, self.calls = token, []

    def search_accounts(self, only_active: bool = True):
        self.calls.append("search_accounts")     # with no token: a login first (rest.py)
        return [account(1001)]


def test_the_account_check_does_not_log_in_with_a_key_the_broker_refused():
    """With no token (the broker refused the login: the hubs retry it once a minute) the
    account check makes no call: its search logged in with the refused key besides the hubs'
    logins (test_token_refused under load: 3 logins where 2 were due)."""
    clock = FakeClock()
    w = worker(clock)
    jobs = []
    w.rest.submit = lambda job, fn, tag=None: jobs.append((job, fn))
    w.account_ids, w.reconciled = [1001], True
    w._check_accounts()
    [(job, fn)] = jobs
    refused, fresh = Client(None), Client("a-token")
    assert fn(refused) is None and refused.calls == []
    w._done_accounts_check(RestDone(job=job, result=None))       # no check: nothing changes
    assert w.account_ids == [1001]
    assert fn(fresh) == [account(1001)] and fresh.calls == ["search_accounts"]
