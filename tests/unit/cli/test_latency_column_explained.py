"""`riskctl status` says what LAST ACTIONS' latency figures are (trial18b section 7: "10s, done
34s" and "10s, done 10s" under "latency", explained neither on the screen nor in its legend;
only history said "first answer 10s after the event, done after 34s"). The legend printed under
the status names both figures, in history's terms. Fails on main's code (no such legend item).
The screen is built as status builds it (build_screen from the live records, render with no
height: printed once, every legend item)."""
from __future__ import annotations

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.cli.test_rounds_latency import decision, result


def test_the_status_legend_says_what_the_latency_figures_are():
    s = state(account())
    s.apply(decision())
    s.apply(result(2))               # a reduce of 2 rounds: "0.006s, done 0.367s"
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 100))
    assert "0.006s, done 0.367s" in text, text
    said = " ".join(text.split())
    assert ("latency: from the event that set the rule off to the broker's first answer (a "
            "failed action: to riskd giving up); \"10s, done 34s\": an action of more rounds "
            "(or done a second or more after its first answer), first answer 10 s after the "
            "event, done 34 s after it") in said, text
