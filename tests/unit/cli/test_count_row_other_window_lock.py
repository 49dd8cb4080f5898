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


def text_of(row, until_s: int) -> str:
    s = state(account(rules=[row], lockouts=[lockout(
        kind="timer", rule_name="trade_frequency_limit", until_ns=NOW + until_s * NS_PER_S,
        reason="12 of 10 trades per hour")]))
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))


def test_the_per_minute_row_under_the_per_hour_cooldown_says_it_runs():
    text = text_of(window(5, 3, "minute"), 1200)              # the per-hour 30m, 20m left
    assert "5/3 per minute 167% (cooldown running until Wed 14:23:27 CST)" in text, text
    assert "the 3rd starts" not in text


def test_the_per_hour_row_at_its_limit_during_the_per_minute_cooldown_says_it_runs():
    text = text_of(window(10, 10, "hour"), 40)                # the per-minute 1m, 40 s left
    assert "10/10 per hour 100% (cooldown running until Wed 14:04:07 CST)" in text, text
    assert "the 10th starts" not in text


def test_a_count_back_below_its_limit_during_its_own_cooldown_says_it_runs():
    """Trial18c: the banner `COOLDOWN 27s (until Sun 22:07:21 CST) -- trade_frequency_limit`
    and the row '2/3 per minute 67% (the 3rd starts a 1m00s cooldown)': the 3rd trade had
    started that cooldown, and a trade now is made under it (its lockout closes it)."""
    text = text_of(window(2, 3, "minute"), 27)
    assert "2/3 per minute 67% (cooldown running until Wed 14:03:54 CST)" in text, text
    assert "the 3rd starts" not in text


def test_below_its_limit_with_no_cooldown_of_its_own_it_says_what_the_next_trade_does():
    s = state(account(rules=[window(2, 3, "minute")]))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120, None, unicode=False))
    assert "2/3 per minute 67% (the 3rd starts a 1m00s cooldown)" in text, text
