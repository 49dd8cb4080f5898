"""Fresh-user trial 2026-12-06: '5/3 per minute 167% (the 3rd starts a 1m00s cooldown)' while
the per-hour window's cooldown held the account, and '10/10 per hour (the 10th starts ...)'
during the per-minute cooldown. A window at or past its limit says what is true now: the
rule's cooldown running until when, whichever window started it (main does this since
72b007b; these cover the windows the trial saw)."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, rule, state

PARAMS = {"per_minute": "3", "per_hour": "10", "per_session": "50", "per_minute_cooldown": "60",
          "per_hour_cooldown": "1800", "per_session_cooldown": "3600", "flatten": "false"}


def window(n: int, limit: int, per: str):
    return attrs.evolve(rule("trade_frequency_limit", n, limit, n / limit,
                             detail=f"{n} of {limit} trades per {per}"), params=PARAMS)


HOUR = "12 trades this hour reached the limit of 10"       # risk's reason (reached_words)
MINUTE = "3 trades this minute reached the limit of 3"


def text_of(row, until_s: int, reason: str = HOUR) -> str:
    s = state(account(rules=[row], lockouts=[lockout(
        kind="timer", rule_name="trade_frequency_limit", until_ns=NOW + until_s * NS_PER_S,
        reason=reason)]))
    # wide enough that the row is one line
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 240, None, unicode=False))


def test_the_per_minute_row_under_the_per_hour_cooldown_says_it_runs():
    """trial23c F8: "4/3 per minute 133% (over the limit: the next trade starts a 1m00s
    cooldown; per-hour cooldown running until ...)" while 30 minutes of the hour's cooldown
    ran: it read as if the next trade were allowed after 1 minute. A trade now starts no
    cooldown of the minute's (it would end first: risk takes no new action): the row says the
    hour's outlasts it. Fails on main's code (the old words)."""
    text = text_of(window(5, 3, "minute"), 1200)              # the per-hour 30m, 20m left
    assert ("5/3 per minute 167% (over the limit; the per-hour cooldown running until Wed "
            "14:23:27 CST outlasts the 1m00s cooldown a trade now would start)") in text, text
    assert "the next trade starts" not in text and "the 3rd starts" not in text


def test_the_per_minute_row_below_its_limit_under_a_longer_cooldown_says_it_outlasts():
    text = text_of(window(2, 3, "minute"), 1200)
    assert ("2/3 per minute 67% (the per-hour cooldown running until Wed 14:23:27 CST "
            "outlasts the 1m00s cooldown the 3rd trade would start)") in text, text


def test_the_per_minute_row_when_the_running_cooldown_ends_sooner_says_the_next_trade():
    """30 s of the hour's cooldown left: a trade now starts the minute's 1m00s, which outlasts
    it (risk extends the lockout): the row says what the next trade does, as before."""
    text = text_of(window(5, 3, "minute"), 30)
    assert ("5/3 per minute 167% (over the limit: the next trade starts a 1m00s cooldown; "
            "per-hour cooldown running until Wed 14:03:57 CST)") in text, text


def test_the_per_hour_row_at_its_limit_during_the_per_minute_cooldown_says_it_runs():
    text = text_of(window(10, 10, "hour"), 40, MINUTE)        # the per-minute 1m, 40 s left
    assert ("10/10 per hour 100% (at the limit: the next trade starts a 30m00s cooldown; "
            "per-minute cooldown running until Wed 14:04:07 CST)") in text, text
    assert "the 10th starts" not in text


def test_the_per_hour_row_below_its_limit_during_the_per_minute_cooldown_says_its_own_next():
    """Trial22c: "trade_frequency_limit 11/12 per hour 92% (cooldown running until Mon
    09:26:57 CST)": the cooldown running was the minute's (2 minutes), shown on the hour's row
    as if the hour's, and the row no longer said that the 12th trade starts 30 minutes."""
    text = text_of(window(9, 10, "hour"), 40, MINUTE)
    assert ("9/10 per hour 90% (the 10th starts a 30m00s cooldown; per-minute cooldown running "
            "until Wed 14:04:07 CST)") in text, text


def test_the_rows_own_windows_cooldown_extended_by_another_window_names_the_latest():
    """Extended by the hour's count (risk keeps the first reason, the extension beside it):
    the hour's row has its own cooldown running."""
    text = text_of(window(10, 10, "hour"), 1200, f"{MINUTE}; extended: {HOUR}")
    assert "10/10 per hour 100% (cooldown running until Wed 14:23:27 CST)" in text, text


def test_a_count_back_below_its_limit_during_its_own_cooldown_says_it_runs():
    """Trial18c: the banner `COOLDOWN 27s (until Sun 22:07:21 CST) -- trade_frequency_limit`
    and the row '2/3 per minute 67% (the 3rd starts a 1m00s cooldown)': the 3rd trade had
    started that cooldown, and a trade now is made under it (its lockout closes it)."""
    text = text_of(window(2, 3, "minute"), 27, MINUTE)
    assert "2/3 per minute 67% (cooldown running until Wed 14:03:54 CST)" in text, text
    assert "the 3rd starts" not in text


def test_below_its_limit_with_no_cooldown_of_its_own_it_says_what_the_next_trade_does():
    s = state(account(rules=[window(2, 3, "minute")]))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    assert "2/3 per minute 67% (the 3rd starts a 1m00s cooldown)" in text, text
