"""riskd's own stop and "running again" alerts, and how a clean stop is recorded (pure / SQLite)."""
from __future__ import annotations

import signal

from services.supervisor.guardstore import GuardStore
from zoneinfo import ZoneInfo

from services.supervisor.riskdalerts import (GUARD_WAIT_NS, NOT_CLEAN, AgainWatch, shutdown_cause,
                                             signal_cause, stopped_event)

S = 10**9
T0 = 1_764_900_000 * S          # 2025-12-05 02:00:00Z


def test_the_stop_alert_is_critical_and_says_what_stopped_riskd():
    alert = stopped_event(shutdown_cause("admin:alice", "maintenance"), T0)
    assert (alert.kind, alert.severity) == ("riskd_stopped", "critical")
    assert alert.title == ("⛔ riskd is stopping: accounts are NOT guarded until riskd runs "
                           "again")
    assert alert.lines[0] == "stopped by riskctl shutdown by admin:alice (maintenance)"
    assert signal_cause(signal.SIGTERM) == "signal SIGTERM (service stop)"
    assert signal_cause(signal.SIGINT) == "Ctrl-C in the terminal"
    assert shutdown_cause("") == "riskctl shutdown by an admin"


CHI = ZoneInfo("America/Chicago")


def test_running_again_waits_for_notify_then_the_guard_and_is_sent_once():
    watch = AgainWatch(T0, T0 + 90 * S, "signal SIGTERM (service stop)")
    assert watch.due(T0 + 95 * S, None, (), CHI) is None             # notify not running yet
    assert watch.due(T0 + 95 * S, T0 + 95 * S, (), CHI) is None      # notify joins the feed first
    assert watch.due(T0 + 97 * S, T0 + 95 * S, ("risk not running",), CHI) is None
    alert = watch.due(T0 + 98 * S, T0 + 95 * S, (), CHI)
    assert (alert.kind, alert.severity) == ("riskd_running_again", "warning")
    # trial finding 4: in the display zone, as every alert (it said 2025-12-05 02:00:00Z)
    assert alert.title == ("🟢 riskd is running again after being down 1m30s (since "
                           "Thu 20:00:00 CST): accounts are guarded again")
    assert alert.lines == ["it was stopped by signal SIGTERM (service stop)"]
    assert watch.due(T0 + 99 * S, T0 + 95 * S, (), CHI) is None           # once


def test_running_again_after_a_kill_says_so_and_what_still_keeps_the_accounts_unguarded():
    watch = AgainWatch(T0, T0 + 5 * S, None)
    late = T0 + 6 * S + GUARD_WAIT_NS
    alert = watch.due(late, T0 + 6 * S, ("broker user hub not connected",), CHI)
    assert alert.title.endswith(", but accounts are still NOT guarded: broker user hub not "
                                "connected"), alert.title
    assert alert.lines == [NOT_CLEAN]


def test_a_first_start_sends_nothing():
    assert AgainWatch(None, T0, None).due(T0 + 60 * S, T0, (), CHI) is None


def test_a_clean_stop_is_read_once_and_a_kill_leaves_none(tmp_path):
    store = GuardStore(str(tmp_path))
    assert store.take_clean_stop() is None            # never stopped
    store.stopped_cleanly(T0, "Ctrl-C in the terminal")
    store.close()
    store = GuardStore(str(tmp_path))                 # the next riskd
    assert store.take_clean_stop() == "Ctrl-C in the terminal"
    store.close()
    store = GuardStore(str(tmp_path))                 # the one after a kill -9 of that one
    assert store.take_clean_stop() is None
    store.close()


def test_a_supervisor_killed_alone_says_its_workers_kept_guarding():
    """Trial finding 6: the workers of a hard-killed supervisor kept guarding; the alert of the
    next start says so instead of 'riskd is running again after being down 22s'."""
    watch = AgainWatch(T0, T0 + 22 * S, None, kept=("enforcement", "market", "notify", "risk"),
                       kept_guarding=True)
    alert = watch.due(T0 + 25 * S, T0 + 23 * S, (), CHI)
    assert alert.title == ("🟢 riskd's supervisor is running again after being down 22s (since "
                           "Thu 20:00:00 CST); its workers kept guarding meanwhile: the accounts "
                           "stayed guarded")
    assert alert.lines == [NOT_CLEAN, "its workers kept running without it (enforcement, market, "
                           "notify, risk): nothing restarted one that stopped meanwhile; this "
                           "riskd ended them and started a fresh set"]
    # the takeover itself (the old workers ended, the new ones not yet up) is said (trial
    # 2026-12-06: "stayed guarded" while it left them unguarded ~3 s)
    took = AgainWatch(T0, T0 + 22 * S, None, kept=("market", "risk"), kept_guarding=True)
    alert = took.due(T0 + 25 * S, T0 + 23 * S, (), CHI, startup_s=3.4)
    assert alert.title.endswith(": the accounts stayed guarded, except 3s while this riskd "
                                "replaced its workers"), alert.title
    some = AgainWatch(T0, T0 + 22 * S, None, kept=("notify",)).due(T0 + 25 * S, T0 + 23 * S,
                                                                    (), CHI)
    assert some.title.startswith("🟢 riskd is running again after being down 22s"), some.title
    assert some.lines[1].startswith("its workers kept running without it (notify)")


def test_riskctl_names_the_workers_a_killed_supervisor_left_running():
    from cli.notrunning import not_running_text
    address = "tcp://127.0.0.1:5570"
    assert not_running_text(address, []).startswith(
        "riskd is not running: nothing listens on its control socket tcp://127.0.0.1:5570; "
        "start riskd again: `make run`")
    text = not_running_text(address, [("market", [41]), ("risk", [42])])
    assert text.startswith("riskd's supervisor is not running (nothing listens on its control "
                           "socket tcp://127.0.0.1:5570), but its workers still run without it: "
                           "market (pid 41), risk (pid 42). They keep guarding"), text
    # risk gone too (trial): listed as NOT running with what it means, no "keep guarding"
    text = not_running_text(address, [("market", [41]), ("notify", [43])],
                            ["market", "notify", "risk"])
    assert "and of its workers: market (pid 41), notify (pid 43), risk NOT running. risk is " \
           "NOT running: nothing checks the rules. The accounts are NOT guarded" in text, text
    assert "keep guarding" not in text and "systemctl start riskd" in text, text
