"""`/sim/fail` with status 200 and a delay: a slow but successful call (trial13a: the tester
could not simulate a close that works late; /sim/fail answered "expected an HTTP status from
400 to 599, got 200"). The call is carried out after the delay and answered as usual: until
then the position is still open, and the call is not counted as failed."""
from __future__ import annotations

import json
import threading
import time

import pytest

from services.simbroker.faults import Faults
from services.simbroker.gateway import Gateway
from shared.config.sections import SimConfig
from tests.unit.simbroker.conftest import MNQ
from tests.unit.simbroker.test_wire import _login

CLOSE = "/api/Position/closeContract"


def _open(g, auth) -> list:
    doc = json.loads(g.api_call("/api/Position/searchOpen", auth,
                                json.dumps({"accountId": 1001}).encode()).body)
    return doc["positions"]


def test_a_close_that_works_after_a_delay_is_done_late_and_answered_as_usual(clock):
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock)
    auth = _login(g)
    g.market.set_last(MNQ, 21000)
    g.api_call("/api/Order/place", auth, json.dumps(
        {"accountId": 1001, "contractId": MNQ, "type": 2, "side": 0, "size": 1}).encode())
    g.faults.arm(CLOSE, 200, 1, delay=0.6)
    answer: dict = {}

    def close():
        started = time.monotonic()
        answer["r"] = g.api_call(CLOSE, auth, json.dumps(
            {"accountId": 1001, "contractId": MNQ}).encode())
        answer["took"] = time.monotonic() - started
    t = threading.Thread(target=close)
    t.start()
    time.sleep(0.2)
    assert len(_open(g, auth)) == 1, "closed before its delay"      # the sim goes on meanwhile
    t.join(5)
    r = answer["r"]
    assert r.status == 200 and json.loads(r.body)["success"] is True, r.body
    assert answer["took"] >= 0.6
    assert _open(g, auth) == []
    counts = g.faults.counts()
    assert counts["failed"] == {} and counts["tookEffect"][CLOSE] == 1, counts
    assert g.faults.armed() == {}


def test_status_200_needs_a_delay_or_a_body(clock):
    f = Faults(clock)
    with pytest.raises(ValueError, match="slow success: give its delay"):
        f.arm(CLOSE, 200, 1)
    f.arm(CLOSE, 200, 1, body="<html>")                  # a garbled 200: a failure, as before
    f.arm(CLOSE, 200, 1, delay=2.0)
    assert f.armed()[CLOSE]["status"] == 200 and f.armed()[CLOSE]["delay"] == 2.0
    with pytest.raises(ValueError, match="from 400 to 599"):
        f.arm(CLOSE, 302, 1, delay=1.0)


def test_a_held_close_waits_for_its_release_however_long_that_takes(clock):
    """`hold`: the slow success waits for /sim/release, not for a time (a test holds riskd's
    cut in flight until it has restarted notify, however slow the machine:
    tests/integration/test_bought_while_locked_in_a_reduce.py); its delay is only the
    longest wait."""
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock)
    auth = _login(g)
    g.market.set_last(MNQ, 21000)
    g.api_call("/api/Order/place", auth, json.dumps(
        {"accountId": 1001, "contractId": MNQ, "type": 2, "side": 0, "size": 1}).encode())
    g.faults.arm(CLOSE, 200, 1, delay=30, hold=True)
    g.hold(CLOSE)
    answer: dict = {}
    t = threading.Thread(target=lambda: answer.setdefault("r", g.api_call(
        CLOSE, auth, json.dumps({"accountId": 1001, "contractId": MNQ}).encode())))
    t.start()
    time.sleep(0.5)
    assert len(_open(g, auth)) == 1 and "r" not in answer, "carried out before its release"
    g.release(CLOSE)
    t.join(5)
    assert json.loads(answer["r"].body)["success"] is True, answer["r"].body
    assert _open(g, auth) == []
    with pytest.raises(ValueError, match="hold is for a slow success only"):
        g.faults.arm(CLOSE, 503, 1, delay=1.0, hold=True)
