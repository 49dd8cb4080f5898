"""The supervisor says why a worker cannot take a forwarded request (fresh-user trial
2026-12-05: `riskctl positions` while market restarted printed "market is not reachable (not
running?) [unreachable]"; then riskctl re-worded it with a regex and a second request). The
supervisor knows the worker's state, its crashes, when it starts again and who stopped it, so
the reply's reason is the sentence riskctl and the Telegram commands show. A fake monotonic
time drives the restart policy; the forwarder is a real DEALER with nobody listening."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
import zmq

from services.supervisor.app import Slot
from services.supervisor.forward import Forwarder
from services.supervisor.policy import PolicySettings
from services.supervisor.unreachable import unreachable_reason
from shared.clock import to_ns
from shared.messages.market import PositionsRequest
from tests.support.ports import free_ports

pytestmark = pytest.mark.timeout(30)

CHICAGO = ZoneInfo("America/Chicago")
NOW_NS = to_ns(dt.datetime(2026, 12, 5, 21, 5, 0, tzinfo=CHICAGO))
SETTINGS = PolicySettings()           # the shipped restart policy
HINT = "(`riskctl status` shows what riskd runs)"


def market(t: float = 0.0) -> Slot:
    """market as riskd starts it: wanted, spawned and running at t."""
    slot = Slot("market", "services.market", SETTINGS)
    slot.policy.want_start(t)
    slot.policy.spawned(t)
    slot.policy.alive(t + 0.5)
    return slot


def said(slot: Slot, now: float) -> str:
    return unreachable_reason(slot, now, NOW_NS, CHICAGO)


def test_a_worker_an_operator_stopped_says_who_when_and_how_to_start_it():
    slot = market()
    slot.stopped_ns = to_ns(dt.datetime(2026, 12, 5, 21, 3, 10, tzinfo=CHICAGO))
    slot.stopped_by = "admin:ana"
    slot.policy.want_stop()
    # who may start it, not only the command: a trader reads these words too (trial
    # 2026-12-05: "`riskctl start risk` starts it" told a trader to run what they cannot)
    assert said(slot, 10.0) == ("market is stopping: admin:ana stopped it at Sat 21:03:10 CST; "
                                "an admin or ops can start it once it has stopped "
                                f"(`riskctl start market`) {HINT}")
    slot.policy.exited(11.0, 0, "exited with code 0")
    assert said(slot, 12.0) == ("market is stopped: admin:ana stopped it at Sat 21:03:10 CST; "
                                "it stays stopped until an admin or ops starts it "
                                f"(`riskctl start market`) {HINT}")
    slot.stopped_by = ""                  # no passwords set: no session names the operator
    assert "an operator stopped it at Sat 21:03:10 CST" in said(slot, 12.0)


def test_a_crashed_worker_is_restarting_with_its_attempt_and_when_to_try_again():
    slot = market()
    slot.policy.exited(100.0, 1, "exited with code 1")        # first crash: restarts at once
    slot.policy.spawned(100.0)
    assert said(slot, 100.2) == ("market is restarting after a crash (attempt 1): try again in "
                                 f"a few seconds {HINT}")
    slot.policy.exited(101.0, 1, "exited with code 1")        # second: waits 1 s
    assert said(slot, 101.0) == ("market is restarting after a crash (exited with code 1; "
                                 f"attempt 2): try again in a few seconds {HINT}")
    t = 101.0
    for _ in range(3):            # each run lasts 20 s: not stable, not flapping; 2, 4, 8 s
        start = slot.policy.next_start_at
        slot.policy.spawned(start)
        t = start + 20
        slot.policy.exited(t, 1, "exited with code 1")
    assert slot.policy.state == "backoff"
    assert said(slot, t) == ("market is restarting after a crash (exited with code 1; "
                             f"attempt 5): riskd starts it again in 8s; try again then {HINT}")


def test_a_flapping_worker_says_it_keeps_crashing_and_how_long_riskd_waits():
    slot = market()
    t = 1.0
    for _ in range(SETTINGS.flapping_crashes - 1):
        slot.policy.exited(t, 1, "exited with code 1")
        t = slot.policy.next_start_at
        slot.policy.spawned(t)
        t += 0.1
    slot.policy.exited(t, 1, "exited with code 1")
    assert slot.policy.state == "flapping"
    assert said(slot, t + 8) == (
        "market keeps crashing (5 crashes within 60 s), so riskd waits 1m52s before it tries "
        f"again: `riskctl logs --process market` says why {HINT}")


def test_starting_at_boot_a_restart_and_running_each_have_their_words():
    slot = Slot("risk", "services.risk", SETTINGS)
    slot.policy.want_start(0.0)
    slot.policy.spawned(0.0)
    assert said(slot, 0.1) == f"risk is starting: try again in a few seconds {HINT}"
    slot.policy.alive(0.5)
    assert said(slot, 1.0) == f"risk did not answer; try again in a few seconds {HINT}"
    slot.policy.restart_requested()                           # riskctl restart risk
    slot.then_start = True
    slot.policy.want_stop()
    assert said(slot, 2.0) == ("risk is restarting (`riskctl restart`): try again in a few "
                               f"seconds {HINT}")


def test_the_forwarder_answers_with_the_supervisor_s_words_at_once():
    ctx = zmq.Context.instance()
    address = f"tcp://127.0.0.1:{free_ports(1)[0]}"         # nobody listens: market is down
    asked: list[tuple[str, bool]] = []

    def explain(worker: str, timed_out: bool) -> str:
        asked.append((worker, timed_out))
        return "market is stopped: `riskctl start market` starts it"
    forwarder = Forwarder(ctx, {"market": address}, explain=explain)
    try:
        got = []
        forwarder.send("market", PositionsRequest(), got.append)
        [reply] = got
        assert not reply.ok and reply.code == "unreachable"
        assert reply.reason == "market is stopped: `riskctl start market` starts it"
        assert asked == [("market", False)]
    finally:
        for sock in forwarder.sockets.values():
            sock.close(0)


def test_a_request_that_times_out_says_why_when_the_worker_went_meanwhile():
    ctx = zmq.Context.instance()
    pull = ctx.socket(zmq.ROUTER)                            # takes the request, never answers
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    words = {"market": "market is restarting after a crash (attempt 1): try again in a few "
                       "seconds"}
    forwarder = Forwarder(ctx, {"market": f"tcp://127.0.0.1:{port}"},
                          explain=lambda worker, timed_out: words[worker] if timed_out else "")
    try:
        got = []
        deadline = time.monotonic() + 5
        while True:                          # until the DEALER has connected: then it is sent
            got.clear()
            forwarder.send("market", PositionsRequest(), got.append, timeout=0.05)
            if not got:
                break
            assert time.monotonic() < deadline, "the forwarder never connected"
            time.sleep(0.02)
        time.sleep(0.1)
        forwarder.expire()
        [reply] = got
        assert reply.code == "timeout"
        assert reply.reason == ("market did not answer within 0.05 s: market is restarting "
                                "after a crash (attempt 1): try again in a few seconds")
    finally:
        for sock in forwarder.sockets.values():
            sock.close(0)
        pull.close(0)


def test_the_workers_table_says_who_stopped_a_worker_and_how_one_was_killed():
    """Trial 2026-12-06: after `kill -9` of risk, `riskctl workers` read "risk running 8000
    1.1s 2 -9", and a stopped worker "stopped - - 0 0 - exited with code 0": neither said what
    docs/alerts.md promises (killed by signal 9 (SIGKILL)), nor who stopped the worker and
    when, which the supervisor knows. Supervisor.info is driven with a fake self (its clock
    and the shipped display zone)."""
    from types import SimpleNamespace
    from cli.commands.workers import render_workers
    from services.supervisor.app import Supervisor
    from shared.config.load import load_config
    from tests.unit.risk.desk import SHIPPED
    config = load_config(SHIPPED).config
    sup = SimpleNamespace(config=config, clock=SimpleNamespace(monotonic=lambda: 12.0,
                                                               now_ns=lambda: NOW_NS))
    stopped = market()
    stopped.stopped_ns = to_ns(dt.datetime(2026, 12, 5, 21, 3, 10, tzinfo=CHICAGO))
    stopped.stopped_by = "admin:ana"
    stopped.policy.want_stop()
    stopped.policy.exited(11.0, 0, "exited with code 0")
    risk = Slot("risk", "services.risk", SETTINGS)
    risk.policy.want_start(0.0)
    risk.policy.spawned(0.0)
    risk.policy.alive(0.5)
    risk.policy.exited(10.0, -9)                  # kill -9: restarted at once
    risk.policy.spawned(10.5)
    risk.policy.alive(11.0)
    infos = [Supervisor.info(sup, s) for s in (stopped, risk)]
    assert infos[0].reason == "stopped by admin:ana at Sat 21:03:10 CST", infos[0]
    table = render_workers(infos)
    [m_row] = [ln for ln in table.splitlines() if ln.startswith("market ")]
    [r_row] = [ln for ln in table.splitlines() if ln.startswith("risk ")]
    assert "stopped by admin:ana at Sat 21:03:10 CST" in m_row, table
    assert "exited with code 0" in m_row and m_row.count("exited with code 0") == 1, table
    assert "killed by signal 9 (SIGKILL)" in r_row and " -9" not in r_row, table
