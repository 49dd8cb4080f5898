"""While riskd's own sim broker is still starting, enforcement says it waits for it, once, and
warns of nothing (services/enforcement/simstart.py).

Fresh-user trial 19a: after `kill -9` of the supervisor and `make run`, the new riskd printed
"enforcement could not log in to the broker yet: /api/Auth/loginKey: the broker did not answer
successfully after 3 calls (last: connection failed)" three times (one a pool thread) and
"enforcement: cannot list the broker's accounts: ..." as WARNINGs while its sim was starting.
The real Executor and ProjectX client, pointed at a port nothing listens on (the sim not up
yet: a connection that fails). A real broker down, or the sim still silent after the start's
grace, is still a WARNING. On main's code the first test fails (checked): SimStart does not
exist, and the pool threads warn."""
from __future__ import annotations

import logging
import time

from services.enforcement.executor import Executor, Settings
from services.enforcement.journal import Journal
from services.enforcement.simstart import WAITING, SimStart
from shared.clock import FakeClock
from shared.projectx.errors import BrokerUnavailable
from shared.projectx.rest import ProjectXRest
from tests.support.ports import free_ports

LOGGER = "riskd.enforcement.test_sim_starting"


def _pool_start(tmp_path, starting: SimStart, caplog) -> list[logging.LogRecord]:
    [port] = free_ports(1)                       # nothing listens there: connection refused
    clock = FakeClock(1_000_000_000)
    journal = Journal(str(tmp_path / "journal.sqlite"), clock.now_ns())
    ex = Executor(lambda budget: ProjectXRest(f"http://127.0.0.1:{port}", "user", "key",
                                              timeout=1.0, budget=budget, attempts=1),
                  journal, clock, Settings(threads=3, settle=0))
    ex.starting = starting
    with caplog.at_level(logging.INFO):
        ex.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(
                [r for r in caplog.records if "broker" in r.getMessage()]) < (
                3 if not starting.sim else 1):
            time.sleep(0.05)
        time.sleep(0.3)                          # every pool thread has tried its login
        ex.stop()
    journal.close()
    return [r for r in caplog.records if "broker" in r.getMessage()]


def test_the_embedded_sim_starting_is_said_once_not_warned(tmp_path, caplog):
    records = _pool_start(tmp_path, SimStart(True), caplog)
    assert [r.levelno for r in records] == [logging.INFO], [r.getMessage() for r in records]
    assert WAITING in records[0].getMessage()


def test_a_real_broker_down_is_still_warned(tmp_path, caplog):
    records = _pool_start(tmp_path, SimStart(False), caplog)
    assert records and all(r.levelno == logging.WARNING for r in records), records
    assert "could not log in to the broker yet" in records[0].getMessage()


def test_the_sim_still_silent_after_the_grace_is_warned(caplog):
    now = {"t": 0.0}
    starting = SimStart(True, grace_s=30, clock=lambda: now["t"])
    log = logging.getLogger(LOGGER)
    down = BrokerUnavailable("/api/Account/search", 3, "connection failed")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        starting.report(log, down, "cannot list the broker's accounts: %s")
        now["t"] = 31.0
        starting.report(log, down, "cannot list the broker's accounts: %s")
        # an answer that says the broker is up but failing is never the sim starting
        starting2 = SimStart(True, clock=lambda: 0.0)
        starting2.report(log, BrokerUnavailable("/api/Account/search", 3, "HTTP 503", 503),
                         "cannot list the broker's accounts: %s")
    assert [r.levelno for r in caplog.records] == [logging.INFO, logging.WARNING,
                                                   logging.WARNING], caplog.records
