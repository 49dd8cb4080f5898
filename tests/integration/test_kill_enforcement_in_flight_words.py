"""A `kill -9` of enforcement in the middle of a close held at the broker (trial18c: `riskctl
sim fail Position/closeContract --status 200 --delay 120 --hold`, then kill -9 enforcement):
its crash alert says the close was in flight and that the enforcement riskd starts again
resumes it; its "back" alert says it resumes it (history then shows what became of it).
Before: both said nothing of the close.

Real processes: riskd from etc/riskd.toml (Demo 2 strict, self-locked: a buy is closed by
lockout enforcement) and the sim; changed: the sim's random walk off and a fake Telegram as
the phone (tests/integration/test_notify_commands.py's set-up). The sim holds Demo 2's next two
closeContract calls (the one the kill interrupts and the resumed one) until the test releases
them."""
from __future__ import annotations

import os
import re
import signal

import pytest

from tests.e2e.harness import CLOSE, MNQ
from tests.integration.test_notify_commands import (ME, riskd_config, start,  # noqa: F401
                                                    telegram)
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120),
              pytest.mark.riskctl_in_process]   # riskctl: incli.completed
STRICT = 1002
CLOSE_WORDS = "riskd's close by lockout enforcement on Demo 2 (strict, id 1002)"


def test_a_killed_enforcement_says_the_close_in_flight_and_resumes_it(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = start(procs, config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    locked = procs.riskctl(config, "lockout", str(STRICT), "--session")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    telegram.wait_sent(lambda c: "🔒 Demo 2" in c.text, 20, chat=ME,
                       what="the self-lockout's alert")
    desk.fail(CLOSE, 200, 2, delay=60, hold=True, accountId=STRICT)
    try:
        desk.buy(STRICT, MNQ, 1)
        wait_for(lambda: desk.sim("/sim/calls", {})["calls"].get(CLOSE, 0) >= 1, 20,
                 interval=0.05, what="lockout enforcement's close held at the sim")
        os.kill(procs.workers(config)["enforcement"].pid, signal.SIGKILL)
        crash = telegram.wait_sent(lambda c: c.text.startswith("💥 Worker enforcement crashed"),
                                   20, chat=ME, what="enforcement's crash alert")
        assert f"{CLOSE_WORDS} was in flight, not finished: the enforcement riskd starts " \
               f"again resumes it" in crash.text, crash.text
        back = telegram.wait_sent(lambda c: c.text.startswith("🟢 Worker enforcement is back"),
                                  30, chat=ME, what="enforcement's back alert")
        assert f"it resumes {CLOSE_WORDS}, in flight at its down: it reads the broker " \
               f"first" in back.text, back.text
        assert desk.positions(STRICT) == {MNQ: 1}       # held: nothing closed yet
    finally:
        desk.release(CLOSE)
    wait_for(lambda: not desk.positions(STRICT), 30, interval=0.2, what="Demo 2 flat")
    # what became of it: history's lockout enforcement row is final: "done at ...: MNQ
    # closed", or, when the killed process's held call closed it first, "done at ...: MNQ ...
    # is flat: closed by the close riskd sent before enforcement restarted" (riskd's close,
    # never "nothing to do: ... already flat")
    # ("done at <time> (Ns after the decision)" only when it took WAITED_S or more: on a quiet
    # machine the release comes sooner, "done: ...")
    wait_for(lambda: re.search(r"lockout enforcement\n  what:   done[: ]",
                               procs.riskctl(config, "history", "--account",
                                             str(STRICT)).stdout), 30, interval=0.5,
             what="the resumed close final in history")
    # the lockout enforced alert, whenever its step's alert is built (after the crash, in
    # some runs), never says the close waits for enforcement: enforcement had accepted it
    said = [c.text for c in telegram.sent(ME)]
    assert not any("NOT done yet, enforcement is not running" in t for t in said), said
