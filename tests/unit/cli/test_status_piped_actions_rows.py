"""`riskctl status` to a pipe keeps LAST ACTIONS one line an action (fresh-user trial 19a,
section 7: once one outcome was long, "left to its cut in flight", every row's latency went to
a second line: "Sun 23:50:40 CST admin:root  flatten  done" / "  0.038s"). Its columns are
laid out for the width; an outcome its column cuts is said whole under its row, so nothing is
lost. On main's code the first test fails (checked): the latencies sit on lines of their own."""
from __future__ import annotations

import attrs

from cli.watch.model import ActionLine
from cli.watch.view import plain, render
from tests.unit.cli.test_status_piped_not_cut import a_screen

ACTIONS = [
    ActionLine(time="Sun 23:50:40 CST", rule="admin:root", action="flatten", status="done",
               latency="0.038s", colour="", outcome="done"),
    ActionLine(time="Sun 23:48:29 CST", rule="lockout_enforcement", action="close_position",
               status="done", latency="10s, done 34s", colour="",
               outcome="left to its cut in flight"),
    ActionLine(time="Sun 23:40:29 CST", rule="daily_realized_loss", action="flatten",
               status="skipped", latency="0.120s", colour="",
               outcome="not sent: locked already, no new action"),
]


def _piped(width: int) -> list[str]:
    screen = a_screen()
    screen = attrs.evolve(screen, accounts=[attrs.evolve(screen.accounts[0], actions=ACTIONS)])
    text = plain(render(screen, width, None, unicode=False, wrap=True))
    lines = text.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("LAST ACTIONS"))
    return lines[start:start + 6]


def test_each_action_is_one_line_with_its_latency_at_100_and_80_columns():
    for width in (100, 80):
        lines = _piped(width)
        assert lines[0].split()[-1] == "latency", "\n".join(lines)
        for latency, at in (("0.038s", "23:50:40"), ("10s, done 34s", "23:48:29"),
                            ("0.120s", "23:40:29")):
            [row] = [ln for ln in lines if at in ln]
            assert row.endswith(latency), "\n".join(lines)
            assert len(row) <= width, "\n".join(lines)


def test_an_outcome_its_column_cuts_is_said_whole_under_its_row():
    for width in (100, 80):
        lines = _piped(width)
        flat = " ".join(" ".join(lines).split())
        assert "outcome: not sent: locked already, no new action" in flat, "\n".join(lines)
        assert "left to its cut in flight" in flat, "\n".join(lines)
