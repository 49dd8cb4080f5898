"""`riskctl watch` in a pseudo-terminal that never answers a terminal query (third trial: watch
under such a pty drew nothing). blessed asks the terminal for its capabilities, the cursor
position and its version, 5 s each by default; riskctl waits 0.5 s per question, then draws
(cli/watch/terminal.py). Here nothing is ever written to the pty until the screen is drawn:
the screen must come well before blessed's own 10 s of waiting, also from a pty nobody sized
(drawn at 80x24; before, it drew no row of the screen at all), and q still ends it. riskd is
not running: the screen says so, which is a screen like any other."""
from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from tests.support import env as support_env
from tests.support.env import REPO, make_config

# blessed alone waits 10 s (two unanswered queries of 5 s); riskctl's own start takes a second
# or two on a loaded machine: a screen within 8 s is one that did not wait for blessed
DRAWN_WITHIN_S = 8.0
HEADER = b"roll in"                     # the header row: the clock, the trading day, the roll


def spawn_watch(config: str, size):
    master, slave = os.openpty()
    if size is not None:
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = support_env.test_env()
    for name in ("BLESSED_QUERY_TIMEOUT_SECONDS", "COLUMNS", "LINES", "TERM_PROGRAM"):
        env.pop(name, None)
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="America/Chicago")
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "--config", config, "watch"],
                            stdin=slave, stdout=slave, stderr=slave, cwd=REPO, env=env,
                            start_new_session=True)
    os.close(slave)
    return proc, master


def read_until(master: int, proc, wanted: bytes, timeout: float) -> tuple[bytes, float]:
    """Everything the pty showed until `wanted` appeared (or timeout), and when it did."""
    start, out = time.monotonic(), b""
    while time.monotonic() - start < timeout and wanted not in out:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:          # the child closed the pty
                break
            out += chunk
        elif proc.poll() is not None:
            break
    return out, time.monotonic() - start


@pytest.mark.parametrize("size", [(100, 30), None], ids=["sized", "no-size"])
def test_watch_draws_under_a_pty_that_never_answers(tmp_path, size):
    config = make_config(tmp_path)
    proc, master = spawn_watch(config, size)
    try:
        shown, took = read_until(master, proc, HEADER, 30)
        assert HEADER in shown, f"nothing drawn in {took:.1f} s: {shown[-500:]!r}"
        assert took < DRAWN_WITHIN_S, f"drawn only after {took:.1f} s (blessed's own waits)"
        more, _ = read_until(master, proc, b"riskd is not running", 10)   # nothing listens
        assert b"riskd is not running" in shown + more
        assert proc.poll() is None                       # still running, redrawing
        os.write(master, b"q")
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        os.close(master)
