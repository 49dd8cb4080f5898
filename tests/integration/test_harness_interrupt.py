"""An interrupted `make chaos`, `make bench` or `make test` (Ctrl-C, SIGTERM as `timeout`
sends) leaves no process behind: everything it started, riskd's workers included, ends with
it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.support.env import REPO, ctrl_c_as_in_a_terminal, wait_for
from tests.support.env import test_env as child_env
from tests.support.harness import marked

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
OWN_MARK = "RISKD_INTERRUPT_TEST"


def interrupt_when_busy(args: list[str], sig: int, busy: int) -> tuple[int, list[int]]:
    """Start the harness, wait until it runs `busy` processes, signal it; (exit code, the
    processes it started still alive afterwards: all carry the test's own mark)."""
    env = child_env()
    env.pop("RISKD_HARNESS", None)
    # the test's own mark: whatever the harness leaves, even unmarked by it, is ended below
    own = f"{os.getpid()}-{time.monotonic_ns()}"
    env[OWN_MARK] = own
    env["PYTHONFAULTHANDLER"] = "1"        # a harness that hangs says where (SIGABRT below)
    errors = tempfile.TemporaryFile()
    harness = subprocess.Popen([sys.executable, "-m", *args], cwd=REPO, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=errors, start_new_session=True,
                               preexec_fn=ctrl_c_as_in_a_terminal)
    try:
        wait_for(lambda: len(marked(own, OWN_MARK)) >= busy, 90, interval=0.2,
                 what=f"{busy} processes started by {args}")
        os.kill(harness.pid, sig)
        try:
            code = harness.wait(60)
        except subprocess.TimeoutExpired:
            harness.send_signal(signal.SIGABRT)
            harness.wait(10)
            errors.seek(0)
            raise AssertionError(f"{args} did not end within 60 s of the signal; its "
                                 f"stderr:\n{errors.read().decode(errors='replace')[-6000:]}")
        time.sleep(0.5)
        return code, marked(own, OWN_MARK)
    finally:
        if harness.poll() is None:
            harness.kill()
        for pid in marked(own, OWN_MARK):      # never leave them even when the test fails
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def test_sigterm_to_make_chaos_ends_riskd_and_every_worker(tmp_path):
    # riskd, the sim and five workers: 7 processes once the session runs
    code, left = interrupt_when_busy(["tests.chaos", "--attempts", "1", "--cycles", "1"],
                                     signal.SIGTERM, busy=7)
    assert code != 0
    assert left == []


def test_ctrl_c_to_make_bench_leaves_nothing_behind(tmp_path):
    code, left = interrupt_when_busy(["tests.bench", "--only", "system", "--json",
                                      str(tmp_path / "bench.json")], signal.SIGINT, busy=3)
    assert code != 0
    assert left == []


@pytest.mark.parametrize("processes", [[], ["-n", "2", "--dist", "loadfile"]],
                         ids=["one_process", "two_test_processes_as_make_test"])
def test_sigterm_to_pytest_ends_the_riskd_of_a_module_fixture(processes):
    """`make test` stopped by SIGTERM (CI's timeout): the e2e desk's riskd (a module-scoped
    fixture: sim and five workers) used to outlive pytest; with two test processes
    (pytest-xdist) the test process holding it is itself ended before its fixtures are."""
    code, left = interrupt_when_busy(["pytest", "-q", "-p", "no:cacheprovider", *processes,
                                      "tests/e2e/test_decisions_e2e.py"], signal.SIGTERM,
                                     busy=6 + (2 if processes else 0))
    assert code != 0
    assert left == []
