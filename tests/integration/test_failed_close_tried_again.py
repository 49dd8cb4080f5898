"""The fresh-user trial of 2026-12-06 (on main), through a real riskd: a lockout's close that
enforcement gave up on is tried again by riskd once the broker answers, and the screens and
the phone say so meanwhile (unit level: tests/unit/risk/test_failed_action_tried_again.py).

The sim broker, market, risk, enforcement and notify (its alerts to a fake Telegram: the
phone); the rules of etc/riskd.toml as shipped, and its account Demo 2 (strict) as shipped.
Changed for the scenario only: the sim's random walk is off (prices stay put, so no price rule
acts beside the lockout), and notify has a Telegram channel (the phone the test reads).

The trial's steps: `riskctl lockout 1002 --session` (locked until the roll); the sim fails
every closeContract and partialCloseContract (HTTP 500, 30 times); the trader buys MNQ 1. The
lockout's close fails: one "Enforcement FAILED" alert that says the action in words and when
riskd tries again; `riskctl status` shows "ENFORCEMENT FAILED ...: MNQ long 1 still open on a
locked account". The failure is cleared (count 0): riskd's next try closes MNQ (before the fix
nobody did: the position stayed open all through the lock), "✅ Done ... on the Nth attempt" comes,
and the screen's line is gone.
"""
from __future__ import annotations

import pytest

from tests.e2e.harness import CLOSE, MNQ, PARTIAL, SimDesk
from tests.support.auth import config_with_passwords
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = [pytest.mark.timeout(120), pytest.mark.riskctl_in_process]   # riskctl: incli.completed

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
GUARDS = ["simbroker", "market", "risk", "enforcement", "notify"]
ACCOUNT = 1002
# Demo 2 as etc/riskd.toml ships it
ACCOUNTS = [{"id": ACCOUNT, "name": "SIM-DEMO-2", "display_name": "Demo 2 (strict)",
             "profile": "default",
             "rules": {"daily_realized_loss": {"limit": 300}, "max_contracts": {"limit": 2}}}]


def on_phone(telegram: FakeTelegram, *words: str) -> list[str]:
    return [c.text for c in telegram.sent() if all(w in c.text for w in words)]


def test_a_failed_lockout_close_is_tried_again_and_the_screens_say_so(procs, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    telegram = FakeTelegram(TOKEN)
    config = config_with_passwords(
        tmp_path, workers=GUARDS, broker={"sim": {"tick_interval": 0}}, accounts=ACCOUNTS,
        notify=phone_notify(telegram))
    try:
        procs.riskd(config)
        procs.wait_running(config, GUARDS, timeout=30)
        wait_for(lambda: procs.riskctl(config, "lockout", str(ACCOUNT), "--session")
                 .returncode == 0, 30, interval=0.5, what="the trader's own lockout")
        desk = SimDesk(config)
        desk.fail(CLOSE, 500, 30)
        desk.fail(PARTIAL, 500, 30)
        desk.buy(ACCOUNT, MNQ, 1)

        failed = wait_for(lambda: on_phone(telegram, "Enforcement FAILED on Demo 2 (strict, id 1002)"),
                          30, interval=0.2, what="the FAILED alert")
        text = failed[0]
        assert "close MNQ long 1 on Demo 2 (strict, id 1002) gave up after" in text, text
        assert "HTTP 500 from the broker" in text, text
        assert "riskd tries again at" in text, text
        assert "close_position" not in text and "attempt(s)" not in text, text

        def screen_line():
            out = procs.riskctl(config, "status").stdout
            lines = [ln for ln in out.splitlines() if "ENFORCEMENT FAILED" in ln]
            return out if lines else None
        screen = wait_for(screen_line, 20, interval=0.3, what="the status's failure line")
        flat = " ".join(screen.split())
        assert "MNQ long 1 still open on a locked account" in flat, screen
        assert "riskd tries again" in flat and "act now: close it on the firm's platform" \
            in flat, screen
        # the guard line above it never says "guarded now" (trial 14a)
        [guard] = [ln for ln in screen.splitlines() if ln.startswith("trading day ")]
        assert "guarded now" not in guard, guard
        assert guard.endswith("; ENFORCEMENT FAILED on Demo 2 (strict, id 1002): riskd checks "
                              "the rules, but an action it decided is not carried out (below)"), \
            guard
        assert desk.positions(ACCOUNT) == {MNQ: 1}

        desk.fail(CLOSE, 500, 0)                # the broker answers again
        desk.fail(PARTIAL, 500, 0)
        wait_for(lambda: not desk.positions(ACCOUNT), 40, interval=0.2,
                 what=f"riskd's retry closing MNQ (broker: {desk.positions(ACCOUNT)})")
        done = wait_for(lambda: on_phone(telegram, "Done on Demo 2 (strict, id 1002)", "attempt"), 20,
                        interval=0.2, what="the done-after-retries alert")
        assert "close MNQ long 1 on the" in done[0] and "after the first failure" in done[0]
        wait_for(lambda: screen_line() is None, 20, interval=0.3,
                 what="the status's failure line gone")
        # LAST ACTIONS: the lockout's close row says how it ended, and on which try
        status = procs.riskctl(config, "status").stdout
        # (the action names its contract: 'close_position MNQ', 'close MNQ' at 80 columns)
        rows = [ln for ln in status.splitlines() if "lockout" in ln
                and ("close_position MNQ" in ln or "close MNQ" in ln)]
        assert len(rows) == 1 and "done, " in rows[0] and " attempt" in rows[0], status
        # one FAILED alert for the one failed action, whatever the tries
        assert len(on_phone(telegram, "Enforcement FAILED")) == 1, telegram.sent()
    finally:
        telegram.close()
