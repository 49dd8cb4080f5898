"""Real processes for integration tests: start riskd or one worker, talk to it, always clean up.

Every process is started in its own session so the whole tree can be ended;
`Procs` (the `procs` fixture) ends whatever a test left running, even when
the test fails, and reports children that outlived their parent.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import weakref
from typing import Any, Optional

from services.supervisor.children import pid_alive
from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.messages.control import ControlRequest, WorkersRequest
from tests.support.env import REPO, test_env, wait_for


def processes_using(config_path: str) -> list[int]:
    """Pids of every live process whose command line names this config file (Linux /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if config_path in cmd and pid_alive(int(entry)):
            pids.append(int(entry))
    return pids



def kill_left_workers(config_path: str) -> None:
    """kill -9 the workers a killed supervisor left running (what the next riskd would end):
    a test that kills the supervisor cleans up after itself with this."""
    from cli.notrunning import workers_left
    for _name, pids in workers_left(config_path):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Proc:
    """One started process (riskd or a worker) in its own session."""

    def __init__(self, args: list[str], log_path: str, env: Optional[dict] = None):
        self.args = args
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(args, cwd=REPO, env=env or test_env(),
                                      stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self.pid = self.popen.pid

    def signal(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float) -> Optional[int]:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        with open(self.log_path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")

    def kill_tree(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.wait(5)
        self._log.close()


LIVE: "weakref.WeakSet[Procs]" = weakref.WeakSet()   # every Procs not yet collected


def kill_all(pids: list[int], still_there, timeout: float = 5.0) -> None:
    """kill -9 each pid and its process group; wait (bounded) until still_there() is empty."""
    for pid in pids:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    end = time.monotonic() + timeout
    while time.monotonic() < end and still_there():
        time.sleep(0.05)


class Procs:
    """Starts processes for one test and ends all of them (and their workers) afterwards."""

    def __init__(self, tmp_path, riskctl_in_process: bool = False):
        LIVE.add(self)
        self.tmp_path = tmp_path
        # riskctl() in the test's own process (tests/support/incli.py completed()), not a
        # subprocess: the tests marked riskctl_in_process (tests/conftest.py)
        self.riskctl_in_process = riskctl_in_process
        self.started: list[Proc] = []
        self.configs: set[str] = set()
        # crash points (shared/crashpoint.py): a file here arms one in every process started
        self.crash_dir = os.path.join(str(tmp_path), "crash-points")
        os.makedirs(self.crash_dir, exist_ok=True)

    def arm(self, point: str) -> None:
        """The next process (started by this Procs) to reach `point` exits there at once."""
        with open(os.path.join(self.crash_dir, point), "w"):
            pass

    def fired(self, point: str) -> bool:
        return not os.path.exists(os.path.join(self.crash_dir, point))

    def riskd(self, config_path: str, wait_up: bool = True, timeout: float = 20.0) -> Proc:
        proc = self._start([sys.executable, "-m", "services.supervisor", "--config", config_path],
                           "riskd", config_path)
        if wait_up:
            def answering():
                if proc.popen.poll() is not None:
                    raise AssertionError(f"riskd exited with {proc.popen.returncode}:\n"
                                         f"{proc.output()}")
                return self.control_call(config_path, WorkersRequest(), timeout=0.5)
            wait_for(answering, timeout, what="riskd's control socket to answer",
                     fail_fast=AssertionError)
        return proc

    def worker(self, module: str, config_path: str, env: Optional[dict] = None,
               label: str = "") -> Proc:
        """A worker alone (no supervisor); env: extra environment (a risk shard's index)."""
        return self._start([sys.executable, "-m", module, "--config", config_path],
                           label or module.rsplit(".", 1)[-1], config_path, env)

    def riskctl(self, config_path: str, *args: str, timeout: float = 40.0,
                input: Optional[str] = None) -> subprocess.CompletedProcess:
        """Run riskctl; `input` is its standard input (none: no terminal, nothing to read).
        In this process when riskctl_in_process (no timeout then: the test's own applies)."""
        if self.riskctl_in_process:
            from tests.support import incli
            return incli.completed(config_path, *args, input=input)
        return subprocess.run([sys.executable, "-m", "cli.main", "--config", config_path, *args],
                              cwd=REPO, env=test_env(), capture_output=True, text=True,
                              timeout=timeout, input=input,
                              stdin=subprocess.DEVNULL if input is None else None)


    def riskctl_ok(self, config_path: str, *args: str) -> str:
        """riskctl's output, the command required to succeed (its output and errors said
        otherwise)."""
        done = self.riskctl(config_path, *args)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout
    def _start(self, args: list[str], label: str, config_path: str,
               extra_env: Optional[dict] = None) -> Proc:
        self.configs.add(config_path)
        env = {**test_env(), "RISKD_CRASH_DIR": self.crash_dir, **(extra_env or {})}
        proc = Proc(args, str(self.tmp_path / f"{label}-{len(self.started)}.log"), env)
        self.started.append(proc)
        return proc

    @staticmethod
    def control_call(config_path: str, command: Any, timeout: float = 3.0,
                     session: Optional[str] = None):
        """One request to riskd's control socket; returns the Reply (raises RpcTimeout)."""
        address = load_config(config_path).config.bus.control
        with RpcClient(address, "riskd", timeout=timeout, retries=0, name="test") as client:
            return client.call(ControlRequest(command=command, session=session))

    def workers(self, config_path: str) -> dict:
        """name -> WorkerInfo, from riskd."""
        reply = self.control_call(config_path, WorkersRequest())
        return {w.name: w for w in reply.body.workers}

    def wait_running(self, config_path: str, names, timeout: float = 20.0) -> dict:
        def all_up():
            table = self.workers(config_path)
            return table if all(table[n].state == "running" for n in names) else None
        return wait_for(all_up, timeout, what=f"workers {sorted(names)} running")

    def cleanup(self, grace: float = 5.0) -> list[int]:
        """End everything this test started; return the pids of orphans.

        Each started process is asked to stop (SIGTERM: riskd then stops its workers, which
        run in process groups of their own), then its group is killed. Whatever still names
        one of the test's configs a moment later outlived its parent: an orphan. It is killed
        and its pid returned, and the `procs` fixture fails the test for it.
        """
        for proc in self.started:
            if proc.popen.poll() is None:
                proc.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.started:
            proc.wait(max(0.0, deadline - time.monotonic()))
        for proc in self.started:
            proc.kill_tree()
        # a process in the middle of dying may still show for a moment: look again before
        # calling it an orphan
        settle = time.monotonic() + 2.0
        while time.monotonic() < settle and self._alive_using():
            time.sleep(0.05)
        leftovers = self._alive_using()
        kill_all(leftovers, self._alive_using)
        self.started.clear()
        return leftovers

    def end(self) -> None:
        """cleanup(), and an AssertionError naming any orphan (it is killed all the same)."""
        orphans = self.cleanup()
        if orphans:
            raise AssertionError(f"processes outlived their parent: {orphans} (killed now); "
                                 f"end what you start, or start a new riskd to end them")

    def _alive_using(self) -> list[int]:
        mine = os.getpid()
        return sorted({p for c in self.configs for p in processes_using(c) if p != mine})
