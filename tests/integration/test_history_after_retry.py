"""`riskctl history` tells the end of a failed action riskd tried again (fresh-user trial
2026-12-06, on main), through a real riskd.

The trial: `POST /sim/fail` (HTTP 500 on closeContract and partialCloseContract), MNQ dropped
past daily_unrealized_loss, then the failure disarmed. `riskctl status` showed "done, 3rd
attempt", the phone "✅ Done ... on the 3rd attempt", and history kept "FAILED: close_position
gave up after 4 rounds ..." (and "FAILED: flatten gave up ...") for good; while riskd was to
try again it read "gave up" too, and a later decision's note named the flatten right above it
"an earlier action (not in this history)". Unit level:
tests/unit/cli/test_history_retried_action.py.

Real processes on loopback: the sim broker, and riskd from etc/riskd.toml's default rules with
its guard workers (test_alert_after_restart.py's long_one_each: the random walk off so the
price moves only when the test moves it, the phone a fake Telegram).
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.harness import CLOSE, MNQ, PARTIAL
from tests.integration.test_alert_after_restart import (TOKEN, long_one_each, on_phone,
                                                        sessions)  # noqa: F401 (a fixture)
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]

ALPHA = (1031, "ALPHA", MNQ, 21000.0, 20880.0)      # $2 a point: -240 at 20880
FLATTEN_AT = 20690.0                                 # -620: past daily_net_loss's 600


def history(procs, config) -> str:
    return " ".join(procs.riskctl_ok(config, "history").split())


def row_of(text: str, rule: str) -> str:
    """The words of the rule's decision in a flattened history (up to the next row)."""
    start = text.index(f"rule {rule} what:")
    return text[start:text.index(" CST ALPHA", start)] if " CST ALPHA" in text[start:] \
        else text[start:]


def fail_closes(desk, count: int) -> None:
    desk.fail(CLOSE, 500, count)
    desk.fail(PARTIAL, 500, count)


def test_history_says_a_failed_close_was_done_on_a_later_attempt(procs, tmp_path,
                                                                  sessions):  # noqa: F811
    telegram = FakeTelegram(TOKEN)
    desk = None
    try:
        config, desk = long_one_each(procs, tmp_path, telegram, (ALPHA,))
        fail_closes(desk, 1000)
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20880.0})
        wait_for(lambda: on_phone(telegram, "Enforcement FAILED on ALPHA"), 30, interval=0.2,
                 what="the close's FAILED alert")
        # while riskd tries again: its attempt failed (or the next one is under way), it was
        # not given up
        close = wait_for(lambda: (r := row_of(history(procs, config), "daily_unrealized_loss"))
                         and "done" not in r and r, 10, interval=0.3,
                         what="the failure in history")
        assert "gave up" not in close, close
        assert re.search(r"FAILED on the \w+ attempt( at [^,]*)?, (riskd tries again at|riskd is "
                         r"trying again now)|trying again: the \w+ attempt is", close), close
        fail_closes(desk, 0)                    # the broker answers again
        wait_for(lambda: not desk.positions(1031), 60, interval=0.2,
                 what="riskd's retry closing MNQ")
        done = wait_for(lambda: on_phone(telegram, "Done on ALPHA", "attempt"), 20,
                        interval=0.2, what="the done-after-retries alert")
        attempt = done[0].split(" on the ", 1)[1].split(" attempt", 1)[0]     # '3rd'
        close = row_of(history(procs, config), "daily_unrealized_loss")
        assert close.startswith(f"rule daily_unrealized_loss what: done on the {attempt} "
                                f"attempt at "), close
        assert "after the decision; the 1st" in close and "failed):" in close, close
        assert "FAILED" not in close and "gave up" not in close, close
    finally:
        if desk is not None:
            fail_closes(desk, 0)
        telegram.close()


def test_history_says_how_the_failed_close_and_flatten_ended(procs, tmp_path,
                                                            sessions):  # noqa: F811
    telegram = FakeTelegram(TOKEN)
    desk = None
    try:
        config, desk = long_one_each(procs, tmp_path, telegram, (ALPHA,))
        fail_closes(desk, 1000)
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20880.0})
        wait_for(lambda: on_phone(telegram, "Enforcement FAILED on ALPHA"), 30, interval=0.2,
                 what="the close's FAILED alert")
        desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": FLATTEN_AT})
        wait_for(lambda: re.search(r"rule daily_net_loss what: (FAILED|trying again)",
                                   history(procs, config)), 20,
                 interval=0.3, what="daily_net_loss's flatten failed too")
        fail_closes(desk, 0)
        wait_for(lambda: not desk.positions(1031), 60, interval=0.2,
                 what="riskd's retries closing MNQ")
        wait_for(lambda: on_phone(telegram, "✅"), 20, interval=0.2, what="the phone's last word")

        def ended():
            text = history(procs, config)
            return text if "trying again" not in text and "riskd tries again" not in text \
                else None
        text = wait_for(ended, 20, interval=0.5, what="history without a try under way")
        assert "gave up" not in text, text
        assert "not in this history" not in text, text
        flatten = row_of(text, "daily_net_loss")
        close = row_of(text, "daily_unrealized_loss")
        # each says its end: done on a later attempt, or how it ended without its own try
        assert "done on the " in flatten or ", then " in flatten, flatten
        assert "done on the " in close or ", then " in close, close
        assert "FAILED:" not in text, text
    finally:
        if desk is not None:
            fail_closes(desk, 0)
        telegram.close()
