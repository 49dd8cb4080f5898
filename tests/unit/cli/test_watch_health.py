"""The live screen tells riskd's own health (issue 17 items 5, 7, 8), read at 80x24 and 120x40."""
from __future__ import annotations

import pytest

from cli.watch.model import Reachability, build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.control import ConfigHealth, SupervisorStatus, WorkerInfo
from shared.messages.notify import ChannelState
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, state

SIZES = [(80, 24), (120, 40)]


def screen_text(s, width, height):
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, height))


def with_health(s, config=None, notify=()):
    s.apply(SupervisorStatus(pid=1, started_ns=NOW - 60 * NS_PER_S, config_path="riskd.toml",
                             workers=[WorkerInfo(name=n, state="running") for n in WORKERS],
                             config=config, notify=list(notify)))
    return s


@pytest.mark.parametrize("width, height", SIZES)
def test_a_config_riskd_refused_is_on_the_screen(width, height):
    broken = ConfigHealth(path="/nonexistent/etc/riskd.toml", loaded_ns=NOW - 23 * 60 * NS_PER_S,
                          invalid_since_ns=NOW - 60 * NS_PER_S,
                          problem="(top level): not valid TOML: Unexpected character: '=' "
                                  "at line 78 col 8")
    text = screen_text(with_health(state(account()), config=broken), width, height)
    flat = " ".join(text.split())
    assert "riskd.toml is invalid since Wed 14:02:27 CST (line 78 col 8: not valid TOML: " \
           "Unexpected character: '='); riskd runs the config loaded at Wed 13:40:27 CST" in flat


@pytest.mark.parametrize("width, height", SIZES)
def test_failing_alerts_show_notify_degraded_not_green(width, height):
    failing = ChannelState(name="telegram", state="failing", queued=3, failures=2,
                           last_error="HTTP 401: Unauthorized")
    s = with_health(state(account()), notify=[failing])
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    dot = [w for w in screen.header.workers if w.name == "notify"][0]
    assert not dot.healthy and dot.state == "degraded"
    flat = " ".join(screen_text(s, width, height).split())
    assert "notify degraded: telegram failing, 3 alerts queued; last error: HTTP 401" in flat
    assert "notify*degraded" in screen_text(s, width, height).replace("\u25cf", "*")


@pytest.mark.parametrize("width, height", SIZES)
def test_when_riskd_is_unreachable_no_worker_is_shown_green(width, height):
    s = state(account())
    s.apply(Reachability(ok=False, reason="no answer", ts_ns=NOW))
    screen = build_screen(s, NOW, CHICAGO, CALENDAR)
    assert screen.header.workers and not any(w.healthy for w in screen.header.workers)
    lines = render(screen, width, height)
    workers_line = [line for line in lines if line and line[0][0] == "workers"][0]
    assert not any(style == "green" for _text, style in workers_line)
    assert "riskd not reachable" in plain(lines)
