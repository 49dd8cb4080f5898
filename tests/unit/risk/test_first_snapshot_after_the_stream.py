"""Risk asks market for its first snapshot only once its SUB receives market's stream.

It asked at once as it started: on a loaded machine 8 of 20 starts then re-synced from a
second snapshot ("market stream gap (expected 8, got 10)" just after the first one; 1 of 20
asked this way, round 17). The messages risk read between market's answer and reading it were
buffered and replayed, but the answer set the stream's mark back to the snapshot's seq, so the
next message read as a gap (services/risk/app.py, setup). Trades made during that re-sync
reached risk as the second snapshot (the position before its fills), not as the events they
were: tests/integration/test_bought_while_locked_in_a_reduce.py, whose burst of buys made
while locked was then recorded otherwise (two make test runs of round 16). A market that
sends nothing is still asked, FIRST_ASK_WAIT after the start.

The real RiskWorker in this process on loopback sockets (tests/support/riskinprocess.py), the
stand-in market publishing a heartbeat as market does every second.
"""
from __future__ import annotations

import os
import time

from services.risk import app
from shared import topics
from shared.messages.system import Heartbeat
from tests.support.riskinprocess import risk_in_process


def one_round(w) -> None:
    """One poll round, as Worker.run does it."""
    for sock, _event in w.poller.poll(50):
        w._readers[sock]()


def test_the_first_snapshot_is_asked_once_markets_stream_is_heard(tmp_path):
    with risk_in_process(tmp_path) as (w, market):
        assert w.ask.attempts == 0 and not w.ask.waiting, \
            "the first snapshot asked before market's stream reached risk"
        deadline = time.monotonic() + 10
        while not w.ask.waiting:       # a PUB drops what it sends before the SUB has joined
            assert time.monotonic() < deadline, "market's heartbeat never reached risk"
            market.publish(topics.HEARTBEAT, Heartbeat(name="market", pid=os.getpid(),
                                                       started_ns=0, bad_frames=0))
            one_round(w)
        assert w.ask.attempts == 1


def test_a_silent_market_is_still_asked_after_the_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(app, "FIRST_ASK_WAIT", 0.0)
    with risk_in_process(tmp_path) as (w, _market):
        w._tick()
        assert w.ask.waiting and w.ask.attempts == 1
