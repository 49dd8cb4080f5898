"""A locked account's buys while riskd's close of them is held at the broker and enforcement is
killed -9 (trial18a sections 2 and 6), through a real riskd from etc/riskd.toml and the sim.

Demo 2 (strict, max_contracts 2) self-locked and flat. The sim holds every closeContract of the
account (`/sim/fail` status 200 with `hold`: docs/simbroker.md) until the test releases them;
partialCloseContract is not held. The trader buys 1 MNQ three times (the lockout's close of
the first is held; the second's cut, a reduce, runs once the held close's call times out and
hands its lane over, and takes the third's contract with it). Enforcement is killed -9 and
started again by the supervisor (it resumes the close, held again); the trader buys 1 more;
the closes are released 25 s after the cut's result: its unmet expectation has been forgotten
(15 s after it) and every closeContract call held has timed out (the shipped 10 s), as in the
trial.

Before the fix (all three seen in the trial, every time):
- 15 s after the cut, a lockout enforcement line and alert "MNQ position bought while ...
  locked ..., after riskd's reduce in flight last read it: 2 held, cut to 1" for a buy the
  broker never had (its 2nd contract was the last buy, cut on its own already);
- the last buy's cut went "down to 0" beside the close in flight, as a second closeContract
  queued behind it: the one sell of 2 the release made was "✅ Done" for both commands;
- the alert of the third buy said "MNQ ends flat", the cut it was left to finished leaving 1
  contract and nothing said so while the locked account held 1, then 2, for 20 s.
Now: every lockout enforcement line is one of the trader's buys (the last buy is cut to 1 by a
reduce of its own: the cut's sell of 2 is the cut's, the held close keeps its contract), each
sell of riskd's is one "✅ Done" (3: the cut's, the last buy's cut's, the close's), a "⏳ MNQ not flat yet" alert follows the cut's Done while the close beside it has
no result, and the trader's trade count is their 4 buys.

Changed from etc/riskd.toml: the sim's random walk off (prices stay put) and a fake Telegram as
the phone (tests/integration/test_notify_commands.py's set-up). The broker timeout is the
shipped one (10 s), as in the trial: the held close's call times out, as it did there.
"""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from tests.e2e.harness import CLOSE, MNQ
from tests.integration.test_notify_commands import (ME, riskd_config, start, status_json,  # noqa: F401
                                                    telegram)
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(200)]
STRICT = 1002
BUYS = 4
# the release: 15 s (exits.py WINDOW_NS) after the cut's result and two broker timeouts (10 s)
# after the enforcement restart that follows it
RELEASE_S = 25


def lockout_lines(procs, config) -> list[dict]:
    done = procs.riskctl(config, "history", "--account", str(STRICT), "--json")
    assert done.returncode == 0, done.stderr
    return [d for d in json.loads(done.stdout)["decisions"] if d["rule"] == "lockout"]


def texts(telegram) -> list[str]:
    return [" | ".join(c.text.splitlines()) for c in telegram.sent(ME)]


def test_held_close_and_killed_enforcement_say_only_what_happened(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram)
    desk = start(procs, config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    locked = procs.riskctl(config, "lockout", str(STRICT), "--session")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    wait_for(lambda: any("🔒 Demo 2" in t for t in texts(telegram)), 20,
             what="the self-lockout's alert")
    desk.fail(CLOSE, 200, 10, delay=120, hold=True, accountId=STRICT)
    try:
        for _ in range(3):
            desk.buy(STRICT, MNQ, 1)
            time.sleep(1.4)
        # the second buy's cut runs once the held close's call times out (10 s): 3 -> 1
        cut = telegram.wait_sent(lambda c: c.text.startswith("✅ Done")
                                 and "reduce by lockout enforcement" in c.text, 30, chat=ME,
                                 what="the cut's Done")
        cut_done = time.monotonic()
        assert desk.positions(STRICT) == {MNQ: 1}, (desk.positions(STRICT), cut.text)
        os.kill(procs.workers(config)["enforcement"].pid, signal.SIGKILL)
        time.sleep(1)
        procs.wait_running(config, ["enforcement"], timeout=20)
        desk.buy(STRICT, MNQ, 1)
        wait_for(lambda: len(lockout_lines(procs, config)) >= BUYS, 20,
                 what="a lockout enforcement line for each buy")
        # past the moment the cut's unmet expectation is forgotten (the phantom's moment),
        # and past the broker timeout of every closeContract call held meanwhile (the
        # resumed close's, and, before the fix, the last buy's cut "down to 0" queued behind
        # it): released, each command finds MNQ flat with its own call's answer lost
        time.sleep(max(0.0, cut_done + RELEASE_S - time.monotonic()))
        # the last buy is cut to 1 by a reduce of its own (the held close keeps the contract it
        # is closing: services/risk/exits.py _of_its_command), run once the resumed close's
        # call times out
        wait_for(lambda: sum("reduce by lockout enforcement" in t and t.startswith("✅ Done")
                             for t in texts(telegram)) >= 2, 30, what="the last buy's cut")
        assert desk.positions(STRICT) == {MNQ: 1}
    finally:
        desk.release(CLOSE)
    wait_for(lambda: not desk.positions(STRICT), 30, interval=0.2, what="Demo 2 flat")
    wait_for(lambda: sum(t.startswith("✅ Done") for t in texts(telegram)) >= 3, 30,
             what="the close's Done")
    time.sleep(3)                   # anything else that would come

    said = texts(telegram)
    lines = lockout_lines(procs, config)
    # (a) one lockout enforcement line per buy the trader made, none for a buy never made
    assert len(lines) == BUYS, [(d["action"], d["reason"]) for d in lines]
    assert not [t for t in said if "after riskd's reduce in flight last read it" in t], said
    # (b) each sell of riskd's at the broker is one command's Done
    sells = [t for t in desk.client.search_trades(STRICT, 0) if int(t.side) == 1]
    dones = [t for t in said if t.startswith("✅ Done") and "lockout enforcement" in t]
    assert len(dones) == len(sells) == 3, (dones, sells)
    # (c) "MNQ ends flat" was said; the cut's Done leaving 1 is followed by "not flat yet",
    # before the close's Done
    promised = [i for i, t in enumerate(said) if "MNQ ends flat" in t]
    follow = [i for i, t in enumerate(said) if t.startswith("⏳ MNQ not flat yet")]
    closed = [i for i, t in enumerate(said) if t.startswith("✅ Done")
              and "close by lockout enforcement" in t]
    assert promised and len(follow) == 1 and closed, said
    # the promise and the cut's Done are two alerts of two steps: the phone may get them in
    # either order under load (the fresh-clone make test at 2b36cbf: the Done first). The
    # follow-up comes before the close's Done; after the cut's Done when the cut's fills are
    # in, but the Done waits up to 2 s for its fills note (services/notify/donehold.py) while
    # risk's follow-up is sent at once: under load (round 25's fresh-clone make test) the
    # follow-up came first. Both orders are true; the follow-up never comes before the cut
    # was done (it is risk's answer to the cut's result).
    cut_done_at = said.index(next(t for t in said if t.startswith("✅ Done")
                                  and "reduce by lockout enforcement" in t))
    assert follow[0] < closed[0] and cut_done_at < closed[0], said
    assert "left 1 contract open" in said[follow[0]], said[follow[0]]
    # riskd's closes are not the trader's trades: 4 buys
    demo2 = next(a for a in status_json(procs, config)["accounts"]
                 if a["account_id"] == STRICT)
    assert demo2["trades_today"] == BUYS, demo2
