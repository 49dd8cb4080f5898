"""One ZeroMQ hop between two processes, the way riskd's bus makes it: a dev tool (round 14).

    python -m tests.bench.zmq_hop [--n 3000] [--rounds 3]

A PUB in this process, an echo in a child process (SUB -> PUB), a SUB back here: a 300-byte
message's round trip, p50 and p99, and the CPU time both processes spent per one-way hop
(time.process_time: every thread, ZeroMQ's I/O threads included). Compared, alternating:

  tcp    tcp://127.0.0.1 (riskd's [bus] as shipped)
  ipc    ipc:// (a unix socket; not on Windows, and not a [bus] address riskd accepts)
  poll   tcp, the echo woken by a zmq.Poller over its SUB and three idle sockets (the shape of
         a riskd worker's loop: shared/worker.py) instead of a blocking recv on the one SUB

docs/performance.md, "Round 14", has what it measured and why the bus stayed on tcp.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time

import zmq

from tests.support.ports import free_ports

PAYLOAD = b"x" * 300


def _echo(inp: str, out: str, poller: bool, cpu) -> None:
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.connect(inp)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    pub = ctx.socket(zmq.PUB)
    pub.bind(out)
    idle = [ctx.socket(zmq.PULL) for _ in range(3)]
    poll = zmq.Poller()
    for sock in [sub, *idle]:
        poll.register(sock, zmq.POLLIN)
    started = None
    while True:
        if poller:
            if not any(sock is sub for sock, _ev in poll.poll(1000)):
                continue
            msg = sub.recv(zmq.NOBLOCK)
        else:
            msg = sub.recv()
        if msg == b"q":
            break
        if msg == PAYLOAD and started is None:
            started = time.process_time()
        pub.send(msg)
    cpu.put(time.process_time() - (started or time.process_time()))


def hop(kind: str, n: int, where: str) -> tuple[float, float, float]:
    """(round trip p50 us, p99 us, CPU us per one-way hop, both ends) over n messages."""
    if kind == "ipc":
        inp, out = f"ipc://{where}/in.sock", f"ipc://{where}/out.sock"
    else:
        inp, out = (f"tcp://127.0.0.1:{p}" for p in free_ports(2))
    ctx = zmq.Context()
    pub = ctx.socket(zmq.PUB)
    pub.bind(inp)
    cpu = mp.Queue()
    child = mp.Process(target=_echo, args=(inp, out, kind == "poll", cpu))
    child.start()
    sub = ctx.socket(zmq.SUB)
    sub.connect(out)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    while True:                        # until both subscriptions are in place
        pub.send(b"w")
        if sub.poll(100):
            sub.recv()
            break
    times = []
    started = time.process_time()
    for _ in range(n):
        t0 = time.perf_counter_ns()
        pub.send(PAYLOAD)
        sub.recv()
        times.append((time.perf_counter_ns() - t0) / 1000)
    mine = time.process_time() - started
    pub.send(b"q")
    theirs = cpu.get(timeout=10)
    child.join(10)
    ctx.destroy(0)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)], (mine + theirs) / (2 * n) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.zmq_hop")
    parser.add_argument("--n", type=int, default=3000, help="messages per run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    args = parser.parse_args(argv)
    kinds = ["tcp", "poll"] + (["ipc"] if os.name == "posix" else [])
    load = f"; load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"{'kind':6} {'rtt p50':>9} {'rtt p99':>9} {'CPU/hop':>9}   (us{load})")
    with tempfile.TemporaryDirectory() as where:
        for _ in range(args.rounds):
            for kind in kinds:
                p50, p99, per_hop = hop(kind, args.n, where)
                print(f"{kind:6} {p50:9.0f} {p99:9.0f} {per_hop:9.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
