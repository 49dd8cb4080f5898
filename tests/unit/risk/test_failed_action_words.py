"""One word for riskd's attempts, another for enforcement's calls (trial 2026-12-06).

The first alert said "gave up after 4 tries over 1.8 s" (enforcement's broker calls inside one
command), the status "3 failed tries" (risk's commands), the reminder "8 failed tries since
19:51:41", the Done "on the 9th try": one word for two things. Now risk's commands of a failed
action are attempts, and enforcement's broker calls inside one are calls, in every alert.
"""
from __future__ import annotations

import re

from tests.unit.risk.desk import NS
from tests.unit.risk.test_failed_action_tried_again import Run

TRY = re.compile(r"\btry\b|\btries\b")


def test_attempts_are_riskds_commands_and_calls_are_enforcements():
    run = Run()
    cmd = run.buy_mnq()
    mark = len(run.outs)
    for _ in range(9):            # the 9th failure at 5+15+30+60*5 s: past the 5 minutes of "still"
        run.result(cmd, "failed", attempts=4)
        run.wait((run.failing()[0].next_ns - run.now) / NS)
        (cmd,) = run.sent()
    run.result(cmd, "done", detail="closed MNQ long 1")
    first, still, done = run.notices(mark)
    assert "gave up after 4 calls over 2.1 s" in "\n".join(first.lines)
    assert "9 failed attempts since" in still.lines[0]
    assert "on the 10th attempt" in done.title
    for n in (first, still, done):
        text = "\n".join([n.title, *n.lines])
        # "riskd tries again" / "does not try again" are verbs; the nouns are gone
        assert not TRY.search(text.replace("tries again", "").replace("try again", "")), text
