"""A config that already had two accounts going by one name (as round 14 allowed) still runs
after the upgrade: riskd guards both, says the line to fix, and refuses only the name itself
where one is used, and a NEW duplicate (round 15's note: the upgraded riskd refused to start
on such a file, every account unguarded).

Real riskd on the shipped rules, the sim's two accounts named "Demo 1" and "demo 1" (names
that differ only by case, as fresh-user trial 15c left them), notify running (the alert).
"""
from __future__ import annotations

import pytest

from shared.messages.notify import NotifyEvent
from tests.support.auth import config_with_passwords, login
from tests.support.bustap import notify_tap, start_tapped
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "market", "risk", "notify"]
TWINS = [{"id": 1001, "name": "SIM-DEMO-1", "display_name": "Demo 1"},
         {"id": 1002, "name": "SIM-DEMO-2", "display_name": "demo 1"}]


def test_a_file_with_two_accounts_of_one_name_runs_guarded_and_warned(procs, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=TWINS)
    checked = procs.riskctl(config, "config", "validate")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "'demo 1' is already the name of account Demo 1 (id 1001)" in checked.stdout
    assert "(line " in checked.stdout, checked.stdout          # the line to fix
    tap = notify_tap(config)
    try:
        start_tapped(procs, config, WORKERS)     # the old code refused to start here
        # both accounts guarded, on their rules
        rules = wait_for(lambda: (lambda out: out if "1002" in out and "1001" in out else None)(
            procs.riskctl(config, "rules", "list").stdout), 20, what="risk to report both")
        assert "Demo 1 (id 1001)" in rules and "demo 1 (id 1002)" in rules
        status = procs.riskctl(config, "status").stdout
        assert "'demo 1' is already the name of account Demo 1 (id 1001)" in status, status
        assert "(line " in status and "riskd guards both" in status, status
        alert = tap.wait(lambda: [e for e in tap.of(NotifyEvent)
                                  if e.kind == "config_duplicate_names"], 15,
                         what="the duplicate-names alert")[0]
        assert "one name" in alert.title and any("(line " in line for line in alert.lines)
        # the name is refused where used, listing both; the id works
        for name in ("demo 1", "Demo 1"):
            used = procs.riskctl(config, "positions", "--account", name)
            assert used.returncode == 1, used.stdout
            assert "names more than one account (Demo 1 (id 1001), demo 1 (id 1002))" \
                in used.stdout + used.stderr, used.stdout + used.stderr
        assert procs.riskctl(config, "positions", "--account", "1002").returncode == 0
        # a new duplicate, by riskctl: refused, the file unchanged
        login(procs, config, "admin")
        made = procs.riskctl(config, "config", "set", "accounts[1].display_name", "DEMO 1",
                             "--reason", "test")
        assert made.returncode == 0, made.stdout + made.stderr   # the same pair: not new
        third = procs.riskctl(config, "accounts", "add", "1003", "--display-name", "Demo 1")
        assert third.returncode != 0 and "already the name of account" in \
            third.stdout + third.stderr, third.stdout + third.stderr
        # a rename ends the warning
        renamed = procs.riskctl(config, "accounts", "set", "1002", "display_name", "Demo 2")
        assert renamed.returncode == 0, renamed.stdout + renamed.stderr
        wait_for(lambda: "already the name" not in procs.riskctl(config, "status").stdout, 10,
                 what="the warning to end")
        # a hand edit that makes a new one: the reload is refused, riskd keeps what it runs
        with open(config, "a", encoding="utf-8") as fh:
            fh.write('\n[[accounts]]\nid = 1003\ndisplay_name = "DEMO 2"\n')
        shown = wait_for(lambda: (lambda out: out if "is invalid since" in out else None)(
            procs.riskctl(config, "status").stdout), 10, what="the hand edit refused")
        assert "'DEMO 2' is already the name of account Demo 2 (id 1002)" in shown, shown
    finally:
        tap.sock.close(0)
