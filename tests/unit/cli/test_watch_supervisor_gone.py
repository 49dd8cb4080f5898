"""Trial findings: with riskd's supervisor killed (kill -9) `riskctl status` said so ("riskd's
supervisor is not running ..., but its workers still run"), while `riskctl watch` said "riskd not
reachable -- retrying; figures as of 06:07:04 CST, not live", showed every worker "unknown", and
its "as of" kept moving (risk, still running, kept sending figures on its own stream: live
figures called not live). And 0.3 s after kill -9 of risk, status said "guarded now" (the
supervisor restarts a crashed worker at once) while watch kept "NOT GUARDED now: risk not
running" until its next snapshot."""
from __future__ import annotations

import time

import attrs

from cli.notrunning import not_running_text
from cli.watch.model import Reachability, WatchState, build_screen
from cli.watch.source import Source
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.config.sections import BusConfig
from shared.messages.control import WorkerEvent
from tests.support.ports import free_port
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, state

ADDRESS = "tcp://127.0.0.1:5550"
LEFT = [(name, [4000 + i]) for i, name in enumerate(WORKERS)]


def gone(left) -> Reachability:
    return Reachability(ok=False, reason=not_running_text(ADDRESS, left), ts_ns=NOW, gone=True,
                        left=tuple(name for name, _ in left))


def test_watch_says_what_status_says_when_the_supervisor_is_killed():
    s = state(account())
    s.apply(gone(LEFT))
    screen = build_screen(s, NOW + 10 * NS_PER_S, CHICAGO, CALENDAR)
    assert screen.notice.startswith(not_running_text(ADDRESS, LEFT)), screen.notice
    assert "not reachable" not in screen.notice
    assert all(w.healthy and w.state == "running" for w in screen.header.workers)
    # risk still runs and still sends its figures: their time is risk's, and said so
    later = attrs.evolve(account(), ts_ns=NOW + 5 * NS_PER_S)
    s.apply(later)
    screen = build_screen(s, NOW + 10 * NS_PER_S, CHICAGO, CALENDAR)
    assert "figures as of Wed 14:03:32 CST, sent by risk itself (it still runs)" in screen.notice
    text = plain(render(screen, 100, None, unicode=False))
    [workers] = [ln for ln in text.splitlines() if ln.startswith("workers")]
    assert "riskd's supervisor is not running" in text and "unknown" not in workers


def test_without_risk_the_figures_stay_as_of_the_last_ones_and_are_not_live():
    s = state(account())
    s.apply(gone([w for w in LEFT if w[0] != "risk"]))
    screen = build_screen(s, NOW + 10 * NS_PER_S, CHICAGO, CALENDAR)
    assert "figures as of Wed 14:03:27 CST, not live" in screen.notice, screen.notice
    [risk] = [w for w in screen.header.workers if w.name == "risk"]
    assert (risk.state, risk.healthy) == ("not running", False)
    assert screen.accounts[0].not_live.startswith("NOT LIVE")


def test_nothing_listening_is_said_as_status_says_it():
    bus = attrs.evolve(BusConfig(), control=f"tcp://127.0.0.1:{free_port()}")   # nobody listens
    note = Source(bus, config_path="no-such-riskd.toml").unreachable("no answer", time.time_ns())
    assert note.gone and note.left == ()
    assert note.reason == not_running_text(bus.control, [])


def test_a_crashed_worker_restarted_at_once_is_guarded_again_on_watch_as_on_status():
    s = state(account())
    s.apply(WorkerEvent(name="risk", state="backoff", exit_code=-9))
    assert "NOT GUARDED now: risk not running" in build_screen(s, NOW, CHICAGO, CALENDAR).notice
    s.apply(WorkerEvent(name="risk", state="starting", pid=4321))
    s.apply(WorkerEvent(name="risk", state="running", pid=4321))
    assert "NOT GUARDED" not in build_screen(s, NOW, CHICAGO, CALENDAR).notice


def test_names_from_the_file_stand_in_only_until_the_supervisor_names_the_accounts(tmp_path):
    """Trial 2026-12-05: a watch opened while the supervisor was dead named the accounts by the
    broker's names; the file's display names stand in, and never over the supervisor's."""
    from cli.accountnames import file_labels
    from cli.watch.model import FileLabels, WatchState
    from shared.messages.control import SupervisorStatus
    path = tmp_path / "riskd.toml"
    path.write_text('[[accounts]]\nid = 1001\nname = "SIM-DEMO-1"\ndisplay_name = "Ana main"\n'
                    '[[accounts]]\nid = 1002\nname = "SIM-DEMO-2"\n')
    labels = file_labels(str(path))
    assert labels == {"1001": "Ana main", "SIM-DEMO-1": "Ana main", "Ana main": "Ana main",
                      "1002": "SIM-DEMO-2", "SIM-DEMO-2": "SIM-DEMO-2"}
    fresh = WatchState()
    assert fresh.apply(FileLabels(labels=labels)) and fresh.labels["1001"] == "Ana main"
    seen = WatchState()
    seen.apply(SupervisorStatus(pid=1, started_ns=0, config_path=str(path),
                                account_labels={"1001": "Live name"}))
    assert not seen.apply(FileLabels(labels=labels)) and seen.labels == {"1001": "Live name"}


def test_a_configured_worker_not_running_is_shown_not_left_out():
    """Trial: a watch opened after the supervisor and then risk were killed drew
    `enforcement● logging● market● notify● simbroker●`, risk left out."""
    left = ("enforcement", "logging", "market", "notify", "simbroker")
    state = WatchState()
    state.apply(Reachability(ok=False, reason="gone", ts_ns=NOW, gone=True, left=left,
                             configured=(*left, "risk")))
    screen = build_screen(state, NOW, CHICAGO, CALENDAR)
    dots = {w.name: (w.state, w.healthy) for w in screen.header.workers}
    assert dots["risk"] == ("not running", False), dots
    assert all(dots[n] == ("running", True) for n in left), dots
