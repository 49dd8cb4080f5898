"""Contracts bought while locked that max_contracts's reduce in flight closes are said to be
closed, through a real riskd from etc/riskd.toml (Demo 1: max_contracts 5 reducing,
trade_frequency_limit 3 a minute) and the sim.

trial13a: holding 5, three buys of 2 MNQ 15 ms apart: the first (the 3rd trade of the minute)
made max_contracts reduce to 5 and started the cooldown; the next two were bought under it.
One reduce took 11 to 5 in two rounds (6 closed), history said "reduce MNQ by 2", and no
"lockout enforcement" line told the trader that the 4 contracts bought while locked were
closed. Here the first partial close is held at the sim (`/sim/fail` status 200 with `hold`)
until risk has decided on both buys, so the two buys land while a cut is in flight, as in the
trial, every time, however slow the machine (it was 1.5 s slow until round 17). Which cut
that is depends on the order the broker's events reach risk (the 4th trade's fill before any
Position event: the lockout's own cut, with max_contracts's behind it, judged again once it
is done).

The trader's screens and phone say what history says (one wording, shared/outcomewords.py):
the "✅ Done" of the cut that took the contracts bought while locked and `riskctl status`'s
LAST ACTIONS (the line under that cut's row) carry history's "N of the M closed were bought while locked
(lockout enforcement)", and lockout enforcement's rows read "left to <the cut's rule>", never
"not sent: in flight" (which read as if those buys were kept).

Changed from etc/riskd.toml: the sim's random walk (off: the prices stay put, no other rule
moves), a fake Telegram as the phone (tests/integration/test_notify_commands.py's set-up), and
[broker] timeout above the hold, so enforcement waits for the held call as for a slow broker
(the shipped 10 s would end the call and cut in a second round beside it).
"""
from __future__ import annotations

import json
import re
import time

import pytest

from shared.config import load_config
from tests.e2e.harness import MNQ, PARTIAL, SimDesk
from tests.integration.test_notify_commands import ME, riskd_config, telegram  # noqa: F401
from tests.integration.test_risk_commands import risk_synced
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed
WORKERS = ["simbroker", "market", "risk", "enforcement", "notify"]
SAID = re.compile(r"(\d+ of the \d+ closed (?:was|were)|with them, contracts) bought while "
                  r"locked \(lockout enforcement\)")


def history(procs, config) -> str:
    done = procs.riskctl(config, "history", "--account", "1001")
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


LOCKED = "MNQ position added to while account Demo 1 (id 1001) locked"
HELD_S = 60         # the longest the held close waits for its release (never, unless it fails)


def burst(procs, config) -> SimDesk:
    """riskd up; Demo 1 holds 5 MNQ; the three buys of 2, the first cut's close held until
    desk.release(PARTIAL) (HELD_S at most)."""
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=40)
    desk = SimDesk(config)
    desk.wait_up()
    # the burst is seen as it happens, not in a snapshot of market's (an incomplete first
    # one is asked again until complete): a burst inside a re-sync reaches risk as the
    # position before its fills, and then no cut stands behind the one in flight (round 16's
    # make test: no "added to while ... locked" line, or one for both buys)
    loaded = load_config(config).config
    wait_for(lambda: risk_synced(loaded), 30, interval=0.2,
             what="risk following market's stream from a complete snapshot")
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.buy(1001, MNQ, 4)
    desk.buy(1001, MNQ, 1)                          # 5 of 5, the 2nd trade of the minute
    desk.fail(PARTIAL, 200, 1, delay=HELD_S, hold=True)   # the first cut's close: held
    desk.buy(1001, MNQ, 2)                          # 7: max_contracts reduces; the cooldown
    time.sleep(0.3)
    desk.buy(1001, MNQ, 2)                          # 9: bought while locked
    desk.buy(1001, MNQ, 2)                          # 11: bought while locked
    return desk


@pytest.mark.timeout(120)
def test_buys_made_while_locked_that_the_reduce_in_flight_closed_are_said_closed(
        procs, tmp_path, telegram):  # noqa: F811
    config = riskd_config(tmp_path, telegram, broker={"timeout": HELD_S + 30})
    desk = burst(procs, config)
    # each buy made while locked has its lockout enforcement line, whichever cut took it:
    # max_contracts's reduce in flight (the trial's order: "left to riskd's cut in flight")
    # or the lockout's own, when the 4th trade's fill came before any Position event
    try:
        said = wait_for(lambda: (h := history(procs, config)) and h.count(LOCKED) >= 2 and h,
                        20, what="a lockout enforcement line for each buy made while locked")
    except AssertionError:      # what history said instead (two make test runs of round 16)
        raise AssertionError(f"{desk.positions(1001)} {history(procs, config)}") from None
    finally:
        desk.release(PARTIAL)                       # the cut in flight goes on
    try:
        wait_for(lambda: desk.positions(1001).get(MNQ) == 5, 30, interval=0.2,
                 what="Demo 1 back at 5 MNQ")
    except AssertionError:
        raise AssertionError(f"{desk.positions(1001)} {desk.counts_doc()['tookEffect']} "
                             f"{history(procs, config)}") from None
    said = history(procs, config)
    assert "bought while locked (lockout enforcement)" in said, said
    # no second close of what a cut in flight took: at most the two cuts' rounds
    assert desk.took_effect(PARTIAL) <= 3, desk.counts_doc()
    assert desk.positions(1001).get(MNQ) == 5
    words = SAID.search(said).group(0)
    # the phone: that cut's "✅ Done" says it in history's words
    done = telegram.wait_sent(lambda c: c.text.startswith("✅ Done") and "more than asked"
                              in c.text, 20, chat=ME, what="the cut's ✅ Done")
    assert words in " ".join(done.text.split()), (done.text, said)
    # the screen: LAST ACTIONS says it under that cut's row, and lockout enforcement's rows
    # say which cut took them
    shown = procs.riskctl(config, "status")
    assert shown.returncode == 0, shown.stderr
    actions = " ".join(shown.stdout.split("LAST ACTIONS", 2)[1].split())
    assert words in actions, shown.stdout
    assert "not sent: in flight" not in actions, shown.stdout
    stored = procs.riskctl(config, "history", "--account", "1001", "--json")
    assert stored.returncode == 0, stored.stderr
    left = [d for d in json.loads(stored.stdout)["decisions"]
            if d["suppressed"].startswith("left to riskd's cut in flight")]
    # one row each (a row starts with its time; a cut outcome's words are whole under it,
    # the row's cell cut after a whole word: 'left to…')
    rows = [ln for ln in shown.stdout.split("LAST ACTIONS", 2)[1].splitlines()
            if re.match(r"\w{3} \d\d:\d\d:\d\d ", ln) and re.search(r" left\b", ln)]
    assert len(rows) == len(left) > 0, shown.stdout


@pytest.mark.timeout(150)
def test_the_done_after_a_notify_restart_still_says_the_buys_made_while_locked(
        procs, tmp_path, telegram, monkeypatch):  # noqa: F811
    """ops15: notify's memory of lockout enforcement's cuts was in its process only: after
    `riskctl restart notify` between risk's decisions and the cut's result, the "✅ Done"
    lost "N of the M closed were bought while locked". Here the first cut's close is held at
    the sim until notify has been restarted once risk has decided on both buys made while
    locked, and the Done, sent by the new notify, says what history says. Passwords are set
    because a restart needs an ops session.

    The close is held, not slow by a time (it took 12 s until round 17): under load the
    restart came after the Done ("the Done came before the restart", round 16's `-n 4`
    make test; 2 of 10 runs under two busy loops), and 12 s is past the broker timeout
    (10 s), so enforcement gave up on the call and cut in a second round while the sim still
    carried the first out 12 s after it came: 2 more closed, 3 left where the test looked
    for 5 (1 of 10 runs, whenever the test got there after the late close)."""
    from shared.config.access import hash_password
    from tests.support.auth import ADMIN_PW, OPS_PW, login
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = riskd_config(tmp_path, telegram, sections={
        "admin": {"password_hash": hash_password(ADMIN_PW, cost=4)},
        "ops": {"password_hash": hash_password(OPS_PW, cost=4)}},
        broker={"timeout": HELD_S + 30})
    desk = burst(procs, config)
    try:
        wait_for(lambda: history(procs, config).count(LOCKED) >= 2, 10,
                 what="risk's decisions on both buys made while locked")
        login(procs, config, "ops")
        restarted = procs.riskctl(config, "restart", "notify", "--reason", "ops15")
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        assert not [c for c in telegram.sent(ME) if c.text.startswith("✅ Done")
                    and "more than asked" in c.text], "the Done came before the restart"
    finally:
        desk.release(PARTIAL)                       # the cut goes on: its Done follows
    done = telegram.wait_sent(lambda c: c.text.startswith("✅ Done") and "more than asked"
                              in c.text, 40, chat=ME, what="the cut's ✅ Done")
    said = history(procs, config)
    words = SAID.search(said).group(0)
    assert words in " ".join(done.text.split()), (done.text, said)
    assert desk.positions(1001).get(MNQ) == 5
