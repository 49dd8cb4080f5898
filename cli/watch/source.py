"""Where the watch screen's data comes from: snapshots from riskd plus its live PUB streams.

A background thread (the screen's loop must never wait on the network) asks
the supervisor's control socket once a second for the worker table, risk's
account status and market's broker connection state (the snapshot), and in
between reads the PUB streams: risk 'status.<account>' and 'decision',
enforcement 'result', market 'conn', the supervisor's 'worker' events.
Everything is handed to the screen's thread through a queue as catalog
messages plus model.Reachability / model.RiskUnavailable notes. Every
request has a deadline; silence becomes "riskd not reachable" and the thread
simply keeps asking, so the screen recovers by itself when riskd is back.

Only this riskd's messages are shown. Every bus frame carries the sending riskd's instance id
(shared/codec.py); the watch learns its riskd's id from the supervisor's answer on the
control socket (held by that supervisor for riskd's whole life), or, while the supervisor is
gone, from the answer of a worker it left running (cli/watch/direct.py). A frame of another
riskd (one on the same ports whose worker holds a port this riskd's worker left free) is
dropped and said once per sender on the screen (model.ForeignSeen), until none of its frames
came for FOREIGN_FORGET s (model.ForeignGone); frames that come before the id is known are not
shown either (the first snapshot comes before the first read). A restart of this riskd gives it
a new id: the frames of its new run that came before the snapshot learned it, and those of its
earlier runs, are this riskd's, never "another riskd" (trial16a finding 4).
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Any, Optional

import zmq

from cli import configfile, whichriskd
from cli.accountnames import file_labels
from cli.watch import direct
from shared.actedby import command_id, journal_of
from cli.context import listening

from shared import codec, shards, topics
from shared.bus.publisher import COPY_MARK
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.bus.sockets import make_socket
from shared.config.sections import BusConfig
from shared.config.trading_day import TradingDayConfig
from shared.messages.control import ControlRequest, StatusRequest, SupervisorStatus
from shared.messages.enforce import EnforcementStatus, EnforcementStatusRequest
from shared.messages.market import PositionsRequest, PositionsTable
from shared.messages.risk import (HistoryReply, HistoryRequest, RiskStatusReply,
                                  RiskStatusRequest)
from shared.messages.system import Reply
from cli.watch.model import (ActionsUnknown, FileLabels, ForeignGone, ForeignSeen, OtherRiskd,
                             OutcomesUnknown, Reachability, RiskUnavailable, risk_unavailable)

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 1.0
FOREIGN_FORGET = 30.0         # s without a frame of another riskd: its line leaves the screen
SUPERVISOR_TIMEOUT = 1.0      # the supervisor answers from memory: silence means it is gone
WORKER_TIMEOUT = 3.5          # forwarded requests: the supervisor's own forward deadline is 3 s
HISTORY_RETRY = 5.0           # s: today's actions asked again while risk or enforcement cannot say
# WARNING: risk's note of a fill taken as a close carried out late is a LAST ACTIONS row (quietrows)
TOPICS = (topics.status(""), topics.DECISION, topics.WARNING, topics.RESULT, topics.CONNECTION,
          topics.WORKER, topics.LOCKOUT)     # LOCKOUT: how LAST ACTIONS' lockouts ended


def read_tables(config_path: str) -> tuple[BusConfig, Any]:
    """[bus] and [trading_day] from the config, leniently (the rest is riskd's business).

    Returns (bus, calendar); a table that does not parse falls back to the defaults.
    """
    try:
        data = configfile.tables(config_path)
    except OSError:
        data = {}
    try:
        bus = BusConfig(**{k: v for k, v in (data.get("bus") or {}).items()
                           if k in BusConfig.address_keys() or k == "allow_remote"})
    except Exception:
        bus = BusConfig()
    try:
        table = data.get("trading_day") or {}
        cfg = TradingDayConfig(**{k: v for k, v in table.items()
                                  if k in ("roll", "timezone", "holidays", "holidays_file",
                                           "roll_changed_after")})
        calendar = cfg.calendar(os.path.dirname(os.path.abspath(config_path)))
    except Exception:
        calendar = TradingDayConfig().calendar()
    return bus, calendar


def read_risk_shards(config_path: str) -> int:
    """The number of risk shards riskd runs (cli/configfile.risk_shards: the file's, or the
    count risk's state was kept for while riskd holds it)."""
    return configfile.risk_shards(config_path)


COPY_MARK_BYTES = COPY_MARK.encode()


class Source:
    """The background thread feeding the screen; drain() returns what arrived since last time."""

    def __init__(self, bus: BusConfig, snapshot_every: float = SNAPSHOT_EVERY,
                 day_start: Optional[Any] = None, risk_shards: int = 1,
                 config_path: str = ""):
        self.bus = bus
        self.config_path = config_path      # where the workers' pid files are (supervisor gone)
        self.risk_pubs = [shards.addresses(bus, k)[0] for k in range(risk_shards)]
        self.risk_shards = risk_shards
        self.day_start = day_start          # now_ns -> the trading day's start (for history)
        self._history_due = True            # at start, and again after riskd was unreachable
        self._history_next = 0.0            # monotonic: not before (a retry while one cannot say)
        self._asked_while_starting = False  # the last ask failed while a risk worker was not
                                            # running: asked again as soon as it runs
        self._direct_done = False           # today's actions read from the workers themselves
        self.snapshot_every = snapshot_every
        self._queue: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.instance: Optional[bytes] = None   # this riskd's id once one of it answered
        self.foreign: dict[bytes, float] = {}   # other riskds' ids said on the screen: when
                                                # (monotonic) one of their frames last came
        self.earlier: set[bytes] = set()        # this riskd's ids before its restarts
        self.shown: set[bytes] = set()          # the foreign ids the screen was told of
        self.publishers: dict[bytes, str] = {}  # and who of them sent the first frame
        self.known = False    # the last snapshot reached this riskd (or its workers, when
                              # its supervisor is gone): a new id is then not its restart

    def start(self) -> "Source":
        self._thread = threading.Thread(target=self._run, name="watch-source", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, limit: int = 10_000) -> list:
        out = []
        while len(out) < limit:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return out

    # -- the thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        ctx = zmq.Context.instance()
        sub = make_socket(ctx, zmq.SUB, connect=[*self.risk_pubs, self.bus.enforcement_pub,
                                                  self.bus.market_pub, self.bus.events],
                          hwm=10_000)
        sub.setsockopt(zmq.RECONNECT_IVL, 200)
        sub.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
        for topic in TOPICS:
            sub.setsockopt(zmq.SUBSCRIBE, topic.encode())
        client = RpcClient(self.bus.control, "riskd", timeout=SUPERVISOR_TIMEOUT, retries=0,
                           ctx=ctx, name="riskctl-watch")
        next_snapshot = 0.0
        try:
            while not self._stop.is_set():
                if time.monotonic() >= next_snapshot:
                    self.snapshot(client)
                    self.forget_foreign()
                    next_snapshot = time.monotonic() + self.snapshot_every
                if sub.poll(100):
                    self._read(sub)
        finally:
            client.close()
            sub.close(0)

    def _read(self, sub) -> None:
        for _ in range(1000):
            try:
                frames = sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            if frames[0].endswith(COPY_MARK_BYTES):
                # a publisher's copy of what it sent in its last seconds, for alert makers
                # that joined late (shared/bus/publisher.py): older than what this screen may
                # have read live already (a copy of "disconnected" after "connected" showed
                # the broker disconnected), and the screen reads riskd's history itself
                continue
            if self.instance is None:
                continue                  # whose riskd it is is not known yet: not shown
            try:
                self._queue.put(codec.decode(frames[-1], self.instance).msg)
            except codec.ForeignFrame as foreign:
                if foreign.instance not in self.earlier:   # not this riskd's earlier run
                    self.said_foreign(foreign)
            except codec.DecodeError:
                continue                  # a frame we cannot read is not worth a crash

    def learned(self, instance: bytes) -> None:
        """The riskd that answered (its supervisor, or a worker it left running): its id is
        the one the bus's frames must carry to be shown (b"": a riskd that sends none). A new
        id at the same control socket is this riskd restarted (another config's riskd there
        is said by OtherRiskd): its frames read before, and those of its earlier run, are no
        other riskd's."""
        if self.instance == instance:
            return
        if self.instance is not None:
            self.earlier.add(self.instance)
        self.instance = instance
        for own in [i for i in self.foreign if i == instance or i in self.earlier]:
            self.forgot(own)

    def said_foreign(self, foreign: codec.ForeignFrame) -> None:
        """Another riskd's frame: not shown. The screen says so once per sender, from the
        next snapshot that reached this riskd on (before it, the frame may be this riskd's
        own new run after a restart, not yet learned), while its frames keep coming."""
        if foreign.instance not in self.foreign and len(self.foreign) >= 8:
            return
        self.foreign[foreign.instance] = time.monotonic()
        self.publishers.setdefault(foreign.instance, foreign.publisher)

    def forget_foreign(self, now: Optional[float] = None) -> None:
        """After a snapshot: the other riskds not said yet are said, once this riskd is known
        (it answered, or its supervisor is gone and its workers are asked); those none of
        whose frames came for FOREIGN_FORGET s leave the screen (a banner for a riskd that is
        gone said to change ports for good)."""
        now = time.monotonic() if now is None else now
        for instance, at in list(self.foreign.items()):
            if now - at >= FOREIGN_FORGET:
                self.forgot(instance)
            elif instance not in self.shown and self.known:
                self.shown.add(instance)
                self._queue.put(ForeignSeen(instance=instance.decode("utf-8", "replace"),
                                            publisher=self.publishers.get(instance, "")))

    def forgot(self, instance: bytes) -> None:
        """No longer said: gone, or this riskd's own run."""
        del self.foreign[instance]
        self.publishers.pop(instance, None)
        if instance in self.shown:
            self.shown.discard(instance)
            self._queue.put(ForeignGone(instance=instance.decode("utf-8", "replace")))

    def _ask(self, client: RpcClient, msg, timeout: float) -> Reply:
        reply = client.call(ControlRequest(command=msg), timeout=timeout, retries=0)
        if not isinstance(reply, Reply):
            raise RpcTimeout("riskd", client.address, timeout)
        return reply

    def history(self, client: RpcClient, since_ns: int) -> bool:
        """Today's actions so far (riskd's history) and their outcomes (enforcement's journal),
        so LAST ACTIONS is not only what happened since the screen opened. True when done;
        False while risk or enforcement could not say (asked again HISTORY_RETRY s later)."""
        if time.monotonic() < self._history_next:
            return False
        got = todays_actions(lambda m: self._ask(client, m, WORKER_TIMEOUT), since_ns)
        for msg in got:
            self._queue.put(msg)
        self._history_next = time.monotonic() + HISTORY_RETRY
        return not any(isinstance(m, (ActionsUnknown, OutcomesUnknown)) for m in got)

    def unreachable(self, why: str, now_ns: int) -> Reachability:
        """No answer: when nothing listens on the control socket, what `riskctl status` says
        (riskd is not running, or only its supervisor is gone and its workers still run)."""
        if not self.config_path or listening(self.bus.control):
            return Reachability(ok=False, reason=why, ts_ns=now_ns)
        from cli.notrunning import orphans    # noqa: PLC0415 -- sqlite3, when riskd is gone
        seen = orphans(self.config_path, self.bus.control)     # as `riskctl status` says
        return Reachability(ok=False, reason=seen.text(), ts_ns=now_ns, gone=True,
                            left=tuple(name for name, _ in seen.running),
                            configured=seen.configured, alive_ns=seen.alive_ns)

    def without_supervisor(self, left: tuple, now_ns: int) -> None:
        """The supervisor is gone (killed hard) and `left` still run: the accounts' names from
        the config file, risk's figures and, once while the supervisor is gone (again after a
        HISTORY_RETRY while risk or enforcement cannot say), today's actions from risk itself
        and their outcomes from enforcement itself (cli/watch/direct.py). Later actions come
        on risk's and enforcement's own streams, which this screen reads anyway."""
        self._queue.put(FileLabels(labels=file_labels(self.config_path)))
        ask = direct.Asker(self.bus, self.risk_shards, left, instance=self.instance)
        if not ask.risk_left():     # nobody to ask: said, never left to read as "none today"
            down = [n for n in ask.risks if n not in ask.left]
            self._queue.put(ActionsUnknown(
                reason=f"{', '.join(down)} {'is' if len(down) == 1 else 'are'} not running"))
            return
        for note in ask.status():
            self._queue.put(note)
        if self.instance is None and ask.answered_by is not None:
            self.learned(ask.answered_by)       # a worker of this riskd's (its pid file)
        if self._direct_done or self.day_start is None \
                or time.monotonic() < self._history_next:
            return
        got = todays_actions(ask, self.day_start(now_ns))
        for msg in got:
            self._queue.put(msg)
        self._history_next = time.monotonic() + HISTORY_RETRY
        self._direct_done = not any(isinstance(m, (ActionsUnknown, OutcomesUnknown))
                                    for m in got)

    def snapshot(self, client: RpcClient) -> None:
        now = time.time_ns()
        try:
            status = self._ask(client, StatusRequest(), SUPERVISOR_TIMEOUT)
        except RpcTimeout as exc:
            note = self.unreachable(str(exc), now)
            self.known = note.gone and bool(note.left) and self.instance is not None
            self._queue.put(note)
            self._history_due = True              # asked again once riskd answers
            if note.gone:
                # the supervisor is gone: what its workers still running know, asked of them
                # (a watch opened now said "LAST ACTIONS none today" and the broker's names)
                self.without_supervisor(note.left, now)
            return
        self.learned(client.answered_by)      # the supervisor on riskd's control socket
        self.known = True
        self._queue.put(Reachability(ok=True, ts_ns=now))
        self._direct_done = False           # a supervisor gone later: its workers asked again
        if self._history_due and self.day_start is not None:
            body = status.body if status.ok and isinstance(status.body, SupervisorStatus) \
                else None
            down = body is None or risk_not_running(body)
            if self._asked_while_starting and not down:
                # refused while risk was starting: asked again now it runs, not HISTORY_RETRY
                # later (trial16g: "later actions cannot be read (risk is starting ..." under
                # a header showing risk running)
                self._history_next = 0.0
            self._history_due = not self.history(client, self.day_start(now))
            self._asked_while_starting = self._history_due and down
        if status.ok and isinstance(status.body, SupervisorStatus):
            self._queue.put(status.body)
            if self.config_path:      # the riskd of another config (cli/whichriskd.py)
                other = whichriskd.compare(self.config_path, self.bus.control,
                                           status.body.config_path, status.body.data_dir)
                self._queue.put(OtherRiskd(text=other.screen() if other else ""))
        if self._stop.is_set():
            return
        try:
            risk = self._ask(client, RiskStatusRequest(), WORKER_TIMEOUT)
        except RpcTimeout as exc:
            risk = None
            self._queue.put(RiskUnavailable(reason=str(exc)))
        if risk is not None:
            if risk.ok and isinstance(risk.body, RiskStatusReply):
                self._queue.put(risk.body)
            else:               # the last known figures, if the supervisor sent them, then why
                for note in risk_unavailable(risk):
                    self._queue.put(note)
        if self._stop.is_set():
            return
        try:
            market = self._ask(client, PositionsRequest(), WORKER_TIMEOUT)
        except RpcTimeout:
            return
        if market.ok and isinstance(market.body, PositionsTable):
            self._queue.put(market.body)


def risk_not_running(status: SupervisorStatus) -> bool:
    """A risk worker (a shard) of this status is not running: its history cannot be read."""
    return any(shards.base_name(w.name) == shards.RISK and w.state != "running"
               for w in status.workers)


def todays_actions(ask, since_ns: int) -> list:
    """[HistoryReply, EnforcementStatus] for the actions since since_ns; ask(msg) -> Reply.
    What could not be had is said, never left to read as a fact: ActionsUnknown when the
    history did not come (LAST ACTIONS is not "none"), OutcomesUnknown after the outcomes the
    supervisor knows when enforcement could not answer (not "pending"). The screen goes on."""
    try:
        reply = ask(HistoryRequest(since_ns=since_ns, limit=500))
    except (RpcTimeout, Exception) as exc:  # noqa: BLE001 -- history is a bonus, never a failure
        return [ActionsUnknown(reason=str(exc) or type(exc).__name__)]
    if not reply.ok or not isinstance(reply.body, HistoryReply):
        return [ActionsUnknown(reason=reply.reason or reply.code)]
    out: list = [reply.body]
    ids = [cid for cid in map(command_id, reply.body.decisions) if cid is not None]
    if ids:
        try:
            commands, why = journal_of(ask(EnforcementStatusRequest(command_ids=ids)),
                                       reply.body.decisions)
        except (RpcTimeout, Exception) as exc:  # noqa: BLE001
            commands, why = [], str(exc) or type(exc).__name__
        out.append(EnforcementStatus(commands=commands))
        known = {c.command_id for c in commands}      # a pending one is known: it waits
        if why and any(cid not in known for cid in ids):
            out.append(OutcomesUnknown(reason=why, command_ids=tuple(
                cid for cid in ids if cid not in known)))
    return out
