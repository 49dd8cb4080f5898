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
PREVIOUS_ENV = "RISKD_PREVIOUS_INSTANCE"
FILE = "instance"           # in <data_dir>/run: the id of the riskd that last started there


def start(run_dir: str = "") -> str:
    """A fresh id for the riskd starting in this process (the supervisor), passed on to every
    process it starts; never the one it may have inherited (a riskd started by another's).
    With run_dir (the supervisor, holding its data dir's instance lock): the id the last riskd
    of this data dir ran with is read from there first and passed on too (previous()), and the
    new one written in its place. A killed riskd's workers, still running, carry that old id
    until the new riskd ends them: their frames are then told apart from another riskd's
    (shared/bus/foreign.py; trial16c: "give every riskd its own ports" after `kill -9` of the
    user's own supervisor and `make run`)."""
    instance = token_hex(8)
    os.environ[ENV] = instance
    if run_dir:
        path = os.path.join(run_dir, FILE)
        try:
            with open(path, encoding="utf-8") as fh:
                os.environ[PREVIOUS_ENV] = fh.read().strip()
        except OSError:
            os.environ.pop(PREVIOUS_ENV, None)
        try:
            os.makedirs(run_dir, exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(instance + "\n")
        except OSError:
            pass                # only the wording of a warning depends on it
    return instance


def previous() -> bytes:
    """The id of the riskd that ran on this data dir before this one (b"" when unknown), as
    the bus carries it."""
    return os.environ.get(PREVIOUS_ENV, "").encode("utf-8")


def own() -> str:
    """This process's riskd's id; '' when it was started without a supervisor."""
    return os.environ.get(ENV, "")


def on_wire() -> bytes:
    """The id as the bus carries it (shared/codec.py's envelope; shared/bus/foreign.py);
    b"" when this process was started without a supervisor (it stamps and checks nothing)."""
    return own().encode("utf-8")
