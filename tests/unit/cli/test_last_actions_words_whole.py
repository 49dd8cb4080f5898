"""LAST ACTIONS keeps an outcome's words whole and says them once (check23's cosmetic finds).

check23, item 1: a reduce's lost cut carried out after riskd's next one read
`riskd (late close) reduce MNQ riskd's: cut 2 too ma…`, then `outcome: riskd's: cut 2 too
many` on the next line. Item 5: an unlocked cooldown's row read `lock  ended early 12:24:…`,
then `outcome: ended early 12:24:06; locked until Mon 12:25:03 CST (timer), ended early at Mon
12:24:06 CST by an unlock (admin:root)`: "ended early" three times. Now the late row's outcome
is short enough to stay whole ("cut 2 too many"), an outcome cut is cut after a whole word,
and the line under a row does not repeat an outcome its note already says. Each test fails on
main's code (checked)."""
from __future__ import annotations

import re

import pytest

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from services.risk.views import account_status
from shared import latewords
from shared.clock import NS_PER_S
from shared.messages.risk import HistoryReply, RuleWarning
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
from tests.unit.cli.test_action_row_lock_ended import cooldown_unlocked
from tests.unit.risk.desk import CHI
from tests.unit.risk.engine_run import ACCOUNT


def _last_actions(s, now, tz, width: int) -> list[str]:
    text = plain(render(build_screen(s, now, tz, CALENDAR), width, None, unicode=True))
    block = text.split("LAST ACTIONS", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()[1:]


def _no_word_cut(line: str, outcome: str) -> None:
    """A cut outcome ends in '…' after one of its whole words, never in one: 'ended early…',
    not 'too ma…' or '12:24:…'."""
    for cut in re.findall(r"(\S+)…", line):
        assert cut in outcome.split(), line


@pytest.mark.parametrize("width", [66, 70, 80, 120])
def test_an_unlocked_cooldowns_row_says_ended_early_twice_at_most_never_cut(width):
    desk = cooldown_unlocked()
    decisions = [d for o in desk.history for d in o.decisions]
    changes = [c for o in desk.history for c in o.lockouts]
    s = state(account_status(desk.engine, ACCOUNT, desk.now))
    s.apply(HistoryReply(decisions=decisions, lockouts=changes))
    lines = _last_actions(s, desk.now, CHI, width)
    text = "\n".join(lines)
    assert "lock" in lines[0] and "ended" in lines[0], text
    _no_word_cut(lines[0], "ended early 09:00:16")
    assert "outcome:" not in text, text
    assert " ".join(text.split()).count("ended early") <= 2, text
    assert "ended early at Wed 09:00:16 CST by an unlock (admin:root)" in " ".join(text.split())


@pytest.mark.parametrize("width", [70, 80, 120])
def test_a_late_reduces_overcut_row_keeps_its_outcome_whole(width):
    s = state(account())
    late = RuleWarning(id="w1", ts_ns=NOW - 5 * NS_PER_S, rule=latewords.LATE_CLOSE,
                       account_id=1001, value=None, limit=None, warn_at=0.0,
                       reason=latewords.reduce_sentence("MNQ", "timed out at 14:02:50",
                                                        "14:03:22", 2, 4, 2))
    s.apply(HistoryReply(warnings=[late]))
    lines = _last_actions(s, NOW, CHICAGO, width)
    text = "\n".join(lines)
    [row] = [ln for ln in lines if "late close" in ln]
    assert "cut 2 too many" in row, text
    _no_word_cut(row, "cut 2 too many")
    assert "outcome:" not in text, text
