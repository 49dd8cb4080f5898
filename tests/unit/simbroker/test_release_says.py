"""`/sim/release` (`riskctl sim release`) answers what the held calls really did.

Fresh-user trial 19b, section 11: after a sim restart, `sim fail Position/closeContract
--status 200 --delay 90 --hold --account 1001`; riskd's close was held and timed out, its retry
closed; the trader bought again and `riskctl sim release` said "its held calls are carried out
and answered", yet the position stayed open and the held call was never answered, not even at
its 90 s cap. The held close had come from an enforcement thread whose token was from before
the restart: the sim held it without checking the token, and answered 401 (doing nothing) once
it was let go; the release answered before anything ran. Now the token is checked when the
call comes (as at the gateway: a stale one is refused at once, the hold kept for the next
call), and the release answers once the calls it let go are carried out, with what each did.
"""
from __future__ import annotations

import json
import threading
import time

from services.simbroker.controls import Controls
from services.simbroker.gateway import Gateway
from shared.config.sections import SimConfig
from shared.clock import FakeClock
from tests.unit.simbroker.conftest import MNQ
from tests.unit.simbroker.test_wire import _login

CLOSE = "/api/Position/closeContract"
BODY = json.dumps({"accountId": 1001, "contractId": MNQ}).encode()


def _gateway(clock, secret: bytes = b"s" * 32) -> Gateway:
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", clock, secret=secret)
    g.market.set_last(MNQ, 21000)
    return g


def _buy(g, auth) -> None:
    g.api_call("/api/Order/place", auth, json.dumps(
        {"accountId": 1001, "contractId": MNQ, "type": 2, "side": 0, "size": 1}).encode())


def _open(g, auth) -> list:
    return json.loads(g.api_call("/api/Position/searchOpen", auth,
                                 json.dumps({"accountId": 1001}).encode()).body)["positions"]


def _controls(g) -> Controls:
    return Controls(g, hubs=None, info={})


def _arm_hold(controls, delay: float = 30) -> None:
    doc = json.loads(controls.handle("POST", "/sim/fail", json.dumps(
        {"endpoint": CLOSE, "status": 200, "delay": delay, "hold": True,
         "accountId": 1001}).encode()).body)
    assert doc["success"], doc


def _release(controls) -> dict:
    return json.loads(controls.handle("POST", "/sim/release",
                                      json.dumps({"endpoint": CLOSE}).encode()).body)


def _call_in_thread(g, auth, answers: list) -> threading.Thread:
    t = threading.Thread(target=lambda: answers.append(g.api_call(CLOSE, auth, BODY)))
    t.start()
    return t


def test_a_close_with_a_token_from_before_a_sim_restart_is_refused_at_once_not_held():
    """The trial's race, made to happen: the sim restarts (a new secret) between an
    enforcement thread's login and its next close; that close comes while a hold is armed."""
    clock = FakeClock()
    before = _gateway(clock, secret=b"a" * 32)
    stale = _login(before)                     # the thread's token, from the previous sim
    g = _gateway(clock, secret=b"b" * 32)      # the sim after its restart
    trader = _login(g)
    _buy(g, trader)
    controls = _controls(g)
    _arm_hold(controls)
    answers: list = []
    t = _call_in_thread(g, stale, answers)
    t.join(2)
    assert answers and answers[0].status == 401, \
        "a call with a stale token was held (the old sim: answered 401 only once released)"
    assert g.faults.armed()[CLOSE]["hold"] is True, "the refused call used up the hold"
    fresh = _login(g)                          # riskd logs in again and sends the close again
    answers.clear()
    t = _call_in_thread(g, fresh, answers)
    time.sleep(0.3)
    assert not answers and len(_open(g, trader)) == 1, "the authorized close was not held"
    doc = _release(controls)
    t.join(5)
    assert doc["released"] == CLOSE and doc["earlier"] == [], doc
    [call] = doc["calls"]
    assert call["account"] == 1001 and call["contractId"] == MNQ, call
    assert call["letGoBy"] == "release" and call["finished"] is True, call
    assert call["tookEffect"] is True and call["status"] == 200 and call["errorCode"] == 0, call
    assert _open(g, trader) == [], "release said it was carried out: the position is gone"


def test_release_says_a_held_close_that_found_nothing_to_close_changed_nothing():
    clock = FakeClock()
    g = _gateway(clock)
    auth = _login(g)
    controls = _controls(g)
    _arm_hold(controls)
    answers: list = []
    t = _call_in_thread(g, auth, answers)      # nothing open: the broker refuses it
    time.sleep(0.3)
    doc = _release(controls)
    t.join(5)
    [call] = doc["calls"]
    assert call["finished"] is True and call["tookEffect"] is False, call
    assert call["errorCode"] == 2 and "no open position" in call["errorMessage"], call


def test_a_second_hold_armed_meanwhile_does_not_orphan_the_held_call():
    """Old sim: arming a hold again replaced the one event every held call waited on, so the
    release let go only calls that came after it; the first waited for its cap."""
    clock = FakeClock()
    g = _gateway(clock)
    auth = _login(g)
    _buy(g, auth)
    controls = _controls(g)
    _arm_hold(controls)
    answers: list = []
    t = _call_in_thread(g, auth, answers)
    time.sleep(0.3)
    _arm_hold(controls)                        # the next close is to be held too
    doc = _release(controls)
    t.join(2)
    assert answers and json.loads(answers[0].body)["success"] is True, \
        "the held call was not let go by the release"
    assert [c["tookEffect"] for c in doc["calls"]] == [True], doc
    assert g.faults.armed()[CLOSE]["hold"] is True         # the second hold waits for its call


def test_no_call_held_is_said_and_one_its_cap_let_go_is_said_by_the_next_release():
    clock = FakeClock()
    g = _gateway(clock)
    auth = _login(g)
    _buy(g, auth)
    controls = _controls(g)
    assert _release(controls)["calls"] == []
    _arm_hold(controls, delay=0.2)
    answers: list = []
    _call_in_thread(g, auth, answers).join(5)  # its cap lets it go: carried out, no release
    assert json.loads(answers[0].body)["success"] is True
    doc = _release(controls)
    assert doc["calls"] == [], doc
    [earlier] = doc["earlier"]
    assert earlier["letGoBy"] == "cap" and earlier["tookEffect"] is True, earlier
    assert _release(controls)["earlier"] == [], "said once"


def test_release_lines_say_what_each_call_did():
    from cli.commands._sim_faults import release_lines
    labels = {1001: "Demo 1 (id 1001)"}
    took = {"account": 1001, "contractId": MNQ, "heldSeconds": 18.2, "finished": True,
            "status": 200, "errorCode": 0, "errorMessage": None, "tookEffect": True}
    refused = dict(took, errorCode=2, errorMessage="no open position in X on account 1001",
                   tookEffect=False)
    lost = dict(took, status=401, errorCode=None, tookEffect=False)
    pending = dict(took, finished=False, status=None, errorCode=None, tookEffect=False)
    assert release_lines(CLOSE, [took, refused, lost, pending], [], labels) == [
        f"released 4 held calls of {CLOSE}:",
        f"  Demo 1 (id 1001) MNQ ({MNQ}), held 18.2 s: carried out, it took effect",
        f"  Demo 1 (id 1001) MNQ ({MNQ}), held 18.2 s: carried out, refused by the broker: "
        f"no open position in X on account 1001 (error 2); it changed nothing",
        f"  Demo 1 (id 1001) MNQ ({MNQ}), held 18.2 s: NOT carried out: the sim answered it "
        f"HTTP 401",
        f"  Demo 1 (id 1001) MNQ ({MNQ}), held 18.2 s: let go, but not carried out yet when "
        f"the sim answered (see `riskctl sim positions`)"]
    assert release_lines(CLOSE, [], [dict(took, heldSeconds=90.0)], labels) == [
        f"no call of {CLOSE} was held: nothing was released",
        f"before this release, 1 held call of {CLOSE} went on by itself at its cap (--delay):",
        f"  Demo 1 (id 1001) MNQ ({MNQ}), held 90 s: carried out, it took effect"]
