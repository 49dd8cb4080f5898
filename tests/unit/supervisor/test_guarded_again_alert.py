"""After an alert said "accounts are still NOT guarded", the phone hears when they are guarded
again (trial18a section 3: market's and risk's "back" alerts said "..., but accounts are still
NOT guarded: broker user hub connecting, broker market hub connecting" and nothing followed;
a hub that connects after the "back" alert's 15 s wait left "still NOT guarded" as the phone's
last word). Once, at the owing alert's severity; not when another alert said it already.

The supervisor built and bound as riskd builds it (nothing started), its pass over the workers
(tick) run as its loop runs it, the hub states taken as its SUB hands them over."""
from __future__ import annotations

import pytest

from services.supervisor.app import Supervisor
from tests.support.env import make_config
from tests.unit.supervisor.bound import bound_supervisor, hubs

pytestmark = pytest.mark.timeout(60)

GUARDS = ("market", "risk", "enforcement")
KILLED = "crashed: killed by signal 9 (SIGKILL)"


@pytest.fixture
def sup(tmp_path):
    with bound_supervisor(make_config(tmp_path, workers=[*GUARDS, "notify"])) as s:
        # the "back" alert's wait for the guard (15 s) is not what is tested: it is over at once
        s.back.guard_wait_ns = 0
        yield s


def back_still_not_guarded(sup: Supervisor) -> None:
    now = sup.clock.now_ns()
    for name in GUARDS:
        sup.guard.worker(name, True, now)
    hubs(sup, "connecting")
    sup.back.down("market", now - 2 * 10**9, KILLED)
    sup.back.up("market", now - 10**9)
    sup.tick()
    assert [a.title for a in sup.sent] == [
        "🟢 Worker market is back after 1s down, but accounts are still NOT guarded: "
        "broker user hub connecting, broker market hub connecting"]


def test_guarded_again_follows_a_back_alert_that_said_still_not_guarded(sup):
    back_still_not_guarded(sup)
    hubs(sup, "connected")
    sup.tick()
    sup.tick()
    again = [a for a in sup.sent[1:]]
    assert len(again) == 1, [a.title for a in sup.sent]
    assert again[0].title.startswith("🟢 Accounts are guarded again after "), again[0]
    assert again[0].title.endswith(" unguarded")
    assert again[0].severity == sup.sent[0].severity == "info"
    assert "said they were still NOT guarded: broker user hub connecting, broker market hub " \
           "connecting; that has ended" in again[0].lines[0], again[0].lines


def test_no_second_guarded_again_when_another_back_alert_said_it(sup):
    back_still_not_guarded(sup)
    now = sup.clock.now_ns()
    sup.back.down("risk", now - 10**9, KILLED)
    sup.guard.worker("risk", False, now)
    hubs(sup, "connected")
    sup.guard.worker("risk", True, now)
    sup.back.up("risk", now)
    sup.tick()
    sup.tick()
    assert [a.title for a in sup.sent[1:]] == [
        "🟢 Worker risk is back after 1s down: accounts are guarded again"]
