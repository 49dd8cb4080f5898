"""Risk publishes the accounts' statuses in slices, reading the market between them.

Scale bench, 2026-12-06: one round of 100 accounts' statuses (5 a second, every account changed
by a quote storm) held risk's loop ~50 ms while a breach's fill waited; at 500 accounts, risk's
lag behind a fill reached 850 ms. Now a round publishes at most STATUS_SLICE_S, then hands the
loop back (after(0): the poll reads the sockets before the next slice); a tick that comes while
a round is under way starts no second round, and every changed account is still published once.
"""
from __future__ import annotations

import pytest

import services.risk.app as risk_app
from shared.worker import ONCE
from tests.unit.risk.worker_rig import risk_worker

pytestmark = pytest.mark.timeout(30)

ACCOUNTS = [{"id": 5000 + k, "name": f"ACC-{k}"} for k in range(12)]


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
