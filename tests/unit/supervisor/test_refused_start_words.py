"""A riskd refused at start says it never ran, not that accounts went unguarded.

Fresh-user trial (trial14b): a second riskd whose [bus] events port another riskd holds was
refused at once, clearly ("riskd cannot start: cannot bind ..."), and then printed "riskd
stopped (exit 1); every worker is stopped, accounts are not guarded until riskd runs again":
the running riskd still guarded them; this one never started. riskd's own entry point
(services/supervisor/__main__.py) on a config made as tests make it (tests/support/env.py),
its bind failing as the trial's did."""
from __future__ import annotations

import errno

import pytest

from services.supervisor import __main__ as entry
from services.supervisor.app import Supervisor
from shared import instanceid
from tests.support.env import make_config


@pytest.fixture(autouse=True)
def own_instance(monkeypatch):
    """riskd's main() run in this process sets its instance id in os.environ (every worker
    inherits it); put it back after, or later tests' riskctl would take another riskd's
    answers for its own riskd's and refuse them."""
    monkeypatch.setenv(instanceid.ENV, "")      # recorded: undone (to unset) after the test
    monkeypatch.delenv(instanceid.ENV)


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


def test_a_refused_start_that_ended_its_own_leftovers_says_their_accounts_are_unguarded(
        tmp_path, monkeypatch, capsys):
    # trial 14b's port check runs after the workers its own last run left running are ended
    # (they hold its ports): refused then, those workers no longer guard
    def taken(self):
        self.leftovers_ended = ["market", "risk"]
        raise OSError(errno.EADDRINUSE, "Address already in use")
    monkeypatch.setattr(Supervisor, "run", taken)
    monkeypatch.setattr(entry, "install_stop_handlers", lambda stop: None)
    assert entry.main(["--config", make_config(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "riskd did not start (exit 1)" in out, out
    assert ("It ended workers left running by its own last run (market, risk): their "
            "accounts are not guarded until riskd runs again") in out, out


def held_port(address: str):
    """A socket bound on `address` (another riskd's, as in the trial): riskd's bind fails."""
    import zmq
    sock = zmq.Context.instance().socket(zmq.PUB)
    sock.bind(address)
    return sock


def next_start(config: str):
    """What the next riskd makes of the previous one (its supervisor, built as riskd builds
    it, nothing started): its "running again" watch and its guard tracker."""
    from shared.config import load_config
    sup = Supervisor(load_config(config))
    sup.guard_store.close()
    sup.login_store.close()
    return sup


def test_a_start_refused_at_bind_leaves_no_previous_riskd_behind(tmp_path, monkeypatch, capsys):
    """Trial 15b: the first start after a refused one (its [bus] events port held by another
    riskd) said "riskd was down 7s ... the previous riskd did not stop cleanly: killed or
    crashed", the phone "running again", and counted the refused attempt as unguarded."""
    from shared.config import load_config
    monkeypatch.setattr(entry, "install_stop_handlers", lambda stop: None)
    config = make_config(tmp_path)
    sock = held_port(load_config(config).config.bus.events)
    try:
        assert entry.main(["--config", config]) == 1
    finally:
        sock.close(0)
    assert "riskd did not start (exit 1)" in capsys.readouterr().out
    sup = next_start(config)
    assert sup.again.down_since_ns is None          # no "running again" of a riskd never run
    assert not sup.again.waiting
    assert sup.guard.closed == [], sup.guard.closed  # nothing of the refused attempt counted
    assert sup.again.refused is not None and "cannot bind" in sup.again.refused[1], \
        sup.again.refused


def test_a_refused_start_keeps_the_previous_riskds_clean_stop_for_the_next_start(
        tmp_path, monkeypatch):
    from services.supervisor.guardstore import GuardStore
    from shared.config import load_config
    monkeypatch.setattr(entry, "install_stop_handlers", lambda stop: None)
    config = make_config(tmp_path)
    loaded = load_config(config)
    store = GuardStore(loaded.data_dir)              # a riskd ran and stopped cleanly
    store.alive(1_000)
    store.stopped_cleanly(1_000, "Ctrl-C in the terminal")
    store.close()
    sock = held_port(loaded.config.bus.events)
    try:
        assert entry.main(["--config", config]) == 1
    finally:
        sock.close(0)
    sup = next_start(config)
    assert sup.again.down_since_ns == 1_000         # down since the real riskd's stop
    assert sup.again.clean == "Ctrl-C in the terminal"
