"""A watch opened while riskd's supervisor is dead (fresh-user trial 2026-12-05, finding 1).

kill -9 of the supervisor leaves its workers running: risk still decides, enforcement still
acts. A watch opened then said "LAST ACTIONS none today" on a day of 8 actions and named the
accounts by the broker's names ("SIM-DEMO-1 (1001)") instead of their display names ("Ana main
(1001)" after a rename). Through a real riskd from etc/riskd.toml's rules (sim broker, market,
risk, enforcement; max_contracts limit 5 on, as shipped), with the sim's tick off so prices
stay put and the only action is the one the test makes; 1001 carries a display name as after
`riskctl accounts set 1001 display_name "Ana main"`. The watch's own source and screen code
run in the test (no terminal needed: test_watch.py drives the terminal itself).
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from cli.context import listening
from tests.support.procs import kill_left_workers
from cli.watch.model import WatchState, build_screen
from cli.watch.source import Source, read_tables
from cli.watch.view import plain, render
from shared.config import load_config
from shared.messages.risk import HistoryRequest
from shared.projectx.rest import ProjectXRest
from shared.showtime import zone_of_tables
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

GUARDS = ["simbroker", "market", "risk", "enforcement"]
MNQ = "CON.F.US.MNQ.Z26"
MARKET, BUY = 2, 0
ACCOUNTS = [{"id": 1001, "name": "SIM-DEMO-1", "display_name": "Ana main"},
            {"id": 1002, "name": "SIM-DEMO-2", "display_name": "Demo 2 (strict)"}]


def test_a_watch_opened_after_the_supervisor_died_shows_todays_actions_and_names(procs,
                                                                                  tmp_path):
    config = make_config(tmp_path, workers=GUARDS, broker={"sim": {"tick_interval": 0}},
                         accounts=ACCOUNTS)
    loaded = load_config(config).config
    riskd = procs.riskd(config)
    procs.wait_running(config, GUARDS, timeout=30)
    rest = ProjectXRest(loaded.broker.endpoints()[0], loaded.broker.user_name,
                        loaded.broker.api_key, timeout=5)
    wait_for(lambda: rest.place_order(1001, MNQ, MARKET, BUY, 7), 20, interval=0.5,
             what="the sim to take an order", fail_fast=())

    def reduced():
        body = procs.control_call(config, HistoryRequest()).body
        return [d for d in body.decisions if d.action == "reduce_position"]
    wait_for(reduced, 30, what="risk's reduce decision")

    os.kill(riskd.pid, signal.SIGKILL)
    riskd.wait(5)
    wait_for(lambda: not listening(loaded.bus.control), 5, what="the control socket closed")

    bus, calendar = read_tables(config)
    source = Source(bus, day_start=lambda now: calendar.start_of(calendar.trading_day(now)),
                    config_path=config).start()
    state = WatchState()
    tz = zone_of_tables({})

    def shown():
        for msg in source.drain():
            state.apply(msg)
        if not state.accounts:
            return None
        screen = build_screen(state, time.time_ns(), tz, calendar)
        text = plain(render(screen, 140, 60, unicode=False))
        # the outcome from enforcement's own journal: done, never "pending" or "not known"
        done = any("reduce_position" in ln and " done " in f"{ln} " for ln in text.splitlines())
        return text if done and "Ana main (id 1001)" in text else None
    try:
        text = wait_for(shown, 15, interval=0.2, what="the day's action and the display name")
    except AssertionError:
        screen = build_screen(state, time.time_ns(), tz, calendar)
        raise AssertionError(plain(render(screen, 140, 60, unicode=False))) from None
    finally:
        source.stop()
        kill_left_workers(config)      # the workers the killed riskd left
    assert "riskd's supervisor is not running" in text, text
    assert "none today" not in text and "SIM-DEMO-1" not in text, text
    assert "Demo 2 (strict)" in text, text
