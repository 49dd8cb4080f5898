"""The notify worker process: events in (SUB), alerts queued on disk, one sender thread per channel.

Subscribes to the PUBs of risk (decisions, warnings, lockouts, notify), enforcement
(results), market (broker connection, notify) and the supervisor's events socket
(worker states, config reloads, notify). Each message goes through templates.build
into an Alert, is redacted, and is queued in the outbox for every enabled channel whose
min_severity it reaches, committed before the sender thread is woken; every alert is also
logged in full at its severity's level, channel or not (services/notify/alertlog.py). Answers
NotifyStatusRequest (per-channel state) and NotifyTest on its control socket.
It keeps track of whether enforcement runs (services/notify/running.py): a breach alert made
while it does not says its action waits. On start it asks risk for what was decided while
notify was down and alerts what it missed, marked sent late, then the final outcomes of those
late decisions' commands, also marked late (services/notify/catchup.py).
With Telegram commands on, a CommandPoller thread answers the configured chats
(services/notify/bot) through the same sender and queue; warnings and loss-rule breaches
carry a "Lock me out" button. An alert about an account goes only to the Telegram chats
whose scope sees it (services/notify/channels/telegram.py); the daily summary is written per
scope here.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Optional

import attrs
import zmq

from services.notify import catchup, latefold, latelock
from services.notify.alertlog import log_alert
from services.notify.bot.access import Access, lock_button_account
from services.notify.brokernames import BrokerNames
from services.notify.channels import ChannelError
from services.notify.channels.discord import DiscordChannel
from services.notify.channels.telegram import TelegramChannel
from services.notify.outbox import Outbox
from services.notify.running import WorkerStates
from services.notify.sender import ChannelSender
from services.notify.donehold import (BACK, DECISION, FILLS, DoneHold, decision_of,
                                      missing_line)
from shared.closefillwords import CLOSE_FILLS, wanted
from shared.bus.stateorder import StateOrder
from services.notify.steps import StepHold, step_alert, step_key
from services.notify.guardwatch import GuardWatch
from services.notify.lockedbuys import LockedBuys
from services.notify.scopesplit import per_chat
from services.notify.supervisorwatch import SupervisorWatch
from services.notify.templates import (LOG_ONLY, WARNING, Alert, Context, DisconnectWatch,
                                       build, claims_a_close, context_for, readable,
                                       result_alert,
                                       severity_at_least, waits,
                                       with_unguarded)
from shared import shards, topics
from shared.bus.subscriber import Subscriber
from shared.codec import DecodeError, decode, encode
from shared.bus.rpc import RpcClient
from shared.config.accounts import find_account_quietly
from shared.messages.control import (ControlRequest, GuardReport, StatusRequest,
                                     SupervisorStatus, WorkerEvent)
from shared.messages.enforce import FINAL_STATUSES, CommandResult
from shared.messages.market import BrokerConnection
from shared.messages.risk import Decision, LockoutChange, RuleWarning, command_key
from shared.messages.notify import (ChannelAnswer, ChannelState, CommandsState, DailySummary,
                                    NotifyEvent, NotifyStatus,
                                    NotifyStatusRequest, NotifyTest, NotifyTestResult)
from shared.messages.system import Heartbeat, Reply, error, ok
from shared.redact import for_config
from shared.worker import Worker
from shared.plural import plural
from shared.workerdown import back_names, down_kind

if TYPE_CHECKING:
    from services.notify.bot.poller import CommandPoller

log = logging.getLogger(__name__)

NOTIFY_TOPIC = "notify"
CHANNEL_TOPIC = "notify.channel"   # notify's own PUB: ChannelState whenever a channel changes
TEST_TIMEOUT_S = 2.5          # notify test: channels in parallel, well inside heartbeats
# (bus address attribute, topics): what notify listens to on each publisher
SOURCES = (
    # the guard workers' heartbeats: while the supervisor is gone (guardwatch.py)
    ("risk_pub", (topics.DECISION, topics.WARNING, topics.LOCKOUT, NOTIFY_TOPIC,
                  topics.HEARTBEAT)),
    ("enforcement_pub", (topics.RESULT, NOTIFY_TOPIC, topics.HEARTBEAT)),
    ("market_pub", (topics.CONNECTION, NOTIFY_TOPIC, topics.HEARTBEAT)),
    # the supervisor's heartbeats too: notify alerts when they stop (supervisorwatch.py)
    ("events", (topics.WORKER, topics.CONFIG, topics.GUARD, NOTIFY_TOPIC, topics.HEARTBEAT)),
)
CHANNELS = (("telegram", TelegramChannel), ("discord", DiscordChannel))
STATES_TIMEOUT_S = 1.0  # the supervisor answers its own status at once
WAITED_MAX = 1000       # actions remembered as waiting for enforcement (their "Done" says so)


def _trim(remembered: dict) -> None:
    """Keep a memory of actions (by command id, oldest first) to WAITED_MAX entries."""
    while len(remembered) > WAITED_MAX:
        del remembered[next(iter(remembered))]


NOT_ACCEPTED = "not_accepted"     # NotifyTest's error when a channel did not take the test


def learn_name(worker, msg) -> None:
    """The broker's name a record of risk's carries (Decision/RuleWarning.account_name), kept
    in the worker's broker_names for the alerts (templates.Context.account), and in its file: a
    restarted notify names the account as before (services/notify/brokernames.py)."""
    names = getattr(worker, "broker_names", None)
    if names is not None and isinstance(msg, (Decision, RuleWarning)) and msg.account_name:
        if isinstance(names, BrokerNames):     # kept in notify.sqlite (brokernames.py)
            names.learn(msg.account_id, msg.account_name, worker.clock.now_ns())
        else:
            names[msg.account_id] = msg.account_name


class NotifyWorker(Worker):
    """Notify worker: Telegram and Discord alerts."""

    name = "notify"

    def setup(self) -> None:
        self.outbox = Outbox(os.path.join(self.loaded.data_dir, "notify.sqlite"))
        self.senders: dict[str, ChannelSender] = {}
        self.watch = DisconnectWatch(self.config.notify.disconnect_alert_after_s)
        self.supervisor = SupervisorWatch(self.clock.monotonic())   # its heartbeats stop
        # the guard workers' heartbeats stop while the supervisor is gone
        self.guards = GuardWatch(self.config.supervisor.worker_names(), self.clock.monotonic())
        self._published_states: dict[str, tuple] = {}
        self.steps = StepHold()
        self.states = StateOrder()
        self._held_rows: dict[tuple, list[int]] = {}   # step -> its messages' rows in `held`
        # enforcement's results of an account whose step is held: they follow its alert (the
        # phone read "✅ Done" before the "⚠️ Breach" that caused it); (result, its held row)
        self._behind: dict[int, list[tuple]] = {}
        # outcomes waiting for their decision, or for the "back" of the worker they waited
        # for (donehold.py: trial15a read "✅ Done" before both); worker -> its last "back"
        self.done_hold = DoneHold()
        self._backs: dict[str, int] = {}
        self.unguarded: dict[str, float] = {}     # trading day -> the supervisor's latest figure
        self.running = WorkerStates()             # does enforcement run (notify/running.py)
        self._waited: dict[str, int] = {}         # command id -> enforcement down since, alerted
        # command ids whose sent breach alert said riskd closes (templates.Context.claimed)
        self._claimed: dict[str, bool] = {}
        # command id -> risk's note of what its orders filled (services/risk/closefills.py):
        # the command's "✅ Done" says it (templates.Context.fills), waiting for it a moment
        self._fills: dict[str, str] = {}
        # market's broker connections, by hub, as last heard (the bot's /status, /positions)
        self._connections: dict[str, BrokerConnection] = {}
        # command id -> when enforcement's 'accepted' was heard: that action waits for nothing
        self._accepted: dict[str, int] = {}
        # command id -> its decision's time, for actions that waited for the market to open
        self._market_waited: dict[str, int] = {}
        # the lockouts in force as heard (lockout id -> LockoutState): "🔒 Lockout enforced"
        # says until when (templates._locked_until)
        self._locks: dict[str, object] = {}
        # lockout enforcement's cuts of contracts bought while locked, by the command whose
        # "✅ Done" counts them: kept in notify.sqlite, so a restarted notify still says them
        self.locked_buys = LockedBuys(self.outbox)
        self.commands: CommandPoller | None = None
        # account id -> the broker's name risk's records carry (Decision.account_name): the
        # alerts name an account the config does not name by it (templates.Context.account);
        # kept in notify.sqlite, so a restarted notify still says it (brokernames.py)
        self.broker_names = BrokerNames(self.outbox)
        self._configure(self.config)
        self.subs: list[Subscriber] = []
        bus = self.config.bus
        for attr, wanted in SOURCES:
            where = shards.all_pubs(self.config) if attr == "risk_pub" else getattr(bus, attr)
            sub = Subscriber(self.socket(zmq.SUB, connect=where), track=False)
            for topic in wanted:
                sub.subscribe(topic)
            self.subs.append(sub)
            self.add_reader(sub.sock, lambda s=sub: self._on_sub(s))
        for publisher, epoch, seq in self.outbox.taken():   # a copy of these: had it already
            for sub in self.subs:
                sub.copies.remember(publisher, epoch, seq)
        self.handle(NotifyStatusRequest, self._on_status)
        self.handle(NotifyTest, self._on_test)
        self.every(1.0, self._tick)
        self.after(0.0, self._ask_worker_states)
        # what risk decided while this notify was down (services/notify/catchup.py)
        self._down_from = self.outbox.last_alive()
        self._late: set[str] = set()       # decision ids taken from risk's history
        self._locks_now: Optional[list] = None     # lockouts in force when it was read
        self._late_results: set[str] = set()   # command ids of outcomes read at the catch-up
        self._late_folded: dict = {}           # ... of those, the failures told in another's
        self._outcome_tries = 0
        self._catch_up_tries = 0
        self._alive()
        self.every(catchup.ALIVE_EVERY_S, self._alive)
        self.after(catchup.CATCH_UP_AFTER_S, self._catch_up)
        self._take_back_held()

    def _configure(self, config) -> None:
        """(Re)build channels and their sender threads from the [notify] table. What they
        counted since notify started carries over (trial 2026-12-06: `notify status` said
        "SENT 2" and "0 answered" after a config edit, with many sent and answered before)."""
        old_senders, old_commands = dict(self.senders), self.commands
        if self.commands is not None:
            self.commands.stop()
            self.commands = None
        for sender in self.senders.values():
            sender.stop()
        cfg = config.notify
        self.redactor = for_config(config)
        self.ctx_t = context_for(config, self.broker_names)
        self.watch.after_s = cfg.disconnect_alert_after_s
        self.senders = {}
        for name, cls in CHANNELS:
            section = getattr(cfg, name)
            if section.enabled:
                channel = cls(section, cfg.timeout_s, self.redactor)
                self.senders[name] = ChannelSender(channel, self.outbox, cfg, self.clock,
                                                   self.ctx_t, cfg.channel_min(name))
        dropped = self.outbox.forget_channels_except(list(self.senders))
        if dropped:
            log.warning("notify: %s for channels no longer configured; dropped",
                        plural(dropped, "queued alert was", "queued alerts were"))
        self.access = Access(cfg.telegram, config.accounts)
        telegram = self.senders.get("telegram")
        if telegram is not None:      # alerts about an account go to the chats that see it
            telegram.channel.sees = self.access.sees
        if telegram is not None and cfg.telegram.commands_enabled:
            telegram.channel.markup_for = self.access.lock_button
            # imported here: the bot's modules only where Telegram commands are on
            # (docs/performance.md, "Memory")
            from services.notify.bot.direct import Direct
            from services.notify.bot.poller import CommandPoller
            self.commands = CommandPoller(
                cfg.telegram, cfg.timeout_s, self.outbox, telegram, self.access, self.ctx_t,
                config.trading_day.calendar(os.path.dirname(os.path.abspath(self.loaded.path))),
                config.bus.control, self.redactor, self.clock, gone=self.supervisor_gone,
                direct=Direct(config.bus, config.supervisor.risk_shards,
                              lambda: self.control_key),
                connections=lambda: list(self._connections.values()))
        for name, sender in self.senders.items():
            if name in old_senders:
                sender.carry_counts(old_senders[name])
            sender.start()
        if self.commands is not None:
            if old_commands is not None:
                self.commands.carry_counts(old_commands)
            self.commands.start()
        log.info("notify channels: %s", ", ".join(
            f"{n} (min {s.min_severity}, {self.outbox.count(n)} queued)"
            for n, s in self.senders.items()) or "none configured")

    def supervisor_gone(self) -> Optional[str]:
        """"riskd's supervisor is not running since Sat 18:31:05 CST" while notify knows it is
        not (its heartbeats stopped: supervisorwatch.py), else None; read by the command
        thread (bot/riskd.py)."""
        watch = getattr(self, "supervisor", None)
        last = watch.silent_since if watch is not None else None
        if last is None:
            return None
        now = self.clock.now_ns()
        heard = now - int((self.clock.monotonic() - last) * 1e9)
        return f"riskd's supervisor is not running since {self.ctx_t.since(heard, now)}"

    def on_config(self, old, new) -> None:
        if (old.notify, old.accounts, old.trading_day) != (new.notify, new.accounts,
                                                           new.trading_day):
            self._configure(new)

    def teardown(self) -> None:
        for sub in getattr(self, "subs", ()):
            self._on_sub(sub)        # what arrived before the stop (riskd's stop alert) is queued
        if hasattr(self, "steps"):
            self._flush_steps(everything=True)   # into the outbox before the senders stop
        if self.commands is not None:
            self.commands.stop()
        for sender in self.senders.values():
            sender.stop()
        self.outbox.close()

    def bad_frames(self) -> int:
        return sum(s.bad_frames for s in getattr(self, "subs", ()))

    # -- events in ------------------------------------------------------------------------
    def _on_sub(self, sub: Subscriber) -> None:
        taken: list[tuple[str, int, int]] = []
        try:
            for _ in range(1000):
                received = sub.recv()
                if received is None:
                    if not sub.sock.poll(0):
                        return
                    continue
                if not self.states.older(received.envelope):
                    self._take(received.msg)
                else:
                    self._take_missed_down(received.msg)
                if received.topic.startswith(topics.KEPT):
                    env = received.envelope
                    taken.append((env.publisher, env.epoch, env.seq))
        finally:
            # after the alerts they made are queued or held: a crash in between makes the
            # next run alert them again (twice rather than never, guarantee 7)
            if taken:
                self.outbox.mark_taken(taken, self.clock.now_ns())

    def _take_missed_down(self, msg) -> None:
        """A worker's state older than one taken (shared/bus/stateorder.py): its state is not
        taken, but a crash or flapping in it was never alerted (a copy of one taken is dropped
        before, shared.bus.subscriber.Copies), so its alert is. A publisher's copies of what a
        subscriber missed reach it after what it published between the subscription's arrival
        and its handling: a restarted notify took its own "running" live, then the copy of its
        crash, and the phone got "🟢 Worker notify is back" with no crash before it (the
        flaky test_a_killed_notify_says_it_crashed_and_then_that_it_is_back, round 19)."""
        if isinstance(msg, WorkerEvent) and down_kind(msg):
            alert = self._build(msg)
            if alert is not None:
                self.queue(alert)

    def _take(self, msg) -> None:
        """One message from the bus: held for its step's alert, or made into alerts."""
        learn_name(self, msg)
        if isinstance(msg, Decision) and self.outbox.decided(msg.id):
            return          # taken already: a kept copy and risk's history can both hold it
        if isinstance(msg, Decision):
            # lockout enforcement's cuts a Done counts as bought while locked (lockedbuys.py)
            self.locked_buys.heard(msg, self.clock.now_ns())
        if isinstance(msg, LockoutChange):
            if msg.change == "cleared":
                self._locks.pop(msg.lockout.id, None)
            else:
                self._locks[msg.lockout.id] = msg.lockout
        if isinstance(msg, RuleWarning) and msg.rule == CLOSE_FILLS and msg.of_command \
                and not self._filled(msg):
            return          # said under its command's Done (held for it, or still to come)
        if step_key(msg) is not None:         # risk's breaches and lockout changes: one alert
            self._hold(msg, self.outbox.hold(encode(msg)))    # per account and step, on disk
            if isinstance(msg, Decision):                      # while held
                self.outbox.mark_decided(msg.id, self.clock.now_ns())
                # its outcomes that came first follow its alert (donehold.py)
                for res, row in self.done_hold.heard((DECISION, msg.id)):
                    self._behind.setdefault(res.account_id, []).append((res, row))
            return
        final = isinstance(msg, CommandResult) and msg.status in FINAL_STATUSES
        if isinstance(msg, CommandResult) and not final:
            self._accepted.setdefault(msg.command_id, self.clock.now_ns())
            _trim(self._accepted)
        if isinstance(msg, CommandResult) and getattr(msg, "waits_for", ""):
            # risk says "⏳ Waiting" (services/risk/marketwait.py); its Done says it came late
            self._market_waited.setdefault(msg.command_id, msg.event_ns or msg.started_ns
                                           or self.clock.now_ns())
            _trim(self._market_waited)
        if final and self.outbox.resulted(msg.command_id):
            return          # taken already: the live stream, a kept copy, the catch-up
        needs = self._done_needs(msg) if final else set()
        if needs:           # what must reach the phone first has not (donehold.py)
            self.done_hold.hold(msg, self.outbox.hold(encode(msg)), needs,
                                self.clock.monotonic())
            self.outbox.mark_resulted(msg.command_id, self.clock.now_ns())
            self.after(self.done_hold.wait_s, self._done_due)
            return
        if isinstance(msg, (CommandResult, NotifyEvent, RuleWarning)) \
                and msg.account_id is not None and self.steps.holds(msg.account_id):
            # after the step's alert: a result, and risk's notices of what followed the step
            # (trial 2026-12-06: risk's "⏳ Waiting: flatten ... waits for the market to open"
            # came within the step's hold and reached the phone before "🔒 Demo 1 locked");
            # a warning too: one due when a lockout ends (risk publishes it after the end)
            # went out 0.1 s before "🔓 Lockout ended", while the account still read locked
            # (trial18b section 8)
            self._behind.setdefault(msg.account_id, []).append(
                (msg, self.outbox.hold(encode(msg))))
            if final:
                self.outbox.mark_resulted(msg.command_id, self.clock.now_ns())
            return
        if isinstance(msg, Heartbeat):
            if msg.name == "supervisor":
                for alert in self.supervisor.heard(self.clock.monotonic()):
                    self.queue(alert)
            else:
                for alert in self.guards.heard(msg.name, self.clock.monotonic()):
                    self.queue(alert)
            return
        if isinstance(msg, NotifyEvent) and msg.kind == "riskd_stopped":
            self.supervisor.stopping()      # riskd stops on purpose: its silence is no news
        if isinstance(msg, WorkerEvent):
            self.running.observe(msg, self.clock.now_ns())
            self.watch.worker(msg, self.ctx_t.broker_workers, self.clock.monotonic())
        if isinstance(msg, GuardReport):
            self.unguarded[msg.trading_day] = msg.unguarded_s
            return
        if isinstance(msg, DailySummary):
            self._queue_summary(with_unguarded(msg, self.unguarded.get(msg.trading_day, 0.0)))
            return
        if isinstance(msg, BrokerConnection):
            self._connections[msg.hub] = msg     # the bot's /status marks prices by it
            alerts = self.watch.observe(msg, self.clock.monotonic())
        else:
            alert = self._build(msg)
            alerts = [alert] if alert is not None else []
        for alert in alerts:
            self.queue(alert, lock_button_account(msg))
        for name in back_names(msg):     # after its "back": the outcomes that waited for it
            self._backs[name] = self.clock.now_ns()
            for res, row in self.done_hold.heard((BACK, name)):
                self._send_held(res, row)
        if final:           # after its alert is queued: a crash between alerts it twice
            self.outbox.mark_resulted(msg.command_id, self.clock.now_ns())

    def _build(self, msg) -> Optional[Alert]:
        """A message's alert (templates.build); an outcome read at the catch-up says it is
        sent late."""
        late = isinstance(msg, CommandResult) and msg.command_id in self._late_results
        if late:        # risk's own alert of it (a failure, a retry done) went out meanwhile
            alert = result_alert(msg, self._ctx(), late=True)
            alert = readable(alert) if alert is not None else None
        else:
            alert = build(msg, self._ctx())
        folded = self._late_folded.pop(msg.command_id, ()) if late else ()
        if late:
            self._late_results.discard(msg.command_id)
        if alert is None or not late:
            return alert
        came = msg.first_answer_ns or msg.finished_ns
        return attrs.evolve(alert, lines=(*alert.lines, *latefold.also_failed(folded), (
            f"sent late: enforcement did this at {self.ctx_t.since(came, self.clock.now_ns())} "
            f"while notify was down")))

    def _filled(self, note: RuleWarning) -> bool:
        """risk's note of what a command's orders filled: True when it is to be sent on its
        own, a line after that command's "✅ Done" already sent (its fills came later); else
        the Done says it: one held for it goes now, one still to come finds it."""
        cid = note.of_command
        self._fills[cid] = note.reason
        _trim(self._fills)
        free = self.done_hold.heard((FILLS, cid))
        for res, row in free:
            self._send_held(res, row)
        return not free and self.outbox.resulted(cid)

    def _done_needs(self, result) -> set:
        """What must reach the phone before this final outcome (donehold.py): its decision,
        not taken yet; the "back" of enforcement, when the action waited for it (its breach
        alert said so) and no "back" came since it went down."""
        needs = set()
        decision = decision_of(result)
        # an outcome read at the catch-up follows its decision, read from risk's history
        if decision is not None and result.command_id not in self._late_results \
                and not self.outbox.decided(decision):
            needs.add((DECISION, decision))
        waited = self._waited.get(result.command_id)
        if waited is not None and self._backs.get("enforcement", -1) < waited:
            needs.add((BACK, "enforcement"))
        # what its orders filled, when risk can say it (shared/closefillwords.py): the Done
        # says it (trial23a finding 7: "✅ Done ... MNQ closed", no size, price or PnL)
        if wanted(result) and result.command_id not in self._fills \
                and result.command_id not in self._late_results:
            needs.add((FILLS, result.command_id))
        return needs

    def _send_held(self, msg, row: int, lines: tuple = ()) -> None:
        """An outcome held (donehold.py) made into its alert: behind its account's step when
        one is held, else now; lines: what it adds (what it waited for in vain)."""
        if not lines and self.steps.holds(msg.account_id):
            self._behind.setdefault(msg.account_id, []).append((msg, row))
            return
        alert = self._build(msg)
        if alert is None:
            self.outbox.release([row])
            return
        self.queue(attrs.evolve(alert, lines=(*alert.lines, *lines)),
                   lock_button_account(msg), release=(row,))

    def _done_due(self) -> None:
        """The outcomes held WAIT_S: sent, saying what had not come."""
        for msg, row, missing in self.done_hold.due(self.clock.monotonic()):
            log.warning("notify: the outcome of command %s sent before %s", msg.command_id,
                        ", ".join(f"{kind} {what}" for kind, what in missing))
            self._send_held(msg, row, tuple(line for line in (
                missing_line(m, self.done_hold.wait_s) for m in missing) if line))

    def _hold(self, msg, row: int, now: Optional[float] = None) -> None:
        self._held_rows.setdefault(step_key(msg), []).append(row)
        if self.steps.add(msg, self.clock.monotonic() if now is None else now):
            self.after(self.steps.hold_s, self._flush_steps)

    def _take_back_held(self) -> None:
        """Messages a previous run held (it stopped or crashed within a step's hold): made
        into their alerts at once (guarantee: no alert is lost to a crash)."""
        rows = self.outbox.held()
        for row, frame in rows:
            try:
                msg = decode(frame).msg
            except DecodeError as exc:
                log.error("notify: a held message could not be read back (%s); dropped", exc)
                self.outbox.release([row])
                continue
            learn_name(self, msg)
            if step_key(msg) is None:          # a result held behind a step
                self._behind.setdefault(getattr(msg, "account_id", 0), []).append((msg, row))
                continue
            self._hold(msg, row, now=self.clock.monotonic() - self.steps.hold_s)
        if rows:
            log.info("notify: %s held by the previous run made into alerts",
                     plural(len(rows), "message"))
        if self._behind:
            self.after(0.0, self._flush_steps)

    def _flush_steps(self, everything: bool = False) -> None:
        """The steps held long enough (services/notify/steps.py), each one alert; its
        messages leave the held table in the transaction that queues the alert."""
        now_ns = self.clock.now_ns()
        for group in self.steps.due(self.clock.monotonic(), everything):
            rows = tuple(self._held_rows.pop(step_key(group[0]), ()))
            ctx = self._ctx()
            # a rule's cut beside lockout enforcement's close of all of it: logged on its own,
            # never folded into the step's alert to the phone (templates.BESIDE_LOCKOUTS_CLOSE)
            for m in [m for m in group if isinstance(m, Decision) and m.beside]:
                group.remove(m)
                told = build(m, ctx)
                if told is not None:
                    self.queue(told)
            alert = step_alert(group, ctx) if group else None
            self._remember_waiting(group, ctx)
            if alert is not None and alert.kind not in LOG_ONLY:
                self._remember_claimed(group)
            late = [m for m in group if isinstance(m, Decision) and m.id in self._late]
            if alert is not None and late:
                self._late.difference_update(m.id for m in late)
                # the lockout in force now, not only the one the latest late decision took
                lines = latelock.late_lines(late[-1], alert.lines, self._locks_now, ctx, now_ns)
                alert = attrs.evolve(alert, lines=(*lines, (
                    f"sent late: riskd decided this at {ctx.since(late[0].ts_ns, now_ns)} "
                    f"while notify was down (its outcome: riskctl history)")))
            if alert is None:
                if rows:
                    self.outbox.release(rows)
                continue
            button = next((a for a in map(lock_button_account, group) if a is not None), None)
            self.queue(alert, button, release=rows)
        for account in list(self._behind):
            if everything or not self.steps.holds(account):
                for msg, row in self._behind.pop(account):
                    alert = self._build(msg)
                    if alert is None:
                        self.outbox.release([row])
                    else:
                        self.queue(alert, lock_button_account(msg), release=(row,))
        if len(self.steps):        # a step that started after this timer was set
            self.after(self.steps.hold_s, self._flush_steps)

    def _ask_worker_states(self) -> None:
        """Every worker's state from the supervisor, once at the start: its worker events are
        kept 10 s only, so a notify started while enforcement is stopped hears none of them
        (services/notify/running.py). No answer: what the events say from now on. Asked
        beside the loop (shared/beside.py): notify keeps reading its sockets meanwhile."""
        control = self.config.bus.control

        def ask():
            with RpcClient(control, "supervisor", timeout=STATES_TIMEOUT_S, retries=0,
                           name="notify") as client:
                return client.call(ControlRequest(command=StatusRequest()))
        self.beside(ask, self._worker_states)

    def _worker_states(self, reply, error: Optional[Exception]) -> None:
        if error is not None:
            log.warning("notify: the supervisor did not say which workers run (%s); notify "
                        "learns it from their next state change", str(error) or type(error).__name__)
            return
        body = getattr(reply, "body", None)
        if isinstance(reply, Reply) and reply.ok and isinstance(body, SupervisorStatus):
            self.running.snapshot(body.workers)

    def _alive(self) -> None:
        self.outbox.alive(self.clock.now_ns())

    def _catch_up(self) -> None:
        """Risk's decisions since this notify was last known running that it has not taken,
        alerted as sent late; risk not answering (riskd starting) is asked again, up to
        catchup.TRIES times, then one alert says what to read instead."""
        since = catchup.window_start(self._down_from, self.clock.now_ns())
        if since is None or "risk" not in self.config.supervisor.workers:
            return          # a first run, or a riskd without risk: nothing to ask
        control = self.config.bus.control       # asked beside the loop (shared/beside.py)
        self.beside(lambda: catchup.ask_late(control, since),
                    lambda got, error: self._caught_up(since, *(got or ([], None)), error))

    def _caught_up(self, since: int, decisions, locks, error: Optional[Exception]) -> None:
        """locks: the lockouts in force now (None: not known), for the late alerts' lines."""
        now_ns = self.clock.now_ns()
        if error is not None and not isinstance(error, LookupError):
            error = LookupError(f"{type(error).__name__}: {error}")
        if error is not None:
            self._catch_up_tries += 1
            if self._catch_up_tries < catchup.TRIES:
                self.after(catchup.RETRY_S, self._catch_up)
                return
            log.warning("notify: risk's decisions since it was down could not be read: %s",
                        error)
            if now_ns - since > catchup.KEEP_NS:       # not all kept for it on the PUBs
                self.queue(Alert(kind="catch_up_failed", severity=WARNING, title=(
                    "🟡 notify could not read what riskd decided while notify was down"),
                    lines=(f"{error}; riskctl history --since "
                           f"{catchup.since_text(since, self.ctx_t.tz)} shows it",)))
            return
        late = [d for d in decisions if not self.outbox.decided(d.id)]
        self._locks_now = locks
        for lk in locks or ():           # the lockouts in force when notify started
            self._locks.setdefault(lk.id, lk)
        for d in late:
            self._late.add(d.id)
            self._take(d)
        log.info("notify: %s since %s read from risk's history, %d not alerted "
                 "yet", plural(len(decisions), "decision"), catchup.since_text(since, self.ctx_t.tz), len(late))
        if late:
            self._outcome_tries = 0
            self._ask_outcomes(late)

    def _ask_outcomes(self, late: list) -> None:
        """The final outcomes of the late decisions' commands, asked beside the loop
        (services/notify/catchup.ask_outcomes)."""
        control = self.config.bus.control
        self.beside(lambda: catchup.ask_outcomes(control, late),
                    lambda results, error: self._outcomes_read(late, results, error))

    def _outcomes_read(self, late: list, results, error: Optional[Exception]) -> None:
        """Each final outcome alerted as the live result is, marked sent late (after its
        step's breach alert: _take holds it behind); one taken already is not alerted again."""
        if error is not None:
            self._outcome_tries += 1
            if self._outcome_tries < catchup.OUTCOME_TRIES:
                self.after(catchup.RETRY_S, lambda: self._ask_outcomes(late))
                return
            log.warning("notify: the outcomes of %s alerted late could not be read "
                        "(%s); riskctl history shows them", plural(len(late), "decision"), error)
            return
        fresh = [r for r in results if not self.outbox.resulted(r.command_id)]
        # failures of one position: one alert, naming the others (services/notify/latefold.py)
        folded = latefold.fold(fresh, late)
        inside = {r.command_id for told in folded.values() for r in told}
        for result in fresh:
            if result.command_id in inside:
                continue
            self._late_results.add(result.command_id)
            if result.command_id in folded:
                self._late_folded[result.command_id] = folded[result.command_id]
            self._take(result)
        for told in folded.values():        # after their carrier is queued or held on disk
            for result in told:
                self.outbox.mark_resulted(result.command_id, self.clock.now_ns())
        log.info("notify: %s of %s alerted late read from enforcement's journal",
                 plural(len(results), "final outcome"), plural(len(late), "decision"))

    def _ctx(self) -> Context:
        """The templates' context now: whether enforcement runs, which actions waited for it."""
        return attrs.evolve(self.ctx_t, enforcement_down_ns=self.running.down_since("enforcement"),
                            waited=self._waited, market_waited=self._market_waited,
                            accepted=self._accepted,
                            locks=self._locks,
                            left_to=self.locked_buys.left_to(),
                            own_cuts=self.locked_buys.own_cuts(),
                            beside=self.locked_buys.beside(),
                            claimed=frozenset(self._claimed), fills=self._fills)

    def _remember_waiting(self, group: list, ctx: Context) -> None:
        """The commands whose breach alert said they wait for enforcement: their "Done" says it
        came once enforcement was back (kept while notify runs, at most WAITED_MAX)."""
        for msg in group:
            if isinstance(msg, Decision) and waits(msg, ctx):
                self._waited[command_key(msg)] = ctx.enforcement_down_ns or 0
        _trim(self._waited)

    def _remember_claimed(self, group: list) -> None:
        """The commands a sent breach alert said close something (risk's book showed it
        open): their outcome is sent even when the broker was flat (templates.FOUND_FLAT)."""
        for msg in group:
            if isinstance(msg, Decision) and claims_a_close(msg):
                self._claimed[command_key(msg)] = True
        _trim(self._claimed)

    def _tick(self) -> None:
        now = self.clock.monotonic()
        for alert in (*self.watch.tick(now),
                      *self.supervisor.tick(now, self.guards.silent(now)),
                      *self.guards.tick(now, self.supervisor.gone)):
            self.queue(alert)
        self._publish_states()

    def _publish_states(self) -> None:
        """Each channel's state on the PUB (topic notify.channel) when it changes, so the
        supervisor can show a failing channel in `riskctl status` without asking."""
        for state in self._states():
            key = (state.state, state.failures, state.last_error, state.queued)
            if self._published_states.get(state.name) != key:
                self._published_states[state.name] = key
                self.pub.publish(CHANNEL_TOPIC, state)

    def _queue_summary(self, s: DailySummary) -> None:
        """The daily summary: each Telegram chat gets the lines of the accounts it sees (chats
        that see the same ones share a message, a chat that sees none gets nothing); the chats
        that see them all and the other channels get the whole summary."""
        telegram = self.senders.get("telegram")
        everyone = tuple(a.account for a in s.accounts)
        groups: dict[tuple[str, ...], list[str]] = {}
        for chat in self.config.notify.telegram.chat_ids if telegram is not None else ():
            groups.setdefault(tuple(a.account for a in s.accounts
                                    if self._sees(chat, a.account)), []).append(chat)
        whole = build(s, self.ctx_t)
        if whole is None:
            return
        if set(groups) <= {everyone}:
            self.queue(whole)
            return
        self.queue(attrs.evolve(whole, chats=tuple(groups.get(everyone, ()))),
                   only=None if everyone in groups else tuple(n for n in self.senders
                                                              if n != "telegram"))
        for seen, chats in groups.items():
            part = build(attrs.evolve(s, accounts=[a for a in s.accounts if a.account in seen]),
                         self.ctx_t) if seen and seen != everyone else None
            if part is not None:
                self.queue(attrs.evolve(part, chats=tuple(chats)), only=("telegram",))

    def _sees(self, chat: str, ref: str) -> bool:
        """Does the chat's scope have the account a summary line names (its name or id)?"""
        account = find_account_quietly(self.config.accounts, ref)
        if account is None or account.id is None:
            return not self.access.scoped(chat)      # an account riskd does not know
        return self.access.sees(chat, account.id)

    def queue(self, alert: Alert, button_account: int | None = None,
              only: tuple[str, ...] | None = None, release: tuple[int, ...] = ()) -> None:
        """release: the held messages (outbox.hold) this alert was made of."""
        channels = [n for n, s in self.senders.items()
                    if severity_at_least(alert.severity, s.min_severity)
                    and (only is None or n in only) and alert.kind not in LOG_ONLY]
        text = self.redactor.redact(alert.text)
        log_alert(alert, text, channels)          # in full, at its severity (alertlog.py)
        if not channels:
            if release:
                self.outbox.release(release)
            return
        parts = per_chat(alert, self.config.notify.telegram.chat_ids, self.access.sees) \
            if alert.line_accounts and "telegram" in channels else None
        if parts is None:
            parts = [(alert, None)]
        for i, (part, chats) in enumerate(parts):
            # a line about an account only to the chats whose scope has it (scopesplit.py)
            to = channels if chats is None else (
                [n for n in channels if n != "telegram"] + (["telegram"] if chats else [])
                if i == 0 else ["telegram"])
            if not to:
                if i == 0 and release:
                    self.outbox.release(release)
                continue
            if chats is not None and chats:
                part = attrs.evolve(part, chats=chats)
            self.outbox.add(attrs.evolve(part, title=self.redactor.redact(part.title)),
                            self.redactor.redact(part.text), to, self.clock.now_ns(),
                            button_account, release if i == 0 else ())
        for name in channels:
            self.senders[name].poke()

    def _test_one(self, name: str, results: dict) -> None:
        if name not in self.senders:
            results[name] = ChannelAnswer(channel=name, ok=False, answer=f"{name} is not "
                                          f"configured in [notify]")
            return
        # a channel object of its own: the sender thread's HTTP session is not shared
        channel = dict(CHANNELS)[name](getattr(self.config.notify, name), TEST_TIMEOUT_S,
                                       self.redactor)
        try:
            said = channel.send(f"✅ riskd test message from {socket.gethostname()}")
            results[name] = ChannelAnswer(channel=name, ok=True, status=200, answer=said)
            self.senders[name].tested()
        except ChannelError as exc:
            results[name] = ChannelAnswer(channel=name, ok=False, status=exc.status,
                                          answer=exc.reason)
            self.senders[name].tested(exc.reason)

    def _test_commands(self, results: dict) -> None:
        """Can commands get through? The token works (getMe), no webhook diverts the updates,
        and the poller heard from Telegram within a long-poll period."""
        name = "telegram commands"
        channel = TelegramChannel(self.config.notify.telegram, TEST_TIMEOUT_S, self.redactor)
        try:
            me = channel.call("getMe", {}, TEST_TIMEOUT_S) or {}
            hook = channel.call("getWebhookInfo", {}, TEST_TIMEOUT_S) or {}
        except ChannelError as exc:
            results[name] = ChannelAnswer(channel=name, ok=False, status=exc.status,
                                          answer=exc.reason)
            return
        if isinstance(hook, dict) and hook.get("url"):
            results[name] = ChannelAnswer(channel=name, ok=False, status=200, answer=(
                "a webhook is set for this bot, so its updates never reach riskd: delete it "
                "(Bot API deleteWebhook)"))
            return
        state = self.commands.status()
        age = (self.clock.now_ns() - state.last_poll_ns) / 1e9 if state.last_poll_ns else None
        fresh = age is not None and age <= self.config.notify.telegram.poll_timeout_s + 15
        bot = f"@{me.get('username')}" if isinstance(me, dict) and me.get("username") else "bot"
        if state.state == "ok" and fresh:
            said = (f"{bot} is listening (last update check {age:.0f} s ago): "
                    f"{state.answered} answered, {state.ignored} ignored, {state.refused} refused")
        else:
            said = f"{bot} is not listening: {state.last_error or 'no update check yet'}"
        results[name] = ChannelAnswer(channel=name, ok=state.state == "ok" and fresh, status=200,
                                      answer=said)

    # -- requests -----------------------------------------------------------------------------
    def _states(self) -> list[ChannelState]:
        out = [s.status() for s in self.senders.values()]
        for name, _cls in CHANNELS:
            if name not in self.senders:
                out.append(ChannelState(name=name, state="disabled",
                                        min_severity=self.config.notify.channel_min(name)))
        return out

    def _on_status(self, _req: NotifyStatusRequest) -> Reply:
        commands = self.commands.status() if self.commands is not None else CommandsState(
            state="disabled")
        return ok(NotifyStatus(channels=self._states(), commands=commands))

    def _on_test(self, req: NotifyTest) -> Reply:
        if req.channel and req.channel not in dict(CHANNELS):
            return error("unknown_channel", f"expected a channel from "
                         f"{', '.join(n for n, _ in CHANNELS)}, got {req.channel!r}")
        names = [req.channel] if req.channel else list(self.senders)
        if not names:
            return error("no_channel", "no notification channel is configured ([notify] "
                                       "telegram bot_token + chat_ids, or discord webhook_url)")
        results: dict[str, ChannelAnswer] = {}
        threads = [threading.Thread(target=self._test_one, args=(name, results), daemon=True)
                   for name in names]
        if "telegram" in names and self.commands is not None:
            names.append("telegram commands")
            threads.append(threading.Thread(target=self._test_commands, args=(results,),
                                            daemon=True))
        for t in threads:       # in parallel: the loop is held at most TEST_TIMEOUT_S
            t.start()
        deadline = time.monotonic() + TEST_TIMEOUT_S + 0.5
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        answers = [results.get(n) or ChannelAnswer(
            channel=n, ok=False, answer=f"{n} did not answer within {TEST_TIMEOUT_S:g} s")
            for n in names]
        failed = [a for a in answers if not a.ok]
        if failed:        # an error, so the audit trail does not record "ok: not accepted"
            return error(NOT_ACCEPTED, "; ".join(f"not accepted by {a.channel}: {a.answer}"
                                                 for a in failed),
                         NotifyTestResult(answers=answers))
        return ok(NotifyTestResult(answers=answers))
