"""What holds a TCP port riskd could not bind, when this machine tells (Linux's /proc/net/tcp).

Fresh-user trial 21b: market crash-looped on "cannot bind tcp://127.0.0.1:47422: Address
already in use. Another riskd on this machine (or another program) may hold that port" while
`ss -tan` showed `127.0.0.1:47422 127.0.0.1:47422`: a TCP connection of the machine to itself
(a connect to 47422, which only riskd's own workers make, while nothing listened there got
47422 as its own local end; 47422 lies inside the OS's ephemeral range). holder_words() reads
the sockets on the port and says which of these holds it: such a connection to itself, the
local end of an outgoing connection, or a listener (its pid and program name when this user
may see them). '' where /proc is not to be read (Windows, macOS) or nothing is seen there.
"""
from __future__ import annotations

import os
from typing import Iterable, NamedTuple, Optional

from shared import portrange

TABLES = ("/proc/net/tcp", "/proc/net/tcp6")
STATES = {"01": "established", "02": "connecting", "03": "connecting", "04": "closing",
          "05": "closing", "06": "in TIME-WAIT", "07": "closed", "08": "closing",
          "09": "closing", "0A": "listening", "0B": "closing"}
LISTEN, TIME_WAIT = "0A", "06"


class Entry(NamedTuple):
    local: str          # hex address:port as the table has it
    remote: str
    state: str          # hex, as the table has it
    inode: int

    @property
    def local_port(self) -> int:
        return int(self.local.rsplit(":", 1)[1], 16)

    @property
    def remote_port(self) -> int:
        return int(self.remote.rsplit(":", 1)[1], 16)


def read_entries(tables: Iterable[str] = TABLES) -> list[Entry]:
    out: list[Entry] = []
    for table in tables:
        try:
            with open(table, encoding="ascii") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) >= 10:
                try:
                    out.append(Entry(f[1], f[2], f[3].upper(), int(f[9])))
                except ValueError:
                    continue
    return out


def on_port(port: int, entries: Optional[list[Entry]] = None) -> list[Entry]:
    return [e for e in (read_entries() if entries is None else entries) if e.local_port == port]


def owner(inode: int, proc: str = "/proc") -> str:
    """'pid 123 (python3)' of the process holding socket inode, '' when not seen (another
    user's, or none: a connection in TIME-WAIT belongs to no process)."""
    if inode <= 0:
        return ""
    target = f"socket:[{inode}]"
    try:
        pids = [p for p in os.listdir(proc) if p.isdigit()]
    except OSError:
        return ""
    for pid in pids:
        fd_dir = os.path.join(proc, pid, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(os.path.join(fd_dir, fd)) == target:
                    what = [n for n in (_name(proc, pid), "a process of this riskd's own"
                                        if riskds_own(int(pid), proc) else "") if n]
                    return f"pid {pid}" + (f" ({', '.join(what)})" if what else "")
            except OSError:
                continue
    return ""


def _ppid(pid: int, proc: str) -> int:
    try:
        with open(os.path.join(proc, str(pid), "stat"), encoding="utf-8") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _module(pid: int, proc: str) -> str:
    """The module pid runs with `python -m` ('services.market'), '' for none."""
    try:
        with open(os.path.join(proc, str(pid), "cmdline"), "rb") as fh:
            args = fh.read().split(b"\0")
    except OSError:
        return ""
    for i, a in enumerate(args[:-1]):
        if a == b"-m":
            return args[i + 1].decode("utf-8", "replace")
    return ""


def riskds_own(pid: int, proc: str = "/proc") -> bool:
    """pid is this process, a child of it (the supervisor asking: its workers), or, when a
    worker of riskd's asks (python -m services.NAME, its parent the supervisor), a worker
    beside it (the same parent). Another riskd started from the same shell is none of them."""
    if pid == os.getpid():
        return True
    parent = _ppid(pid, proc)
    if parent == os.getpid():
        return True
    mine = _module(os.getpid(), proc)
    return (mine.startswith("services.") and mine != "services.supervisor"
            and parent == os.getppid() and _module(pid, proc).startswith("services."))


def _name(proc: str, pid: str) -> str:
    try:
        with open(os.path.join(proc, pid, "comm"), encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _whose(entry: Entry) -> str:
    if entry.state == TIME_WAIT:
        return "no process holds it any more; the OS frees it within 60 s of its close"
    found = owner(entry.inode)
    return f"{found} holds it" if found else ""


def holder_words(port: int, entries: Optional[list[Entry]] = None,
                 os_range: Optional[tuple[int, int]] = None) -> str:
    """Who holds port, in words ('' when not seen): the first of a connection to itself, an
    outgoing connection's local end, a listener."""
    found = on_port(port, entries)
    os_range = os_range or portrange.ephemeral_range()
    inside = portrange.inside(port, os_range)
    self_connected = [e for e in found if e.local == e.remote]
    if self_connected:
        e = self_connected[0]
        how = (f": something on this machine connected to port {port} while nothing listened "
               f"there, and the OS gave that connection port {port} as its own end, as it lies "
               f"inside {portrange.range_words(os_range)} (riskd's own workers connect to "
               f"riskd's ports)" if inside else "")
        whose = _whose(e)
        return (f"held by a TCP connection of this machine to itself "
                f"({STATES.get(e.state, 'state ' + e.state)}){how}"
                + (f"; {whose}" if whose else ""))
    outgoing = [e for e in found if e.state != LISTEN]
    listening = [e for e in found if e.state == LISTEN]
    if outgoing and not listening:
        e = outgoing[0]
        how = (f", as it lies inside {portrange.range_words(os_range)}" if inside else "")
        whose = _whose(e)
        return (f"held as the local end of a connection to port {e.remote_port} "
                f"({STATES.get(e.state, 'state ' + e.state)}): the OS gave that connection "
                f"this port{how}" + (f"; {whose}" if whose else ""))
    if listening:
        whose = owner(listening[0].inode)
        return f"{whose} listens on it" if whose else ""
    return ""
