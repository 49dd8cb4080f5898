"""`riskctl unlock ACCOUNT --rule R` says every daily limit the account is still past, not only
R's (fresh-user trial 19a, finding 1; docs/rules.md, Lockouts: "An unlock ends lockouts, not
limits ... The unlock's answer and its alert say so first").

A real riskd from etc/riskd.toml with its two accounts and their rules as shipped (Demo 1:
daily_realized_loss 500, daily_net_loss 600, daily_unrealized_loss 200 a position,
cooldown_after_loss 300 -> 30 min), the sim's tick off so only the test moves prices, admin's
password set (unlock is admin's), the trading-day roll 12 hours from now (run at 16:30 CT, the
30-minute cooldown outlasts the shipped 17:00 roll, when the day's PnL starts again: then no
daily limit is past once the cooldown ends and the answer rightly warns of none). Demo 1 buys 4 MNQ and the price falls 85 points at once
(-680): daily_net_loss flattens and locks the account to the roll, the close's fill puts it
past daily_realized_loss too (recorded "locked already, no new action": no lockout of its own)
and cooldown_after_loss locks it 30 minutes. `unlock 1001 --rule daily_net_loss` leaves the
cooldown; the answer warns of daily_net_loss and daily_realized_loss both (it warned only of
daily_net_loss: the admin read the account free once the cooldown ended)."""
from __future__ import annotations

import pytest

from tests.e2e.harness import MNQ, SimDesk
from tests.support.auth import config_with_passwords, login
from tests.support.env import roll_hours_from_now, shipped_accounts, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

WORKERS = ["simbroker", "logging", "market", "risk", "enforcement"]


def run(procs, config, *argv) -> str:
    return procs.riskctl_ok(config, *argv)


def test_unlocking_daily_net_loss_says_daily_realized_loss_still_past(procs, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}},
                                   accounts=shipped_accounts(),
                                   trading_day=roll_hours_from_now(12))
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=30)
    desk = SimDesk(config)
    desk.wait_up()
    desk.quote(MNQ)
    desk.buy(1001, MNQ, 4)
    wait_for(lambda: "MNQ" in run(procs, config, "positions"), 20,
             what="market to see Demo 1's MNQ")
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 20915.0})
    wait_for(lambda: desk.flat(1001), 20, what="riskd's flatten of Demo 1")

    def locked() -> str:
        out = run(procs, config, "lockouts")
        return out if "daily_net_loss" in out and "cooldown_after_loss" in out else ""
    wait_for(locked, 20, what="daily_net_loss's and the cooldown's lockouts")
    wait_for(lambda: "daily_realized_loss" in run(procs, config, "history", "--account",
                                                  "1001"), 20,
             what="daily_realized_loss's breach under the lockout")
    assert "daily_realized_loss" not in locked(), "no lockout of its own"

    login(procs, config, "admin")
    out = run(procs, config, "unlock", "1001", "--rule", "daily_net_loss", "--reason", "trial")
    assert "1 lockout ended" in out and "by cooldown_after_loss" in out, out
    assert "WARNING: still past daily_net_loss (" in out, out
    assert "WARNING: still past daily_realized_loss (" in out, out
    assert "its next trade will be flattened and the account locked again until" in out, out
