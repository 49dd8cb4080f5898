"""The screens while enforcement, then risk, is stopped (fresh-user trial 2026-12-05, findings
1 and 2), through a real riskd: sim broker, market, risk, enforcement, the default rules
(max_contracts limit 5 on); only the sim's tick is off so prices stay put. After `riskctl stop
enforcement` a done reduce stays done on `status` and in `history` (the supervisor saw its
result); while risk is stopped, status never says 'LAST ACTIONS none today'. On the way,
finding 5: `rules list` for the sim's account the config does not list (SIM-DEMO-2, id 1002,
here) shows the default profile's rules and says so."""
from __future__ import annotations

import time

import pytest

from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

GUARDS = ["simbroker", "market", "risk", "enforcement"]


def action_row(text: str):
    rows = [ln for ln in text.splitlines() if "max_contracts" in ln and "reduce_position" in ln]
    return rows[0] if rows else None


def test_a_done_action_stays_done_while_enforcement_is_stopped(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    # passwords: stopping a worker needs an admin session
    config = config_with_passwords(tmp_path, workers=GUARDS, broker={"sim": {"tick_interval": 0}},
                                   accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    procs.riskd(config)
    procs.wait_running(config, GUARDS, timeout=30)
    note = "SIM-DEMO-2 (id 1002) is not in the config: it runs the rules of the default profile"
    wait_for(lambda: note in procs.riskctl(config, "rules", "list", "1002").stdout, 30,
             what="risk to know the broker's account SIM-DEMO-2")
    for ref in ("1002", "SIM-DEMO-2"):
        listed = procs.riskctl(config, "rules", "list", ref)
        assert listed.returncode == 0, listed.stderr
        assert note in listed.stdout, listed.stdout
        # named as every screen names it (trial 2026-12-05: "account:SIM-DEMO-2")
        assert "account SIM-DEMO-2 (id 1002)" in listed.stdout and "max_contracts" in listed.stdout
    wait_for(lambda: '"current": "0 / 5"' in procs.riskctl(
        config, "rules", "list", "SIM-DEMO-1", "--json").stdout.replace(".00", ""), 20,
        what="risk's reading of SIM-DEMO-1's max_contracts")
    login(procs, config, "admin")
    bought = procs.riskctl(config, "sim", "buy", "MNQ", "7", "--account", "SIM-DEMO-1")
    assert bought.returncode == 0, bought.stderr
    # nobody asks enforcement before it stops (history --json does not; positions is market's):
    # what the screens show next is the result the supervisor saw enforcement publish
    wait_for(lambda: "reduce_position" in procs.riskctl(config, "history", "--json").stdout,
             30, what="risk's reduce decision")
    wait_for(lambda: '"size": 5' in procs.riskctl(config, "positions", "--json").stdout, 30,
             what="the reduce to 5 contracts at the broker")
    time.sleep(2.0)             # enforcement verifies, then publishes 'done' (ms; generous)
    stop = procs.riskctl(config, "stop", "enforcement", "--yes", "--reason", "trial finding 1")
    assert stop.returncode == 0, stop.stderr
    status = procs.riskctl(config, "status").stdout
    row = action_row(status)
    assert row is not None and "done" in row and "pending" not in row, status
    history = procs.riskctl(config, "history").stdout
    assert "done: " in history and "planned" not in history, history

    start = procs.riskctl(config, "start", "enforcement")
    assert start.returncode == 0, start.stderr
    stop = procs.riskctl(config, "stop", "risk", "--yes", "--reason", "trial finding 2")
    assert stop.returncode == 0, stop.stderr
    status = procs.riskctl(config, "status").stdout
    assert "none today" not in status, status
    assert "actions today cannot be read while risk is stopped" in status, status
