"""The trader's own lockout is one lockout, extended, and a request that changes nothing says
what it asked, through a real riskd from etc/riskd.toml, the sim, `riskctl` and notify with a
fake Telegram as the phone (trial16g findings 4 and 5).

Demo 1 buys MNQ 1; `riskctl lockout 1001 --session --reason "tilt test"` flattens and locks it
to the roll; `--until 30m` changes nothing; `--until 48h --reason longer` extends it. The trial
saw two "self-lockout" rows (one to the roll, one a timer, each with its reason), and history
kept the 30-minute request with neither what it asked nor that the lockout was unchanged. Now
`riskctl lockouts` lists one self-lockout row, a timer 48 hours out, "tilt test; extended:
longer"; history's note and the phone's alert of the 30-minute request say "asked until ...;
unchanged: already locked until Mon 05:31 CST (self-lockout)" (the roll, in the display zone).

Changed from etc/riskd.toml: the sim's random walk off (prices stay put), a fake Telegram
(tests/integration/test_notify_commands.py's set-up), the trading-day roll 12 hours from now
(at 16:30 CT, 30 minutes reach past the shipped 17:00 roll: an extension, rightly).
"""
from __future__ import annotations

import json
import re

import pytest

from tests.e2e.harness import MNQ
from tests.integration.test_notify_commands import ME, riskd_config, start, telegram  # noqa: F401
from tests.support.env import roll_hours_from_now, wait_for

pytestmark = pytest.mark.slow
ACCOUNT = "1001"


def unchanged(roll: str) -> re.Pattern:
    return re.compile(r"asked until \w{3} \d\d:\d\d(:\d\d)? \w+; unchanged: already locked "
                      r"until \w{3} " + roll + r" \w+ \(self-lockout\)")


def lockout(procs, config, *args):
    done = procs.riskctl(config, "lockout", ACCOUNT, *args)
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def own_rows(procs, config) -> list[dict]:
    done = procs.riskctl(config, "lockouts", "--json")
    assert done.returncode == 0, done.stderr
    return [lk for lk in json.loads(done.stdout)["lockouts"] if lk["rule"] == "self_lockout"]


@pytest.mark.timeout(150)
def test_one_self_lockout_extended_and_the_request_that_changed_nothing_says_so(
        procs, tmp_path, telegram):  # noqa: F811
    day = roll_hours_from_now(12)
    config = riskd_config(tmp_path, telegram, sections={"trading_day": day})
    said_unchanged = unchanged(day["roll"])
    desk = start(procs, config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.buy(int(ACCOUNT), MNQ, 1)
    lockout(procs, config, "--session", "--reason", "tilt test")
    wait_for(lambda: not desk.positions(int(ACCOUNT)).get(MNQ), 20, interval=0.2,
             what="the self-lockout's flatten closed MNQ")
    shorter = lockout(procs, config, "--until", "30m")
    assert "The lockout is unchanged" in shorter, shorter
    [first] = own_rows(procs, config)
    lockout(procs, config, "--until", "48h", "--reason", "longer")
    [row] = own_rows(procs, config)                 # one row, extended: was two
    assert row["id"] == first["id"] and row["kind"] == "timer", row
    assert row["reason"] == "tilt test; extended: longer", row
    assert row["until_ns"] > first["until_ns"], (row, first)

    done = procs.riskctl(config, "history", "--account", ACCOUNT)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())            # the table wraps its columns
    assert said_unchanged.search(text), done.stdout
    said = telegram.wait_sent(lambda c: "unchanged: already locked" in c.text, 15, chat=ME,
                              what="the alert of the request that changed nothing")
    assert said_unchanged.search(said.text), said.text
    # the extension's alert says it extends the one in force, from when to when (trial17g: it
    # read as a new lockout, "locked until Tue ... (self_lockout)", reason "longer")
    grew = telegram.wait_sent(lambda c: "Lockout extended" in c.text, 15, chat=ME,
                              what="the alert of the longer self-lockout")
    assert re.search(r"extends the lockout in force since \w{3} \d\d:\d\d:\d\d \w+ \(tilt "
                     r"test\) from \w{3} " + day["roll"] + r" \w+ to \w{3} \d\d:\d\d(:\d\d)? \w+",
                     grew.text), grew.text
