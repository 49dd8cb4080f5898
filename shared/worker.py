"""The worker base: the lifecycle every riskd process shares.

Parse --config, set up logging, bind the worker's PUB and control sockets,
answer Ping and Stop (Stop, like every gated request, only with the control key:
shared/controlkey.py), publish a heartbeat every second, run timers (every(): repeating,
after(): once) and socket handlers from one poll loop (never a blocking recv), exit cleanly on
SIGTERM/SIGINT (and CTRL_BREAK on Windows), close sockets with linger 0.
"""
from __future__ import annotations

import heapq
import math
import logging
import os
import sys
from typing import Any, Callable, NamedTuple, Optional

import attrs
import zmq

from shared import controlkey, gencode, topics
from shared.beside import POLL_S, Beside
from shared.crashpoint import crash_point
from shared.bus.publisher import Publisher
from shared.porttaken import BindFailed, explain
from shared.bus.rpc import handle_request
from shared.bus.sockets import make_socket
from shared.bus.subscriber import Subscriber
from shared.clock import SYSTEM_CLOCK, Clock
from shared.config import Config, ConfigError, LoadedConfig, load_config
from shared.config import pinned, restartwho
from shared.config.live import apply_live
from shared.messages.control import ConfigChanged
from shared.logsetup import apply_config as apply_logging_config, setup_logging, sign_audit
from shared.signals import drain_wake_fd, install_stop_handlers, wake_fd_on_signal
from shared.exitwords import EXIT_CONFIG, EXIT_PORT_TAKEN
from shared.messages.system import Heartbeat, Ping, Pong, Reply, Stop, error, ok

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = 1.0
# The longest the loop waits in its poll. Where a stop signal wakes the poll (a wake fd: POSIX)
# the loop waits for its next timer or a socket, nothing else: an idle worker wakes only for
# what it has to do (issue 21: every worker woke 10 times a second to find nothing due).
# Where no signal can wake it (Windows) it looks every POLL_MS, so a stop is seen that fast.
POLL_MS = 100
WAKE_POLL_MS = 5000
ONCE = None          # the interval of a timer that runs once (Worker.after)
# A repeating timer runs on its interval's grid of the monotonic clock (whole seconds for a 1 s
# timer, tenths for a 0.1 s one; the clock is the machine's, so the same in every process):
# a process's timers of one interval, or of intervals that divide each other, fall due in the
# same turn of its loop, and every riskd process's heartbeat reaches the supervisor and notify
# at about the same moment, so each wakes once for all of them, not once each (round 16,
# issue 21: an idle riskd woke ~45 times a second, most of them for timers a few ms apart).
GRID_EPS = 1e-6      # of an interval: a due time a float's error short of a grid point is on it


def on_grid(t: float, interval: float) -> float:
    """The last point of the interval's grid at or before t (a repeating timer's due time),
    to the ns: 30 x 0.1 s is 3.0 s as 3 x 1 s is, not 3.0000000000000004."""
    return round(math.floor(t / interval + GRID_EPS) * interval, 9)
# The token the supervisor gave this process when it spawned it; echoed in every Pong so the
# supervisor knows this process is its worker whatever its pid (services/supervisor/children.py).
SPAWN_TOKEN = os.environ.get("RISKD_WORKER_TOKEN", "")


# A worker whose other threads hold the GIL while they parse (hub threads, HTTP pool threads,
# the sim's burst and HTTP threads) hands it over after this long instead of CPython's 5 ms, so
# the thread that has a fill, a command or a broker's answer to pass on does not wait for it.
GIL_SWITCH_INTERVAL = 0.0005


class Worker:
    """Subclass and override setup()/teardown(); register sockets, timers and request handlers."""

    name = "worker"
    threaded = False     # True: other threads hold the GIL; hand it over sooner (see above)

    @classmethod
    def process_name(cls, loaded: LoadedConfig) -> str:
        """The name this process logs under (a risk shard's is risk-k)."""
        return cls.name

    def __init__(self, loaded: LoadedConfig, clock: Clock = SYSTEM_CLOCK,
                 ctx: zmq.Context | None = None):
        self.loaded = loaded
        self.config = loaded.config
        self._file_config = loaded.config    # the file as last read (restart-only keys: reload)
        self.clock = clock
        self.ctx = ctx or zmq.Context.instance()
        self.started_ns = clock.now_ns()
        self.stopping = False
        self._readers: dict[Any, Callable[[], None]] = {}
        self._timers: list[tuple[float, int, Optional[float], Callable[[], None]]] = []
        self._timer_seq = 0
        self._handlers: dict[type, Callable[[Any], Reply]] = {}
        self.poller = zmq.Poller()
        self.pub: Publisher | None = None
        self.control: zmq.Socket | None = None
        self._sockets: list[zmq.Socket] = []
        self._events: Subscriber | None = None
        self.config_generation = 0
        self.config_note = ""         # ConfigChanged.note of the reload on_config runs for
        self.control_key = ""     # gated requests need it (shared/controlkey.py); read in bind()
        self.max_wait_ms = POLL_MS    # WAKE_POLL_MS once a stop signal can wake the poll (run)
        self.wakes_on_signal = False  # a signal ends the poll at once (a wake fd; set in run)

    # -- registration -------------------------------------------------------
    def socket(self, kind: int, **kwargs) -> zmq.Socket:
        sock = make_socket(self.ctx, kind, **kwargs)
        self._sockets.append(sock)
        return sock

    def add_reader(self, sock, callback: Callable[[], None]) -> None:
        self._readers[sock] = callback
        self.poller.register(sock, zmq.POLLIN)

    def remove_reader(self, sock) -> None:
        if sock in self._readers:
            del self._readers[sock]
            self.poller.unregister(sock)

    def every(self, interval: float, callback: Callable[[], None], first: float | None = None) -> None:
        """Run callback every interval seconds (monotonic), on the interval's grid (on_grid:
        the first run at most `interval` after now, at the grid point before it), or first
        after exactly `first` seconds and on the grid from then on."""
        self._timer_seq += 1
        now = self.clock.monotonic()
        due = on_grid(now + interval, interval) if first is None else now + first
        heapq.heappush(self._timers, (due, self._timer_seq, interval, callback))

    def after(self, delay: float, callback: Callable[[], None]) -> None:
        """Run callback once, delay seconds (monotonic) from now; then it is gone. One added
        while the timers run waits for the next round (an after(0) that adds itself again
        does not spin the loop)."""
        self._timer_seq += 1
        due = self.clock.monotonic() + max(0.0, delay)
        heapq.heappush(self._timers, (due, self._timer_seq, ONCE, callback))

    def beside(self, call: Callable[[], Any],
               done: Callable[[Any, Optional[Exception]], None]) -> None:
        """Run a blocking call in a thread beside the loop (shared/beside.py); done(value,
        exception) runs in the loop once it has ended."""
        running = Beside(call, name=f"{self.name}-beside")

        def check() -> None:
            outcome = running.outcome()
            if outcome is None:
                self.after(POLL_S, check)
            else:
                done(*outcome)
        self.after(POLL_S, check)

    def handle(self, request_type: type, handler: Callable[[Any], Reply]) -> None:
        if request_type in self._handlers:
            raise ValueError(f"{self.name}: a handler for {request_type.__name__} exists already")
        self._handlers[request_type] = handler

    # -- hooks ----------------------------------------------------------------
    def setup(self) -> None:
        """Bind/connect the worker's own sockets."""

    def teardown(self) -> None:
        """Release what setup() took (sockets are closed by the base)."""

    # -- built-in behaviour -----------------------------------------------------
    def _dispatch(self, request: Any) -> Reply:
        request, refused = controlkey.opened(request, self.control_key, self.name)
        if refused is not None:
            return refused
        handler = self._handlers.get(type(request))
        if handler is None:
            return error("unknown_request",
                         f"{self.name} does not handle {type(request).__name__}")
        return handler(request)

    def _on_ping(self, _req: Ping) -> Reply:
        return ok(Pong(name=self.name, pid=os.getpid(), started_ns=self.started_ns,
                       config_generation=self.config_generation, token=SPAWN_TOKEN))

    def _on_stop(self, req: Stop) -> Reply:
        log.info("stop requested%s", f": {req.reason}" if req.reason else "")
        self.stopping = True
        return ok(reason=f"{self.name} is stopping")

    def _on_control(self) -> None:
        while True:
            try:
                frame = self.control.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.control.send(handle_request(frame, self._dispatch, self.name))

    # -- live config --------------------------------------------------------------
    def on_config(self, old: Config, new: Config) -> None:
        """Hook: the config changed and was applied live (restart-only sections kept as before)."""

    def _on_events(self) -> None:
        while True:
            received = self._events.recv()
            if received is None:
                if not self._events.sock.poll(0):
                    return
                continue
            msg = received.msg
            if isinstance(msg, ConfigChanged) and msg.ok:
                self.config_note = msg.note      # read by on_config: who and why, if said
                try:
                    self.reload_config(msg.digest)
                finally:
                    self.config_note = ""

    def reload_config(self, digest: str = "") -> bool:
        """Re-read the config file and apply what may change live; keep the old one on error."""
        try:
            fresh = load_config(self.loaded.path)
        except ConfigError as exc:
            log.error("%s: config reload refused, keeping the running config:\n%s",
                      self.name, exc.render())
            return False
        if digest and fresh.digest != digest:
            log.info("%s: config changed again since the announced reload; waiting for the next",
                     self.name)
            return False
        effective, _sections = apply_live(self.config, fresh.config)
        old = self.config
        # this edit's restart-only keys that this worker reads, said once: compared with the
        # file as last read, not with what it runs (trial 15b: risk and logging warned
        # "these settings change only after a restart: broker" at every later edit), less
        # those set back to the value it runs (trial 15c: set back, still "takes effect when")
        mine = [k for k, who in restartwho.plan(self._file_config, fresh.config).keys.items()
                if self.name in who and restartwho.value_of(fresh.config, k)
                != restartwho.value_of(self.config, k)]
        self._file_config = fresh.config
        self.loaded = attrs.evolve(fresh, config=effective)
        self.config = effective
        if mine:    # the supervisor's "not in force yet" line says it once for all (trial 15c)
            log.debug("%s: %s %s effect when %s restarts (`riskctl restart %s`); it keeps "
                      "the old value until then", self.name, ", ".join(mine),
                      "take" if len(mine) > 1 else "takes", self.name, self.name)
        self.config_generation += 1
        apply_logging_config(effective)     # new [logging] level and secrets to mask
        self.on_config(old, effective)
        return True

    def bad_frames(self) -> int:
        """Frames this worker could not decode (subclasses add their subscribers' counts)."""
        return 0

    def heartbeat(self) -> None:
        self.pub.publish(topics.HEARTBEAT, Heartbeat(
            name=self.name, pid=os.getpid(), started_ns=self.started_ns,
            bad_frames=self.bad_frames()))

    def request_stop(self, *_args) -> None:
        self.stopping = True

    # -- the loop ---------------------------------------------------------------
    def _run_timers(self) -> float:
        now = self.clock.monotonic()
        last = self._timer_seq           # timers added from here on wait for the next round
        while self._timers and self._timers[0][0] <= now and self._timers[0][1] <= last:
            due, seq, interval, callback = heapq.heappop(self._timers)
            try:
                callback()
            except Exception:
                log.exception("%s: timer %s failed", self.name, getattr(callback, "__name__", callback))
            if interval is ONCE:          # after(): not pushed back
                continue
            next_due = on_grid(due + interval, interval)
            if next_due <= now:           # fell behind: do not fire in a burst
                next_due = on_grid(now + interval, interval)
            heapq.heappush(self._timers, (next_due, seq, interval, callback))
        if not self._timers:
            return self.max_wait_ms
        # round up: pyzmq truncates a float timeout, and 0.9 ms -> 0 would spin the loop
        return max(0, min(self.max_wait_ms, math.ceil((self._timers[0][0] - now) * 1000)))

    def publisher(self, address: str) -> Publisher:
        """The worker's PUB: an XPUB, so what it published on the kept topics in the last
        seconds reaches a subscriber that (re)connects only then (shared/bus/publisher.py);
        the subscriptions that reach it are handed to on_subscribed."""
        pub = Publisher(self.socket(zmq.XPUB, bind=address), self.name, self.clock,
                        keep=topics.KEPT)
        self.add_reader(pub.sock, lambda: self.on_subscribed(pub.subscriptions()))
        return pub

    def on_subscribed(self, prefixes: list[str]) -> None:
        """Hook: these topic prefixes were just subscribed to on the worker's PUB (what was
        kept for late subscribers has been sent again already)."""

    def bind(self) -> None:
        """Bind the PUB and control sockets (the supervisor binds its own pair instead)."""
        bus = self.config.bus
        self.control_key = controlkey.for_worker(controlkey.run_dir_of(self.loaded.data_dir))
        sign_audit(self.control_key)         # its audit records prove they are riskd's
        self.pub = self.publisher(bus.pub(self.name))
        self.control = self.socket(zmq.REP, bind=bus.control_of(self.name))
        self.add_reader(self.control, self._on_control)
        self._events = Subscriber(self.socket(zmq.SUB, connect=bus.events))
        self._events.subscribe(topics.CONFIG)
        self.add_reader(self._events.sock, self._on_events)

    def run(self) -> int:
        crash_point(f"{self.name}.starting")   # tests only (shared/crashpoint.py): before it is up
        self.bind()
        self.handle(Ping, self._on_ping)
        self.handle(Stop, self._on_stop)
        if self.threaded:
            sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        self.setup()
        wake = wake_fd_on_signal()           # a stop signal ends the poll at once
        if wake is not None:
            self.add_reader(wake, lambda: drain_wake_fd(wake))
            self.max_wait_ms = WAKE_POLL_MS
            self.wakes_on_signal = True
        self.every(HEARTBEAT_INTERVAL, self.heartbeat, first=0)
        log.info("%s running (pid %d)", self.name, os.getpid())
        try:
            while not self.stopping:
                timeout = self._run_timers()
                for sock, _event in self.poller.poll(timeout):
                    callback = self._readers.get(sock)
                    if callback is None:
                        continue
                    try:
                        callback()
                    except Exception:
                        log.exception("%s: handler failed", self.name)
        finally:
            try:
                self.teardown()
            finally:
                for sock in self._sockets:
                    sock.close(0)
        log.info("%s stopped", self.name)
        return 0


class Args(NamedTuple):
    """What a riskd process is started with."""
    config: str
    config_snapshot: Optional[str] = None


OPTIONS = {"--config": "config", "--config-snapshot": "config_snapshot"}


def parse_args(prog: str, argv: list[str] | None = None) -> Args:
    """`--config FILE [--config-snapshot FILE]`, as the supervisor (and a service manager)
    starts a process, read without argparse: an ArgumentParser cost every process ~0.8 MB
    (argparse, gettext, and through its help formatter shutil, lzma, bz2; docs/performance.md,
    "Memory"). Anything else (--help, an unknown or abbreviated option, a missing value) goes
    to argparse as before, for its usage text and its error (exit 2)."""
    args = sys.argv[1:] if argv is None else list(argv)
    return _plain(args) or _with_argparse(prog, args)


def _plain(args: list[str]) -> Optional[Args]:
    """The arguments when they are only the two options, each once, each with a value that is
    not an option; else None."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        option, eq, value = args[i].partition("=")
        if option not in OPTIONS or OPTIONS[option] in found:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        if not value or value.startswith("-"):
            return None
        found[OPTIONS[option]] = value
        i += 1
    return Args(**found) if "config" in found else None


def _with_argparse(prog: str, args: list[str]) -> Args:
    import argparse     # only for what _plain does not read: help and errors
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--config", required=True, help="path to riskd.toml")
    parser.add_argument("--config-snapshot", default=None, metavar="FILE",
                        help="run on this copy of the config's last good text (the supervisor "
                             "passes it: a file broken on disk never stops a restart)")
    parsed = parser.parse_args(args)
    return Args(parsed.config, parsed.config_snapshot)


def load_or_exit(path: str, prog: str, snapshot: str | None = None,
                 way_out: Optional[Callable[[ConfigError], str]] = None) -> LoadedConfig:
    """The config to run on: the supervisor's snapshot of the last good text when given (read
    as `path`), else the file itself, with the riskd-wide sections of the supervisor that
    started this worker, if one did (shared/config/pinned.py); exit 78 (EX_CONFIG) when it
    does not validate. way_out(error): what to do about it, said after the problems."""
    if snapshot and not os.path.exists(snapshot):
        print(f"{prog}: the config snapshot {snapshot} is gone; reading {path} itself",
              file=sys.stderr)
        snapshot = None
    try:
        return pinned.apply(load_config(path, text_from=snapshot))
    except ConfigError as exc:
        hint = way_out(exc) if way_out is not None else ""
        print(f"{prog}: refusing to start, the config is invalid:\n{exc.render()}"
              + (f"\n{hint}" if hint else ""), file=sys.stderr)
        sys.exit(EXIT_CONFIG)


def main(worker_cls: type[Worker], argv: list[str] | None = None) -> int:
    """Entry point for `python -m services.<name> --config FILE`."""
    args = parse_args(f"services.{worker_cls.name}", argv)
    loaded = load_or_exit(args.config, worker_cls.name, args.config_snapshot)
    process = worker_cls.process_name(loaded)
    setup_logging(process, loaded.config.logging.level, config=loaded.config)
    worker = worker_cls(loaded)
    gencode.started()       # its classes are built: keep their code, free the store
    install_stop_handlers(worker.request_stop)
    try:
        return worker.run()
    except OSError as exc:
        log.error("%s cannot start: %s", worker_cls.name,
                  explain(exc, loaded.config, loaded.path))
        # a port in use: its own exit code, for the crash and flapping alerts (trial 14b)
        return EXIT_PORT_TAKEN if isinstance(exc, BindFailed) and exc.in_use else 1
