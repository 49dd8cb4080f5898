"""tests/support/harness.run_guarded: a SIGTERM whose SystemExit Python drops (raised while a
finalizer ran: "Exception ignored in ...") still ends the run, as make test saw `make chaos`
stay up past 60 s after its SIGTERM when the exit landed in urllib3's pool finalizer."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.support.env import REPO
from tests.support.env import test_env as child_env

BODY = r"""
import sys, time
from tests.support.harness import run_guarded
with run_guarded():
    try:
        print("ready", flush=True)      # inside the try: the SIGTERM sent after it lands there
        time.sleep(30)
    except SystemExit:
        pass        # dropped, as Python drops an exception raised inside a finalizer
    print("dropped once", flush=True)
    time.sleep(30)
"""


@pytest.mark.timeout(60)
def test_a_dropped_sigterm_exit_is_raised_again_until_the_run_ends():
    proc = subprocess.Popen([sys.executable, "-c", BODY], cwd=REPO, env=child_env(),
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
        assert code == 128 + signal.SIGTERM
        assert time.monotonic() - started < 5
        assert "dropped once" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
