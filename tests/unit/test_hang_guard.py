"""tests/support/hangguard.py: a tiny suite run as `make test` runs (the project's pytest
options, two test processes, --dist loadfile). A test past its timeout fails with its stack;
one that swallows the timeout is ended with its test process; a timeout that lands in the
procs fixture's cleanup still ends the test's processes; a test process killed outright has
its processes killed at once; every other test still runs, the run ends, and
nothing any of them started is left. Before: the first hang ended its test process
(os._exit), the crashed test ran again in each replacement process, and the run stalled with
every process idle."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.support.env import REPO
from tests.support.env import test_env as child_env
from tests.support.harness import marked

OWN_MARK = "RISKD_HANG_GUARD_TEST"
TIMEOUT_S = 4

SLEEPER = "import time, sys; time.sleep(600)"

SUITE = {
    "conftest.py": "from tests.conftest import *  # noqa: F401,F403  the project's fixtures\n",
    "test_a_hangs.py": f'''
import sys, time

def test_sleeps_past_its_timeout(procs, tmp_path):
    procs._start([sys.executable, "-c", {SLEEPER!r}, str(tmp_path)], "sleeper", str(tmp_path))
    time.sleep(60)

def test_after_the_timeout():
    pass
''',
    "test_b_swallows.py": f'''
import sys, time

def test_swallows_its_timeout(procs, tmp_path):
    procs._start([sys.executable, "-c", {SLEEPER!r}, str(tmp_path)], "sleeper", str(tmp_path))
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            time.sleep(60)
        except BaseException:
            pass

def test_after_the_swallowed_timeout():
    pass
''',
    "test_c_killed.py": f'''
import os, signal, subprocess, sys, time

def test_its_process_is_killed():
    subprocess.Popen([sys.executable, "-c", {SLEEPER!r}], start_new_session=True)
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)

def test_after_the_kill():
    pass
''',
    "test_e_slow_teardown.py": f'''
import os, sys, time

STUBBORN = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "open(sys.argv[1] + '/ready', 'w').close(); time.sleep(600)")

def test_its_teardown_outlasts_the_timeout(procs, tmp_path):
    # its cleanup waits 5 s for a SIGTERM the process ignores: the timeout lands there
    procs._start([sys.executable, "-c", STUBBORN, str(tmp_path)], "stubborn", str(tmp_path))
    while not os.path.exists(tmp_path / "ready"):
        time.sleep(0.05)
''',
    "test_d_plain.py": "def test_one():\n    pass\n\ndef test_two():\n    pass\n",
}


@pytest.mark.slow
@pytest.mark.timeout(200)
def test_hung_and_crashed_tests_fail_and_the_run_ends_with_nothing_left(tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    for name, text in SUITE.items():
        (suite / name).write_text(text)
    shutil.copy(os.path.join(REPO, "pyproject.toml"), suite / "pyproject.toml")
    env = child_env()
    for name in ("RISKD_HARNESS", "RISKD_TEST_PROCESS", "PYTEST_XDIST_WORKER",
                 "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    own = f"{os.getpid()}-{time.monotonic_ns()}"
    env[OWN_MARK] = own
    run = subprocess.Popen([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile",
                            "-o", f"timeout={TIMEOUT_S}", "-p", "no:cacheprovider",
                            "--rootdir", str(suite), str(suite)],
                           cwd=str(suite), env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    try:
        try:
            out, _ = run.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            out, _ = run.communicate()
            raise AssertionError(f"the run did not end within 120 s:\n{out[-6000:]}")
        time.sleep(0.5)
        left = marked(own, OWN_MARK)
    finally:
        for pid in marked(own, OWN_MARK):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    assert left == [], out[-6000:]
    assert re.search(r"= 3 failed, 6 passed, 1 error in ", out), out[-6000:]
    assert "ERROR at teardown of test_its_teardown_outlasts_the_timeout" in out, out[-6000:]
    assert "the run left behind" not in out, out[-6000:]     # none waited for the run's end
    # the signal's failure: the test's own line, in the test process that goes on
    assert f"Timeout (>{TIMEOUT_S:.1f}s) from pytest-timeout" in out, out[-6000:]
    assert re.search(r"test_a_hangs\.py:\d+: Failed", out), out[-6000:]
    # each crashed test failed once: not run again in the replacement process. Counted by the
    # summary's FAILED lines and the failure sections' first lines, not by the words anywhere:
    # on a wide terminal (CI) the summary line also carries the crash message.
    for test in ("test_b_swallows.py::test_swallows_its_timeout",
                 "test_c_killed.py::test_its_process_is_killed"):
        assert len(re.findall(rf"^FAILED {re.escape(test)}\b", out, re.M)) == 1, out[-6000:]
        assert len(re.findall(rf"^worker 'gw\d+' crashed while running '{re.escape(test)}'$",
                              out, re.M)) == 1, out[-6000:]
    # the killed test process's sleeper was killed when it died, not at the end of the run
    assert re.search(r"killed 1 process\(es\) gw\d+ left behind", out), out[-6000:]
