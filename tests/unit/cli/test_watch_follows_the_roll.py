"""A `riskctl watch` left open while the roll is changed counts down to the new roll.

fresh-user trial24a F3: a watch open while riskd was stopped, `[trading_day] roll = "14:14"`
set and riskd started again kept showing "roll in 2h52m47s" (the 17:00 roll it read at its
start) while `riskctl status` and a newly opened watch said "roll in 6m32s". The watch's
calendar is the config file's as it is now (cli/watch/filecalendar.py): the watch loop on a
terminal in memory (tests/unit/cli/test_watch_painter.py), the file edited between frames.
"""
from __future__ import annotations

import os

from blessed.keyboard import Keystroke

from cli.watch import app
from cli.watch.filecalendar import FileCalendar
from tests.unit.cli.screens import CHICAGO, NOW
from tests.unit.cli.test_watch_painter import Feed, Term, messages

# NOW is Wed 2026-11-25 14:03:27 CST


def write(path, roll: str) -> None:
    with open(path, "w") as f:
        f.write(f'[trading_day]\nroll = "{roll}"\ntimezone = "America/Chicago"\n')


def test_a_watch_open_across_a_roll_change_counts_down_to_the_new_roll(tmp_path):
    path = str(tmp_path / "riskd.toml")
    write(path, "17:00")
    ticks = [0.0]
    calendar = FileCalendar(path, monotonic=lambda: ticks[0])
    shown = []

    def seen(term):
        shown.append(term.text)
        term.stream.truncate(0), term.stream.seek(0)

    def edit(term):
        seen(term)
        write(path, "14:14")                  # riskd stopped, the roll changed, started again
        os.utime(path, ns=(NOW, NOW + 1))     # a new mtime even within the clock's grain
        ticks[0] += 1.0                       # the watch's next look at the file

    term = Term(100, 40, keys=[Keystroke(""), edit, Keystroke(""), seen, Keystroke("q")])
    app.run(term, Feed(messages()), calendar, tz=CHICAGO, now_ns=lambda: NOW, frame=0)
    assert "roll in 2h56m33s" in shown[0], shown[0]
    assert "roll in 10m33s" in shown[1], shown[1]
