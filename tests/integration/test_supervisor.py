"""The supervisor with real processes on loopback: restarts, flapping, clean stops, leftovers."""
from __future__ import annotations

import os
import signal
import time

import pytest
import zmq

from shared import codec
from shared.config import load_config
from shared.messages.control import WorkersRequest
from shared.messages.system import Reply
from tests.support.auth import audited, config_with_passwords, login
from tests.support.env import make_config, wait_for
from tests.support.procs import pid_alive, processes_using

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

BASE_WORKERS = ["logging", "notify", "enforcement"]
FAST_POLICY = {"backoff_initial": 0.2, "flapping_crashes": 5, "flapping_window": 60.0,
               "flapping_backoff": 60.0, "stop_timeout": 5.0}


def test_a_worker_killed_with_sigkill_runs_again_with_a_new_pid(procs, tmp_path):
    config = make_config(tmp_path, workers=BASE_WORKERS)
    procs.riskd(config)
    before = procs.wait_running(config, BASE_WORKERS)
    for name in BASE_WORKERS:
        old_pid = before[name].pid
        os.kill(old_pid, signal.SIGKILL)
        # the 2 s budget is measured by make bench (bench_control); here: it comes back at all
        wait_for(lambda: (lambda w: w.pid not in (None, old_pid))(procs.workers(config)[name]),
                 timeout=10, interval=0.02, what=f"{name} running again with a new pid")
        info = wait_for(lambda: (lambda w: w if w.state == "running" else None)(
            procs.workers(config)[name]), timeout=10, what=f"{name} confirmed up")
        assert info.restarts == 1 and info.last_exit == -signal.SIGKILL
        assert not pid_alive(old_pid)


def test_a_worker_killed_while_all_are_steady_is_started_again_at_once(procs, tmp_path):
    # While every worker runs, the supervisor's pass over them runs once a second, not 10
    # times (issue 21); a child's exit (SIGCHLD) wakes it, so a killed worker is started again
    # at once, not at the next pass. stable_after 0.5 s: each kill is a first crash (restarted
    # without a backoff), as the bench's kill rounds are.
    config = make_config(tmp_path, workers=["logging"],
                         supervisor={**FAST_POLICY, "stable_after": 0.5})
    procs.riskd(config)
    for steady in (1.3, 1.6, 1.9):            # at different points of the once-a-second pass
        old_pid = procs.wait_running(config, ["logging"])["logging"].pid
        time.sleep(steady)
        t0 = time.monotonic()
        os.kill(old_pid, signal.SIGKILL)
        wait_for(lambda: procs.workers(config)["logging"].pid not in (None, old_pid),
                 timeout=5, interval=0.01, what="logging started again with a new pid")
        assert time.monotonic() - t0 < 0.25, "the exit waited for the next pass"


def test_a_worker_that_exits_at_once_on_every_start_is_marked_flapping_and_backs_off(procs,
                                                                                    tmp_path):
    # the notify slot runs a program that exits with code 3 as soon as it starts
    config = make_config(tmp_path, supervisor={"workers": ["notify"],
                                               "modules": {"notify": "tests.support.crasher"},
                                               **FAST_POLICY})
    procs.riskd(config)
    info = wait_for(lambda: (lambda w: w if w.state == "flapping" else None)(
        procs.workers(config)["notify"]), timeout=20, what="crasher marked flapping")
    assert info.restarts == 5
    assert info.last_exit == 3
    assert "flapping" in info.reason
    time.sleep(1.5)   # observing that nothing happens: no busy restart loop while flapping
    again = procs.workers(config)["notify"]
    assert again.state == "flapping" and again.restarts == 5


def test_sigterm_to_riskd_stops_every_worker_and_leaves_no_process_behind(procs, tmp_path):
    config = make_config(tmp_path, workers=BASE_WORKERS)
    riskd = procs.riskd(config)
    procs.wait_running(config, BASE_WORKERS)
    worker_pids = [w.pid for w in procs.workers(config).values()]
    riskd.signal(signal.SIGTERM)
    assert riskd.wait(15) == 0, riskd.output()
    assert processes_using(config) == []
    assert not any(pid_alive(p) for p in worker_pids)


def test_after_riskd_is_killed_hard_a_new_riskd_ends_the_leftovers_and_runs_one_set(procs,
                                                                                   tmp_path):
    config = make_config(tmp_path, workers=BASE_WORKERS)
    first = procs.riskd(config)
    old = procs.wait_running(config, BASE_WORKERS)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(5)
    old_pids = {w.pid for w in old.values()}
    assert all(pid_alive(p) for p in old_pids)       # orphans still running
    second = procs.riskd(config)
    new = procs.wait_running(config, BASE_WORKERS)
    assert not any(pid_alive(p) for p in old_pids)
    assert {w.pid for w in new.values()}.isdisjoint(old_pids)
    # exactly one riskd and one process per worker use this config now
    assert sorted(processes_using(config)) == sorted([second.pid] + [w.pid for w in new.values()])


def test_riskctl_against_a_dead_riskd_fails_fast_with_a_clear_message(procs, tmp_path):
    config = make_config(tmp_path, workers=[])
    address = load_config(config).config.bus.control
    started = time.monotonic()
    result = procs.riskctl(config, "workers")
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert "riskd is not running" in result.stderr     # nothing listens: said at once
    assert address in result.stderr
    assert elapsed < 3.0 + 1.0      # 3 s budget for the request, plus interpreter start


def test_malformed_frames_on_the_control_socket_get_error_replies_and_riskd_lives_on(procs,
                                                                                    tmp_path):
    config = make_config(tmp_path, workers=[])
    procs.riskd(config)
    address = load_config(config).config.bus.control
    ctx = zmq.Context.instance()
    unknown_type = codec.encode(WorkersRequest()).replace(b"WorkersRequest", b"WorkersRequesX")
    for junk in (b"", b"\xc1garbage", b"\x93\x01\x02", unknown_type, b"x" * 100_000):
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(address)
        sock.send(junk)
        assert sock.poll(3000), f"no reply to {junk[:20]!r}"
        reply = codec.decode(sock.recv()).msg
        sock.close(0)
        assert isinstance(reply, Reply) and reply.status == "error"
        assert reply.code == "bad_request"
    # a raw multi-part frame from a DEALER is ignored or answered, never fatal
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.connect(address)
    dealer.send_multipart([b"one", b"two", b"three"])
    dealer.close(0)
    ok = procs.control_call(config, WorkersRequest())
    assert ok.status == "ok"


def test_restart_answers_when_the_new_process_is_up_and_stop_is_sticky(procs, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=BASE_WORKERS)
    procs.riskd(config)
    before = procs.wait_running(config, BASE_WORKERS)
    refused = procs.riskctl(config, "restart", "notify")
    assert refused.returncode == 3 and "needs an ops session" in refused.stderr
    login(procs, config, "admin")
    result = procs.riskctl(config, "restart", "notify", "--reason", "new bot token")
    assert result.returncode == 0, result.stderr
    after = procs.workers(config)["notify"]
    assert after.state == "running" and after.pid != before["notify"].pid
    assert str(after.pid) in result.stdout
    # who restarted it and when, as the audit says (trial13a: "exited with code 0", NOTE "-")
    assert after.reason.startswith("restarted by admin:"), after
    assert ", for a restart by admin:" in after.last_exit_words, after

    assert procs.riskctl(config, "stop", "notify", "--reason", "telegram outage").returncode == 0
    assert procs.workers(config)["notify"].state == "stopped"
    time.sleep(1.0)   # observing that nothing restarts it
    assert procs.workers(config)["notify"].state == "stopped"

    result = procs.riskctl(config, "start", "notify", "--reason", "telegram is back")
    assert result.returncode == 0, result.stderr
    assert procs.workers(config)["notify"].state == "running"
    # each action's reason is in its audit line and in `riskctl audit show` (trial: stop,
    # start and restart took no --reason, unlike lockout, unlock and shutdown)
    said = {"restart": "new bot token", "stop": "telegram outage", "start": "telegram is back"}
    for action, reason in said.items():
        wait_for(lambda: [r for r in audited(config, "ok") if r.get("reason") == reason
                          and r.get("action") == action],
                 10, what=f"{action}'s reason in audit.log")
    shown = procs.riskctl(config, "audit", "show")
    flat = " ".join(shown.stdout.split())      # a row too wide is a wrapped block (fitted)
    assert all(reason in flat for reason in said.values()), shown.stdout

    unknown = procs.riskctl(config, "restart", "nosuch")
    assert unknown.returncode == 1 and "no worker named 'nosuch'" in unknown.stderr


def test_riskctl_read_commands_print_one_json_document(procs, tmp_path):
    import json
    config = make_config(tmp_path, workers=BASE_WORKERS)
    procs.riskd(config)
    procs.wait_running(config, BASE_WORKERS)
    doc = json.loads(procs.riskctl(config, "workers", "--json").stdout)
    assert sorted(w["name"] for w in doc["workers"]) == sorted(BASE_WORKERS)
    status = json.loads(procs.riskctl(config, "status", "--json").stdout)
    assert status["config_path"] == config and len(status["workers"]) == 3
    usage = procs.riskctl(config, "restart")
    assert usage.returncode == 2


def test_a_worker_that_stops_heartbeating_is_killed_as_hung_and_restarted(procs, tmp_path):
    config = make_config(tmp_path, supervisor={"workers": ["notify"],
                                               "modules": {"notify": "tests.support.hanger"},
                                               "heartbeat_timeout": 1.5, **FAST_POLICY})
    procs.riskd(config)
    first = procs.wait_running(config, ["notify"])["notify"]
    seen = time.monotonic()
    again = wait_for(lambda: (lambda w: w if w.restarts >= 1 and w.pid != first.pid else None)(
        procs.workers(config)["notify"]), timeout=10, interval=0.02,
        what="the hung worker restarted")
    # it hangs 1 s after start; its last heartbeat is at most then (the 1 s heartbeat is on the
    # second's grid since round 16: one may fall between its start and its hang): killed
    # heartbeat_timeout after that heartbeat, in time (the supervisor's pass is paced to the
    # deadline, not once a second)
    assert time.monotonic() - seen < 1.0 + 1.5 + 0.5
    assert again.last_exit == -signal.SIGKILL
    # said as the supervisor's kill, with how long it was silent (not a bare SIGKILL)
    assert again.last_exit_words.startswith("killed by the supervisor as hung (silent for 1."), \
        again.last_exit_words
    assert not pid_alive(first.pid)


def test_time_with_a_guard_worker_down_is_reported_as_unguarded_and_survives_a_restart(
        procs, tmp_path):
    from shared.messages.control import StatusRequest
    config = make_config(tmp_path, workers=["enforcement"])
    riskd = procs.riskd(config)
    procs.wait_running(config, ["enforcement"])
    status = procs.control_call(config, StatusRequest()).body
    assert status.unguarded_now == []
    start_gap = status.unguarded_today_s          # from riskd's start to enforcement up
    assert start_gap > 0
    pid = procs.workers(config)["enforcement"].pid
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: procs.control_call(config, StatusRequest()).body.unguarded_now,
             timeout=5, interval=0.02, what="a gap while enforcement is down")
    procs.wait_running(config, ["enforcement"])
    after = procs.control_call(config, StatusRequest()).body
    assert after.unguarded_now == [] and after.unguarded_today_s > start_gap
    shown = procs.riskctl(config, "status")
    assert "unguarded for" in shown.stdout and "guarded now" in shown.stdout
    riskd.signal(signal.SIGTERM)
    assert riskd.wait(15) == 0
    procs.riskd(config)
    procs.wait_running(config, ["enforcement"])
    again = procs.control_call(config, StatusRequest()).body
    assert again.unguarded_today_s > after.unguarded_today_s   # kept, plus the time riskd was off


def test_the_time_riskd_itself_was_stopped_counts_as_unguarded(procs, tmp_path):
    """Trial finding 5: Ctrl-C at 21:45:18, up again 21:45:44, and the day's unguarded figure
    grew by 2 s only. Stopped for DOWN seconds, it must grow by at least DOWN."""
    from shared.messages.control import StatusRequest
    down = 4.0
    config = make_config(tmp_path, workers=["enforcement"])
    riskd = procs.riskd(config)
    procs.wait_running(config, ["enforcement"])
    before = procs.control_call(config, StatusRequest()).body.unguarded_today_s
    riskd.signal(signal.SIGINT)                   # Ctrl-C where `make run` runs
    assert riskd.wait(15) == 0
    time.sleep(down)                              # riskd stopped: nothing guards the accounts
    procs.riskd(config)
    procs.wait_running(config, ["enforcement"])
    after = procs.control_call(config, StatusRequest()).body.unguarded_today_s
    assert after - before >= down, (before, after)
    assert after - before < down + 30             # "it happens at all" bound, not a budget
    shown = procs.riskctl(config, "status").stdout
    assert "unguarded for" in shown


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


def test_workers_started_through_a_launcher_run_restart_and_stop_as_a_whole_tree(procs,
                                                                                tmp_path):
    # On Windows a venv's python.exe is a launcher that starts the real interpreter as its
    # child, so the pid riskd spawned is not the worker's (bpo-35797). Every slot here runs
    # tests.support.launcher, which does the same on Linux; riskd must tell its workers by
    # the spawn token they echo, not by pid.
    config = make_config(tmp_path, supervisor={
        "workers": BASE_WORKERS, "modules": {n: "tests.support.launcher" for n in BASE_WORKERS},
        **FAST_POLICY})
    riskd = procs.riskd(config)
    table = procs.wait_running(config, BASE_WORKERS)
    launchers = {}
    for name in BASE_WORKERS:
        launchers[name] = _parent_of(table[name].pid)
        assert launchers[name] != riskd.pid, f"{name} was not started through the launcher"
        assert _parent_of(launchers[name]) == riskd.pid

    old = table["notify"].pid                       # the worker dies; its launcher follows
    os.kill(old, signal.SIGKILL)
    again = wait_for(lambda: (lambda w: w if w.state == "running" and w.pid != old else None)(
        procs.workers(config)["notify"]), timeout=10, what="notify running again")
    assert again.restarts == 1 and again.last_exit == -signal.SIGKILL
    launchers["notify"] = _parent_of(again.pid)
    table = procs.workers(config)

    riskd.signal(signal.SIGTERM)
    assert riskd.wait(15) == 0, riskd.output()
    every = [table[n].pid for n in BASE_WORKERS] + list(launchers.values())
    assert not any(pid_alive(p) for p in every), "part of a worker's tree outlived riskd"
    assert processes_using(config) == []
    assert not [f for f in os.listdir(tmp_path / "data" / "run") if f.endswith(".pid")]
