"""`riskctl history` while riskd is stopped shows what enforcement did (fresh-user trial 14a,
item 2): every action read "result not known: riskd is stopped (planned: ...)", even a reduce
done minutes before whose outcome enforcement had recorded in its journal. Now the outcomes come
from enforcement's stored journal (cli/storedoutcomes.py); only one enforcement never recorded
stays "not known", and says so.

A real riskd from etc/riskd.toml's rules and accounts (max_contracts 5 on Demo 1) with sim
broker, market, risk and enforcement; the sim's tick off so prices stay put; passwords, as
stopping a worker needs an admin session. A buy of 7 is reduced to 5 (done, recorded); then
enforcement is stopped and another buy is decided with no enforcement to carry it out (no
outcome recorded); riskd is stopped as Ctrl-C stops `make run` (SIGTERM to the supervisor)."""
from __future__ import annotations

import os
import signal

import pytest

from tests.support.auth import config_with_passwords, login
from tests.support.env import shipped_accounts, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120),
              pytest.mark.riskctl_in_process]                # riskctl: incli.completed

GUARDS = ["simbroker", "market", "risk", "enforcement"]


def reduce_rows(text: str) -> list[str]:
    """The history's max_contracts rows, each as one line (a row wider than the terminal is
    printed as a block: its lines up to the next row's time)."""
    flat = " ".join(text.split())
    return [part for part in flat.split(" rule max_contracts ")[1:]]


def test_history_while_riskd_is_stopped_shows_enforcements_recorded_outcomes(
        procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    monkeypatch.setenv("COLUMNS", "400")        # one line a row
    config = config_with_passwords(tmp_path, workers=GUARDS,
                                   broker={"sim": {"tick_interval": 0}},
                                   accounts=shipped_accounts())
    riskd = procs.riskd(config)
    procs.wait_running(config, GUARDS, timeout=30)
    login(procs, config, "admin")
    wait_for(lambda: '"current": "0 / 5"' in procs.riskctl(
        config, "rules", "list", "1001", "--json").stdout.replace(".00", ""), 30,
        what="risk's reading of Demo 1's max_contracts")
    procs.riskctl_ok(config, "sim", "buy", "MNQ", "7", "--account", "1001")
    live = wait_for(lambda: (h := procs.riskctl_ok(config, "history"))
                    and "done: reduced MNQ from 7 contracts to 5" in h and h, 30,
                    what="the reduce done, in history")

    # a decision enforcement never receives: it is stopped
    procs.riskctl_ok(config, "stop", "enforcement", "--yes", "--reason", "trial 14a")
    procs.riskctl_ok(config, "sim", "buy", "MNQ", "2", "--account", "1001")
    wait_for(lambda: len(reduce_rows(procs.riskctl_ok(config, "history"))) == 2, 30,
             what="risk's second reduce decision")

    riskd.signal(signal.SIGTERM)
    assert riskd.wait(20) is not None, "riskd did not stop"
    data = os.path.join(str(tmp_path), "data")
    before = sorted(os.listdir(data))

    stored = procs.riskctl(config, "history")
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert " ".join(stored.stderr.split()).startswith("riskd is stopped ("), stored.stderr
    done, waited = reduce_rows(stored.stdout)
    # the recorded outcome, as the live history said it
    assert "done: reduced MNQ from 7 contracts to 5" in done, stored.stdout
    assert "not known" not in done and "planned" not in done, done
    assert "done: reduced MNQ from 7 contracts to 5" in " ".join(live.split())
    # the one enforcement never recorded: not known, and why
    assert waited.removeprefix("what: ").startswith("result not known: riskd is stopped; enforcement "
                             "recorded no outcome of it (planned: "), waited
    # read-only: no file created beside enforcement's journal (nor anything else)
    assert sorted(os.listdir(data)) == before, (before, sorted(os.listdir(data)))
