"""Control messages: what riskctl asks the supervisor, and the typed bodies it gets back."""
from __future__ import annotations

from typing import Optional

import attrs

from shared.messages.catalog import AnyMessage
from shared.messages.notify import ChannelState


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
    # how the last process ended when the supervisor killed it ('killed by the supervisor as
    # hung, silent for 5.0 s'); '' otherwise (last_exit in words then)
    last_exit_words: str = ""


@attrs.frozen(kw_only=True)
class WorkersRequest:
    """List every worker with its state."""


@attrs.frozen(kw_only=True)
class ConfigHealth:
    """The config riskd runs and the file on disk: invalid_since_ns is set while the file is
    invalid (riskd keeps running the config it loaded at loaded_ns)."""
    path: str
    loaded_ns: int
    invalid_since_ns: Optional[int] = None
    problem: str = ""                       # the first problem, e.g. "... at line 78 col 8"
    # warnings of the config riskd runs that need a person (two accounts going by one name)
    warnings: list[str] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class WorkersTable:
    workers: list[WorkerInfo] = attrs.Factory(list)
    config: Optional[ConfigHealth] = None
    notify: list[ChannelState] = attrs.Factory(list)    # the alert channels, as notify said last
    # risk runs another number of shards than risk_shards says: beside risk ('' when not;
    # services/supervisor/shardhold.py note)
    shard_note: str = ""


@attrs.frozen(kw_only=True)
class RestartWorker:
    """Restart one worker; answered once the new process is up or has failed."""
    name: str
    reason: str = ""           # why, as the operator said it (kept in the audit trail)


@attrs.frozen(kw_only=True)
class StartWorker:
    """Start one worker; answered once it is up or has failed."""
    name: str
    reason: str = ""           # why, as the operator said it (kept in the audit trail)


@attrs.frozen(kw_only=True)
class StopWorker:
    """Stop one worker; it stays stopped until someone starts it.

    A guard worker (market, risk, enforcement) is only stopped while accounts hold open
    positions when `confirmed` is set; otherwise the answer is code 'confirm_needed'.
    """
    name: str
    confirmed: bool = False
    reason: str = ""           # why, as the operator said it (kept in the audit trail)


@attrs.frozen(kw_only=True)
class ShutdownRequest:
    """Stop every worker in order, then the supervisor (admin only).

    While accounts hold open positions the answer is code 'confirm_needed' unless
    `confirmed` is set: a shutdown leaves them unguarded, like stopping a guard worker.
    """
    reason: str = ""
    confirmed: bool = False


@attrs.frozen(kw_only=True)
class StatusRequest:
    """The overall picture: supervisor, workers (later: accounts, lockouts, PnL)."""


@attrs.frozen(kw_only=True)
class SupervisorStatus:
    pid: int
    started_ns: int
    config_path: str
    workers: list[WorkerInfo] = attrs.Factory(list)
    trading_day: str = ""
    unguarded_today_s: float = 0.0            # accounts not fully guarded this trading day
    unguarded_now: list[str] = attrs.Factory(list)    # why not, if not guarded right now
    config: Optional[ConfigHealth] = None
    notify: list[ChannelState] = attrs.Factory(list)    # the alert channels, as notify said last
    # id / name -> the account's name as alerts say it (shared/accountname.py labels), live
    account_labels: dict[str, str] = attrs.Factory(dict)
    data_dir: str = ""      # its data dir: `riskctl watch` tells another config's riskd by it
    # why risk runs another number of shards than [supervisor] risk_shards says ('' when it
    # does not): state kept for that count (services/supervisor/shardhold.py)
    shard_hold: str = ""


@attrs.frozen(kw_only=True)
class WorkerEvent:
    """Published by the supervisor on topic 'worker' whenever a worker changes state."""
    name: str
    state: str
    pid: Optional[int] = None
    exit_code: Optional[int] = None
    reason: str = ""
    # a down: how many times in a row riskd's supervisor itself killed it (as hung: no sign of
    # life within its deadline); 0 when this change is no such kill (trial 15b: a kill loop
    # alerted only "crashed: killed by signal 9" warnings, never that it was the supervisor)
    killed: int = 0
    # a crash of a worker still crashing after it flapped: the supervisor's "still crashing"
    # alert speaks for it (services/supervisor/stillcrashing.py), notify sends no crash alert
    folded: bool = False
    # enforcement's down: riskd's commands it had in flight, in words (services/supervisor/
    # inflight.py): its crash alert says them (trial18c: a kill -9 in a held close said nothing)
    in_flight: list[str] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class ConfigChanged:
    """Published by the supervisor on topic 'config' after it (re)validated the config file.

    ok=True: workers re-read the file and apply it live (digest names the version).
    ok=False: the file is invalid and everybody keeps the last good config.
    """
    path: str
    ok: bool
    digest: str = ""
    restart_needed: list[str] = attrs.Factory(list)
    problems: list[str] = attrs.Factory(list)
    reason: str = ""
    # who made an admin's edit and why, for the workers' alerts of what it changed ("enabled
    # by admin:root (the firm reopened it)"); '' for a file edit or an edit that says nothing
    note: str = ""
    # what this change needs restarted to take effect, and how, in words (shared/config/
    # restartwho.py); '' when it is all in force
    restart: str = ""
    # riskd-wide keys this change set back to what riskd runs, in words ("bus.notify_pub
    # matches what riskd runs: nothing to restart"); '' when there are none
    settled: str = ""


@attrs.frozen(kw_only=True)
class GuardReport:
    """Published by the supervisor on topic 'guard': the trading day's unguarded time so far."""
    trading_day: str
    unguarded_s: float
    reasons: list[str] = attrs.Factory(list)     # why not guarded right now (empty: guarded)


ALL = (ConfigHealth, ConfigChanged, ControlRequest, GuardReport, ShutdownRequest, WorkerInfo, WorkersRequest, WorkersTable, RestartWorker, StartWorker,
       StopWorker, StatusRequest, SupervisorStatus, WorkerEvent)
