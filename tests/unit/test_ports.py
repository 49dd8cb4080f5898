"""The tests' port allocator (tests/support/ports.py): each port handed out once per test
process, single ports and blocks from one cursor, each pytest-xdist process in its own slice
below the OS's range, a taken port passed over.

A fresh clone's `make test` lost test_supervisor's kill-hard test to "cannot bind
tcp://127.0.0.1:52223: Address already in use": ports came from bind(0), in the OS's range,
where the other xdist process picks too. A first fix (17c0bb5, reverted) drew singles and
blocks at random from one slice, apart: a config got one port twice.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.support import ports as P

POOL = list(range(20000, 20100))


def everyone_free(_port: int) -> bool:
    return True


def test_single_ports_are_distinct_and_never_handed_out_twice():
    alloc = P.PortAllocator(POOL, start=37, is_free=everyone_free)
    got = alloc.take(3) + alloc.take(1) + alloc.take(50) + alloc.take(46)
    assert sorted(got) == POOL                    # the whole slice, each once
    with pytest.raises(RuntimeError, match="handed out once"):
        alloc.take(1)                             # none again: an error, not a repeat


def test_blocks_are_contiguous_and_disjoint_from_single_ports():
    alloc = P.PortAllocator(POOL, start=90, is_free=everyone_free)
    singles, blocks = [], []
    for _ in range(6):
        singles += alloc.take(3)
        first = alloc.take_block(6)
        blocks += list(range(first, first + 6))
        assert set(range(first, first + 6)) <= set(POOL)        # contiguous, in the slice
    assert len(set(singles + blocks)) == len(singles) + len(blocks)


def test_a_block_does_not_run_across_the_os_range_or_the_slices_end():
    pool = [10, 11, 12, 13, 20, 21, 22, 23, 24]            # 14 .. 19: the OS's range
    alloc = P.PortAllocator(pool, start=7, is_free=everyone_free)
    assert alloc.take_block(3) == 10                         # not 23, 24 and round to 10
    assert alloc.take_block(3) == 20                         # not 13, 20, 21
    with pytest.raises(RuntimeError, match="block of 1"):
        alloc.take_block(1)                                  # the ones passed over: not again
    with pytest.raises(ValueError):
        P.PortAllocator(pool, is_free=everyone_free).take_block(0)


def test_a_port_someone_holds_is_passed_over():
    held = {20001, 20005}
    alloc = P.PortAllocator(POOL, start=0, is_free=lambda p: p not in held)
    assert alloc.take(3) == [20000, 20002, 20003]
    assert alloc.take_block(3) == 20006                      # 20004 .. 20006 holds 20005


def test_the_free_check_binds_the_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert not P.bind_free(s.getsockname()[1])
    assert P.bind_free(P.free_port())


def test_each_xdist_process_has_its_own_slice_below_the_os_range():
    pool = P.port_pool((32768, 60999))
    assert pool[0] == P.LOWEST and not any(32768 <= p <= 60999 for p in pool)
    env = {"PYTEST_XDIST_WORKER_COUNT": "2"}
    gw0 = P.worker_slice(pool, *P.worker_index(dict(env, PYTEST_XDIST_WORKER="gw0")))
    gw1 = P.worker_slice(pool, *P.worker_index(dict(env, PYTEST_XDIST_WORKER="gw1")))
    assert not set(gw0) & set(gw1)
    assert len(gw0) == len(gw1) >= 10000
    assert P.worker_index({}) == (0, 1)                      # without xdist: the whole pool


def test_this_process_takes_its_ports_from_its_own_slice():
    """Under `make test` (-n 2) this runs in gw0 or gw1: its ports lie in that one's slice."""
    mine = set(P.worker_slice(P.port_pool(), *P.worker_index()))
    got = P.free_ports(5) + [P.free_port()]
    first = P.free_port_block(4)
    got += list(range(first, first + 4))
    assert set(got) <= mine
    assert len(set(got)) == len(got)
    low, high = P.local_port_range()
    assert not [p for p in got if low <= p <= high]


HOLDER = """
import sys
from tests.support import ports as P
first = P.free_port_block(6)
print(first, flush=True)
sys.stdin.read()                  # hold them until the test closes our stdin
"""


def test_ports_another_process_handed_out_are_not_handed_out_here():
    """Round 20: two sessions' pytest runs on one machine drew from the same slices (gwN of
    each run), and a port the other run had handed out but not bound yet passed the bind
    check: test_notify's publisher lost "Address already in use". Another process's ports
    (here a child's block of 6, never bound) are passed over, as long as it lives."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    child = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=root, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env={**os.environ,
                                                                    "PYTHONPATH": root})
    try:
        first = int(child.stdout.readline())
        theirs = list(range(first, first + 6))
        assert all(P.bind_free(p) for p in theirs)          # free: the bind check passes them
        with pytest.raises(RuntimeError, match="handed out once"):
            P.PortAllocator(theirs).take(1)
        with pytest.raises(RuntimeError, match="block of 2"):
            P.PortAllocator(theirs).take_block(2)
    finally:
        child.stdin.close()
        child.wait(10)
    assert P.PortAllocator(theirs).take(6) == theirs        # its end released them
