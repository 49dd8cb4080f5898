"""One time format on the watch and status screen (fresh-user trial 2026-12-06: a lockout
"until Sat 22:48 CST" beside LAST ACTIONS at "Sat 22:44:50 CST"): every time the screen makes
has its day, its seconds and its zone, a lockout's end too (shared/showtime.end)."""
from __future__ import annotations

import re

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.risk import Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state

TIME = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:\d{4}-\d\d-\d\d )?\d\d:\d\d(?::\d\d)? "
                  r"C[SD]T")


def test_every_time_on_the_screen_shows_its_seconds():
    s = state(account(lockouts=[lockout()]))                 # until the roll: Wed 17:00 CST
    s.apply(Decision(id="d1", ts_ns=NOW - 200 * NS_PER_S, rule="daily_realized_loss",
                     account_id=1001, action="flatten", what="flatten: close 1 position"))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    times = TIME.findall(text)
    assert "Wed 17:00:00 CST" in times and "Wed 14:03:27 CST" in times, times
    assert "Wed 14:00:07 CST" in times, times                # the action's
    assert all(re.search(r"\d\d:\d\d:\d\d", t) for t in times), times
