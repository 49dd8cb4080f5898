"""`riskctl status` prints an account's lockout banner under that account's header line, not
above it (trial23b section 7: Demo 2's " COOLDOWN 14m38s (until ...) -- cooldown_after_loss
..." stood between Demo 1's LAST ACTIONS and "Demo 2 (strict, id 1002) balance ...", and read
top-down as Demo 1's). The watch, one account at a time, keeps its banner on top."""
from __future__ import annotations

import attrs

from shared.messages.control import SupervisorStatus, WorkerInfo
from shared.messages.risk import RiskStatusReply
from shared.messages.system import ok
from tests.unit.cli.screens import NOW, WORKERS, account, lockout, status_output

NS = 1_000_000_000
COOLDOWN = attrs.evolve(lockout(kind="timer", rule_name="cooldown_after_loss",
                                until_ns=NOW + 878 * NS, reason="closing fill lost 227.80"),
                        account_id=1002)


def test_the_second_accounts_cooldown_is_printed_under_its_own_header(capsys, monkeypatch):
    sup = SupervisorStatus(pid=1, started_ns=NOW, config_path="riskd.toml",
                           workers=[WorkerInfo(name=n, state="running") for n in WORKERS],
                           trading_day="2026-11-25")
    reply = ok(RiskStatusReply(accounts=[
        account(), account(account_id=1002, name="SIM-DEMO-2", lockouts=[COOLDOWN])]))
    lines = status_output(capsys, monkeypatch, sup, reply).splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("SIM-DEMO-1 (id 1001)"))
    second = next(i for i, ln in enumerate(lines) if ln.startswith("SIM-DEMO-2 (id 1002)"))
    [banner] = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("COOLDOWN")]
    assert first < second < banner, "\n".join(lines)
    between = [ln for ln in lines[second + 1:banner] if ln.strip()]
    assert all(not ln.startswith("SIM-DEMO") and "LAST ACTIONS" not in ln and "RULES" not in ln
               for ln in between), "\n".join(lines)
