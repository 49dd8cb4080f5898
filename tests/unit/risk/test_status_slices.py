"""Risk publishes the accounts' statuses in slices, reading the market between them.

Scale bench, 2026-12-06: one round of 100 accounts' statuses (5 a second, every account changed
by a quote storm) held risk's loop ~50 ms while a breach's fill waited; at 500 accounts, risk's
lag behind a fill reached 850 ms. Now a round publishes at most STATUS_SLICE_S, then hands the
loop back (after(0): the poll reads the sockets before the next slice); a tick that comes while
a round is under way starts no second round, and every changed account is still published once.
"""
from __future__ import annotations

import time

import pytest
import zmq

import services.risk.app as risk_app
from shared.worker import ONCE
from tests.unit.risk.worker_rig import risk_worker

pytestmark = pytest.mark.timeout(30)

ACCOUNTS = [{"id": 5000 + k, "name": f"ACC-{k}"} for k in range(12)]


def watcher(w, prefix: bytes = b"status."):
    """A SUB on the worker's PUB subscribed to `prefix`, as riskctl watch; returned once the
    worker has read the subscription (its hook run, as its loop would)."""
    sub = zmq.Context.instance().socket(zmq.SUB)     # not the worker's: its term waits for it
    sub.setsockopt(zmq.LINGER, 0)
    sub.connect(w.config.bus.pub(w.name))
    sub.setsockopt(zmq.SUBSCRIBE, prefix)
    deadline = time.monotonic() + 10
    while prefix.decode() not in w.pub.subscribed:
        assert time.monotonic() < deadline, "the subscription never reached risk's PUB"
        w.pub.sock.poll(100)
        w.on_subscribed(w.pub.subscriptions())
    return sub


def left(w, sub, prefix: str = "status.") -> None:
    """The watcher's connection ends; returned once the worker's PUB has read it."""
    sub.close(0)
    deadline = time.monotonic() + 10
    while prefix in w.pub.subscribed:
        assert time.monotonic() < deadline, "the unsubscription never reached risk's PUB"
        w.pub.sock.poll(100)
        w.on_subscribed(w.pub.subscriptions())


def test_a_round_of_statuses_hands_the_loop_back_between_slices(tmp_path, monkeypatch):
    # a slice of 0 s: one account per slice, so the slicing is seen without timing
    monkeypatch.setattr(risk_app, "STATUS_SLICE_S", 0.0)
    with risk_worker(tmp_path, ACCOUNTS) as (w, _path, _backups, _sent):
        published: list[str] = []
        publish = w.pub.publish

        def recorded(topic, msg):
            if topic.startswith("status."):
                published.append(topic)
            return publish(topic, msg)
        monkeypatch.setattr(w.pub, "publish", recorded)
        sub = watcher(w)
        w._status_round.clear()
        w._status_dirty = {a["id"] for a in ACCOUNTS}

        def continuations() -> int:
            return sum(1 for t in w._timers if t[2] is ONCE and t[3] == w._status_slice)

        w._publish_status()
        # put back (the old loop over every changed account, STATUS_SLICE_S kept): 12
        # published here and no continuation: this fails
        assert len(published) == 1 and continuations() == 1
        w._status_dirty.add(ACCOUNTS[0]["id"])         # changed again meanwhile
        w._publish_status()                            # the next tick: the round goes on
        assert len(published) == 1 and continuations() == 1
        for _ in range(len(ACCOUNTS) - 1):
            w._timers = [t for t in w._timers if t[3] != w._status_slice]
            w._status_slice()                          # what after(0) runs, loop round by round
        assert sorted(published) == sorted(f"status.{a['id']}" for a in ACCOUNTS)
        assert continuations() == 0 and not w._status_round
        w._publish_status()                            # the next round: what changed meanwhile
        assert published[-1] == f"status.{ACCOUNTS[0]['id']}" and len(published) == 13
        sub.close(0)


def test_no_status_is_made_while_nobody_watches(tmp_path, monkeypatch):
    """Scale bench, 2026-12-06: risk made every changed account's status 5 times a second for
    nobody (riskctl watch is the only reader): at 500 accounts in a storm about a third of its
    time. Now none is made while no subscription covers them; a watch that joins gets every
    account's at the next tick; one that leaves stops them again. Put back (statuses made
    whatever the subscriptions): the first assertion fails."""
    made: list[int] = []
    real = risk_app.account_status
    monkeypatch.setattr(risk_app, "account_status",
                        lambda engine, aid, now: made.append(aid) or real(engine, aid, now))
    with risk_worker(tmp_path, ACCOUNTS) as (w, _path, _backups, _sent):
        w._status_dirty = {a["id"] for a in ACCOUNTS}
        w._publish_status()
        assert made == [] and not w._status_dirty and not w._status_round
        sub = watcher(w)                           # riskctl watch opens
        w._publish_status()
        while w._status_round:
            w._status_slice()
        assert sorted(made) == sorted(a["id"] for a in ACCOUNTS)
        made.clear()
        one = watcher(w, b"status.5003")           # a screen of one account, beside it
        left(w, sub)                               # the first screen closes; "status.5003"
        assert w.pub.subscribed == {"status.5003"}, w.pub.subscribed
        w._status_dirty = {a["id"] for a in ACCOUNTS}
        w._publish_status()
        while w._status_round:
            w._status_slice()
        assert made == [5003]
        left(w, one, "status.5003")
        made.clear()
        w._status_dirty = {5003}
        w._publish_status()
        assert made == []
