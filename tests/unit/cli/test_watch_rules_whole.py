"""watch's RULES panel keeps rule names whole: when rows are short it leaves rules off and
says how many, and a reading too long for its cell takes the rows the screen has spare
(cli/watch/rulegrid.py). The screens are the trial's: the default rules, a cooldown, a
position, eight actions today (test_watch_actions_room.busy_day); drawdown_guard reads as risk
says it (shared/rulenumbers.drawdown_reading, line 48,100 + buffer 100 as in etc/riskd.toml's
example)."""
from __future__ import annotations

import re
from types import SimpleNamespace

import attrs

from cli.watch.model import build_screen
from cli.watch.view import CUT, plain, render, rule_lines
from shared.rulenumbers import drawdown_reading
from tests.unit.cli import test_watch_actions_room as room
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, rule
from tests.unit.cli.test_watch_panels import default_rules
from tests.unit.cli.test_watch_rule_names_cut import RULES

NAMES = {r.rule for r in default_rules()}


def trial_rules():
    """The default rules with drawdown_guard's reading in risk's words."""
    rules = default_rules()
    rules[-1] = attrs.evolve(rule("drawdown_guard", "49732.50", "48200", 0.2,
                                  detail=drawdown_reading(49732.5, 48100, 100)))
    return rules


def screen_text(monkeypatch, width, height):
    monkeypatch.setattr(room, "default_rules", trial_rules)
    s = room.read_history(room.busy_day())
    return plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), width, height))


def rules_panel(text: str) -> list[str]:
    lines = text.split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("RULES"))
    end = next(i for i, line in enumerate(lines) if line.startswith("LAST ACTIONS"))
    return lines[head + 1:end]


def test_at_80x24_with_four_actions_every_rule_name_is_whole(monkeypatch):
    """Trial 2026-12-06: "max_contra…nstrument" once LAST ACTIONS had 4+ rows.
    Put back (old view.py): the names are cut in their middle; fails."""
    text = screen_text(monkeypatch, 80, 24)
    panel = rules_panel(text)
    assert panel, text
    assert not any(CUT in word and not word.endswith(CUT) for line in panel
                   for word in line.split()), text            # no name cut in its middle
    shown = [w for line in panel for w in line.split() if w in NAMES]
    assert "max_contracts_per_instrument" in shown and "trade_frequency_limit" in shown, text
    assert len(re.findall(r"^Wed \d\d:\d\d:\d\d CST", text, re.M)) >= 4, text


def test_short_of_rows_rules_are_left_off_and_counted_never_cut():
    """Ten rules in three rows at 80 columns: whole names, and a line saying how many are not
    shown. Put back (old view.py): every rule shown with names cut ('max_con…'); fails."""
    account = SimpleNamespace(rules_off=0, not_guarded="", bars=[], rules=[
        SimpleNamespace(rule=r, text="0 / 5", colour="") for r in RULES])
    lines = plain(rule_lines(account, 80, max_rows=4)).split("\n")
    assert len(lines) <= 4, lines
    shown = [w for line in lines[1:] for w in line.split() if w in RULES]
    assert CUT not in "\n".join(lines), lines
    assert lines[-1].strip() == f"+{len(RULES) - len(shown)} more rules (riskctl rules list)", \
        lines
    assert sorted(shown) == sorted(RULES[:len(shown)]) and len(shown) >= 4, lines  # the first


def test_at_100x40_drawdown_keeps_its_share_on_a_row_below(monkeypatch):
    """Trial 2026-12-06: at 100x40 drawdown_guard's RULES row was cut before its "20%" with
    blank rows below. Put back (old view.py): '… + buffer 100.00) …'; fails."""
    text = screen_text(monkeypatch, 100, 40)
    panel = rules_panel(text)
    at = next(i for i, line in enumerate(panel) if line.startswith("drawdown_guard"))
    reading = " ".join(part.strip() for part in panel[at:at + 2])
    assert reading.endswith("(line 48,100.00 + buffer 100.00) 20%"), text
    assert CUT not in "\n".join(panel), text
