"""`riskctl status` to a pipe or a file cuts nothing (fresh-user trial: piped, its rows were cut
at 100 columns, "(line 48,000.00 + buffe…", though `history --help` promises nothing is cut
when not on a terminal): laid out for the width, the long lines wrapped as history wraps."""
from __future__ import annotations

from cli.watch.model import build_screen
from cli.watch.view import CUT, plain, render
from shared.rulenumbers import drawdown_reading
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, rule, state

DRAWDOWN = drawdown_reading(50000, 48000, 100)      # as risk says it


def a_screen():
    rules = [rule("max_contracts", 0, 5, 0.0), rule("daily_realized_loss", 0, -500, 0.0),
             rule("trade_frequency_limit", 0, 3, 0.0),
             rule("drawdown_guard", "50000", "48100", 0.0, detail=DRAWDOWN)]
    return build_screen(state(account(rules=rules)), NOW, CHICAGO, CALENDAR)


def test_piped_status_cuts_no_line_and_wraps_the_long_ones_at_the_width():
    text = plain(render(a_screen(), 100, None, unicode=False, wrap=True))
    assert CUT not in text, text
    assert all(len(line) <= 100 for line in text.split("\n")), text
    flat = " ".join(text.split())
    assert DRAWDOWN in flat, text            # the bar's and the rule row's text, whole
    assert flat.count(DRAWDOWN) == 2, text
    # laid out as for 100 columns: one column of rules, the bars as wide as on a terminal
    terminal = plain(render(a_screen(), 100, None, unicode=False))
    bars = [line for line in terminal.split("\n") if "[" in line and "]" in line]
    for line in bars:
        assert line.split("]")[0] in text


def test_on_a_terminal_a_bar_too_wide_has_its_words_under_it_whole():
    """trial20a section 7: a bar's words were cut at the width ("(li…"); on a terminal they
    now go on the line under the bar, whole (the piped output above wraps its lines)."""
    text = plain(render(a_screen(), 100, None, unicode=False))
    assert "buffe" + CUT not in text, text
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("drawdown_guard "))
    assert lines[at].rstrip().endswith("%") and lines[at + 1].strip() == DRAWDOWN, text
