"""A name two accounts go by is refused by every command that takes an account, in any case,
in one set of words (fresh-user trial16g, finding 2: `"Demo 1"` was refused as ambiguous by
lockout and positions, `"demo 1"` answered "risk does not know account 'demo 1' (known: Demo 1
(id 1001), Demo 1 (id 1002))", and `rules list --account "Demo 1"` and `logs --account "Demo
1"` showed one account's data under the name two share). docs/operations.md, Account names.

Real riskd on the shipped rules; the one change is the trial's: both sim accounts carry the
display name "Demo 1" (a file that had it before the upgrade runs, warned). Enforcement runs
for flatten's resolver; the admin is logged in so the admin's commands reach riskd's.
"""
from __future__ import annotations

import pytest

from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "market", "risk", "enforcement"]
TWINS = [{"id": 1001, "name": "SIM-DEMO-1", "display_name": "Demo 1"},
         {"id": 1002, "name": "SIM-DEMO-2", "display_name": "Demo 1"}]

# every command that takes an account, NAME where the account goes: riskd running
COMMANDS = [
    ("rules", "list", "--account", "NAME"),
    ("rules", "list", "--offline", "--account", "NAME"),
    ("rules", "set", "NAME", "max_contracts", "limit", "3", "--reason", "test"),
    ("rules", "override", "--account", "NAME", "--reason", "test"),
    ("logs", "-n", "50", "--account", "NAME"),
    ("lockout", "NAME", "--until", "5m"),
    ("unlock", "NAME", "--reason", "test"),
    ("positions", "--account", "NAME"),
    ("orders", "--account", "NAME"),
    ("history", "--account", "NAME"),
    ("flatten", "NAME", "--reason", "test", "--wait", "0"),
    ("accounts", "set", "NAME", "profile", "default"),
    ("sim", "buy", "MNQ", "1", "--account", "NAME"),
]
# riskd stopped: the commands that read (or edit) the config file themselves
STOPPED = [
    ("rules", "list", "--offline", "--account", "NAME"),
    ("rules", "set", "--offline", "NAME", "max_contracts", "limit", "3"),
    ("accounts", "set", "--offline", "NAME", "profile", "default"),
    ("logs", "-n", "50", "--account", "NAME"),
    ("history", "--account", "NAME"),
    ("sim", "buy", "MNQ", "1", "--account", "NAME"),
]


def refusals(procs, config: str, commands) -> list[str]:
    """What each command said for each case of the name, where it was not the refusal."""
    wrong = []
    # the name as the config writes it, and in another case (upper or lower case take one path:
    # the any-case match; each riskctl run costs ~0.4 s of make test's CPU)
    for name in ("Demo 1", "demo 1"):
        words = (f"{name!r} names more than one account (Demo 1 (id 1001), Demo 1 (id 1002)): "
                 f"give the account's id")
        for command in commands:
            args = [name if a == "NAME" else a for a in command]
            done = procs.riskctl(config, *args)
            said = done.stdout + done.stderr
            if done.returncode == 0 or words not in said:
                wrong.append(f"riskctl {' '.join(args)} -> rc {done.returncode}: {said[-300:]}")
    return wrong


def test_a_name_two_accounts_go_by_is_refused_by_every_command_in_any_case(procs, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=TWINS)
    procs.riskd(config)
    procs.wait_running(config, WORKERS)
    wait_for(lambda: "1002" in procs.riskctl(config, "positions").stdout + procs.riskctl(
        config, "status").stdout, 20, what="risk to know both accounts")
    login(procs, config, "admin")
    before = open(config, encoding="utf-8").read()
    wrong = refusals(procs, config, COMMANDS)
    assert not wrong, "\n".join(wrong)
    # nothing was done: no lockout, no fill, the file as it was; the id still works
    assert open(config, encoding="utf-8").read() == before
    assert "self_lockout" not in procs.riskctl_ok(config, "lockouts")
    assert "MNQ" not in procs.riskctl_ok(config, "positions")
    assert "account Demo 1 (id 1002)" in procs.riskctl_ok(config, "rules", "list",
                                                          "--account", "1002")


def test_with_riskd_stopped_the_commands_that_read_the_file_refuse_it_alike(procs, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=TWINS)
    before = open(config, encoding="utf-8").read()
    wrong = refusals(procs, config, STOPPED)
    assert not wrong, "\n".join(wrong)
    assert open(config, encoding="utf-8").read() == before
