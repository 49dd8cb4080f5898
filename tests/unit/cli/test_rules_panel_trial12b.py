"""The RULES panel as the fresh user read it (trial of 2026-12-06, screens): "(5 off)" named no
rule; "12/10 per hour 120% (the 10th starts a 30m00s cooldown)" still spoke of the 10th trade
once it had started the cooldown; at 80x24 the rules drawn as bars lost "locked by this
rule"."""
from __future__ import annotations

import attrs

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.risk import LOCKED_BY_THIS_RULE
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, rule, state
from tests.unit.cli.test_watch_panels import default_rules

PARAMS = {"per_minute": "3", "per_hour": "10", "per_session": "50", "per_minute_cooldown": "60",
          "per_hour_cooldown": "1800", "per_session_cooldown": "3600", "flatten": "false"}


def hourly(n: int):
    return attrs.evolve(rule("trade_frequency_limit", n, 10, n / 10,
                             detail=f"{n} of 10 trades per hour"), params=PARAMS)


def text_of(s, width=120, height=None, wrap=False):
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, height, unicode=False,
                        wrap=wrap))


def test_the_rules_off_are_named():
    text = text_of(state(account(rules=default_rules())), 100, wrap=True)
    flat = " ".join(text.split())
    assert ("off: max_unrealized_profit, no_stop_loss_grace, session_block_outside, "
            "trade_management, daily_realized_profit") in flat, text
    wide = text_of(state(account(rules=default_rules())), 250, 60)
    assert ("(5 off: max_unrealized_profit, no_stop_loss_grace, session_block_outside, "
            "trade_management, daily_realized_profit)") in wide, wide


def test_a_count_past_its_limit_says_the_cooldown_runs_and_until_when():
    until = NOW + 1200 * NS_PER_S                 # 14:23:27 CST
    s = state(account(rules=[hourly(12)], lockouts=[lockout(
        kind="timer", rule_name="trade_frequency_limit", until_ns=until)]))
    text = text_of(s)
    assert "12/10 per hour 120% (cooldown running until Wed 14:23:27 CST)" in text, text
    assert "the 10th starts" not in text


def test_a_count_at_its_limit_with_no_cooldown_left_says_what_the_next_trade_does():
    text = text_of(state(account(rules=[hourly(10)])))
    assert ("10/10 per hour 100% (at the limit: the next trade starts a 30m00s cooldown)"
            in text), text
    # below the limit: as before
    text = text_of(state(account(rules=[hourly(4)])))
    assert "4/10 per hour 40% (the 10th starts a 30m00s cooldown)" in text, text


def test_at_80x24_a_rule_drawn_only_as_a_bar_keeps_locked_by_this_rule():
    rules = [r if r.rule != "daily_realized_loss" else
             rule("daily_realized_loss", "-607.66", "-500", 1.22,
                  detail=f"-607.66 of -500.00; {LOCKED_BY_THIS_RULE}")
             for r in default_rules()]
    s = state(account(realized="-607.66", rules=rules, lockouts=[lockout()]))
    text = text_of(s, 80, 24)
    assert "as bars above" in text, text                   # the rule has no RULES row here
    [bar] = [ln for ln in text.splitlines() if ln.startswith("daily_realized_loss")]
    assert "[" in bar and bar.rstrip().endswith(LOCKED_BY_THIS_RULE), text
    # with room for its RULES row, the note is said there, once
    wide = text_of(s, 120, None)
    assert wide.count(LOCKED_BY_THIS_RULE) == 1, wide


def test_a_cooldown_ending_at_a_whole_minute_shows_its_seconds_as_the_banner_does():
    """One time format on the screen (shared/showtime.end): the banner above says "(until Wed
    14:24:00 CST)", so the rule's line does too, not "until Wed 14:24 CST"."""
    until = NOW + 1233 * NS_PER_S                 # 14:24:00 CST
    s = state(account(rules=[hourly(12)], lockouts=[lockout(
        kind="timer", rule_name="trade_frequency_limit", until_ns=until)]))
    text = text_of(s)
    assert "(cooldown running until Wed 14:24:00 CST)" in text, text
    assert "(until Wed 14:24:00 CST)" in text, text


def test_a_count_over_its_limit_with_no_cooldown_left_says_over_not_at():
    """Trial13a: "6/3 per minute 200% (at the limit: the next trade starts ...)": at 200 %
    it is over the limit."""
    text = text_of(state(account(rules=[hourly(12)])))
    assert ("12/10 per hour 120% (over the limit: the next trade starts a 30m00s cooldown)"
            in text), text
    assert "at the limit" not in text, text
