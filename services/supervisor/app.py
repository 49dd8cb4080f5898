"""The supervisor process (`riskd`): spawns, watches and restarts workers; serves the control socket.

Wiring only: the restart decisions are services/supervisor/policy.py, the OS
work is children.py, requests to workers are forward.py, and every control
command is a module under commands/. One poll loop (the worker base's),
nothing blocks it: restart/start/stop answers are deferred until the fact.
"""
from __future__ import annotations

import logging
import math
import os
import signal
import sys
import time
from typing import Callable, Optional, Sequence

import attrs
import zmq

from services.supervisor import audit, brokerdown, children, lastheld, portcheck, snapshot
from services.supervisor.lastrisk import REFRESH_EVERY, LastRisk
from services.supervisor.flattenaudit import FlattenOutcomes
from services.supervisor.inflight import ENFORCEMENT, InFlight
from services.supervisor.lastresults import LastResults
from services.supervisor.backalerts import (BackWatch, Loop, alerted_down, down_why, guards,
                                            stopped_event)
from services.supervisor import namewarning, riskdalerts, shardhold
from services.supervisor.auth import authorize
from services.supervisor.commands import REGISTRY
from services.supervisor.forward import Forwarder
from services.supervisor.guard import GUARD_WORKERS, GuardTracker
from services.supervisor.guardedagain import GuardedAgain
from services.supervisor.guardstore import GuardStore
from services.supervisor.riskshards import forward_risk
from services.supervisor.health import CHANNEL_TOPIC, Health, file_edit_event
from services.supervisor.passwordalert import password_event
from services.supervisor.loginstore import LoginStore
from services.supervisor.sessions import LoginLimiter, Sessions
from services.supervisor.stillcrashing import StillCrashing
from services.supervisor.unreachable import unreachable_reason, worker_note
from services.supervisor.policy import (BACKOFF, FLAPPING, RUNNING, STARTING, STOPPED,
                                        STOPPING, PolicySettings, WorkerPolicy)
from shared import (accessprint, controlkey, editasking, guardwords, logsetup, shards, showtime,
                    topics)
from shared.accountname import account_called, labels
from shared.bus.doorbell import Doorbell
from shared.bus.rpc import decode_request, encode_reply
from shared.bus.stateorder import StateOrder
from shared.bus.subscriber import Subscriber
from shared.config import ConfigError, LoadedConfig, load_config
from shared.config import pinned, restartwho
from shared.config import lastrun
from shared.config.edit import (config_changes, default_backup_dir, loosening_changes,
                                own_line_changes)
from shared.config.live import apply_live
from shared.config.load import refuse_new_names
from shared.config.restorewords import NO_ADMIN
from shared.config.watch import ConfigWatcher
from shared.messages.control import (ConfigChanged, ConfigHealth, ControlRequest, GuardReport,
                                     SupervisorStatus, WorkerEvent, WorkerInfo, WorkersTable)
from shared.messages.enforce import CommandResult
from shared.messages.market import BrokerConnection
from shared.messages.notify import ChannelState, NotifyEvent
from shared.messages.risk import RiskStatusRequest
from shared.messages.system import Heartbeat, Ping, Pong, Reply, error, ok
from shared.exitwords import EXIT_PORT_TAKEN, exit_words, kill_words
from shared.worker import Worker, on_grid
from shared.when import duration
from shared.workerdown import FLAPPING, down_kind
from shared.plural import plural

log = logging.getLogger(__name__)

# Stop order: risk first, ingest (market) late, enforcement last of the guards so a flatten
# in flight can finish; the sim broker stands in for the outside broker that enforcement talks
# to, so it goes after enforcement. notify after them: the "riskd is stopping" alert (sent as
# the stop begins) and what the others say while they stop still reach the phone.
# logging last: every worker's last lines (enforcement finishing a flatten) reach the files
STOP_ORDER = ("risk", "market", "enforcement", "simbroker", "notify", "logging")
# the stop alert's time to reach notify's socket before notify is asked to stop (notify reads
# what has arrived before it stops, and its stop waits for its senders); 2 s here made every
# riskd stop 2 s longer, 0.5 s still ~0.3 s of each: make test went over its 10 minutes
NOTIFY_GRACE = 0.1
TICK = 0.1                # s: the pass over every worker while any of them is in motion
IDLE_TICK = 1.0           # s: the same pass while all are steady (a child's exit wakes it at once)
STARTUP_PING_EVERY = 0.1
GUARD_REPORT_EVERY = 5.0   # the day's unguarded time on the events PUB (daily summary, screens)
ALIVE_EVERY = 1.0          # how often riskd records it is alive: the next riskd counts from there
# an operator's start waits through a crash while starting when riskd starts the worker again
# within START_RETRY_S, at most START_CRASHES_MAX times (riskctl start waits 30 s in all)
START_RETRY_S = 2.0
START_CRASHES_MAX = 2
NOTIFY_SETTLE_NS = 10**9  # notify's SUB connects after it is up: the names alert waits this
NOTIFY_TOPIC = "notify"   # NotifyEvents on the events PUB: the notify worker alerts them


class Slot:
    """One worker as the supervisor sees it: its policy, its process, who waits on it."""

    def __init__(self, name: str, module: str, settings: PolicySettings,
                 env: Optional[dict] = None):
        self.name, self.module = name, module
        self.env = env                           # extra environment (a risk shard's index)
        self.policy = WorkerPolicy(settings)
        self.child: Optional[children.Child] = None
        self.kill_reason = ""
        # the supervisor killed the last process (hung, or not stopping): its exit in words,
        # for `riskctl workers`' LAST EXIT (a kill -9 of its own read like someone else's)
        self.last_kill = ""
        self.silent_since_ns: Optional[int] = None   # a hung worker's last sign of life
        # how many times in a row the supervisor killed it as hung (WorkerEvent.killed): a
        # kill loop is said as such, critical for a guard worker (trial 15b)
        self.kills_in_a_row = 0
        self.stop_deadline: Optional[float] = None
        # the config (as last good) its process started with: what it runs of the
        # restart-only keys a worker reads at its start (restartwho.plan's workers_run)
        self.runs = None
        self.then_start = False                  # a restart: start again once stopped
        self.up_waiters: list[Callable[[Reply], None]] = []
        self.down_waiters: list[Callable[[Reply], None]] = []
        self.last_ping = 0.0
        self.published: tuple = ()
        self.stopped_ns: Optional[int] = None    # an operator's last stop: when, and who
        self.stopped_by = ""
        # an operator's last restart (riskctl restart): when, and who; its exit and the note
        # say so (trial13a: "RESTARTS 1  LAST EXIT exited with code 0  NOTE -")
        self.restarted_ns: Optional[int] = None
        self.restarted_by = ""
        # why the processes started for an operator's start/restart (up_waiters) crashed
        # before they were up, while riskd restarted them at once: the answer says it
        self.start_crashes: list[str] = []
        self.up_ns: Optional[int] = None         # when its process was last up (our clock)


def policy_settings(loaded: LoadedConfig) -> PolicySettings:
    s = loaded.config.supervisor
    return PolicySettings(backoff_initial=s.backoff_initial, backoff_max=s.backoff_max,
                          flapping_crashes=s.flapping_crashes, flapping_window=s.flapping_window,
                          flapping_backoff=s.flapping_backoff, stable_after=s.stable_after,
                          startup_timeout=s.startup_timeout,
                          heartbeat_timeout=s.heartbeat_timeout)


def start_note(slot, broker_workers, guard, config) -> str:
    """What the answer to a start of riskd's own sim broker (one of broker_workers) adds while
    a guard hub is down from before it: '; the accounts stay NOT GUARDED until market
    reconnects: ...' (brokerdown.start_note; trial23c F8); '' for any other worker, or the
    hubs connected."""
    if slot.name not in broker_workers or slot.up_ns is None \
            or not guard.down_before(slot.up_ns, said=False):
        return ""
    return "; " + brokerdown.start_note(slot.up_ns, slot.up_ns, showtime.zone_of(config))


class Supervisor(Worker):
    name = "supervisor"

    def __init__(self, loaded: LoadedConfig, **kwargs):
        super().__init__(loaded, **kwargs)
        self.run_dir = os.path.join(loaded.data_dir, "run")
        self._file_config = loaded.config    # the file as last read (reload_config)
        self.shard_hold = ""    # why risk runs another count than the file's (shardhold.py)
        self.shard_note = ""    # ... as `riskctl workers` says it beside risk
        self._shard_alert: Optional[int] = None    # the file's count, alerted once notify runs
        # the riskd-wide sections as this riskd runs them: every worker it starts runs on them
        # (shared/config/pinned.py), whatever the file says since
        self._pinned = pinned.encode(loaded.config)
        self.snapshot: Optional[str] = None     # the last good config's text, for workers
        settings = policy_settings(loaded)
        sup = loaded.config.supervisor
        names = portcheck.workers_of(loaded.config)
        self.slots: dict[str, Slot] = {n: Slot(n, sup.module_of(n), settings, shard_env(n, sup))
                                       for n in names}
        self.forwarder: Optional[Forwarder] = None
        # ops/admin sessions + the failed-login limiter, whose locks outlive a restart
        self.login_store = LoginStore(loaded.data_dir)
        self.sessions = Sessions(self.clock, LoginLimiter(self.clock, store=self.login_store))
        self.shutdown_reason = ""
        self.leftovers_ended: list[str] = []   # workers of its last run ended at start (__main__)
        self.stop_cause = ""          # what stopped riskd, for the stop alert (riskdalerts)
        self.requester = ""           # who sent the control request being executed
        self._notify_up_ns: Optional[int] = None
        self._stop_alert_at: Optional[float] = None   # monotonic, when notify got the stop alert
        self._announced = False
        self.health = Health(self.clock)       # the config's state and notify's channels
        self.health.names = namewarning.name_warnings(loaded.warnings)
        # sent once notify runs (tick: at most IDLE_TICK late; never a reason to tick faster)
        self._names_alert = bool(self.health.names)
        self.calendar = loaded.config.trading_day.calendar(os.path.dirname(loaded.path))
        self.guard_store = GuardStore(loaded.data_dir)
        now_ns = self.clock.now_ns()
        last_alive = self.guard_store.last_alive()
        guards = tuple(n for n in self.slots if shards.base_name(n) in GUARD_WORKERS)
        # A supervisor killed hard (kill -9) leaves its workers running (Linux, macOS; on
        # Windows the job object ends them with it): they keep guarding without it, so that
        # time is not counted as unguarded when every guard worker is among them (setup()
        # ends them and starts a fresh set; the start-up is a gap of its own).
        kept = sorted({name for name, _pids in children.running_leftovers(self.run_dir)})
        kept_guarding = bool(guards) and set(guards) <= set(kept)
        self.guard = GuardTracker.resumed(
            self.guard_store.load(self.calendar.start_of(self.calendar.trading_day(now_ns))),
            now_ns, guards, last_alive_ns=None if kept_guarding else last_alive)
        clean = self.guard_store.clean_stop()
        refused = self.guard_store.refused_start()
        self.again = riskdalerts.AgainWatch(last_alive, now_ns, clean,   # "running again"
                                            kept=tuple(kept), kept_guarding=kept_guarding,
                                            refused=refused)
        self._prior = (last_alive, clean, kept, refused, now_ns)     # said by _begin()
        # a password changed while riskd was stopped (_access_at_start): alerted once notify runs
        self._start_alerts: list = []
        # alerted-down workers: "back" once they run again (the sim broker's speaks of guarding)
        self.back = BackWatch(broker_workers=guardwords.broker_workers(loaded.config.broker.kind))
        self.guarded_again = GuardedAgain()   # owed after an alert said "still NOT guarded"
        # workers crashing on after they flapped: one ongoing problem (stillcrashing.py)
        self.still = StillCrashing(showtime.zone_of(self.config))
        self.last_risk = LastRisk()  # risk's last figures, for screens while risk is down
        # enforcement's outcomes, while it cannot answer (all of them since this riskd started)
        self.last_results = LastResults(since_ns=self.started_ns)
        # enforcement's commands in flight, for its crash and "back" alerts (inflight.py)
        self.in_flight = InFlight(self.account_called)
        # the kill switch's outcome per account, audited once enforcement has finished it
        self.flatten_outcomes = FlattenOutcomes(self.account_called,
                                                self.last_results.states.get)

    def hold_shards(self, configured: int, words: str) -> None:
        """risk runs at the count its state was kept for, not the file's `configured` one
        (shardhold.hold: words): status says words, workers a note beside risk, and the phone
        one alert of this start once notify runs."""
        self.shard_hold = words
        self.shard_note = shardhold.note(configured, self.config.supervisor.risk_shards)
        self._shard_alert = configured

    def _begin(self) -> None:
        """This riskd's start is sure (its sockets are bound, its ports free): only now does it
        record anything of its run. A start refused before (a port another riskd holds) left
        no "previous riskd" behind (trial 15b: the first start after a refused one said "riskd
        was down 7s ... did not stop cleanly: killed or crashed" and counted the refused
        attempt as unguarded time)."""
        last_alive, clean, kept, refused, now_ns = self._prior
        self.guard_store.forget_clean_stop()       # this riskd must record its own
        self.guard_store.forget_refused_start()
        was_refused = (f"; a start since, at {riskdalerts.utc(refused[0])}, was refused "
                       f"({refused[1]}) and started no worker" if refused else "")
        if last_alive is not None:
            log.warning("riskd was down %s (since %s): %s%s%s",
                        duration((now_ns - last_alive) / 1e9),
                        riskdalerts.utc(last_alive),
                        f"stopped by {clean}" if clean else riskdalerts.NOT_CLEAN,
                        f"; its workers kept running meanwhile: {', '.join(kept)}" if kept
                        else "", was_refused)
        else:
            log.warning("riskd's first start with data dir %s: no earlier riskd ran on it%s",
                        self.loaded.data_dir,
                        f" (the previous start, at {riskdalerts.utc(refused[0])}, was refused: "
                        f"{refused[1]})" if refused else "")
        for gap in self.guard.all_gaps():
            self.guard_store.save(gap)
        for warning in self.health.names:      # duplicate names: riskd runs, says the line
            log.warning("config warning: %s", warning)
        self._still_alive()
        self._access_at_start()

    def _access_at_start(self) -> None:
        """What changed in the admin boundary while riskd was stopped, not by an audited
        riskctl edit (shared/accessprint.py): audited and alerted as the same file edit on a
        running riskd is; and no admin password at all is said (trial 16b: riskd started on a
        file whose admin password an editor had removed with no word of either)."""
        now = accessprint.of(self.config)
        kept = accessprint.read(self.loaded.data_dir)
        changed = accessprint.changes(kept, now) if kept is not None else []
        if changed:
            sentences = audit.file_edit_changes(changed, self.loaded.path,
                                                when=" while riskd was stopped")
            for sentence in sentences:
                log.warning("%s", sentence)
            self._start_alerts.append(file_edit_event(sentences, self.loaded.path,
                                                      self.clock.now_ns()))
        if not self.config.admin.password_hash:
            log.warning("no admin password is set: %s", NO_ADMIN)
        if not accessprint.write(self.loaded.data_dir, now):
            log.warning("cannot keep %s in %s: the next start cannot tell a password changed "
                        "while riskd was stopped", accessprint.NAME, self.loaded.data_dir)

    def _day_at_start(self) -> None:
        """A [trading_day] hand edit made while riskd was stopped that moves the trading day
        risk's store is on, still in progress by the config riskd last ran: applied from the
        next roll (roll_changed_after written to the file), or refused with that config run
        instead; said in the log and an alert (services/supervisor/startday.py)."""
        from services.supervisor import startday
        path = self.loaded.path
        backups = default_backup_dir(path, self.loaded.data_dir)
        ran_path = lastrun.path_of(path, backups)
        try:
            ran = load_config(path, text_from=ran_path) if os.path.isfile(ran_path) else None
            ran_calendar = ran.config.trading_day.calendar(os.path.dirname(path)) \
                if ran is not None else None
        except (ConfigError, OSError, ValueError):
            return              # no config it ran to judge by: the file applies as written
        now = self.clock.now_ns()
        verdict = startday.judge(self.calendar, ran_calendar,
                                 startday.stored_day(self.loaded.data_dir), now,
                                 showtime.zone_of(self.config))
        if verdict is None:
            return
        if verdict.kept:
            try:
                startday.write_after(path, verdict.after, backups)
                fresh = load_config(path)
                self.loaded, self.config, self._file_config = fresh, fresh.config, fresh.config
                self.calendar = fresh.config.trading_day.calendar(os.path.dirname(path))
            except Exception as exc:  # noqa: BLE001 -- not written: refused, said why
                verdict = attrs.evolve(verdict, kept=False, words=(
                    f"the file's [trading_day], edited while riskd was stopped, moves the end "
                    f"of the trading day in progress; roll_changed_after = \"{verdict.after}\" "
                    f"would keep it, but riskd could not write it: {exc}"))
        if not verdict.kept:
            self.loaded, self.config = ran, ran.config
            self.calendar = ran_calendar
        title, lines = startday.lines(verdict, path)
        (log.warning if verdict.kept else log.critical)("%s: %s", title, "; ".join(lines))
        if not verdict.kept:
            self.health.config_refused([f"{title}: {lines[0]}"])
        self._start_alerts.append(NotifyEvent(
            kind=startday.KIND, severity="warning" if verdict.kept else "critical",
            title=title, lines=lines, ts_ns=now))

    def record_refused_start(self, why: str) -> None:
        """This start was refused (no worker started): the next start says so, and counts
        nothing of it (_begin)."""
        self.guard_store.refused(self.clock.now_ns(), why)

    # -- sockets ----------------------------------------------------------------------
    def bind(self) -> None:
        bus = self.config.bus
        self.pub = self.publisher(bus.events)
        self.control = self.socket(zmq.ROUTER, bind=bus.control)
        self.add_reader(self.control, self._on_control_frames)
        hb = self.socket(zmq.SUB, connect=[bus.pub(n) for n in self.slots])
        hb.setsockopt(zmq.RECONNECT_IVL, 50)
        self.heartbeats = Subscriber(hb, track=False)
        # a kept copy of an older hub or channel state, sent again when any subscription
        # reaches that worker, never undoes a newer one (shared/bus/stateorder.py, trial18a)
        self.states = StateOrder()
        self.heartbeats.subscribe(topics.HEARTBEAT)
        self.heartbeats.subscribe(topics.CONNECTION)      # broker hub states, for guard gaps
        self.heartbeats.subscribe(CHANNEL_TOPIC)          # notify's channels: failing alerts
        self.heartbeats.subscribe(topics.RESULT)          # enforcement's outcomes (lastresults)
        self.add_reader(hb, self._on_heartbeats)
        self.forwarder = Forwarder(self.ctx, {n: bus.control_of(n) for n in self.slots},
                                   explain=self.unreachable)
        for sock in self.forwarder.sockets.values():
            self.add_reader(sock, lambda s=sock: self.forwarder.on_readable(s))

    def setup(self) -> None:
        os.makedirs(self.run_dir, exist_ok=True)
        self._day_at_start()            # before the snapshot and the last-run copy are written
        self.snapshot = snapshot.write(self.run_dir, self.loaded.text)
        self._keep_last_run(self.loaded)
        # a fresh control key before any worker starts (shared/controlkey.py); a leftover of the
        # last riskd, still on the old key, is ended by its pid just below, never by a request
        self.control_key = controlkey.create(self.run_dir)
        self.forwarder.key = self.control_key
        logsetup.sign_audit(self.control_key)   # its audit lines prove they are riskd's
        for name, pid in children.end_leftovers(self.run_dir):
            log.warning("ended leftover %s worker (pid %d)", name, pid)
            self.leftovers_ended.append(name)
        try:    # a port another riskd holds refuses the start, as a [bus] clash does (trial 14b)
            portcheck.check(self.config, list(self.slots))
        except OSError:
            snapshot.remove(self.run_dir)
            controlkey.remove(self.run_dir)
            raise
        self._begin()
        now = self.clock.monotonic()
        for slot in self.slots.values():
            slot.policy.want_start(now)
        self._last_tick = float("-inf")     # the pass runs from _run_timers (see there)
        self._tick_at = float("-inf")       # ... next at this monotonic time
        self._child_exited = False
        if hasattr(signal, "SIGCHLD"):      # POSIX: a child's exit wakes the loop (wake fd)
            signal.signal(signal.SIGCHLD, self._on_sigchld)
            signal.siginterrupt(signal.SIGCHLD, False)     # no EINTR in the loop's calls
        self.every(GUARD_REPORT_EVERY, self.report_guard)
        self.every(ALIVE_EVERY, self._still_alive)
        self.every(REFRESH_EVERY, self._keep_risk_figures)
        # the watcher rings when the file is touched; the loop asks it once the debounce has
        # run out (not 4 times a second whether or not anything happened: issue 21)
        self.config_bell = Doorbell(self.ctx, "config-watch")
        self.add_reader(self.config_bell.reader, self._config_touched)
        self.config_watcher = ConfigWatcher(self.loaded.path,
                                            on_event=self.config_bell.ring).start()

    def teardown(self) -> None:
        self._still_alive()          # the guard ends as the workers begin to stop
        self._alert_stop()
        self.stop_all()
        self.guard_store.stopped_cleanly(self.clock.now_ns(), self.stop_cause or "riskd itself")
        snapshot.remove(self.run_dir)
        controlkey.remove(self.run_dir)
        self.guard_store.close()
        self.login_store.close()
        if getattr(self, "config_watcher", None) is not None:
            self.config_watcher.stop()
            self.config_bell.close()

    def _config_touched(self) -> None:
        """The watcher saw an event on the file: ask it once the file has been quiet for its
        debounce (each later event rings again and is asked after its own debounce)."""
        self.config_bell.clear()
        self.after(self.config_watcher.debounce, self._watch_config)

    def _watch_config(self) -> None:
        """The file changed on disk (an editor, a script): reload it like `config reload`."""
        if self.config_watcher.poll():
            self.reload_config(reason="the config file changed")

    # -- the control socket --------------------------------------------------------------
    def _on_control_frames(self) -> None:
        while True:
            try:
                frames = self.control.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if len(frames) < 2:
                continue
            ident, body = frames[0], frames[-1]
            self._serve(ident, body)

    def _serve(self, ident: bytes, body: bytes) -> None:
        env, bad = decode_request(body)
        answered = False

        def respond(reply: Reply) -> None:
            nonlocal answered
            if answered:
                log.error("a command answered twice; the second answer is dropped")
                return
            answered = True
            try:
                self.control.send_multipart([ident, b"", encode_reply(reply, env, self.name)])
            except zmq.ZMQError as exc:
                log.warning("cannot answer a control request: %s", exc)

        if env is None:
            respond(bad)
            return
        request, session = env.msg, None
        if isinstance(request, ControlRequest):
            request, session = request.command, request.session
        command = REGISTRY.get(type(request))
        if command is None:
            respond(error("unknown_command",
                          f"the supervisor has no command for {type(request).__name__}"))
            return
        refused = authorize(command, session, self.sessions, self.config)
        who = self.sessions.who(session)
        self.requester = who
        if refused is not None:       # a session too weak for the command: say whose it was
            audit.record(command.name, command.role, f"refused: {refused.reason}", who=who,
                         **audit.request_fields(request))
            respond(refused)
            return
        if command.role != "trader" or command.audited:
            respond = audit.audited(respond, command.name, command.role,
                                    who=who, request=request, name=self.account_called)
        if getattr(request, "asking", "") == editasking.DECLINED:
            # the admin answered no at riskctl's prompt: recorded, nothing done
            respond(error(editasking.DECLINED_CODE, editasking.DECLINED_REASON))
            return
        try:
            command.execute(self, request, respond)
        except Exception as exc:
            log.exception("command %s failed", command.name)
            if not answered:
                respond(error("internal", f"{command.name} failed: {type(exc).__name__}: {exc}"))

    def forward(self, worker: str, request, respond, timeout: float = 3.0) -> None:
        self.forwarder.send(worker, request, respond, timeout)

    def account_called(self, account_id: int) -> str:
        """The account as riskd names it, 'Demo 1 (id 1001)' (the audit trail's flatten rows)."""
        return account_called(self.config.accounts, account_id)

    def unreachable(self, name: str, timed_out: bool = False) -> str:
        """Why `name` cannot take a forwarded request, in words (unreachable.py); after a
        timeout only when it is not running ('' when it is)."""
        slot = self.slots.get(name)
        if slot is None or (timed_out and slot.policy.state == RUNNING):
            return ""
        return unreachable_reason(slot, self.clock.monotonic(), self.clock.now_ns(),
                                  showtime.zone_of(self.config))

    # -- liveness ---------------------------------------------------------------------------
    def _on_heartbeats(self) -> None:
        now = self.clock.monotonic()
        while True:
            received = self.heartbeats.recv()
            if received is None:
                if not self.heartbeats.sock.poll(0):
                    return
                continue
            msg = received.msg
            if self.states.older(received.envelope):
                continue
            if isinstance(msg, Heartbeat):
                slot = self.slots.get(msg.name)
                if slot is not None and slot.child is not None \
                        and slot.child.is_worker(msg.pid, msg.started_ns):
                    self._alive(slot, now)
            elif isinstance(msg, BrokerConnection):
                self._guard_changed(self.guard.hub(msg.hub, msg.state, self.clock.now_ns(),
                                                   msg.reason, msg.precaution))
            elif isinstance(msg, ChannelState):
                self.health.channel(msg)
            elif isinstance(msg, CommandResult):
                self.last_results.result(msg)
                self.flatten_outcomes.result(msg)
                self.in_flight.result(msg, self.clock.now_ns())

    def _alive(self, slot: Slot, now: float) -> None:
        """Our worker in this slot (proven by its spawn token, children.Child.bind) is alive."""
        name, pid = slot.name, slot.child.shown_pid
        if slot.policy.alive(now):
            log.info("%s is up (pid %d)", name, pid)
            slot.up_ns = self.clock.now_ns()
            if name == "notify":
                self._notify_up_ns = self.clock.now_ns()
            # in a crash loop "back" says so, as soon as it is up (backalerts.BackWatch.up)
            p = slot.policy
            loop = (Loop(p.recent_crashes, now - p.loop_started_at, p.settings)
                    if p.recent_crashes > 1 and p.loop_started_at is not None else None)
            self.back.up(name, self.clock.now_ns(), loop)
            still = self.still.up(name, self.clock.now_ns(), guards(name))
            if still is not None:
                self.pub.publish(NOTIFY_TOPIC, still)
            self._changed(slot)
            self._announce_once()
            said = (f"{name} crashed while starting ({'; '.join(slot.start_crashes)}); riskd "
                    f"restarted it: running now (pid {pid})" if slot.start_crashes
                    else f"{name} is up (pid {pid})")
            if name in self.back.broker_workers:
                said += start_note(slot, self.back.broker_workers, self.guard, self.config)
            for respond in slot.up_waiters:
                respond(ok(self.info(slot), reason=said))
            slot.up_waiters.clear()
            slot.start_crashes.clear()

    def _announce_once(self) -> None:
        """One line on stdout for the person who ran `make run`: everything is up, look here."""
        if self._announced or any(s.policy.state != RUNNING for s in self.slots.values()):
            return
        self._announced = True
        ctl = riskctl_path()
        print(f"riskd is up: {len(self.slots)} workers running ({', '.join(self.slots)}); "
              f"control socket {self.config.bus.control}. In another terminal: "
              f"{ctl} status, {ctl} workers, {ctl} --help", flush=True)

    def _ping_starting(self, slot: Slot, now: float) -> None:
        if now - slot.last_ping < STARTUP_PING_EVERY:
            return
        slot.last_ping = now
        child = slot.child

        def on_reply(reply: Reply) -> None:
            # Only the process that echoes this spawn's token is the worker: the pid we
            # started may be a launcher's (a venv's python.exe on Windows), and a leftover
            # or an older process may answer on the same address.
            if reply.ok and isinstance(reply.body, Pong) and slot.child is child \
                    and child.bind(reply.body.token, reply.body.pid, reply.body.started_ns):
                self._alive(slot, self.clock.monotonic())
        self.forwarder.send(slot.name, Ping(), on_reply, timeout=STARTUP_PING_EVERY * 2)

    # -- the periodic pass over every worker ---------------------------------------------------
    def _on_sigchld(self, _signum, _frame) -> None:
        self._child_exited = True

    def _run_timers(self) -> int:
        """The pass over every worker (tick) runs every TICK while a worker is in motion
        (starting, stopping, backing off, killed, awaited) or a forwarded request or an alert
        is pending; while all are steady, every IDLE_TICK and at the moment a running worker's
        heartbeat deadline passes, and at once when a child exits (SIGCHLD wakes the poll).
        So an idle riskd's supervisor does not wake 10 times a second to find nothing to do
        (issue 21), and it still kills a silent worker the moment its heartbeat_timeout has
        run out and restarts a killed one at once. Where no signal wakes the loop (Windows)
        the pass runs every TICK, as before. When the next pass is due is worked out after
        every turn of the loop, so a command that sets a worker in motion (start, stop,
        restart) is acted on at the next turn, without waiting for the idle pace."""
        now = self.clock.monotonic()
        if self._child_exited or now >= self._tick_at:
            self._child_exited = False
            self._last_tick = now
            self.tick()
        timeout = super()._run_timers()
        # what the turn's callbacks set in motion is seen here: a pass due by now runs at once
        self._tick_at = self._next_tick()
        return max(0, min(timeout, math.ceil((self._tick_at - self.clock.monotonic()) * 1000)))

    def _next_tick(self) -> float:
        """When the pass runs next (monotonic s)."""
        if not self.wakes_on_signal or not hasattr(signal, "SIGCHLD") or self._in_motion():
            return self._last_tick + TICK
        # on the second's grid, as the 1 s timers (shared/worker.py): one wake for all of them
        due = on_grid(self._last_tick + IDLE_TICK, IDLE_TICK)
        for slot in self.slots.values():
            policy = slot.policy
            if policy.state == RUNNING and policy.alive_at is not None:
                # hung() is true once now - alive_at > heartbeat_timeout: just after this
                due = min(due, policy.alive_at + policy.settings.heartbeat_timeout + 0.001)
        return due

    def _in_motion(self) -> bool:
        """Anything the pass must look at within TICK: a worker not simply running (or simply
        stopped by an operator), someone waiting on a worker, a forwarded request, an alert."""
        if self.forwarder.waiting or self.back.waiting or self.again.waiting \
                or self.still.waiting:
            return True
        for slot in self.slots.values():
            if slot.up_waiters or slot.down_waiters or slot.then_start or slot.kill_reason:
                return True
            state = slot.policy.state
            if state == RUNNING and slot.child is not None:
                continue
            if state == STOPPED and slot.child is None and not slot.policy.wanted:
                continue
            return True
        return False

    def tick(self) -> None:
        now = self.clock.monotonic()
        self.forwarder.expire()
        self.flatten_outcomes.expire(now)
        for slot in self.slots.values():
            self._tick_slot(slot, now)
        now_ns = self.clock.now_ns()
        for name, since_ns, why in self.still.down_now(now_ns):   # a folded crash left it down
            self.pub.publish(NOTIFY_TOPIC, self.still.down_event(name, since_ns, why, now_ns,
                                                                 guards(name)))
            if alerted_down(name, self._notify_running()):
                self.back.down(name, since_ns, why)
        self._guard_alerts(now_ns)
        if self._start_alerts and self._notify_running() \
                and self._notify_up_ns is not None \
                and now_ns - self._notify_up_ns >= NOTIFY_SETTLE_NS:
            for event in self._start_alerts:                      # notify has joined the feed
                self.pub.publish(NOTIFY_TOPIC, event)
            self._start_alerts = []
        if self._shard_alert is not None and self._notify_running() \
                and self._notify_up_ns is not None \
                and now_ns - self._notify_up_ns >= NOTIFY_SETTLE_NS:
            self.pub.publish(NOTIFY_TOPIC, shardhold.held_event(
                self._shard_alert, self.config.supervisor.risk_shards, self.shard_hold, now_ns))
            self._shard_alert = None
        if self._names_alert and self._notify_running() and self._notify_up_ns is not None \
                and now_ns - self._notify_up_ns >= NOTIFY_SETTLE_NS:
            self._names_alert = False
            self.pub.publish(NOTIFY_TOPIC, namewarning.names_event(
                self.health.names, self.loaded.path, now_ns))

    def _guard_alerts(self, now_ns: int) -> None:
        """The "back" and "running again" alerts when due, and the "guarded again" one owes
        after either said the accounts are still NOT guarded (guardedagain.py). Their
        unguarded time is the one status counts (guard.GuardTracker)."""
        reasons, tz = self.guard.reasons(), showtime.zone_of(self.config)
        gap = self.guard.open_gap.start_ns if self.guard.open_gap is not None else now_ns

        def counted(since: int) -> float:
            return self.guard.unguarded_s(since, now_ns, now_ns)
        back = self.back.due(now_ns, reasons, tz, counted, self.guard.unguarded_from,
                             more=lambda n: self.in_flight.back_lines() if n == ENFORCEMENT
                             else [])
        if back is not None and self.back.said_guard:
            self.guarded_again.said(now_ns, reasons, back.severity, gap)
        again = self.again.due(now_ns, self._notify_up_ns if self._notify_running() else None,
                               reasons, tz, counted(self.again.up_ns))
        if again is not None:
            self.guarded_again.said(now_ns, reasons, again.severity, gap)
        owed = None if back or again else self.guarded_again.due(now_ns, reasons, tz, counted)
        for alert in (back, again, owed):
            if alert is not None:
                self.pub.publish(NOTIFY_TOPIC, alert)

    def _tick_slot(self, slot: Slot, now: float) -> None:
        policy = slot.policy
        if slot.child is not None:
            code = slot.child.poll()
            if code is not None:
                self._exited(slot, code, now)
            elif policy.state == STOPPING:
                if slot.stop_deadline is not None and now > slot.stop_deadline:
                    log.warning("%s did not stop within %g s: killing it", slot.name,
                                self.config.supervisor.stop_timeout)
                    slot.child.kill()
                    slot.stop_deadline = None
            else:
                why = policy.hung(now)
                if why and not slot.kill_reason:
                    log.error("%s (pid %d): %s; killing it", slot.name, slot.child.shown_pid,
                              why)
                    slot.kill_reason = why
                    if policy.alive_at is not None:    # unguarded since, not from the kill
                        slot.silent_since_ns = self.clock.now_ns() - int(
                            max(0.0, now - policy.alive_at) * 1e9)
                    slot.child.kill()
                elif policy.state == STARTING:
                    self._ping_starting(slot, now)
        if slot.child is None and policy.should_start(now):
            self._spawn(slot, now)

    def _spawn(self, slot: Slot, now: float) -> None:
        try:
            slot.child = children.Child(slot.name, slot.module, self.loaded.path, self.run_dir,
                                        snapshot=self.snapshot, control_key=self.control_key,
                                        env={**os.environ, **(slot.env or {}),
                                             pinned.ENV: self._pinned})
        except OSError as exc:
            log.error("cannot start %s: %s", slot.name, exc)
            slot.policy.spawned(now)
            slot.policy.exited(now, None, f"cannot start: {exc}")
            self._changed(slot)
            return
        slot.runs = self.loaded.config
        slot.kill_reason = ""
        slot.silent_since_ns = None
        slot.policy.spawned(now)
        slot.last_ping = 0.0
        log.info("started %s (pid %d)", slot.name, slot.child.pid)
        self._changed(slot)

    def _exited(self, slot: Slot, code: int, now: float) -> None:
        pid = slot.child.shown_pid
        slot.child = None
        slot.stop_deadline = None
        why = slot.kill_reason or _describe_exit(code)
        if code == EXIT_PORT_TAKEN and not slot.kill_reason:     # which port, held by what
            taken = portcheck.taken_words(self.config, slot.name)
            why += f": {taken}" if taken else ""
        slot.last_kill = kill_words(slot.kill_reason) if slot.kill_reason else ""
        started = slot.policy.started_at
        stable = started is not None and now - started >= slot.policy.settings.stable_after
        slot.kills_in_a_row = (1 if stable else slot.kills_in_a_row + 1) if slot.kill_reason \
            else 0
        if slot.then_start and slot.restarted_ns is not None:      # an operator's restart
            ended = slot.last_kill or _describe_exit(code)
            slot.last_kill = f"{ended}, for a restart by {slot.restarted_by or 'an operator'}"
        elif not slot.then_start:         # ended some other way: its note is that, not the restart
            slot.restarted_ns, slot.restarted_by = None, ""
        was_wanted = slot.policy.wanted
        slot.policy.exited(now, code, why)
        if was_wanted:
            delay = max(0.0, (slot.policy.next_start_at or now) - now)
            log.warning("%s (pid %d) %s; restarting %s", slot.name, pid, slot.policy.reason,
                        f"in {delay:.1f} s" if delay else "now")
        else:
            log.info("%s (pid %d) stopped (exit %s)", slot.name, pid, code)
        if not slot.then_start and slot.up_waiters and restarted_soon(slot.policy, now) \
                and len(slot.start_crashes) < START_CRASHES_MAX and not slot.kill_reason:
            # crashed while starting, and riskd starts it again at once: the operator's
            # start waits for that process (trial15a: "enforcement exited before it was up:
            # killed by signal 9" while riskd had it running 0.5 s later)
            slot.start_crashes.append(why)
        elif not slot.then_start:         # a restart's waiters wait for the new process
            before = (f" (it had crashed while starting before: {'; '.join(slot.start_crashes)}"
                      f"; riskd restarted it)" if slot.start_crashes else "")
            # the supervisor's own kill is said as such (trial 15b: "risk exited before it
            # was up" of a risk that ran, on an address the supervisor did not look at)
            failed = (f"{slot.name} did not come up: riskd's supervisor killed it ({why}); it "
                      f"starts it again" if slot.kill_reason and was_wanted
                      else f"{slot.name} exited before it was up: {why}" + before)
            for respond in slot.up_waiters:
                respond(error("start_failed", failed, self.info(slot)))
            slot.up_waiters.clear()
            slot.start_crashes.clear()
        for respond in slot.down_waiters:
            respond(ok(self.info(slot), reason=f"{slot.name} stopped"))
        slot.down_waiters.clear()
        if slot.then_start:
            slot.then_start = False
            slot.policy.want_start(now)
        self._changed(slot)

    # -- operator actions ------------------------------------------------------------------------
    def _slot(self, name: str, respond) -> Optional[Slot]:
        slot = self.slots.get(name)
        if slot is None:
            respond(error("unknown_worker", f"no worker named {name!r}; workers: "
                          + ", ".join(self.slots)))
        return slot

    def start_worker(self, name: str, respond) -> None:
        slot = self._slot(name, respond)
        if slot is None:
            return
        if slot.policy.state in (RUNNING,):
            respond(ok(self.info(slot), reason=f"{name} is already running"))
            return
        slot.up_waiters.append(respond)
        if slot.policy.state == STOPPING:
            slot.then_start = True
            return
        if slot.policy.state != STARTING:
            slot.policy.want_start(self.clock.monotonic())
            self._tick_slot(slot, self.clock.monotonic())

    def stop_worker(self, name: str, respond) -> None:
        slot = self._slot(name, respond)
        if slot is None:
            return
        if slot.then_start or slot.stopped_ns is None or slot.policy.state not in (STOPPED,
                                                                                 STOPPING):
            slot.stopped_ns, slot.stopped_by = self.clock.now_ns(), self.requester   # words
        slot.restarted_ns, slot.restarted_by = None, ""
        slot.then_start = False
        if slot.child is None:
            slot.policy.want_stop()
            self._changed(slot)
            respond(ok(self.info(slot), reason=f"{name} is stopped"))
            return
        slot.down_waiters.append(respond)
        self._begin_stop(slot)

    def restart_worker(self, name: str, respond) -> None:
        slot = self._slot(name, respond)
        if slot is None:
            return
        slot.policy.restart_requested()
        slot.restarted_ns, slot.restarted_by = self.clock.now_ns(), self.requester
        slot.up_waiters.append(respond)
        if slot.child is None:
            slot.policy.want_start(self.clock.monotonic())
            self._tick_slot(slot, self.clock.monotonic())
            return
        slot.then_start = True
        self._begin_stop(slot)

    def _begin_stop(self, slot: Slot) -> None:
        if slot.policy.state != STOPPING:
            slot.policy.want_stop()
            slot.stop_deadline = self.clock.monotonic() + self.config.supervisor.stop_timeout
            slot.child.terminate()
            self._changed(slot)

    def request_shutdown(self, reason: str = "", who: str = "") -> None:
        self.shutdown_reason = reason
        self.stop_cause = self.stop_cause or riskdalerts.shutdown_cause(who, reason)
        log.warning("shutdown requested%s", f": {reason}" if reason else "")
        self.stopping = True

    def request_stop(self, signum=None, frame=None) -> None:
        """A stop signal (SIGTERM from a service manager, Ctrl-C) or a Windows console event (a
        frame of None, shared/winconsole.py): remember which, for the alert."""
        console = sys.platform == "win32" and frame is None and signum is not None
        self.stop_cause = self.stop_cause or riskdalerts.signal_cause(signum, console)
        self.stopping = True

    def _alert_stop(self) -> None:
        """The one "riskd is stopping" alert, before any worker stops (notify stops after the
        guards, NOTIFY_GRACE after this at the earliest). With notify not running it is in the
        supervisor's log at CRITICAL only."""
        alert = riskdalerts.stopped_event(self.stop_cause or "riskd itself", self.clock.now_ns(),
                                          self._held_at_stop())
        if self._notify_running():
            self._stop_alert_at = time.monotonic()
            log.warning("riskd is stopping, stopped by %s: the stop alert goes to notify",
                        self.stop_cause)
            self.pub.publish(NOTIFY_TOPIC, alert)
        else:
            log.critical("alert %s (%s), notify is not running, logged only:\n%s\n%s",
                         alert.kind, alert.severity, alert.title, "\n".join(alert.lines))

    def _held_at_stop(self) -> list[str]:
        """Which accounts hold what as riskd stops, from risk (lastheld.py), in alert words."""
        risks = [n for n in self.slots if shards.base_name(n) == shards.RISK]
        held = lastheld.ask_risk(self.ctx, {n: self.config.bus.control_of(n) for n in risks},
                                 {n for n in risks if self.slots[n].policy.state == RUNNING})
        if held.unknown:        # the lockouts risk last told of, for the accounts not answered
            answered = {a.account_id for a in held.accounts}
            held = attrs.evolve(held, last=tuple(
                a for aid, a in sorted(self.last_risk.accounts.items()) if aid not in answered))
        accounts = self.config.accounts
        return riskdalerts.held_lines(held, lambda aid, name: account_called(accounts, aid, name),
                                      showtime.zone_of(self.config), self.clock.now_ns())

    def stop_all(self) -> None:
        """Stop every worker in STOP_ORDER within ONE deadline for the whole stop.

        [supervisor] shutdown_timeout bounds everything (a service manager kills riskd
        when its own stop window ends, leaving pid files and workers behind; the Windows
        installer derives NSSM's window from this value). Each worker in turn is asked to
        stop and given at most stop_timeout, and never more than an equal share of what is
        left of the deadline, so a slow one early in the order cannot eat the time of the
        ones after it (enforcement, finishing a flatten). Whoever is not gone by then is
        killed (its whole tree); the kills are reaped within children.KILL_WAIT.
        """
        sup = self.config.supervisor
        order = sorted(self.slots, key=stop_rank)
        for slot in self.slots.values():
            slot.policy.want_stop()
        running = [self.slots[n] for n in order if self.slots[n].child is not None]
        deadline = time.monotonic() + max(0.0, sup.shutdown_timeout - children.KILL_WAIT)
        for i, slot in enumerate(running):
            now = time.monotonic()
            share = min(sup.stop_timeout, max(0.0, deadline - now) / (len(running) - i))
            if shards.base_name(slot.name) == "notify" and self._stop_alert_at is not None:
                # the stop alert leaves first
                hold = min(self._stop_alert_at + NOTIFY_GRACE, now + share / 2)
                while time.monotonic() < hold and slot.child.poll() is None:
                    time.sleep(0.02)
                held, now = time.monotonic() - now, time.monotonic()
                share = max(0.0, share - held)      # at least half its share is left to stop
            if shards.base_name(slot.name) == "logging":
                logsetup.hand_over_to_stderr()     # riskd's own last lines: the journal
            slot.child.terminate()
            until = now + share
            while slot.child.poll() is None and time.monotonic() < until:
                time.sleep(0.02)
            if slot.child.poll() is None:
                log.warning("%s did not stop within its %.1f s of the %g s shutdown: killing it",
                            slot.name, share, sup.shutdown_timeout)
                slot.child.kill()
        reap_until = time.monotonic() + children.KILL_WAIT
        for slot in running:
            while slot.child.poll() is None and time.monotonic() < reap_until:
                time.sleep(0.02)
            code = slot.child.poll()
            if code is None:
                log.error("%s (pid %d) did not end after a kill; the next riskd ends it "
                          "through its pid file", slot.name, slot.child.shown_pid)
            else:
                log.info("%s stopped (exit %s)", slot.name, code)
            slot.child = None
        # The bounded waits above are the shutdown itself: the loop has already ended.

    # -- config ---------------------------------------------------------------------------------
    def _refuse_moved_day(self, fresh) -> None:
        """ConfigError when the file's [trading_day] (a hand edit of roll, timezone or
        holidays without roll_changed_after) would move the trading day in progress: riskd
        keeps the running config and says which line applies it from the next roll, as
        `config set` writes it (round 21, roll21 left: the screens read the file as written,
        risk kept the day in memory only, and a restart lost it)."""
        from shared.config import rollmove
        from shared.config.errors import Problem
        try:
            calendar = fresh.config.trading_day.calendar(os.path.dirname(fresh.path))
        except (OSError, ValueError):
            return              # the load said what is wrong with it
        why = rollmove.day_moved_by(calendar, self.calendar, self.clock.now_ns(),
                                    showtime.zone_of(fresh.config))
        if why:
            raise ConfigError(fresh.path, [Problem("trading_day", why)])

    def reload_config(self, reason: str = "", authenticated: bool = False,
                      note: str = "") -> Reply:
        """Re-validate the config file; apply it live or keep the last good one, and say which.

        authenticated: the change came through an admin command (audited there); otherwise a
        change of a password or an [admin]/[ops] setting is audited and alerted as a file edit.
        note: who made the edit and why, for the workers' alerts (ConfigChanged.note).
        """
        try:
            fresh = load_config(self.loaded.path)
            refuse_new_names(self.loaded.config, fresh)     # a NEW one only
            self._refuse_moved_day(fresh)
        except ConfigError as exc:
            problems = [str(p) for p in exc.problems]
            log.error("config reload refused, keeping the running config:\n%s", exc.render())
            self.health.config_refused(problems)
            self.pub.publish(topics.CONFIG, ConfigChanged(
                path=self.loaded.path, ok=False, problems=problems, reason=reason))
            return error("config_invalid", exc.render())
        old = self.config
        self.health.config_loaded()
        names = namewarning.name_warnings(fresh.warnings)
        if names != self.health.names:
            for warning in names:
                log.warning("config warning: %s", warning)
        self.health.names = names
        self.snapshot = snapshot.write(self.run_dir, fresh.text)
        self._keep_last_run(fresh)
        effective, _sections = apply_live(self.config, fresh.config)
        # what THIS change needs restarted, and who: the keys it changed in the file as last
        # read (restartwho.py; trial 15b: after one broker.api_key edit every later edit
        # answered "needs a restart to take effect: broker"), less the ones set back to what
        # riskd runs: its pinned riskd-wide sections, the config each worker started with
        # (trial 15c: "NOT in force yet ... shutdown" for the port riskd runs)
        restarts = restartwho.plan(self._file_config, fresh.config, running=self.config,
                                   workers_run=self._workers_run())
        shard_note = shard_edit_note(self._file_config, fresh.config, self.loaded.data_dir)
        self._file_config = fresh.config
        restart_needed = restarts.sections
        restart_words = restarts.words(self._running_bases(), riskctl_path())
        if shard_note:      # said before the restart, not found out by it (trial 16c)
            restart_words = f"{restart_words}; {shard_note}" if restart_words else shard_note
        settled = restarts.back_words()
        access = audit.access_changes(old, effective)
        if access and not authenticated:
            self._file_edit_alert(audit.file_edit_changes(access, fresh.path))
        if not authenticated and fresh.digest != self.loaded.digest:
            # [admin] and [ops] (passwords included) are audited above, as access changes
            now_ns = self.clock.now_ns()
            audit.file_edit_values([c for c in config_changes(self.loaded.text, fresh.text)
                                    if not c.startswith(("admin.", "ops."))], fresh.path,
                                   frozenset(loosening_changes(self.loaded.text, fresh.text)),
                                   showtime.at(self.calendar.next_roll(now_ns),
                                               showtime.zone_of(self.config), now_ns),
                                   frozenset(own_line_changes(self.loaded.text, fresh.text)))
        self.loaded, self.config = fresh, effective
        # a roll time edit applies from the next roll (shared/config/rollmove.py): the day
        # in progress kept as the running calendar has it, as risk keeps it
        self.calendar = effective.trading_day.calendar(
            os.path.dirname(fresh.path)).keeping(self.calendar, self.clock.now_ns())
        self.config_generation += 1
        accessprint.write(self.loaded.data_dir, accessprint.of(effective))
        moves: dict[str, tuple[str, int]] = {}
        for role in ("admin", "ops"):       # a new password ends the sessions of the old one
            before, after = getattr(old, role).password_hash, getattr(effective, role).password_hash
            if before != after:
                how = "removed" if not after else "set" if not before else "changed"
                ended = self.sessions.revoke_role(role, why=f"the {role} password was {how}")
                log.warning("the %s password was %s: %s ended", role, how,
                            plural(len(ended), f"{role} session"))
                moves[role] = (how, len(ended))
        if moves and authenticated:   # a security event: the phone hears it (trial 14b)
            self.pub.publish(NOTIFY_TOPIC, password_event(moves, self.requester, reason,
                                                          self.clock.now_ns()))
        self.pub.publish(topics.CONFIG, ConfigChanged(
            path=fresh.path, ok=True, digest=fresh.digest, restart_needed=restart_needed,
            reason=reason, note=note, restart=restart_words, settled=settled))
        if restart_words:
            log.warning("config reloaded; not in force yet: %s", restart_words
                        + (f"; {settled}" if settled else ""))
        else:
            log.info("config reloaded" + (f"; {settled}" if settled else ""))
        self._retry_config_refusals()
        return ok(ConfigChanged(path=fresh.path, ok=True, digest=fresh.digest,
                                restart_needed=restart_needed, reason=reason,
                                restart=restart_words, settled=settled),
                  reason="config applied" + (f"; not in force yet: {restart_words}"
                                             if restart_words else ""))

    def _keep_last_run(self, loaded: LoadedConfig) -> None:
        """The config riskd runs, kept for `config restore last-run` (shared/config/lastrun.py)."""
        if lastrun.write(loaded.path, default_backup_dir(loaded.path, loaded.data_dir),
                         loaded.text) is None:
            log.warning("cannot keep a copy of the config riskd runs in %s: `config restore "
                        "last-run` will not find it", default_backup_dir(loaded.path,
                                                                          loaded.data_dir))

    def _workers_run(self) -> dict:
        """Worker base name -> the configs its running processes started with."""
        out: dict = {}
        for name, slot in self.slots.items():
            if slot.child is not None and slot.runs is not None:
                out.setdefault(shards.base_name(name), []).append(slot.runs)
        return out

    def _running_bases(self) -> list[str]:
        """The workers with a process now (base names: every risk shard is "risk")."""
        return sorted({shards.base_name(n) for n, s in self.slots.items()
                       if s.child is not None})

    def _retry_config_refusals(self) -> None:
        """Workers waiting out a backoff only because they refused the config (exit 78) start
        now that it is valid again, instead of after up to flapping_backoff seconds."""
        now = self.clock.monotonic()
        for slot in self.slots.values():
            if slot.child is None and slot.policy.config_valid_again(now):
                log.warning("%s refused the config before; it is valid again: starting %s now",
                            slot.name, slot.name)
                self._tick_slot(slot, now)

    def _file_edit_alert(self, sentences: list[str]) -> None:
        """The admin boundary moved without an admin session: log, and alert the phone."""
        for sentence in sentences:
            log.warning("%s", sentence)
        self.pub.publish(NOTIFY_TOPIC, file_edit_event(sentences, self.loaded.path,
                                                       self.clock.now_ns()))

    # -- views ------------------------------------------------------------------------------------
    def info(self, slot: Slot) -> WorkerInfo:
        now = self.clock.monotonic()
        p = slot.policy
        running = slot.child is not None and p.state in (STARTING, RUNNING, STOPPING)
        return WorkerInfo(
            name=slot.name, state=p.state, pid=slot.child.shown_pid if slot.child else None,
            uptime_s=round(now - p.started_at, 3) if running and p.started_at is not None else None,
            restarts=p.restarts, last_exit=p.last_exit, last_exit_words=slot.last_kill,
            heartbeat_age_s=round(now - p.alive_at, 3) if running and p.alive_at is not None
            else None,
            reason=worker_note(slot, self.clock.now_ns(), showtime.zone_of(self.config)))

    def worker_infos(self) -> list[WorkerInfo]:
        return [self.info(s) for s in self.slots.values()]

    def config_health(self) -> ConfigHealth:
        return self.health.config(self.loaded.path)

    def channel_states(self) -> list[ChannelState]:
        return self.health.channel_states(self._notify_running())

    def workers_table(self) -> WorkersTable:
        return WorkersTable(workers=self.worker_infos(), config=self.config_health(),
                            notify=self.channel_states(), shard_note=self.shard_note)

    def pong(self) -> Pong:
        bus = self.config.bus
        return Pong(name=self.name, pid=os.getpid(), started_ns=self.started_ns,
                    config_generation=self.config_generation,
                    config_path=self.loaded.path, data_dir=self.loaded.data_dir,
                    bus={k: getattr(bus, k) for k in bus.address_keys()},
                    risk_shards=self.config.supervisor.risk_shards, sim_url=self._sim_url())

    def _sim_url(self) -> str:
        """The REST URL of the sim broker riskd runs: the one its simbroker process started
        on, else the one it starts on next (the file's); "" when riskd runs no sim."""
        if self.config.broker.kind != "sim":
            return ""
        slot = self.slots.get("simbroker")
        if slot is None:
            return ""
        runs = slot.runs if slot.child is not None and slot.runs is not None \
            else self._file_config
        return attrs.evolve(runs.broker, kind="sim").endpoints()[0]

    def status(self) -> SupervisorStatus:
        unguarded_s, reasons = self.unguarded_today()
        return SupervisorStatus(pid=os.getpid(), started_ns=self.started_ns,
                                config_path=self.loaded.path, workers=self.worker_infos(),
                                trading_day=self.calendar.trading_day(self.clock.now_ns()).isoformat(),
                                unguarded_today_s=unguarded_s, unguarded_now=reasons,
                                config=self.config_health(), notify=self.channel_states(),
                                account_labels=labels(self.config.accounts),
                                data_dir=self.loaded.data_dir, shard_hold=self.shard_hold)

    def not_running(self, name: str) -> str:
        """'enforcement is stopped' (or 'is not running (backoff)') when that worker is not
        running; '' when it runs or is not one of riskd's workers."""
        slot = self.slots.get(name)
        if slot is None or slot.policy.state == RUNNING:
            return ""
        state = slot.policy.state
        return f"{name} is stopped" if state == STOPPED else f"{name} is not running ({state})"

    def _keep_risk_figures(self) -> None:
        """Ask risk for every account's figures while it runs (services/supervisor/lastrisk.py):
        what the screens show, marked not live, once it stops."""
        if any(shards.base_name(n) == shards.RISK and s.policy.state == RUNNING
               for n, s in self.slots.items()):
            request = RiskStatusRequest()
            forward_risk(self, request, lambda reply: self.last_risk.keep(request, reply))

    def _still_alive(self) -> None:
        """Record that riskd is alive now: after a stop or a crash, the next riskd counts the
        time since as unguarded for every account (GuardTracker.resumed)."""
        self.guard_store.alive(self.clock.now_ns())

    def _guard_changed(self, closed) -> None:
        """Persist the gap that just closed and the one open now (if any), and tell everyone."""
        for gap in (closed, self.guard.open_gap):
            if gap is not None:
                self.guard_store.save(gap)
        if closed is not None:
            self.report_guard()
            if self.guarded_again.waiting:     # said at once, not at the next idle pass
                self._guard_alerts(self.clock.now_ns())

    def report_guard(self) -> None:
        seconds, reasons = self.unguarded_today()
        day = self.calendar.trading_day(self.clock.now_ns()).isoformat()
        self.pub.publish(topics.GUARD, GuardReport(trading_day=day, unguarded_s=seconds,
                                                   reasons=reasons))

    def unguarded_today(self) -> tuple[float, list[str]]:
        now_ns = self.clock.now_ns()
        day = self.calendar.trading_day(now_ns)
        seconds = self.guard.unguarded_s(self.calendar.start_of(day), self.calendar.end_of(day),
                                         now_ns)
        reasons = self.guard.explained(self.guard.now(), self._broker_down(now_ns))
        return round(seconds, 3), reasons          # the true ones now, not the gap's

    def _broker_down(self, now_ns: int) -> str:
        """riskd's own sim broker not running, in words; running again since the hubs last said
        it was not reachable: that it is up again (brokerdown.sim_back); '' otherwise or no sim."""
        for name in self.back.broker_workers:
            slot = self.slots.get(name)
            if slot is not None and slot.policy.state != RUNNING:
                return brokerdown.sim_down(slot, self.config.broker.endpoints()[0],
                                           self.clock.monotonic(), now_ns,
                                           showtime.zone_of(self.config))
            if slot is not None and slot.up_ns is not None \
                    and self.guard.down_before(slot.up_ns):
                return brokerdown.sim_back(slot.up_ns, now_ns, showtime.zone_of(self.config))
        return ""

    def _changed(self, slot: Slot) -> None:
        p = slot.policy
        key = (p.state, slot.child.shown_pid if slot.child else None, p.last_exit, p.reason)
        if key == slot.published:
            return
        slot.published = key
        now_ns = self.clock.now_ns()
        self._guard_changed(self.guard.worker(slot.name, p.state == RUNNING, now_ns,
                                              since_ns=slot.silent_since_ns))
        event = WorkerEvent(name=slot.name, state=p.state, pid=key[1], exit_code=p.last_exit,
                            reason=p.reason,
                            killed=slot.kills_in_a_row if p.state in (BACKOFF, FLAPPING) else 0)
        down = down_kind(event)
        folded = False
        if down == FLAPPING:
            self.still.flapped(slot.name, now_ns)
        elif down:           # after flapping, a crash may be one more of an ongoing problem
            folded = self.still.crashed(slot.name, now_ns, down_why(down, p.reason, p.last_exit))
        in_flight = self.in_flight.down(now_ns) if down and slot.name == ENFORCEMENT else []
        self.pub.publish(topics.WORKER, attrs.evolve(event, folded=folded, in_flight=in_flight))
        if down and not folded and alerted_down(slot.name, self._notify_running()):
            self.back.down(slot.name, now_ns, down_why(down, p.reason, p.last_exit),
                           starting=p.alive_at is None)

    def _notify_running(self) -> bool:
        slot = self.slots.get("notify")
        return slot is not None and slot.policy.state == RUNNING

    def announce_stop(self, names: list[str], reason: str = "", who: str = "",
                      left_open: Sequence[str] = ()) -> None:
        """An operator stops `names`: the phone hears it like a crash (backalerts.stopped_event),
        and hears "back" once they run again. Workers already stopped (or stopping for good)
        are left out; one stopping for a restart is not."""
        going = [n for n in names if n in self.slots and not (
            self.slots[n].policy.state == STOPPED
            or (self.slots[n].policy.state == STOPPING and not self.slots[n].then_start))]
        if not going:
            return
        now_ns = self.clock.now_ns()
        if ENFORCEMENT in going:
            self.in_flight.down(now_ns)      # its "back" says what became of them
        for name in going:
            self.still.stopped(name)         # what follows is the operator's
        if self._notify_running():
            for name in going:
                self.back.down(name, now_ns, "stopped by an operator (riskctl stop"
                               + (f": {reason})" if reason else ")"))
        self.pub.publish(NOTIFY_TOPIC, stopped_event(going, now_ns, reason, who, left_open,
                                                      self.back.broker_workers))


def restarted_soon(policy: WorkerPolicy, now: float) -> bool:
    """Does riskd start this crashed worker again within START_RETRY_S (its first restart
    after an operator's start is immediate), rather than back off or call it flapping?"""
    return (policy.wanted and policy.state == BACKOFF and policy.next_start_at is not None
            and policy.next_start_at - now <= START_RETRY_S)


def shard_edit_note(before, after, data_dir: str) -> str:
    """What riskd's restart will do with an edit's new risk_shards over risk's state kept for
    another count (shared/shards.edit_words): '' when the edit did not change it, or the
    restart takes it."""
    count = after.supervisor.risk_shards
    if count == before.supervisor.risk_shards:
        return ""
    return shards.edit_words(data_dir, count)


def stop_rank(name: str) -> int:
    """A worker's place in STOP_ORDER (every risk shard takes risk's); unlisted ones last."""
    base = shards.base_name(name)
    return STOP_ORDER.index(base) if base in STOP_ORDER else len(STOP_ORDER)


def shard_env(name: str, sup) -> Optional[dict]:
    """The environment a risk shard needs (its index); None for every other worker, and for
    the one risk of risk_shards = 1."""
    index = shards.index_of(name)
    if index is None or sup.risk_shards == 1:
        return None
    return {shards.SHARD_ENV: str(index)}


def riskctl_path() -> str:
    """Where riskctl is, as the person at this terminal would type it (.venv/bin/riskctl)."""
    folder = os.path.dirname(sys.executable)
    for name in ("riskctl", "riskctl.exe"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            try:
                rel = os.path.relpath(path)
            except ValueError:          # another drive (Windows)
                return path
            return rel if not rel.startswith("..") else path
    return "riskctl"


def _describe_exit(code: int) -> str:
    return exit_words(code)          # one text with notify's alert: shared/exitwords.py
