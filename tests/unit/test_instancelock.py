"""The single-instance lock: a second process is refused with a clear message, and a holder
killed -9 leaves nothing behind that blocks the next start."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from shared.instancelock import AlreadyRunning, InstanceLock, acquire_instance_lock
from tests.support.env import test_env as child_env, wait_for

# A child that takes the lock, then waits for stdin to close (or to be killed).
HOLDER = ("import sys; from shared.instancelock import acquire_instance_lock; "
          "acquire_instance_lock(sys.argv[1]); sys.stdin.read()")
# A child that tries the lock once and reports: exit 0 if it got it, 3 with the message if not.
TRY = ("import sys; from shared.instancelock import acquire_instance_lock, AlreadyRunning\n"
       "try:\n    acquire_instance_lock(sys.argv[1])\n"
       "except AlreadyRunning as exc:\n    print(exc); sys.exit(3)\n")


def _python(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], env=child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _lock_file_says(path: str, pid: int) -> bool:
    with open(path) as f:
        return f.read().strip() == str(pid)


@pytest.fixture
def holder(tmp_path):
    data = str(tmp_path / "data")
    proc = _python(HOLDER, data, stdin=subprocess.PIPE)
    lock_path = os.path.join(data, "riskd.lock")
    try:
        wait_for(lambda: _lock_file_says(lock_path, proc.pid), timeout=10,
                 what="the holder to write its pid into the lock file")
        yield data, proc
    finally:
        proc.kill()
        proc.communicate(timeout=10)


def test_second_process_is_refused_with_data_dir_and_pid(holder):
    data, proc = holder
    out, err = _python(TRY, data).communicate(timeout=20)
    assert out.strip() == f"riskd is already running with data dir {data} (pid {proc.pid})", err


def test_in_process_refusal_raises_already_running(holder):
    data, proc = holder
    with pytest.raises(AlreadyRunning) as info:
        acquire_instance_lock(data)
    assert info.value.pid == proc.pid and info.value.data_dir == data
    assert "riskd is already running" in str(info.value)


def test_lock_is_free_again_after_the_holder_is_killed_9(holder):
    data, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    # The stale pid is still in the file; the OS released the lock, so this start succeeds.
    with acquire_instance_lock(data) as lock:
        assert lock.held and _lock_file_says(lock.path, os.getpid())
    assert not lock.held


def test_release_lets_another_process_take_it(tmp_path):
    data = str(tmp_path / "data")
    lock = InstanceLock(data).acquire()
    assert _python(TRY, data).wait(timeout=20) == 3
    lock.release()
    lock.release()                     # idempotent
    assert _python(TRY, data).wait(timeout=20) == 0


def test_lock_creates_the_data_dir(tmp_path):
    data = tmp_path / "new" / "data"
    with InstanceLock(str(data)) as lock:
        assert data.is_dir() and lock.path == str(data / "riskd.lock")
