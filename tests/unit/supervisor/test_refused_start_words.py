"""A riskd refused at start says it never ran, not that accounts went unguarded.

Fresh-user trial (trial14b): a second riskd whose [bus] events port another riskd holds was
refused at once, clearly ("riskd cannot start: cannot bind ..."), and then printed "riskd
stopped (exit 1); every worker is stopped, accounts are not guarded until riskd runs again":
the running riskd still guarded them; this one never started. riskd's own entry point
(services/supervisor/__main__.py) on a config made as tests make it (tests/support/env.py),
its bind failing as the trial's did."""
from __future__ import annotations

import errno

from services.supervisor import __main__ as entry
from services.supervisor.app import Supervisor
from tests.support.env import make_config


def test_a_start_refused_at_bind_says_this_riskd_did_not_start(tmp_path, monkeypatch, capsys):
    def taken(self):
        raise OSError(errno.EADDRINUSE, "Address already in use")
    monkeypatch.setattr(Supervisor, "run", taken)
    monkeypatch.setattr(entry, "install_stop_handlers", lambda stop: None)
    assert entry.main(["--config", make_config(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "riskd did not start (exit 1): no worker was started, so this riskd guarded " \
           "nothing; a riskd already running on this machine is not affected" in out, out
    assert "accounts are not guarded until riskd runs again" not in out
