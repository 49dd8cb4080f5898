"""What a trader sees while risk is stopped (fresh-user trial 2026-12-05, finding 4), through a
real riskd from etc/riskd.toml's rules (sim broker, market, risk; the sim's tick off so
nothing moves): `riskctl lockouts` and `riskctl history` refused with "risk is stopped:
`riskctl start risk` starts it" (a command a trader cannot run) while `status` still showed
LOCKED OUT, and `rules list 1001` named its rows "account:SIM-DEMO-1". Now lockouts shows the
lockouts riskd last knew, marked NOT LIVE with their time; history says why risk does not
answer (who can start it) and then lists the history risk stored, as it does while riskd is
stopped (it refused with exit 1 here until the follow-up of trial 13b); rules list names the account as screens do ("Ana main (1001)", its display name here as after
`riskctl accounts set 1001 display_name "Ana main"`). Passwords are set because stopping a
worker needs an admin session; the trader's commands then run without one."""
from __future__ import annotations

import pytest

from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "market", "risk"]
ACCOUNTS = [{"id": 1001, "name": "SIM-DEMO-1", "display_name": "Ana main"},
            {"id": 1002, "name": "SIM-DEMO-2", "display_name": "Demo 2 (strict)"}]


def test_a_trader_sees_their_lockouts_and_fitting_advice_while_risk_is_stopped(
        procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=ACCOUNTS)
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=30)
    wait_for(lambda: procs.riskctl(config, "lockout", "1001", "--session", "--reason",
                                   "done for today").returncode == 0, 30, interval=0.5,
             what="the trader's own lockout of 1001")
    # the supervisor keeps what risk said last (status asks risk for every account)
    wait_for(lambda: "LOCKED OUT" in procs.riskctl(config, "status").stdout, 10,
             what="status showing the lockout")

    login(procs, config, "admin")
    stop = procs.riskctl(config, "stop", "risk", "--yes", "--reason", "trial finding 4")
    assert stop.returncode == 0, stop.stderr
    assert procs.riskctl(config, "logout").returncode == 0        # a trader from here on

    shown = procs.riskctl(config, "lockouts")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("NOT LIVE: lockouts as riskd last knew them, as of "), out
    assert "\nrisk is stopped: " in out, out
    assert "self_lockout" in out and "Ana main (id 1001)" in out, out
    assert "SIM-DEMO-2" not in out and "Demo 2" not in out, out      # not locked

    # history reads what risk stored, as while riskd is stopped (it refused "risk is stopped
    # ..." with exit 1 here): first why, in the supervisor's words, then that it is as stored
    history = procs.riskctl(config, "history")
    assert history.returncode == 0, history.stdout + history.stderr
    said = " ".join(history.stderr.split())
    assert history.stderr.startswith("risk is stopped: "), said
    assert "until an admin or ops starts it (`riskctl start risk`)" in said, said
    assert "`riskctl start risk` starts it" not in said, said
    assert "the history as risk stored it (" in said and "risk.sqlite)" in said, said
    out = " ".join(history.stdout.split())
    assert "Ana main (id 1001) trader (self-lockout)" in out and "done for today" in out, out
    mine = procs.riskctl(config, "history", "--account", "Ana main")
    assert mine.returncode == 0 and "done for today" in mine.stdout, mine.stdout + mine.stderr
    other = procs.riskctl(config, "history", "--account", "1002")
    assert other.returncode == 0 and "done for today" not in other.stdout, other.stdout

    listed = procs.riskctl(config, "rules", "list", "1001")
    assert listed.returncode == 0, listed.stderr
    assert "account Ana main (id 1001)" in listed.stdout, listed.stdout
    assert "account:SIM-DEMO-1" not in listed.stdout, listed.stdout
