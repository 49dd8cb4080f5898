"""What enforcement says when the broker does not answer while riskd starts its own sim.

Fresh-user trial 19a: after `kill -9` of the supervisor and `make run` again, the new riskd's
terminal printed four WARNINGs, "enforcement could not log in to the broker yet: ...
(last: connection failed)" three times and "enforcement: cannot list the broker's accounts:
...", while the sim broker riskd itself runs (broker.kind = "sim") was simply still starting;
seconds later everything worked. With the embedded sim, a connection that fails (no answer
at all) in the first SIM_START_S seconds of the worker is that sim starting: it is said once,
at INFO, "waiting for the sim broker to start". Anything else -- a real broker down, a login
refused, the sim still not answering after SIM_START_S, a TLS failure -- stays a WARNING as
before."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from shared.projectx.errors import BrokerUnavailable, TlsError

SIM_START_S = 30.0
WAITING = "waiting for the sim broker to start"


class SimStart:
    """One per enforcement worker (its pool threads and its account refresh share it)."""

    def __init__(self, sim: bool, grace_s: float = SIM_START_S,
                 clock: Callable[[], float] = time.monotonic):
        self.sim = sim
        self.clock = clock
        self.until = clock() + grace_s
        self._said = False
        self._lock = threading.Lock()

    def starting(self, exc: BaseException) -> bool:
        """Is this failure the embedded sim not listening yet (no answer at all, early on)?"""
        return (self.sim and isinstance(exc, BrokerUnavailable)
                and not isinstance(exc, TlsError) and exc.status is None
                and self.clock() < self.until)

    def report(self, log: logging.Logger, exc: BaseException, warning: str) -> None:
        """Log a failed broker call: once at INFO while the sim starts, else warning % exc."""
        if not self.starting(exc):
            log.warning(warning, exc)
            return
        with self._lock:
            said, self._said = self._said, True
        if not said:
            log.info("enforcement: %s (%s)", WAITING, exc)
