"""Risk's notice about an account waits behind that account's step alert.

Trial 2026-12-06: a self-lockout's flatten refused because the market was closed; risk said
"⏳ Waiting: flatten (MNQ long 1) on Demo 1 waits for the market to open" (services/risk/
marketwait.py) as soon as enforcement's 'accepted' result came back, within the 100 ms notify
holds a step's lockout and breaches to make one alert of them (services/notify/steps.py). The
notice was queued at once, so the phone read "waiting to close" before "🔒 Demo 1 locked until
...". A notice about an account whose step is held now goes behind it, as enforcement's results
do; one about an account with no step held, or about no account, is queued at once.
(tests/integration/test_phone_market_closed.py checks the order on the phone.)"""
from __future__ import annotations

from types import SimpleNamespace

from services.notify.app import NotifyWorker
from shared.clock import FakeClock
from shared.messages.notify import NotifyEvent

S = 1_000_000_000
T0 = 1_764_900_000 * S


def waiting(account_id=1001):
    return NotifyEvent(kind="action_waiting", severity="warning",
                       title="⏳ Waiting: flatten (MNQ long 1) on Demo 1 waits for the market "
                             "to open", account="Demo 1", account_id=account_id, ts_ns=T0)


def worker(held_account: int):
    queued = []
    w = SimpleNamespace(
        _market_waited={}, _accepted={}, _behind={}, clock=FakeClock(T0), queued=queued,
        steps=SimpleNamespace(holds=lambda a: a == held_account),
        outbox=SimpleNamespace(hold=lambda _frame: 7, decided=lambda _id: False),
        _build=lambda msg: msg, queue=lambda alert, *_a, **_k: queued.append(alert),
        supervisor=SimpleNamespace(stopping=lambda: None))
    return w


def test_a_notice_of_an_account_whose_step_is_held_waits_behind_it():
    w = worker(held_account=1001)
    NotifyWorker._take(w, waiting())
    assert w.queued == []
    assert w._behind == {1001: [(waiting(), 7)]}


def test_a_notice_of_another_account_or_of_none_is_queued_at_once():
    w = worker(held_account=1002)
    NotifyWorker._take(w, waiting())
    everyone = NotifyEvent(kind="config_reloaded", title="config reloaded")
    w2 = worker(held_account=1001)
    NotifyWorker._take(w2, everyone)
    assert w.queued == [waiting()] and w._behind == {}
    assert w2.queued == [everyone] and w2._behind == {}
