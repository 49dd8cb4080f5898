"""Fixtures shared by every test: real processes that are always cleaned up, even when the
run itself is stopped: SIGTERM or SIGHUP to pytest (CI's timeout, `timeout make test`)
interrupts it like Ctrl-C, and at its end every process the run started is ended
(tests/support/harness.py run_guarded: the bench and chaos harnesses' guard). Before, a
SIGTERM killed pytest at once and left the riskds of module-scoped fixtures running.
riskctl's session cache is a folder of the run's own unless the caller chose one
($RISKD_SESSION_DIR): the tests' logins at random ports left dozens of session files in
~/.config/riskd (fresh-user trial). A test that hangs fails at its timeout with its stack, and
the run goes on and ends (tests/support/hangguard.py)."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile

import pytest

from tests.support import hangguard
from tests.support.harness import run_guarded
from tests.support.procs import Procs

_GUARD = contextlib.ExitStack()
_SESSIONS: list[str] = []        # the run's own session folder, removed at its end


def _interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")      # pytest unwinds and ends its fixtures


def pytest_configure(config):
    # With pytest-xdist (`make test`), only the controlling process guards: its mark reaches
    # the test processes and everything they start, so its one scan at the end also finds
    # what a test process ended before its fixtures (an interrupt) left running.
    if not hasattr(config, "workerinput"):
        _GUARD.enter_context(run_guarded())
    else:
        hangguard.mark_test_process(hangguard.worker_id(config))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    if not os.environ.get("RISKD_SESSION_DIR"):      # test processes inherit the run's
        _SESSIONS.append(tempfile.mkdtemp(prefix="riskd-test-sessions-"))
        os.environ["RISKD_SESSION_DIR"] = _SESSIONS[-1]


@pytest.hookimpl(optionalhook=True)
def pytest_timeout_set_timer(item, settings):
    return hangguard.set_timer(item, settings)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return hangguard.file_scheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """A test process died (error set: a crash, not its normal end): what it started dies
    now, not at the end of the run."""
    if error is not None:
        left = hangguard.reap(node.gateway.id)
        if left:
            print(f"\nkilled {len(left)} process(es) {node.gateway.id} left behind: {left}",
                  file=sys.stderr)


def pytest_unconfigure(config):
    _GUARD.close()
    for folder in _SESSIONS:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def procs(tmp_path, request):
    """Start riskd / workers for this test; everything is ended afterwards, pass or fail, and
    the test fails if a process outlived its parent (an orphan). A test marked
    riskctl_in_process runs procs.riskctl() in its own process (tests/support/incli.py)."""
    p = Procs(tmp_path, riskctl_in_process=request.node.get_closest_marker(
        "riskctl_in_process") is not None)
    try:
        yield p
    finally:
        try:
            p.end()
        except BaseException:
            # the test's timeout (SIGALRM) can land inside the cleanup: end the rest now
            p.cleanup(grace=0.0)
            raise
