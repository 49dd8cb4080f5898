"""A [trading_day] hand edit made while riskd was stopped is judged at the start as a live hand
edit is (round 22, small22a): taken as written, it moved the trading day risk's store was on,
still in progress (roll 17:00 -> 06:16 edited by hand at 06:11, riskd started again at 10:00:
Monday's day would have ended at 06:16, its realized PnL and lockouts "until the roll" reset
early). Now the supervisor, before any worker starts, writes roll_changed_after so the edit
applies from the next roll, or, when the day cannot be kept (the day in progress made a
holiday), refuses loudly and runs the config riskd last ran; both in the log and an alert.
An edit made while riskd was stopped over a roll (the stored day ended) applies as written.

The config: etc/riskd.toml's (tests/support/env.make_config), the copy riskd keeps of the
config it runs (shared/config/lastrun.py) and risk's own store holding the day riskd was on,
as a stopped riskd leaves them; the supervisor as riskd builds it, on an injected clock."""
from __future__ import annotations

import datetime as dt

import pytest

from services.risk.store import Store
from services.supervisor.startday import KIND
from shared.clock import FakeClock
from shared.config import lastrun, load_config
from shared.config.edit import default_backup_dir
from tests.support.env import make_config
from tests.unit.risk.desk import chi
from tests.unit.supervisor.bound import bound_supervisor

MON = dt.date(2026, 12, 7)
STARTED = chi(2026, 12, 7, 10, 0)       # riskd started again, Monday's day still in progress


def stopped_riskd(tmp_path, day: str, hand: str) -> str:
    """A riskd that ran the shipped [trading_day] (17:00 Chicago) and stopped on trading day
    `day`; then `hand` written into [trading_day] by hand. Returns the config's path."""
    path = make_config(tmp_path)
    text = open(path).read() + '\n[trading_day]\nroll = "17:00"\n'
    open(path, "w").write(text)
    loaded = load_config(path)
    assert lastrun.write(path, default_backup_dir(path, loaded.data_dir), text)
    store, _problem = Store.open(loaded.data_dir)
    store.db.execute("INSERT OR REPLACE INTO meta VALUES ('day', ?)", (day,))
    store.close()
    open(path, "w").write(text.replace('roll = "17:00"', hand))
    return path


def started(path: str):
    """The supervisor's start-up judgement of the file (Supervisor.setup runs it first)."""
    return bound_supervisor(path, clock=FakeClock(STARTED))


@pytest.mark.parametrize("hand,line,ends", [
    ('roll = "06:16"', "2026-12-07 17:00", "Mon 17:00 CST"),
    ('timezone = "America/New_York"', "2026-12-07 18:00", "Mon 18:00 EST")],
    ids=["roll", "timezone"])
def test_an_edit_that_moves_the_day_in_progress_applies_from_the_next_roll(tmp_path, hand,
                                                                           line, ends):
    path = stopped_riskd(tmp_path, MON.isoformat(), hand)
    with started(path) as sup:
        sup._day_at_start()
        # the one fact every process reads: written to the file, and run
        assert load_config(path).config.trading_day.roll_changed_after == line
        assert sup.config.trading_day.roll_changed_after == line
        assert f'roll_changed_after = "{line}"' in sup.loaded.text
        assert sup.calendar.trading_day(STARTED) == MON
        assert sup.calendar.end_of(MON) == chi(2026, 12, 7, 17)
        [alert] = sup._start_alerts
        assert alert.kind == KIND and alert.severity == "warning", alert
        assert alert.title == ("⚠️ [trading_day] edited while riskd was stopped: it applies "
                               "from the next roll"), alert
        assert f"trading day 2026-12-07 still ends at {ends}" in alert.lines[0], alert
        assert f'riskd wrote roll_changed_after = "{line}" to [trading_day]' in alert.lines[1]
        assert sup.health.config_invalid is None


def test_an_edit_made_over_a_roll_applies_as_written(tmp_path):
    """riskd stopped on Friday's day: Monday's is new to it, the file's roll applies."""
    path = stopped_riskd(tmp_path, "2026-12-04", 'roll = "06:16"')
    before = open(path).read()
    with started(path) as sup:
        sup._day_at_start()
        assert open(path).read() == before and sup._start_alerts == []
        assert sup.calendar.end_of(sup.calendar.trading_day(STARTED)) == chi(2026, 12, 8, 6, 16)


def test_the_day_in_progress_made_a_holiday_is_refused_loudly(tmp_path):
    path = stopped_riskd(tmp_path, MON.isoformat(), 'roll = "17:00"\nholidays = ["2026-12-07"]')
    before = open(path).read()
    with started(path) as sup:
        sup._day_at_start()
        assert open(path).read() == before                  # nothing written
        assert sup.config.trading_day.holidays == []        # the config riskd last ran
        assert sup.calendar.end_of(sup.calendar.trading_day(STARTED)) == chi(2026, 12, 7, 17)
        [alert] = sup._start_alerts
        assert alert.severity == "critical" and "refused" in alert.title, alert
        assert "it would change the trading day in progress (2026-12-07" in alert.lines[0]
        assert sup.health.config_invalid is not None


def test_a_fresh_data_folder_rolls_at_the_files_roll_the_sims_way_to_a_roll(tmp_path):
    """docs/operations.md (Reaching the roll with the sim): riskd stopped, a fresh data folder
    (no store: no day in progress to keep), `[trading_day] roll` a few minutes ahead: the day
    riskd starts on ends then (trial23a finding 10: no documented way to see a new day)."""
    path = make_config(tmp_path)
    text = open(path).read() + '\n[trading_day]\nroll = "10:05"\n'
    open(path, "w").write(text)
    with started(path) as sup:
        sup._day_at_start()
        assert open(path).read() == text and sup._start_alerts == []
        assert sup.calendar.end_of(sup.calendar.trading_day(STARTED)) == chi(2026, 12, 7, 10, 5)
