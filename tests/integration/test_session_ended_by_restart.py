"""A session riskd's restart ended says so (fresh-user trial 14a, item 6): after `riskctl
shutdown --yes` + start, and after kill -9 of the supervisor + start, `riskctl unlock` said only
"this command needs an admin session: run riskctl login --role admin", though login had
promised "until Sun 09:33:18 CST". riskctl run while riskd was stopped (here `riskctl status`)
had removed the session file, so nothing was left to tell the restart by.

A real riskd (its supervisor and the logging worker; passwords, as a shutdown needs an admin
session), stopped the two ways of the trial, then started again from the same config."""
from __future__ import annotations

import signal

import pytest

from tests.support.auth import config_with_passwords, login

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90),
              pytest.mark.riskctl_in_process]                # riskctl: incli.completed


@pytest.mark.parametrize("how", ["shutdown", "kill -9"])
def test_a_session_ended_by_riskds_restart_says_so(procs, tmp_path, monkeypatch, how):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=["logging"], session_minutes=30)
    riskd = procs.riskd(config)
    login(procs, config, "admin")
    if how == "shutdown":
        procs.riskctl_ok(config, "shutdown", "--yes", "--reason", "trial 14a")
    else:
        riskd.signal(signal.SIGKILL)
    assert riskd.wait(20) is not None, "riskd did not stop"
    stopped = procs.riskctl(config, "status")          # riskctl while riskd is stopped
    assert stopped.returncode != 0 and "not running" in stopped.stdout + stopped.stderr

    procs.riskd(config)
    refused = procs.riskctl(config, "shutdown", "--yes", "--reason", "trial 14a")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    said = " ".join(refused.stderr.split())
    assert "your admin session (until " in said, said
    assert "was ended by riskd's restart: riskd runs again since " in said, said
    assert said.endswith("log in again: this command needs an admin session: run riskctl "
                         "login --role admin"), said
    # said while true, not once (trial16g: the next command, another terminal, said only
    # "this command needs an admin session"): until the session's own end or a login
    again = " ".join(procs.riskctl(config, "shutdown", "--yes", "--reason", "x").stderr.split())
    assert "was ended by riskd's restart" in again and "needs an admin session" in again, again
    login(procs, config, "admin")                     # a login replaces it: riskd's answer
    assert procs.riskctl(config, "config", "show").returncode == 0


def test_another_riskds_riskctl_leaves_the_file_of_a_riskd_stopped_for_a_restart(
        procs, tmp_path, monkeypatch):
    """Trial16a finding 3: several riskd ran on one machine under one OS user; 6 s after
    Ctrl-C of one, before its user ran any riskctl, its session file was gone, and after the
    restart `riskctl stop` said only "this command needs an admin session". A riskctl of
    another riskd (another config, other ports; here that riskd is stopped too, and riskctl
    says so) had removed it: nothing listened at its address. It stays now."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    mine = tmp_path / "mine"
    theirs = tmp_path / "theirs"
    mine.mkdir()
    theirs.mkdir()
    config = config_with_passwords(mine, workers=["logging"], session_minutes=30)
    other = config_with_passwords(theirs, workers=["logging"])
    riskd = procs.riskd(config)
    login(procs, config, "admin")
    riskd.signal(signal.SIGINT)                          # Ctrl-C in `make run`
    assert riskd.wait(20) is not None, "riskd did not stop"
    elsewhere = procs.riskctl(other, "status")          # the other riskd's user, meanwhile
    assert "not running" in elsewhere.stdout + elsewhere.stderr, elsewhere.stderr

    procs.riskd(config)
    refused = procs.riskctl(config, "shutdown", "--yes", "--reason", "trial16a")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    said = " ".join(refused.stderr.split())
    assert "your admin session (until " in said, said
    assert "was ended by riskd's restart: riskd runs again since " in said, said
