"""Loopback TCP ports for tests: the one place a test process gets a port to bind or to find
closed.

Every port comes from one allocator per test process (free_ports, free_port_block), which
  - draws from the ports outside the OS's own range (local_port_range), so no connect()
    takes one as its local port and no bind(0) of anyone gets it;
  - gives each pytest-xdist process its own slice of them (PYTEST_XDIST_WORKER gwN of
    PYTEST_XDIST_WORKER_COUNT), so the two processes of `make test` never pick the same one;
  - moves one cursor through its slice for single ports and blocks alike, so a port handed
    out is never handed out again by this process (several riskds of one test: all distinct);
  - reserves each port it hands out for the whole machine (reserve: a lock on the port's byte
    of one lock file in the temp directory, held until this process ends), so no other test
    process, of this run or of another session's run on the same machine, hands it out
    while this one may still bind it; one reserved elsewhere is passed over;
  - checks each candidate free with a bind before handing it out (services that listen
    there, test processes of code without the reservation); a taken one is passed over.

Until 2026-12-06 tests took ports from bind(("127.0.0.1", 0)): the OS's range, where the
other xdist process picks too and every connect() takes its local port; `make test` lost
test_supervisor's kill-hard test to "cannot bind tcp://127.0.0.1:52223: Address already in
use" (the port was taken between the pick and riskd's bind). A first fix drew single ports
and blocks at random from one slice, each on its own: a block could cover a port just handed
out singly, and a config got one port twice ("expected a distinct address per endpoint").
Round 20: every run's gwN drew from the same slice, and the bind check cannot see a port
another session's test handed out but not bound yet (a riskd starting, a config written for
later): test_notify's publisher lost "Address already in use (addr='tcp://127.0.0.1:22780')"
beside another session's `make test`. The reservation closes that window.
"""
from __future__ import annotations

import os
import random
import socket
import tempfile
import threading
from typing import Callable, Mapping, Sequence

LOWEST = 10000       # below: well-known services, and riskd's own defaults (tcp 5550 ...)


def local_port_range() -> tuple[int, int]:
    """The ports the OS hands out by itself (bind to port 0, and the local end of every
    connect()): Linux's ip_local_port_range, elsewhere IANA's dynamic range (Windows, macOS);
    riskd warns of a config port inside it the same way (shared/portrange.py)."""
    from shared.portrange import ephemeral_range
    return ephemeral_range()


def port_pool(os_range: tuple[int, int] | None = None) -> list[int]:
    """Every port tests may use, ascending: LOWEST .. 65535 less the OS's range."""
    low, high = os_range or local_port_range()
    return [p for p in range(LOWEST, 65536) if not low <= p <= high]


def worker_index(environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """(this process's index, how many test processes): (N, COUNT) for pytest-xdist's gwN of
    PYTEST_XDIST_WORKER_COUNT, (0, 1) without xdist."""
    env = os.environ if environ is None else environ
    worker = env.get("PYTEST_XDIST_WORKER", "")
    if not (worker.startswith("gw") and worker[2:].isdigit()):
        return 0, 1
    index = int(worker[2:])
    try:
        count = int(env.get("PYTEST_XDIST_WORKER_COUNT", ""))
    except ValueError:
        count = 0
    return index, max(count, index + 1)


def worker_slice(pool: Sequence[int], index: int, count: int) -> Sequence[int]:
    """The index-th of count equal, disjoint parts of pool."""
    size = len(pool) // count
    if size == 0:
        raise RuntimeError(f"{len(pool)} ports are too few for {count} test processes")
    return pool[index * size:(index + 1) * size]


def bind_free(port: int) -> bool:
    """Whether port on 127.0.0.1 can be bound now (nobody listens, nothing holds it)."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


LOCK_FILE = os.path.join(tempfile.gettempdir(), "riskd-test-ports.lock")
_lock_fd: int | None = None
_lock_fd_pid = 0
_lock_fd_lock = threading.Lock()


def reserve(port: int) -> bool:
    """Reserve port for this process, machine-wide, until it ends: an exclusive lock on byte
    `port` of LOCK_FILE (POSIX record locks: the kernel drops them when the process ends, kill
    -9 included; a forked child holds none of its parent's). False when another process holds
    it. Where record locks are not to be had (no fcntl: Windows; a lock file another user made
    and this one may not write) every port is reserved: the bind check alone, as before."""
    global _lock_fd, _lock_fd_pid
    try:
        import fcntl
    except ImportError:
        return True
    with _lock_fd_lock:
        if _lock_fd is None or _lock_fd_pid != os.getpid():
            # one descriptor for the process's life: closing any descriptor of the file
            # would drop every lock the process holds on it
            try:
                fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError:
                return True
            try:
                os.fchmod(fd, 0o666)        # every user's test runs share it (umask aside)
            except OSError:
                pass                        # not ours: its maker set it
            _lock_fd, _lock_fd_pid = fd, os.getpid()
        try:
            fcntl.lockf(_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, port)
        except OSError:
            return False
    return True


def reserve_free(port: int) -> bool:
    """The allocator's check of a candidate: reserved for this process, and free now."""
    return reserve(port) and bind_free(port)


class PortAllocator:
    """Hands out ports of `ports` (ascending) once each: one cursor, from `start` round to
    where it began, for single ports and blocks alike. A candidate is_free rejects (reserved
    by another process, or taken) is passed over for good."""

    def __init__(self, ports: Sequence[int], start: int = 0,
                 is_free: Callable[[int], bool] = reserve_free):
        self.ports, self.is_free = ports, is_free
        self._next = start % len(ports) if ports else 0
        self._left = len(ports)            # positions the cursor has not passed yet
        self._lock = threading.Lock()

    def _advance(self, steps: int) -> None:
        self._next = (self._next + steps) % len(self.ports)
        self._left -= steps

    def _exhausted(self, what: str) -> RuntimeError:
        lo, hi = (self.ports[0], self.ports[-1]) if self.ports else (0, 0)
        return RuntimeError(f"no {what} left of this test process's {len(self.ports)} ports "
                            f"({lo}-{hi}): each is handed out once (tests/support/ports.py)")

    def take(self, n: int = 1) -> list[int]:
        """n distinct ports, each free when taken."""
        with self._lock:
            out: list[int] = []
            while len(out) < n:
                if self._left <= 0:
                    raise self._exhausted(f"{n} free ports")
                port = self.ports[self._next]
                self._advance(1)
                if self.is_free(port):
                    out.append(port)
            return out

    def take_block(self, count: int) -> int:
        """The first of count consecutive ports (port, port + 1, ...), all free when taken."""
        if count < 1:
            raise ValueError(f"a block of {count} ports")
        with self._lock:
            while True:
                if self._left < count:
                    raise self._exhausted(f"block of {count} free consecutive ports")
                if self._next + count > len(self.ports):    # past the slice's end: round
                    self._advance(len(self.ports) - self._next)
                    continue
                window = self.ports[self._next:self._next + count]
                gap = next((i for i in range(1, count) if window[i] != window[0] + i), None)
                if gap is not None:                 # the OS's range lies inside: after it
                    self._advance(gap)
                    continue
                taken = next((i for i, p in enumerate(window) if not self.is_free(p)), None)
                if taken is not None:               # passed over, with the ones before it
                    self._advance(taken + 1)
                    continue
                self._advance(count)
                return window[0]


_allocator: PortAllocator | None = None
_allocator_pid = 0
_allocator_lock = threading.Lock()


def allocator() -> PortAllocator:
    """This process's allocator: its xdist worker's slice of port_pool(), the cursor
    starting at a random place (another session's test process on the same slice starts
    elsewhere). A forked child gets its own, started at its own random place."""
    global _allocator, _allocator_pid
    with _allocator_lock:
        if _allocator is None or _allocator_pid != os.getpid():
            ports = worker_slice(port_pool(), *worker_index())
            _allocator = PortAllocator(ports, start=random.randrange(len(ports)))
            _allocator_pid = os.getpid()
        return _allocator


def free_ports(n: int) -> list[int]:
    """n distinct TCP ports on 127.0.0.1, free now, none handed out before by this process
    nor reserved by another."""
    return allocator().take(n)


def free_port() -> int:
    """One TCP port on 127.0.0.1, free now, never handed out before by this process: to bind,
    or for an address where nobody listens."""
    return allocator().take(1)[0]


def free_port_block(count: int) -> int:
    """The first of count consecutive TCP ports on 127.0.0.1, all free now and none handed
    out before by this process: for an address riskd counts ports from ([bus]
    risk_shards_from: shard k binds port + 2(k-1) and the next one)."""
    return allocator().take_block(count)
