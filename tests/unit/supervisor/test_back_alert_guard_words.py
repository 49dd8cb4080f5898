"""A "back" alert says either that the accounts are guarded again or that they are still NOT
guarded, never both, and counts the unguarded time from when they really became unguarded;
the sim broker's "back" speaks of guarding as market's does.

Trial18b section 5: the broker dropped riskd (sim disconnect) at 03:22:51, market was killed
at 03:22:53; at 03:23:10 "🟢 Worker market is back after 1.7s down ..., but accounts are still
NOT guarded: broker user hub connecting, ..." with the line "accounts were unguarded 16s
(riskctl status counts the same): from its going down, 16s ago, until they were guarded
again" (they were not yet, and status counted from the drop, 2 s earlier); the "guarded
again after 35s" that followed was right. Section 6: `kill -9` of the sim broker: status said
NOT GUARDED and counted it, but its "back" said nothing of guarding.

The supervisor built and bound as riskd builds it (nothing started), on a clock the test
moves, its pass over the workers (tick) run as its loop runs it, the hub states taken as its
SUB hands them over (_guard_changed)."""
from __future__ import annotations

import pytest

from services.supervisor.app import Supervisor
from shared.clock import FakeClock
from tests.support.env import make_config
from tests.unit.supervisor.bound import bound_supervisor, hubs

pytestmark = pytest.mark.timeout(60)

S = 10**9
GUARDS = ("market", "risk", "enforcement")
KILLED = "crashed: killed by signal 9 (SIGKILL)"


@pytest.fixture
def sup(tmp_path):
    clock = FakeClock(1_765_000_000 * S)
    # the shipped worker set: the sim broker is riskd's own broker (broker.kind = "sim")
    with bound_supervisor(make_config(tmp_path, workers=["simbroker", "logging", "notify",
                                                         *GUARDS]), clock) as s:
        for name in GUARDS:                 # everything runs and is connected: guarded
            s.guard.worker(name, True, clock.now_ns())
        hubs(s, "connected")
        assert s.guard.reasons() == () and s.guard.open_gap is None
        yield s


def wait(sup: Supervisor, seconds: float) -> None:
    sup.clock.advance(seconds)


def market_killed_after_the_broker_dropped_riskd(sup: Supervisor) -> None:
    """As trial18b section 5: the broker drops riskd, 2 s later market is killed, it is up
    again 1.7 s later and reconnecting its hubs."""
    hubs(sup, "reconnecting")                           # the sim's disconnect
    wait(sup, 2)
    now = sup.clock.now_ns()
    sup.guard.worker("market", False, now)              # kill -9 market
    sup.back.down("market", now, KILLED)
    wait(sup, 1.7)
    sup.guard.worker("market", True, sup.clock.now_ns())
    sup.back.up("market", sup.clock.now_ns())
    hubs(sup, "connecting")


def test_still_not_guarded_never_says_guarded_again_and_counts_from_the_drop(sup):
    market_killed_after_the_broker_dropped_riskd(sup)
    wait(sup, 15.3)                                     # the back alert's 15 s wait
    sup.tick()
    [back] = sup.sent
    assert back.title == ("🟢 Worker market is back after 1.7s down, but accounts are still NOT "
                          "guarded: broker user hub connecting, broker market hub connecting")
    assert not any("guarded again" in line and "until" in line for line in back.lines), back.lines
    assert back.lines[-1] == (
        "accounts have been unguarded 19s so far (riskctl status counts the same), from 2s "
        "before its going down (broker user hub reconnecting), 19s ago; the 1.7s down is how "
        "long the process was not running; an alert follows when they are guarded again"), \
        back.lines
    wait(sup, 3)
    hubs(sup, "connected")
    sup.tick()
    assert sup.sent[-1].title == "🟢 Accounts are guarded again after 22s unguarded", \
        [a.title for a in sup.sent]


def test_guarded_again_counts_from_when_the_accounts_became_unguarded(sup):
    market_killed_after_the_broker_dropped_riskd(sup)
    wait(sup, 3.3)
    hubs(sup, "connected")                              # within the back alert's wait
    sup.tick()
    [back] = sup.sent
    assert back.title == "🟢 Worker market is back after 1.7s down: accounts are guarded again"
    assert back.lines[-1] == (
        "accounts were unguarded 7s (riskctl status counts the same): from 2s before its going "
        "down (broker user hub reconnecting), 7s ago, until they were guarded again; the 1.7s "
        "down is how long the process was not running"), back.lines


def sim_killed(sup: Supervisor) -> None:
    """kill -9 of the sim broker: market's hubs drop; the sim is up again 2.5 s later."""
    now = sup.clock.now_ns()
    sup.back.down("simbroker", now, KILLED)
    hubs(sup, "reconnecting")
    wait(sup, 2.5)
    sup.back.up("simbroker", sup.clock.now_ns())


def test_the_sim_brokers_back_says_the_accounts_are_guarded_again(sup):
    sim_killed(sup)
    wait(sup, 1)
    sup.tick()
    assert sup.sent == [], "its back waits for the guard, as market's does"
    wait(sup, 0.5)
    hubs(sup, "connected")
    sup.tick()
    [back] = sup.sent
    assert back.title == "🟢 Worker simbroker is back after 2.5s down: accounts are guarded again"
    assert back.lines == [
        "simbroker was down: crashed: killed by signal 9 (SIGKILL)",
        "accounts were unguarded 4s (riskctl status counts the same): from its going down, 4s "
        "ago, until they were guarded again; the 2.5s down is how long the process was not "
        "running"], back.lines


def test_the_sim_brokers_back_says_still_not_guarded_and_guarded_again_follows(sup):
    sim_killed(sup)
    wait(sup, 15)
    sup.tick()
    [back] = sup.sent
    assert back.title == ("🟢 Worker simbroker is back after 2.5s down, but accounts are still "
                          "NOT guarded: broker user hub reconnecting, broker market hub "
                          "reconnecting"), back.title
    wait(sup, 5)
    hubs(sup, "connected")
    sup.tick()
    assert sup.sent[-1].title == "🟢 Accounts are guarded again after 22s unguarded", \
        [a.title for a in sup.sent]


def test_a_worker_that_neither_guards_nor_is_the_broker_says_nothing_of_guarding(sup):
    sup.back.down("logging", sup.clock.now_ns(), KILLED)
    wait(sup, 1)
    sup.back.up("logging", sup.clock.now_ns())
    wait(sup, 1)
    sup.tick()
    [back] = sup.sent
    assert back.title == "🟢 Worker logging is back after 1s down"
    assert back.lines == ["logging was down: crashed: killed by signal 9 (SIGKILL)"]


def test_a_hung_worker_counts_from_its_last_sign_of_life_and_says_so(sup):
    """A worker killed as hung was no guard from its last sign of life (guard.worker since_ns):
    the count starts there, and the line says it is that, not some other reason."""
    wait(sup, 5)
    now = sup.clock.now_ns()
    sup.guard.worker("risk", False, now, since_ns=now - 5 * S)    # silent 5 s, then killed
    sup.back.down("risk", now, "crashed: killed by the supervisor as hung")
    wait(sup, 1)
    sup.guard.worker("risk", True, sup.clock.now_ns())
    sup.back.up("risk", sup.clock.now_ns())
    sup.tick()
    [back] = sup.sent
    assert back.title == "🟢 Worker risk is back after 1s down: accounts are guarded again"
    assert back.lines[-1] == (
        "accounts were unguarded 6s (riskctl status counts the same): from 5s before its going "
        "down (its last sign of life), 6s ago, until they were guarded again; the 1s down is "
        "how long the process was not running"), back.lines
