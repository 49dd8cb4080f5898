"""One riskd per data dir: an exclusive OS lock on <data_dir>/riskd.lock held for the process life.

POSIX uses fcntl.flock, Windows msvcrt.locking. Either way the operating system
drops the lock when the holding process exits, however it exits (kill -9, a
crash, TerminateProcess), so a stale file never blocks a restart: the file's
content (the holder's pid) is only information for the error message.

    lock = acquire_instance_lock(data_dir)     # raises AlreadyRunning
    ...                                        # run; lock.release() or just exit

The descriptor is not inherited by child processes (Python's default since
PEP 446), so workers never keep the supervisor's lock alive after it dies.
"""
from __future__ import annotations

import os
import sys
import time

LOCK_NAME = "riskd.lock"
EXIT_ALREADY_RUNNING = 75     # EX_TEMPFAIL: riskd's exit code when another copy holds the lock
# Windows locks byte ranges and a locked byte cannot be read by anyone else,
# so the lock sits far past the pid text at offset 0 (locking past the end of
# the file is allowed) and a refused second copy can still read the pid.
_WIN_LOCK_OFFSET = 1 << 30
_PID_READ_DEADLINE = 0.5      # s: the holder writes its pid right after locking


class AlreadyRunning(RuntimeError):
    """Another live process holds the lock on this data dir."""

    def __init__(self, data_dir: str, pid: int | None):
        self.data_dir = data_dir
        self.pid = pid
        super().__init__(f"riskd is already running with data dir {data_dir} "
                         f"(pid {pid if pid is not None else 'unknown'})")


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_pid(fd: int) -> int | None:
    """The holder's pid from the file, waiting briefly in case it is being written."""
    deadline = time.monotonic() + _PID_READ_DEADLINE
    while True:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
        if text.isdigit():
            return int(text)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


class InstanceLock:
    """The lock on one data dir; acquire() once, release() (or exit) to give it up."""

    def __init__(self, data_dir: str, name: str = LOCK_NAME):
        self.data_dir = os.path.abspath(data_dir)
        self.path = os.path.join(self.data_dir, name)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "InstanceLock":
        """Take the lock or raise AlreadyRunning naming the data dir and the holder's pid."""
        if self._fd is not None:
            return self
        os.makedirs(self.data_dir, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        if not _try_lock(fd):
            pid = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning(self.data_dir, pid)
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (idempotent). The file stays: deleting it would race a new holder."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "InstanceLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def acquire_instance_lock(data_dir: str) -> InstanceLock:
    """Lock data_dir for this process's lifetime; raises AlreadyRunning if a live riskd has it."""
    return InstanceLock(data_dir).acquire()
