"""What `make bench` and `make chaos` start dies with them: on Ctrl-C, SIGTERM, SIGHUP or a
normal end, every Procs is cleaned up, then anything still carrying the run's mark is killed
and named.

`run_guarded()` ends every Procs (tests/support/procs.py) still alive, and marks the run: it puts RISKD_HARNESS=<its pid> in the environment, which
every process it starts inherits (riskd's workers too, though they run in process groups of
their own); SIGTERM and SIGHUP become SystemExit so the cleanup runs like after Ctrl-C (raised
again until it takes: one raised inside a finalizer is dropped by Python). A
harness killed with SIGKILL cannot clean up; the next `riskd` on the same data_dir ends the
workers a dead riskd left (pid files).
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys

from services.supervisor.children import pid_alive
from tests.support import procs as procs_module

MARK = "RISKD_HARNESS"


def marked(token: str, mark: str = MARK) -> list[int]:
    """Pids of live processes (other than this one) whose environment carries the mark."""
    needle = f"{mark}={token}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        if needle in env and pid_alive(int(entry)):
            found.append(int(entry))
    return found


_EXIT = {"code": 0}
AGAIN_S = 0.5


def _exit_on(signum, _frame):
    """SIGTERM / SIGHUP: SystemExit, raised again every AGAIN_S until the body has ended. A
    signal handled while the main thread runs a finalizer (a weakref callback, a __del__) has
    its exception printed and dropped by Python ("Exception ignored in ..."): make test saw
    `make chaos` under SIGTERM stay up past 60 s that way, its SystemExit raised inside
    urllib3's pool finalizer (round 17)."""
    _EXIT["code"] = 128 + signum
    _again(signum, _frame)


def _again(_signum, _frame):
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, AGAIN_S)
    raise SystemExit(_EXIT["code"])


@contextlib.contextmanager
def run_guarded():
    """Run the body; whatever happens, end every live Procs and every marked process."""
    token = str(os.getpid())
    os.environ[MARK] = token
    previous = {s: signal.signal(s, _exit_on) for s in (signal.SIGTERM, signal.SIGHUP)}
    if hasattr(signal, "SIGALRM"):
        previous[signal.SIGALRM] = signal.signal(signal.SIGALRM, _again)
    try:
        yield
    finally:
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)     # the body has ended: no exit again
        for s, handler in previous.items():
            signal.signal(s, handler)
        # a second Ctrl-C during the cleanup must not leave half of it undone
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for procs in list(procs_module.LIVE):
                procs.cleanup()
            left = marked(token)
            procs_module.kill_all(left, lambda: marked(token))
            if left:
                print(f"killed {len(left)} process(es) the run left behind: {left}",
                      file=sys.stderr)
        finally:
            signal.signal(signal.SIGINT, old_int)
