"""tests.bench.procstat: parsing /proc stat and status text, CPU percent, reading this process."""
import os
import time

import pytest

from tests.bench import procstat

# proc(5) layout; comm with a space and a ')' inside, as a process may name itself.
STAT = ("4242 (python -m a)b) S 4200 4242 4200 0 -1 4194560 5208 0 0 0 "
        "137 58 0 0 20 0 3 0 98765 301989888 9000 18446744073709551615 1 1 0 0 0 0 0 "
        "16781312 16386 0 0 0 17 1 0 0 0 0 0")

STATUS = "Name:\tpython\nVmPeak:\t  300000 kB\nVmRSS:\t   36004 kB\nThreads:\t3\n"


def test_parse_stat_takes_fields_after_the_last_parenthesis():
    st = procstat.parse_stat(STAT)
    assert (st.pid, st.comm, st.ppid) == (4242, "python -m a)b", 4200)
    assert (st.utime, st.stime, st.starttime) == (137, 58, 98765)
    assert st.cpu_ticks == 195


def test_parse_stat_refuses_garbage_with_a_clear_message():
    with pytest.raises(ValueError, match="expected 'pid \\(comm\\) state"):
        procstat.parse_stat("not a stat line")
    with pytest.raises(ValueError, match="expected at least 22 fields"):
        procstat.parse_stat("1 (x) S 0 1")


def test_parse_kb_reads_the_named_line_and_zero_when_absent():
    assert procstat.parse_kb(STATUS, "VmRSS") == 36004
    assert procstat.parse_kb(STATUS, "Pss") == 0
    with pytest.raises(ValueError, match="expected 'VmRSS: <n> kB'"):
        procstat.parse_kb("VmRSS:\tlots\n", "VmRSS")


def test_cpu_percent_of_one_core():
    assert procstat.cpu_percent(100, 10.0, clk_tck=100) == pytest.approx(10.0)
    assert procstat.cpu_percent(0, 60.0, clk_tck=100) == 0.0
    with pytest.raises(ValueError):
        procstat.cpu_percent(1, 0.0)


def test_sample_and_descendants_of_this_process():
    me = procstat.sample(os.getpid())
    assert me.stat.pid == os.getpid() and me.rss_kb > 0 and me.pss_kb > 0
    assert procstat.descendants(os.getppid())[:1] == [os.getppid()]
    assert os.getpid() in procstat.descendants(os.getppid())
    assert procstat.sample(2 ** 22 + 1) is None      # above pid_max: never a process


def test_cpu_per_event_per_process_and_total():
    before = {"sim": 100, "risk": 50, "gone": 7}
    after = {"sim": 130, "risk": 60}               # "gone" ended meanwhile: left out
    per = procstat.cpu_per_event(before, after, 500, clk_tck=100)
    # 30 ticks of 10 ms over 500 events: 600 us each; 10 ticks: 200 us
    assert per == pytest.approx({"sim": 600.0, "risk": 200.0, "total": 800.0})
    with pytest.raises(ValueError):
        procstat.cpu_per_event(before, after, 0)


def test_cpu_ticks_reads_live_processes_and_skips_the_gone():
    busy_until = time.process_time() + 0.05
    first = procstat.cpu_ticks({"me": os.getpid(), "nobody": 2 ** 22 + 1})
    while time.process_time() < busy_until:
        pass
    second = procstat.cpu_ticks({"me": os.getpid()})
    assert set(first) == {"me"} and second["me"] >= first["me"] + 1
