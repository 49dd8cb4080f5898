"""CPU time and resident memory of processes from Linux /proc, for the system benchmarks.

Pure parsers (parse_stat, parse_kb, cpu_percent, cpu_per_event) plus thin readers:
sample(pid) reads /proc/<pid>/stat, status and smaps_rollup once; cpu_ticks(pids) reads only
the CPU time of named processes; descendants(pid) walks the parent links of every process. CPU time is utime + stime in clock
ticks (os.sysconf("SC_CLK_TCK")), so a busy machine does not inflate it.
"""
from __future__ import annotations

import os
from typing import Optional

import attrs

CLK_TCK = os.sysconf("SC_CLK_TCK")


@attrs.frozen
class Stat:
    """The fields of /proc/<pid>/stat the benchmarks use."""
    pid: int
    comm: str
    ppid: int
    utime: int          # clock ticks
    stime: int          # clock ticks
    starttime: int      # clock ticks after boot: tells a reused pid from the same process

    @property
    def cpu_ticks(self) -> int:
        return self.utime + self.stime


@attrs.frozen
class Sample:
    stat: Stat
    rss_kb: int         # resident, shared pages counted in full
    pss_kb: int         # proportional: shared pages divided among their users (sums honestly)


def parse_stat(text: str) -> Stat:
    """Parse one /proc/<pid>/stat line. comm is in parentheses and may hold spaces and ')'.

    Fields after comm (1-based as in proc(5)): 3 state, 4 ppid, 14 utime, 15 stime, 22 starttime.
    """
    open_at, close_at = text.find("("), text.rfind(")")
    if open_at < 0 or close_at < open_at:
        raise ValueError(f"expected 'pid (comm) state ...' in /proc stat, got {text[:80]!r}")
    rest = text[close_at + 1:].split()
    if len(rest) < 20:
        raise ValueError(f"expected at least 22 fields in /proc stat, got {len(rest) + 2}")
    return Stat(pid=int(text[:open_at]), comm=text[open_at + 1:close_at], ppid=int(rest[1]),
                utime=int(rest[11]), stime=int(rest[12]), starttime=int(rest[19]))


def parse_kb(text: str, key: str) -> int:
    """The '<key>: <n> kB' line of /proc/<pid>/status or smaps_rollup, in kB (0 when absent,
    e.g. VmRSS of a zombie)."""
    for line in text.splitlines():
        if line.startswith(key + ":"):
            parts = line.split()
            if len(parts) < 2 or not parts[1].isdigit():
                raise ValueError(f"expected '{key}: <n> kB', got {line!r}")
            return int(parts[1])
    return 0


def cpu_percent(ticks: int, seconds: float, clk_tck: int = CLK_TCK) -> float:
    """CPU used over a wall-clock interval, in percent of one core."""
    if seconds <= 0:
        raise ValueError(f"expected a positive interval, got {seconds}")
    return 100.0 * ticks / clk_tck / seconds


def cpu_per_event(before: dict[str, int], after: dict[str, int], events: int,
                  clk_tck: int = CLK_TCK) -> dict[str, float]:
    """CPU time per event in us, per process name and summed ("total"), from two cpu_ticks()
    readings taken around `events` events. A process missing from either reading is left
    out of both."""
    if events <= 0:
        raise ValueError(f"expected a positive number of events, got {events}")
    names = [name for name in before if name in after]
    out = {name: (after[name] - before[name]) * 1e6 / clk_tck / events for name in names}
    out["total"] = sum(out.values())
    return out


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def sample(pid: int) -> Optional[Sample]:
    """CPU ticks and RSS of one process now; None when it is gone."""
    try:
        return Sample(parse_stat(_read(f"/proc/{pid}/stat")),
                      parse_kb(_read(f"/proc/{pid}/status"), "VmRSS"),
                      parse_kb(_read(f"/proc/{pid}/smaps_rollup"), "Pss"))
    except (FileNotFoundError, ProcessLookupError):
        return None


def cpu_ticks(pids: dict[str, int]) -> dict[str, int]:
    """name -> utime + stime of that process now (every thread, ended ones included), in
    clock ticks; a process that is gone is left out. The kernel scales the two from the
    scheduler's exact run time, so their sum is not a 100 Hz sampling of who ran."""
    out = {}
    for name, pid in pids.items():
        try:
            out[name] = parse_stat(_read(f"/proc/{pid}/stat")).cpu_ticks
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def descendants(root: int) -> list[int]:
    """root and every live process below it (children, grandchildren, ...)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent[int(entry)] = parse_stat(_read(f"/proc/{entry}/stat")).ppid
            except (OSError, ValueError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parent.items() if ppid in frontier]
        found += frontier
    return found
