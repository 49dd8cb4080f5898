"""A launcher shim, as a Windows venv's python.exe is: it runs the real worker as its CHILD.

The supervisor's Popen.pid is then this shim's pid while the worker reports its own
(bpo-35797). Like the venv launcher it ignores the stop signal itself, waits for the
worker and exits the way the worker did. The real module is the slot's default one
(RISKD_WORKER_NAME is set by the supervisor).
"""
import os
import signal
import subprocess
import sys

from shared.config.sections import SupervisorConfig

if __name__ == "__main__":
    module = SupervisorConfig().module_of(os.environ["RISKD_WORKER_NAME"])
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)      # the group's SIGTERM is for the worker
    code = subprocess.call([sys.executable, "-m", module, *sys.argv[1:]])
    if code < 0:                                  # killed by a signal: end the same way
        if -code != signal.SIGKILL:
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)
