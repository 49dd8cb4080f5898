"""watch wraps the RULES title's list of rules off and a bar's words instead of cutting them.

trial20a section 7: at 120 columns the RULES title read "(4 off: max_unrealized_profit,
session_block_outside, trade_management, daily_rea…", and at 80 the drawdown_guard bar line
"acts at 48,100.00 (li…". The shipped rules' readings (test_watch_panels.default_rules) with
the trial's rules off and drawdown_guard's line set; drawn as `watch` draws them.
"""
from __future__ import annotations

import attrs
import pytest

from cli.watch.columns import CUT
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, rule, state
from tests.unit.cli.test_watch_panels import default_rules

OFF = ("max_unrealized_profit", "session_block_outside", "trade_management",
       "daily_realized_profit")
WORDS = "equity 49,613.11, acts at 48,200.00 (line 48,100.00 + buffer 100.00)"


def trial_rules():
    out = []
    for r in default_rules():
        if r.rule == "no_stop_loss_grace":
            r = attrs.evolve(r, enabled=True, detail="no open position without a stop")
        if r.rule == "drawdown_guard":
            r = rule("drawdown_guard", "49613.11", "48200", 0.26, detail=WORDS)
        out.append(r)
    return out


def screen(width, height):
    s = state(account(rules=trial_rules()))
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, height))


@pytest.mark.parametrize("width,height", [(120, 40), (80, 40), (80, 24)])
def test_the_rules_off_are_named_whole(width, height):
    text = screen(width, height)
    lines = text.split("\n")
    head = next(i for i, ln in enumerate(lines) if ln.startswith("RULES"))
    title = " ".join(" ".join(lines[head:head + 3]).split())
    assert all(name in title for name in OFF), text
    assert "(4 off: " in title, text
    assert not any(CUT in ln for ln in lines[head:head + 3] if "off" in ln), text
    assert len(lines) == height and all(len(ln) <= width for ln in lines), text


@pytest.mark.parametrize("width,height", [(80, 40), (80, 30), (120, 40)])
def test_the_drawdown_bar_words_are_whole(width, height):
    text = screen(width, height)
    assert WORDS in " ".join(text.split()), text
    assert "(li" + CUT not in text, text


def test_at_80x24_the_bar_keeps_where_riskd_acts_whole():
    """No line to spare at 80x24: the bar's words without their last bracket, whole (the line
    and buffer stay in `riskctl rules list`), never cut in the middle of a figure."""
    text = screen(80, 24)
    [bar] = [ln for ln in text.split("\n") if ln.startswith("drawdown_guard ")]
    assert bar.rstrip().endswith("26% equity 49,613.11, acts at 48,200.00"), text
    assert CUT not in bar, text


def test_at_80x24_with_no_line_to_spare_the_title_names_the_rules_off_whole():
    """lastact20's leftover: the shipped profile at 80x24 (no line to spare for the title's
    list) read "(5 off: max_unrealized_profit, no_stop_lo…". Now the names that fit, whole,
    and how many more. Fails on main's code (a cut name)."""
    from tests.unit.cli.test_watch_panels import default_rules
    s = state(account(rules=default_rules()))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 80, 24))
    [title] = [ln for ln in text.split("\n") if ln.startswith("RULES")]
    assert title.rstrip().endswith("(5 off: max_unrealized_profit, +4 more)"), title
    assert CUT not in title, title
