"""Worker OS processes: spawn, tell them apart by a token, signal, end the whole tree, leftovers.

Each worker runs as `<python> -m <module> --config FILE [--config-snapshot SNAP]` (SNAP:
the last good config riskd runs, snapshot.py) in a process group of
its own (a new session on POSIX; CREATE_NEW_PROCESS_GROUP and a kill-on-close
Job object on Windows, shared/winjob.py) so that stopping it ends everything it
started, and on Windows the tree dies with riskd.

The pid the supervisor gets back (Popen.pid) is not always the worker's: on
Windows a venv's python.exe is a launcher that runs the base interpreter as its
child (bpo-35797). So each spawn gets a random token in RISKD_WORKER_TOKEN; the
worker echoes it in its Pong (shared/worker.py) and the supervisor binds the
(pid, started_ns) that answered with it. Like multiprocessing, on Windows the
base interpreter is started directly when riskd runs from a venv (with
__PYVENV_LAUNCHER__ naming the venv's python so the venv's packages load).

Pid files (pidfiles.py) let a new supervisor end what a hard-killed one left
behind, only after proving each pid still names the process that was started.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Callable, Optional

from services.supervisor import pidfiles
from shared import controlkey
from shared.randtoken import token_hex

log = logging.getLogger(__name__)

IS_WINDOWS = os.name == "nt"
TOKEN_ENV = "RISKD_WORKER_TOKEN"
NAME_ENV = "RISKD_WORKER_NAME"
KILL_WAIT = 2.0      # s: after a kill (SIGKILL / TerminateJobObject), how long to wait for the exit


def interpreter(executable: str = sys.executable,
                base_executable: Optional[str] = getattr(sys, "_base_executable", None),
                windows: bool = IS_WINDOWS,
                normcase: Callable[[str], str] = os.path.normcase) -> tuple[str, dict]:
    """The python to start workers with, and the environment it needs (what multiprocessing's
    popen_spawn_win32 does: in a Windows venv, skip the launcher and start the base python)."""
    if windows and base_executable and normcase(base_executable) != normcase(executable):
        return base_executable, {"__PYVENV_LAUNCHER__": executable}
    return executable, {}


class Child:
    """One started worker: the process we spawned and, once it answered, the worker's own pid."""

    def __init__(self, name: str, module: str, config_path: str, run_dir: str,
                 env: Optional[dict] = None, snapshot: Optional[str] = None,
                 control_key: str = ""):
        self.name, self.module, self.config_path, self.run_dir = name, module, config_path, run_dir
        self.token = token_hex(16)
        python, extra_env = interpreter()
        cmd = [python, "-m", module, "--config", config_path]
        if snapshot:
            cmd += ["--config-snapshot", snapshot]
        full_env = dict(os.environ if env is None else env)
        full_env.update(extra_env)
        full_env[TOKEN_ENV] = self.token
        full_env[NAME_ENV] = name
        if control_key:                 # gated requests need it (shared/controlkey.py)
            full_env[controlkey.ENV] = control_key
        kwargs: dict = {"stdin": subprocess.DEVNULL, "env": full_env}
        if IS_WINDOWS:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
        self.job = None
        self.proc = subprocess.Popen(cmd, **kwargs)
        self.pid = self.proc.pid                 # the process we started (its group's leader)
        self.worker_pid: Optional[int] = None    # the worker itself, once it echoed the token
        self.worker_started_ns: Optional[int] = None
        if IS_WINDOWS:
            self.job = _job_for(self.proc)
        self._procs = [pidfiles.record(self.pid)]
        pidfiles.write(run_dir, name, module, self.pid, self._procs)

    @property
    def shown_pid(self) -> int:
        """The pid to show and to match heartbeats: the worker's once known."""
        return self.worker_pid if self.worker_pid is not None else self.pid

    def bind(self, token: str, pid: int, started_ns: int) -> bool:
        """A Pong arrived: True if it is this spawn's worker (its pid is recorded then)."""
        if not token or token != self.token:
            return False
        if self.worker_pid != pid:
            self.worker_pid, self.worker_started_ns = pid, started_ns
            if pid != self.pid:
                self._procs.append(pidfiles.record(pid))
                pidfiles.write(self.run_dir, self.name, self.module, self.pid, self._procs)
        return True

    def is_worker(self, pid: int, started_ns: int) -> bool:
        """Is a heartbeat from the process bound by token? (pid and start time both match)."""
        return self.worker_pid == pid and self.worker_started_ns == started_ns

    def poll(self) -> Optional[int]:
        """The exit code once the process has ended (it is reaped then), else None."""
        code = self.proc.poll()
        if code is not None:
            self._ended()
        return code

    def _ended(self) -> None:
        pidfiles.remove(self.run_dir, self.name, self.pid)
        if self.job is not None:
            self.job.close()          # kill-on-close: ends anything the worker left running
            self.job = None

    def terminate(self) -> None:
        """Ask the whole group to stop cleanly (SIGTERM / CTRL_BREAK)."""
        signal_group(self.pid, graceful=True)

    def kill(self) -> None:
        """End the whole tree now (SIGKILL to the group / TerminateJobObject)."""
        if self.job is not None and self.job.terminate():
            return
        signal_group(self.pid, graceful=False)


def _job_for(proc: subprocess.Popen):
    """Put a just-started process in a kill-on-close job (Windows); None if that fails."""
    from shared import winjob
    try:
        job = winjob.Job()
        job.assign(int(proc._handle))            # type: ignore[attr-defined]
        return job
    except OSError as exc:
        log.error("cannot put pid %d in a job object (%s): it may outlive riskd", proc.pid, exc)
        return None


def signal_group(pid: int, graceful: bool) -> None:
    try:
        if IS_WINDOWS:
            if graceful:
                os.kill(pid, signal.CTRL_BREAK_EVENT)
            else:
                from shared import winproc
                winproc.terminate(pid)
        else:
            os.killpg(pid, signal.SIGTERM if graceful else signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass     # already gone


def pid_alive(pid: int) -> bool:
    """True while the process exists and has not ended (a zombie has ended)."""
    if IS_WINDOWS:
        from shared import winproc
        return winproc.pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _end(doc: dict, pids: list[int], graceful: bool) -> None:
    """Signal the leftover's group when its leader is proven ours, else each proven pid."""
    pgid = doc.get("pgid")
    for pid in pids:
        if not IS_WINDOWS and pgid in pids:
            try:
                if os.getpgid(pid) == pgid:
                    os.killpg(pgid, signal.SIGTERM if graceful else signal.SIGKILL)
                    continue
            except OSError:
                pass
        if IS_WINDOWS:
            signal_group(pid, graceful)
        else:
            try:
                os.kill(pid, signal.SIGTERM if graceful else signal.SIGKILL)
            except OSError:
                pass


def _wait_gone(pids: list[int], grace: float) -> bool:
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not any(pid_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return not any(pid_alive(p) for p in pids)


def running_leftovers(run_dir: str) -> list[tuple[str, list[int]]]:
    """Workers a previous supervisor left running, found by pid file, each pid proven to be the
    process that was started: (name, pids), nothing ended. riskctl says so when riskd's
    supervisor is gone but its workers still run; a new riskd counts their time as run."""
    out = []
    for _path, doc in _pid_docs(run_dir):
        pids = [p for p in (pidfiles.verified_pids(doc) if doc is not None else [])
                if pid_alive(p)]                 # a zombie has ended: it guards nothing
        if pids:
            out.append((str(doc.get("name", os.path.basename(_path)[:-4])), pids))
    return out


def _pid_docs(run_dir: str):
    """(path, doc or None when unreadable) of every pid file in run_dir."""
    if not os.path.isdir(run_dir):
        return
    for entry in sorted(os.listdir(run_dir)):
        if entry.endswith(".pid"):
            path = os.path.join(run_dir, entry)
            yield path, pidfiles.read(path)


def end_leftovers(run_dir: str, grace: float = 3.0) -> list[tuple[str, int]]:
    """End workers a previous supervisor left running (found by pid file, each pid proven to
    be the process that was started); return (name, pid)s ended."""
    ended: list[tuple[str, int]] = []
    for path, doc in _pid_docs(run_dir):
        if doc is None:
            log.warning("%s has no creation time to check (an older riskd's, or damaged): "
                        "whatever process has that pid now is left alone", path)
        else:
            pids = pidfiles.verified_pids(doc)
            if pids:
                name = str(doc.get("name", os.path.basename(path)[:-4]))
                log.warning("ending %s (pids %s) left over from a previous riskd", name,
                            ", ".join(map(str, pids)))
                # Windows: no Ctrl-Break first. A leftover is not in this riskd's console,
                # and GenerateConsoleCtrlEvent for a group not in our console can reach our
                # own console group instead; the job object has usually ended them anyway.
                if not IS_WINDOWS:
                    _end(doc, pids, graceful=True)
                if IS_WINDOWS or not _wait_gone(pids, grace):
                    _end(doc, pids, graceful=False)
                    _wait_gone(pids, grace)
                ended += [(name, p) for p in pids]
        try:
            os.remove(path)
        except OSError:
            pass
    return ended
