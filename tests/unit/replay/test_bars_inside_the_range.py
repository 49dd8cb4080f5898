"""The bars a replay asks for stay inside the replayed days (trial25c, after F8, item 6).

A replay of 2026-12-07 alone, run after that day ended, with a position still open at its end
(held until the day's end, exclusive), said "no 1m bars for CON.F.US.MNQ.Z26 on 2026-12-08 over
the times the account held it": the plan of bars reached the next trading day by the end's own
nanosecond. The calendar is the shipped config's (roll 17:00 America/Chicago)."""
from __future__ import annotations

import datetime as dt
import types

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.fetch import Fetcher
from tests.support.replay_days import chi

MINUTE = 60 * 1_000_000_000


def test_a_position_held_to_the_days_end_needs_no_bar_of_the_next_day(config):
    calendar = build_engine(load(config), {}).calendar
    day = dt.date(2026, 11, 25)
    end = calendar.end_of(day)
    fetcher = types.SimpleNamespace(calendar=calendar)
    spans = Fetcher._spans(fetcher, [(chi(2026, 11, 25, 16, 46), end)], MINUTE)
    assert list(spans) == [day], spans
    assert spans[day] == (chi(2026, 11, 25, 16, 46), end), spans
    # held over the roll into the next day: both days' bars
    spans = Fetcher._spans(fetcher, [(chi(2026, 11, 25, 16, 46), end + MINUTE)], MINUTE)
    assert list(spans) == [day, day + dt.timedelta(days=1)], spans
