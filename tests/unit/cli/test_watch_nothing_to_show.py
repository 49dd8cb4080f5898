"""Fresh-user trial 2026-12-06: `riskctl watch` opened while riskd's supervisor and risk were
both gone showed only "no account status yet" under the notice, as if figures were on their
way. docs/operations.md (When riskd's supervisor is killed) says the watch shows the day's
actions or says they "cannot be read". Where the accounts would be, the screen now says
plainly why there are none: risk / riskd is not running, since when when riskd's own record
says (its supervisor's last sign of life, <data_dir>/supervisor.db); "yet" only while they
are on their way."""
from __future__ import annotations

import sqlite3
import time

import attrs

from cli.notrunning import last_alive, not_running_text
from cli.watch.model import ActionsUnknown, Reachability, WatchState, build_screen
from cli.watch.source import Source
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.config.sections import BusConfig
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS

ADDRESS = "tcp://127.0.0.1:5550"
DOWN_AT = NOW - 95 * NS_PER_S            # Wed 14:01:52 CST: the supervisor's last sign of life


def opened_while_gone(left, alive_ns=DOWN_AT) -> str:
    """The screen of a watch opened now (no figures of any account ever received)."""
    s = WatchState()
    s.apply(Reachability(ok=False, reason=not_running_text(ADDRESS, left, WORKERS), ts_ns=NOW,
                         gone=True, left=tuple(n for n, _ in left), configured=WORKERS,
                         alive_ns=alive_ns))
    screen = build_screen(s, NOW + 3 * NS_PER_S, CHICAGO, CALENDAR, refreshes=True)
    return " ".join(plain(render(screen, 100, 40)).split())


def test_supervisor_and_risk_gone_is_said_not_no_account_status_yet():
    left = [(n, [4000 + i]) for i, n in enumerate(WORKERS) if n != "risk"]
    text = opened_while_gone(left)
    assert "no account status yet" not in text, text
    assert ("risk is not running, and riskd's supervisor has been down since Wed 14:01:52 CST: "
            "no account figures, and today's actions cannot be read") in text, text
    # not known when: no time is made up
    text = opened_while_gone(left, alive_ns=None)
    assert ("risk is not running, and riskd's supervisor is not running: no account figures, "
            "and today's actions cannot be read") in text, text


def test_riskd_not_running_at_all_is_said_with_since_when():
    text = opened_while_gone([])
    assert "no account status yet" not in text, text
    assert ("riskd has not been running since Wed 14:01:52 CST: no account figures, and "
            "today's actions cannot be read until it is started again") in text, text


def test_yet_only_while_the_figures_are_on_their_way():
    s = WatchState()
    assert "no account status yet" in plain(render(
        build_screen(s, NOW, CHICAGO, CALENDAR), 100, 40))          # connecting
    left = [(n, [4000 + i]) for i, n in enumerate(WORKERS)]          # risk still runs
    assert "no account figures yet: asking risk itself" in opened_while_gone(left)


def test_a_watch_without_risk_to_ask_says_the_actions_cannot_be_read(monkeypatch):
    """Source.without_supervisor asked nobody when risk was gone: LAST ACTIONS was left to
    read as if there were none."""
    src = Source(attrs.evolve(BusConfig(), control=ADDRESS), config_path="no-such-riskd.toml",
                 day_start=lambda now: now)
    src.without_supervisor(tuple(n for n in WORKERS if n != "risk"), time.time_ns())
    got = src.drain()
    [unknown] = [m for m in got if isinstance(m, ActionsUnknown)]
    assert unknown.reason == "risk is not running", got


def test_the_supervisors_last_sign_of_life_is_read_from_its_record(tmp_path):
    data = tmp_path / "var"
    data.mkdir()
    config = tmp_path / "riskd.toml"
    config.write_text(f'[paths]\ndata_dir = "{data}"\n')
    assert last_alive(str(config)) is None                  # no record: not known
    db = sqlite3.connect(data / "supervisor.db")
    db.execute("CREATE TABLE alive (id INTEGER PRIMARY KEY CHECK (id = 1), ns INTEGER NOT NULL)")
    db.execute("INSERT INTO alive (id, ns) VALUES (1, ?)", (DOWN_AT,))
    db.commit()
    db.close()
    assert last_alive(str(config)) == DOWN_AT
