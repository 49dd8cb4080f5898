"""Worker OS processes: spawn in their own process group, signal, kill the whole tree, pid files.

Each worker runs as `python -m <module> --config FILE` in a new process group
(a new session on POSIX, CREATE_NEW_PROCESS_GROUP on Windows) so that
stopping it ends everything it started. A pid file per worker in
<data_dir>/run lets a new supervisor end the workers a hard-killed one left
behind; a pid is only trusted when the process's command line still names
the worker's module (a reused pid is left alone).
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Optional

log = logging.getLogger(__name__)

IS_WINDOWS = os.name == "nt"


class Child:
    """One running worker process."""

    def __init__(self, name: str, module: str, config_path: str, run_dir: str,
                 env: Optional[dict] = None):
        self.name, self.module, self.config_path, self.run_dir = name, module, config_path, run_dir
        cmd = [sys.executable, "-m", module, "--config", config_path]
        kwargs: dict = {"stdin": subprocess.DEVNULL, "env": env}
        if IS_WINDOWS:
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
        self.proc = subprocess.Popen(cmd, **kwargs)
        self.pid = self.proc.pid
        write_pid_file(run_dir, name, self.pid, module)

    def poll(self) -> Optional[int]:
        """The exit code once the process has ended (it is reaped then), else None."""
        code = self.proc.poll()
        if code is not None:
            remove_pid_file(self.run_dir, self.name, self.pid)
        return code

    def terminate(self) -> None:
        """Ask the whole group to stop cleanly (SIGTERM / CTRL_BREAK)."""
        signal_group(self.pid, graceful=True)

    def kill(self) -> None:
        """End the whole group now."""
        signal_group(self.pid, graceful=False)


def signal_group(pid: int, graceful: bool) -> None:
    try:
        if IS_WINDOWS:
            if graceful:
                os.kill(pid, signal.CTRL_BREAK_EVENT)
            else:
                subprocess.run(["taskkill", "/PID", str(pid), "/T", "/F"],
                               capture_output=True, timeout=10)
        else:
            os.killpg(pid, signal.SIGTERM if graceful else signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass     # already gone


def _pid_path(run_dir: str, name: str) -> str:
    return os.path.join(run_dir, f"{name}.pid")


def write_pid_file(run_dir: str, name: str, pid: int, module: str) -> None:
    os.makedirs(run_dir, exist_ok=True)
    tmp = _pid_path(run_dir, name) + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(f"{pid} {module}\n")
    os.replace(tmp, _pid_path(run_dir, name))


def remove_pid_file(run_dir: str, name: str, pid: int) -> None:
    path = _pid_path(run_dir, name)
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.read().split()[0] != str(pid):
                return       # a newer process of this worker owns it
        os.remove(path)
    except (OSError, IndexError):
        pass


def _cmdline(pid: int) -> Optional[str]:
    """The process's command line (Linux /proc), '' when unknown on this OS, None when gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    if IS_WINDOWS:
        out = subprocess.run(["tasklist", "/FI", f"PID eq {pid}"], capture_output=True,
                             text=True, timeout=10).stdout
        return str(pid) in out
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie of ours is not alive
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def end_leftovers(run_dir: str, grace: float = 3.0) -> list[tuple[str, int]]:
    """End workers a previous supervisor left running (found by pid file); return (name, pid)s."""
    if not os.path.isdir(run_dir):
        return []
    ended: list[tuple[str, int]] = []
    for entry in sorted(os.listdir(run_dir)):
        if not entry.endswith(".pid"):
            continue
        name = entry[:-4]
        path = os.path.join(run_dir, entry)
        try:
            with open(path, encoding="utf-8") as fh:
                pid_s, module = fh.read().split()[:2]
            pid = int(pid_s)
        except (OSError, ValueError):
            os.remove(path)
            continue
        cmdline = _cmdline(pid) if not IS_WINDOWS else ""
        if cmdline is None or not pid_alive(pid):
            os.remove(path)
            continue
        if cmdline and module not in cmdline:
            log.info("pid %d of the %s pid file is now another program; left alone", pid, name)
            os.remove(path)
            continue
        log.warning("ending %s (pid %d) left over from a previous riskd", name, pid)
        signal_group(pid, graceful=True)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and pid_alive(pid):
            time.sleep(0.05)
        if pid_alive(pid):
            signal_group(pid, graceful=False)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and pid_alive(pid):
                time.sleep(0.05)
        ended.append((name, pid))
        try:
            os.remove(path)
        except OSError:
            pass
    return ended
