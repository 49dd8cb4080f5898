"""The kill switch through a real riskd (sim broker + enforcement): `riskctl flatten` needs an admin
session, flattens one account or all of them on enforcement's normal path, and answers only
once each account is done."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shared.config.access import hash_password
from tests.e2e.harness import CLOSE, MNQ, SimDesk
from tests.support import env as support_env
from tests.support.auth import audited
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

ADMIN_PW = "kill switch"
ONE, TWO, OFF = 3001, 3002, 3003


def test_riskctl_flatten_one_account_then_all(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))

    def riskctl(*args, password=None):
        return subprocess.run([sys.executable, "-m", "cli.main", "--config", config, *args],
                              cwd=support_env.REPO, env=support_env.test_env(),
                              capture_output=True, text=True, timeout=60,
                              input=(password + "\n") if password else "")

    # a third account, disabled in the config (riskd does not guard it): the kill switch's
    # --all flattens it too (fresh-user trial 2026-12-06: it was skipped silently, exit 0)
    # the logging worker writes the audit trail (the flatten's outcome row)
    config = make_config(tmp_path, workers=["logging", "simbroker", "enforcement"],
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)},
                         accounts=[{"id": OFF, "name": "SIM-OFF", "enabled": False}],
                         broker={"sim": {"tick_interval": 0, "accounts": [
                             {"id": ONE, "name": "SIM-ONE"}, {"id": TWO, "name": "SIM-TWO"},
                             {"id": OFF, "name": "SIM-OFF"}]}})
    procs.riskd(config)
    procs.wait_running(config, ["simbroker", "enforcement"], timeout=30)
    desk = SimDesk(config)
    desk.make_busy(ONE)
    desk.buy(TWO, MNQ, 1)
    desk.buy(OFF, MNQ, 1)

    refused = riskctl("flatten", "SIM-ONE", "--reason", "test")
    assert refused.returncode == 3 and "admin" in refused.stderr
    assert riskctl("login", "--role", "admin", "--password-stdin",
                   password=ADMIN_PW).returncode == 0

    one = riskctl("flatten", "SIM-ONE", "--reason", "trader on tilt", "--json")
    assert one.returncode == 0, one.stderr + one.stdout
    [state] = json.loads(one.stdout)["commands"]
    assert (state["account_id"], state["state"], state["status"]) == (ONE, "final", "done")
    assert "verified flat" in state["detail"]
    assert desk.flat(ONE) and desk.positions(TWO) == {MNQ: 1} and desk.positions(OFF) == {MNQ: 1}
    assert desk.calls(CLOSE) == 2

    everything = riskctl("flatten", "--all", "--reason", "end of the world")
    assert everything.returncode == 0, everything.stderr + everything.stdout
    assert "already flat" in everything.stdout and "verified flat" in everything.stdout
    assert "SIM-OFF" in everything.stdout, everything.stdout
    assert desk.flat(ONE) and desk.flat(TWO) and desk.flat(OFF)
    # the audit trail keeps the outcome per account, not only "accepted" (trial 16b, finding 8)
    row = wait_for(lambda: audited(config, '"action": "flatten"', "end of the world",
                                   "finished: "), 10, what="the flatten's outcome row")[0]
    assert row["who"].startswith("admin:") and row["reason"] == "end of the world", row
    # as riskd names each account ('SIM-OFF (id 3003)'; an account the config does not list:
    # its id), with enforcement's detail
    assert f"{ONE}: nothing to do" in row["result"], row
    assert f"{TWO}: done (" in row["result"] and "verified flat" in row["result"], row
    assert f"SIM-OFF (id {OFF}): done (" in row["result"], row
    accepted = audited(config, '"action": "flatten"', "end of the world", "accepted")
    assert len(accepted) == 1, accepted          # the row written when riskd took it

    unknown = riskctl("flatten", "SIM-NOPE", "--reason", "typo")
    assert unknown.returncode == 1 and "does not know account 'SIM-NOPE'" in unknown.stderr
    # a mistyped id is refused the same way, before anything reaches the broker (fresh-user
    # trial 13b: `flatten 9999` was accepted, failed at the broker with its API path in the
    # table, and paged the trader with a CRITICAL "Enforcement FAILED on 9999")
    calls = desk.calls("/api/Position/searchOpen")
    typo = riskctl("flatten", "9999", "--reason", "typo")
    assert typo.returncode == 1 and "does not know account '9999'" in typo.stderr, typo.stderr
    # the known accounts as every other command names them: riskd's name and id
    assert f"(known: SIM-ONE (id {ONE}), SIM-TWO (id {TWO}), SIM-OFF (id {OFF}))" in typo.stderr
    assert "/api/" not in typo.stderr + typo.stdout
    assert desk.calls("/api/Position/searchOpen") == calls
