"""Control round trip: a riskctl-style request to the real supervisor process, p50/p99 in us.

The floor is the same REQ/REP round trip against a bare echo process on loopback.
"""
from __future__ import annotations

import pathlib
import subprocess
import sys
import tempfile
import time

import zmq

from shared import codec
from shared.messages.control import ControlRequest, WorkersRequest
from tests.bench.report import percentile
from tests.support.env import REPO, make_config, test_env
from tests.support.ports import free_ports
from tests.support.procs import Procs

REQUESTS = 2000
WARMUP = 100


def _round_trips(address: str, body: bytes, n: int) -> list[float]:
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(address)
    samples = []
    try:
        for i in range(n + WARMUP):
            t0 = time.perf_counter_ns()
            sock.send(body)
            if not sock.poll(5000):
                raise RuntimeError(f"no answer from {address} within 5 s")
            sock.recv()
            if i >= WARMUP:
                samples.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        sock.close(0)
    return samples


def run(report) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        config = make_config(tmp_path, workers=["logging", "notify", "enforcement"])
        procs = Procs(tmp_path)
        try:
            procs.riskd(config)
            procs.wait_running(config, ["logging", "notify", "enforcement"])
            from shared.config import load_config
            address = load_config(config).config.bus.control
            body = codec.encode(ControlRequest(command=WorkersRequest()), "bench", 0, 1, 0)
            samples = _round_trips(address, body, REQUESTS)
        finally:
            procs.cleanup()
        floor_address = f"tcp://127.0.0.1:{free_ports(1)[0]}"
        echo = subprocess.Popen([sys.executable, "-m", "tests.bench.echo_server", floor_address],
                                cwd=REPO, env=test_env())
        try:
            floor = _round_trips(floor_address, body, REQUESTS)
        finally:
            echo.kill()
            echo.wait(5)
    for p in (50, 99):
        report.add(f"control round trip p{p} (riskctl -> riskd workers)", percentile(samples, p),
                   "us", floor=percentile(floor, p), note=f"{REQUESTS} requests; floor: bare REQ/REP echo")
