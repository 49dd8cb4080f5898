"""Control messages: what riskctl asks the supervisor, and the typed bodies it gets back."""
from __future__ import annotations

from typing import Optional

import attrs

from shared.messages.catalog import AnyMessage


@attrs.frozen(kw_only=True)
class ControlRequest:
    """Every request on the control socket: a command message plus an optional session token."""
    command: AnyMessage
    session: Optional[str] = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class WorkerInfo:
    name: str
    state: str
    pid: Optional[int] = None
    uptime_s: Optional[float] = None
    restarts: int = 0
    last_exit: Optional[int] = None
    heartbeat_age_s: Optional[float] = None
    reason: str = ""


@attrs.frozen(kw_only=True)
class WorkersRequest:
    """List every worker with its state."""


@attrs.frozen(kw_only=True)
class WorkersTable:
    workers: list[WorkerInfo] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class RestartWorker:
    name: str


@attrs.frozen(kw_only=True)
class StartWorker:
    name: str


@attrs.frozen(kw_only=True)
class StopWorker:
    name: str


@attrs.frozen(kw_only=True)
class StatusRequest:
    """The overall picture: supervisor, workers (later: accounts, lockouts, PnL)."""


@attrs.frozen(kw_only=True)
class SupervisorStatus:
    pid: int
    started_ns: int
    config_path: str
    workers: list[WorkerInfo] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class WorkerEvent:
    """Published by the supervisor on topic 'worker' whenever a worker changes state."""
    name: str
    state: str
    pid: Optional[int] = None
    exit_code: Optional[int] = None
    reason: str = ""


ALL = (ControlRequest, WorkerInfo, WorkersRequest, WorkersTable, RestartWorker, StartWorker,
       StopWorker, StatusRequest, SupervisorStatus, WorkerEvent)
