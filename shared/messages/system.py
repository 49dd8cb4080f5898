"""System messages: heartbeats, worker control (ping/stop), the one reply shape, bad-frame reports."""
from __future__ import annotations

from typing import Optional

import attrs

from shared.messages.catalog import AnyMessage


@attrs.frozen(kw_only=True)
class Heartbeat:
    """Published every second by every worker on topic 'hb'."""
    name: str
    pid: int
    started_ns: int
    bad_frames: int = 0


@attrs.frozen(kw_only=True)
class Ping:
    """Are you there? Answered with Pong on a worker's control socket."""


@attrs.frozen(kw_only=True)
class Pong:
    name: str
    pid: int
    started_ns: int
    config_generation: int = 0     # how many live config reloads this process has applied
    token: str = ""                # the spawn token the supervisor gave it (RISKD_WORKER_TOKEN)
    # the supervisor's: the config it runs and its data dir, so riskctl can tell whether the
    # riskd it reached is the one of its config (cli/whichriskd.py); "" from a worker
    config_path: str = ""
    data_dir: str = ""
    # the supervisor's too: what riskd runs, which the file may no longer say after an edit
    # that waits for a restart (cli/runningriskd.py): its [bus] addresses, its risk shards,
    # and the REST URL of the sim broker it runs ("" with no sim)
    bus: dict[str, str] = attrs.Factory(dict)
    risk_shards: int = 0
    sim_url: str = ""


@attrs.frozen(kw_only=True)
class Stop:
    """Ask a worker to exit cleanly."""
    reason: str = ""


@attrs.frozen(kw_only=True)
class Keyed:
    """A gated request (shared/controlkey.py: unlock, rules override, lockout, flatten, stop)
    with this riskd's control key: a worker takes a gated request only inside one of these."""
    request: AnyMessage
    key: str = attrs.field(default="", repr=False)     # never shown: not in a log or reply


@attrs.frozen(kw_only=True)
class Reply:
    """The one reply shape: status 'ok' or 'error', a stable code, a human reason, a typed body."""
    status: str
    code: str = "ok"
    reason: str = ""
    body: Optional[AnyMessage] = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def ok(body=None, reason: str = "") -> Reply:
    return Reply(status="ok", code="ok", reason=reason, body=body)


def error(code: str, reason: str, body=None) -> Reply:
    return Reply(status="error", code=code, reason=reason, body=body)


ALL = (Heartbeat, Ping, Pong, Stop, Keyed, Reply)
