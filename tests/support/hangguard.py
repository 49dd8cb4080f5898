"""A test that hangs fails and ends; the run goes on and leaves no process behind.

pytest-timeout's "thread" method ends a hung test by ending its whole test process
(os._exit): with pytest-xdist that lost every test still queued in that process, left the
riskd and sim it started running until the end of the run (its fixtures never ended them),
and with `--dist loadfile` (`make test`) could stall the run for good (testtime20, round 20).
Three parts here, wired in tests/conftest.py:

- `set_timer`: the timeout is SIGALRM in the test's main thread ("signal" in pyproject.toml):
  the test fails with its stack and its fixtures end its processes, as after any failure. A
  test the signal cannot stop (it swallows the failure, or hangs where Python never runs
  again) is still ended BACKSTOP_S later by pytest-timeout's thread method, after this test
  process's processes have been ended (`Procs.cleanup`).
- `reap`: when a test process dies anyway, the controlling process ends at once every process
  carrying that test process's mark (`MARK`, set in its environment and inherited by all it
  starts), not only at the end of the run.
- `FileScheduling`: xdist's loadfile scheduler, without its stall. On a crash its
  `remove_node` put back in the queue every file the dead process held, finished files
  included, and the crashed test itself: the crashed test ran again (and hung again), and a
  replacement process handed a finished file had nothing to run, reported nothing, and so was
  never given the file still waiting: every process idle and the run never ending (measured
  in a scratch copy: a hanging test beside riskd tests, `-n 2 --dist loadfile`). Here the
  crashed test is counted done (xdist reports it failed) and only files with tests left to
  run go back in the queue.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Optional

from tests.support import procs as procs_module
from tests.support.harness import marked

MARK = "RISKD_TEST_PROCESS"
BACKSTOP_S = 60.0            # the thread method's kill, this long after the signal at most


def backstop_after(timeout: float) -> float:
    """When the thread method ends a test the signal did not stop: timeout + min(timeout, 60)."""
    return timeout + min(timeout, BACKSTOP_S)


def _signal_usable() -> bool:
    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


def set_timer(item, settings) -> Optional[bool]:
    """pytest_timeout_set_timer: SIGALRM at the timeout, the thread method as a backstop.
    Any other method: pytest-timeout's own timer; the thread method alone where SIGALRM is not
    usable (Windows, a test outside the main thread)."""
    import pytest_timeout

    if settings.method != "signal":
        return None
    if not _signal_usable():
        return pytest_timeout.pytest_timeout_set_timer(item, settings._replace(method="thread"))
    previous = signal.getsignal(signal.SIGALRM)

    def on_alarm(_signum, _frame):
        __tracebackhide__ = True
        pytest_timeout.timeout_sigalrm(item, settings)

    def backstop():
        end_started_processes()
        pytest_timeout.timeout_timer(item, settings)      # stacks, then os._exit(1)

    timer = threading.Timer(backstop_after(settings.timeout), backstop)
    timer.name = f"backstop {item.nodeid}"
    timer.daemon = True

    def cancel():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        timer.cancel()

    item.cancel_timeout = cancel
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, settings.timeout)
    timer.start()
    return True


def end_started_processes() -> None:
    """Before this test process is ended: end what its tests started (each live Procs)."""
    for procs in list(procs_module.LIVE):
        try:
            procs.cleanup(grace=2.0)
        except Exception as exc:           # the kill must happen even so
            print(f"hangguard: cleanup failed: {exc!r}", file=sys.stderr)


def mark_test_process(worker_id: str) -> None:
    """In a test process: mark it (and all it starts) with the run and its xdist id."""
    os.environ[MARK] = f"{os.environ.get('RISKD_HARNESS', '')}-{worker_id}"


def reap(worker_id: str) -> list[int]:
    """In the controlling process: kill -9 every process the test process `worker_id`
    started that is still alive; return their pids."""
    token = f"{os.environ.get('RISKD_HARNESS', '')}-{worker_id}"
    left = marked(token, MARK)
    procs_module.kill_all(left, lambda: marked(token, MARK))
    return left


def file_scheduling(config, log):
    """pytest_xdist_make_scheduler: FileScheduling for `--dist loadfile`, else None."""
    if config.getvalue("dist") != "loadfile":
        return None
    return _scheduler_class()(config, log)


def _scheduler_class():
    from xdist.scheduler import LoadFileScheduling

    class FileScheduling(LoadFileScheduling):
        """loadfile, whose crash handling neither runs the crashed test again nor stalls."""

        def remove_node(self, node):
            workload = self.assigned_work.pop(node)
            if not self._pending_of(workload):
                return None
            crashitem = next(nodeid for unit in workload.values()
                             for nodeid, done in unit.items() if not done)
            for scope, unit in workload.items():
                if crashitem in unit:
                    unit[crashitem] = True         # reported failed by xdist; not run again
                if not all(unit.values()):
                    self.workqueue[scope] = unit
            for other in self.assigned_work:
                self._reschedule(other)
            return crashitem

    return FileScheduling


def worker_id(config) -> Optional[str]:
    """This test process's xdist id (gw0, gw1...), None in the controlling or only process."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput.get("workerid") if workerinput else None

