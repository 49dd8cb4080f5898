"""The instance id: which riskd a log record comes from, so two riskds on one machine never mix.

Two riskds on one machine with one address in common (a second clone left on the default
ports, a test config half changed) used to mix: the second one's workers, failing to bind,
still PUSHed their log lines to the first one's logging intake (bus.logging_in is connected
to, never bound, by a sender), and the first riskd's system.log showed "market cannot start"
and "riskd is stopping ... SIGTERM" that never happened to it.

The supervisor makes a fresh random id at its start, before its first log line (start()), and
its workers inherit it in the environment (ENV; the supervisor's environment is theirs). Every
log record a process ships carries it (shared/logsetup.py); the logging worker drops a record
whose id is set and is not its own (services/logsink/foreign.py). A record with no id (a local
tool, a worker started by hand without a supervisor) is taken as before.

The bus carries it too: every frame a riskd's publisher sends has its riskd's id in the
envelope (shared/codec.py), and every subscriber of a riskd drops a frame with another id or
none before it is read (shared/bus/foreign.py): another riskd's worker on a port this riskd's
worker left free is never taken for it.

The id is not a secret (the control key is, shared/controlkey.py): it only tells two honest
riskds apart, it proves nothing.
"""
from __future__ import annotations

import os

from shared.randtoken import token_hex

ENV = "RISKD_INSTANCE"


def start() -> str:
    """A fresh id for the riskd starting in this process (the supervisor), passed on to every
    process it starts; never the one it may have inherited (a riskd started by another's)."""
    instance = token_hex(8)
    os.environ[ENV] = instance
    return instance


def own() -> str:
    """This process's riskd's id; '' when it was started without a supervisor."""
    return os.environ.get(ENV, "")


def on_wire() -> bytes:
    """The id as the bus carries it (shared/codec.py's envelope; shared/bus/foreign.py);
    b"" when this process was started without a supervisor (it stamps and checks nothing)."""
    return own().encode("utf-8")
