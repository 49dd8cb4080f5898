"""Logging: what a log call costs a sender (logging worker dead and alive), and logsink's pace.

Budget: a log call stays under 50 us even with the logging worker dead (records queue to
the bound, then are dropped and counted). The floor of the call figures is the bare
non-blocking ZeroMQ send of an already encoded record to a live receiver (every send
succeeds; sends to a dead address would mostly fail at once and flatter the floor): what is
left once formatting, redaction and encoding are gone.
"""
from __future__ import annotations

import logging
import pathlib
import tempfile
import threading
import time
from typing import Callable

import zmq

from services.logsink.sink import Sink
from shared import codec
from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.logsetup import ZmqLogHandler
from shared.messages.logs import LogRecord
from shared.messages.system import Ping
from shared.redact import Redactor
from tests.bench.report import below, median, percentile
from tests.support.env import make_config, wait_for
from tests.support.ports import free_ports
from tests.support.procs import Procs

CALLS = 20_000
BUDGET_US = 50.0
SECRETS = ["7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9", "sim-api-key"]


def _timed_calls(handler: ZmqLogHandler, n: int) -> list[float]:
    log = logging.getLogger("bench.logging")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    samples = []
    try:
        for i in range(n):
            t0 = time.perf_counter_ns()
            log.info("order %d filled for account %s at %s", i, 1001, "21034.25",
                     extra={"account": 1001, "rule": "daily_loss", "kind": "result"})
            samples.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        log.removeHandler(handler)
    return samples


def _live_receiver() -> tuple[str, Callable[[], None]]:
    """A PULL bound here and drained by a thread: (its address, stop)."""
    (port,) = free_ports(1)
    address = f"tcp://127.0.0.1:{port}"
    pull = zmq.Context.instance().socket(zmq.PULL)
    pull.setsockopt(zmq.LINGER, 0)
    pull.bind(address)
    done = threading.Event()

    def drain() -> None:
        while not done.is_set():
            if pull.poll(50):
                while True:
                    try:
                        pull.recv(zmq.NOBLOCK)
                    except zmq.Again:
                        break
        pull.close(0)
    thread = threading.Thread(target=drain, daemon=True)
    thread.start()

    def stop() -> None:
        done.set()
        thread.join(5)
    return address, stop


def _bare_sends(address: str, n: int) -> list[float]:
    sock = zmq.Context.instance().socket(zmq.PUSH)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SNDHWM, 1000)
    sock.connect(address)
    body = codec.encode(_record(0), "bench", 1, 1, 0)
    samples = []
    try:
        for _ in range(n):
            t0 = time.perf_counter_ns()
            try:
                sock.send(body, zmq.NOBLOCK)
            except zmq.Again:
                continue                 # the floor is of sends that succeed
            samples.append((time.perf_counter_ns() - t0) / 1000)
    finally:
        sock.close(0)
    return samples


def _record(i: int) -> LogRecord:
    return LogRecord(ts_ns=time.time_ns(), level="INFO", levelno=20, process="bench", pid=1,
                     logger="bench", message=f"order {i} filled for account 1001 at 21034.25",
                     fields={"account": 1001, "rule": "daily_loss", "kind": "result"})


def run(report) -> None:
    (dead_port,) = free_ports(1)
    dead = f"tcp://127.0.0.1:{dead_port}"           # nobody listens: the worker is dead
    handler = ZmqLogHandler("bench", dead, Redactor(SECRETS), queue_limit=1000)
    calls = _timed_calls(handler, CALLS)
    handler.close()
    live, stop = _live_receiver()
    try:
        wait_for(lambda: _bare_sends(live, 1), 5, what="the floor's receiver")
        floor = _bare_sends(live, CALLS)
    finally:
        stop()
    report.add("log call, logging worker dead: p50", median(calls), "us", median(floor),
               f"{handler.dropped} of {CALLS} dropped and counted; floor: bare sends that "
               f"succeed", goal=below(BUDGET_US))
    report.add("log call, logging worker dead: p99", percentile(calls, 99), "us",
               percentile(floor, 99), "")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        config_path = make_config(tmp_path)
        loaded = load_config(config_path)
        procs = Procs(tmp_path)
        try:
            procs.worker("services.logsink", config_path)
            with RpcClient(loaded.config.bus.logging_control, "logging", timeout=0.5,
                           retries=0) as client:
                wait_for(lambda: client.call(Ping()).ok, 15, what="logsink to answer")
            handler = ZmqLogHandler("bench", loaded.config.bus.logging_in, Redactor(SECRETS),
                                    confirm_address=loaded.config.bus.logging_control)
            calls = _timed_calls(handler, CALLS)
            handler.close()
            report.add("log call, logging worker up: p50", median(calls), "us", median(floor),
                       f"{handler.dropped} dropped")
        finally:
            procs.cleanup()

        records = [_record(i) for i in range(100_000)]
        sink = Sink(str(tmp_path / "sink"), 50 * 1024 * 1024, 10, Redactor(SECRETS))
        t0 = time.perf_counter()
        for start in range(0, len(records), 5000):
            sink.write(records[start:start + 5000])
        elapsed = time.perf_counter() - t0
        sink.close()
        report.add("logsink: records written per second (batches of 5000)",
                   len(records) / elapsed, "rec/s", None, "redact + route + JSON + write")

    redactor = Redactor(SECRETS)
    text = "order 1234 filled for account 1001 at 21034.25 qty 2 on CON.F.US.MNQ.Z26"
    t0 = time.perf_counter_ns()
    for _ in range(CALLS):
        redactor.redact(text)
    report.add("redact: one ordinary message", (time.perf_counter_ns() - t0) / 1000 / CALLS,
               "us", None, "shapes + literal secrets")
