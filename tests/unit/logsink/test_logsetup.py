"""The sender side: records become redacted LogRecords on a PUSH socket that never blocks."""
from __future__ import annotations

import logging
import threading
import time

import pytest
import zmq

from shared import codec
from shared.logsetup import ZmqLogHandler, record_fields, setup_logging
from shared.messages.logs import LogLost, LogRecord
from shared.messages.system import ok
from shared.plural import plural
from shared.redact import Redactor
from tests.support.ports import free_ports


@pytest.fixture
def logger():
    lg = logging.getLogger("test.logsetup")
    lg.propagate = False
    lg.setLevel(logging.DEBUG)
    yield lg
    for h in list(lg.handlers):
        lg.removeHandler(h)
        h.close()


def test_records_carry_fields_and_are_redacted(logger):
    ctx = zmq.Context.instance()
    pull = ctx.socket(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    try:
        handler = ZmqLogHandler("risk", f"tcp://127.0.0.1:{port}", Redactor(["topsecret1"]))
        logger.addHandler(handler)
        logger.warning("breach on %s with topsecret1", 1001,
                       extra={"account": 1001, "rule": "daily_loss", "kind": "decision",
                              "amount": object.__new__(type("D", (), {"__str__": lambda s: "5"}))})
        assert pull.poll(5000)
        env = codec.decode(pull.recv())
        rec = env.msg
        assert isinstance(rec, LogRecord)
        assert (rec.process, rec.level, rec.logger) == ("risk", "WARNING", "test.logsetup")
        assert rec.message == "breach on 1001 with ***"
        assert rec.fields == {"account": 1001, "rule": "daily_loss", "kind": "decision",
                              "amount": "5"}
        assert env.publisher == "risk" and env.seq == 1
    finally:
        pull.close(0)


def test_with_the_logging_worker_dead_a_log_call_never_blocks(logger):
    (port,) = free_ports(1)            # nobody listens there
    handler = ZmqLogHandler("risk", f"tcp://127.0.0.1:{port}", Redactor(), queue_limit=1000)
    logger.addHandler(handler)
    started = time.perf_counter()
    for i in range(10_000):
        logger.info("order %d filled", i, extra={"account": 1001})
    elapsed = time.perf_counter() - started
    # 10,000 calls; a blocked send would hang here. Generous: 10 s is 1 ms a call on a busy box
    # (the median per call is the budget `make bench` checks, bench_logging).
    assert elapsed < 10.0
    assert handler.dropped >= 10_000 - 1000 - 10     # queued up to the bound, the rest counted
    assert handler.dropped + handler.sent == 10_000


def test_a_drop_warning_precedes_the_next_record_that_gets_through(logger):
    ctx = zmq.Context.instance()
    (port,) = free_ports(1)
    handler = ZmqLogHandler("risk", f"tcp://127.0.0.1:{port}", Redactor(), queue_limit=100)
    logger.addHandler(handler)
    for i in range(500):
        logger.info("early %d", i)
    assert handler.dropped >= 300
    pull = ctx.socket(zmq.PULL)
    pull.bind(f"tcp://127.0.0.1:{port}")
    try:
        got = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("dropped" in m for m in got):
            logger.info("later")
            while pull.poll(50):
                got.append(codec.decode(pull.recv()).msg.message)
        assert any("log records were dropped while the logging worker was unreachable" in m
                   for m in got)
    finally:
        pull.close(0)


@pytest.fixture
def saved_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for h in list(root.handlers):
        root.removeHandler(h)
        if h not in handlers:
            h.close()
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def test_setup_logging_keeps_the_old_signature_and_adds_stderr_for_warnings(saved_root, capsys):
    assert setup_logging("riskctl", "INFO") is None
    root = saved_root
    assert [type(h).__name__ for h in root.handlers] == ["StreamHandler"]
    assert root.handlers[0].level == logging.WARNING
    logging.getLogger("x").warning("careful password=hunter22")
    assert "careful password=***" in capsys.readouterr().err


def test_record_fields_are_only_the_extras():
    r = logging.LogRecord("n", 20, __file__, 1, "m", (), None)
    r.account = 1001
    r.rule = ["a"]
    assert record_fields(r) == {"account": 1001, "rule": "['a']"}


def test_a_live_reload_changes_the_level_and_the_secrets(saved_root):
    from shared.config.load import validate_data
    from shared.logsetup import _active, apply_config
    setup_logging("risk", "INFO", config=validate_data({}, "a.toml", env={}))
    new = validate_data({"logging": {"level": "WARNING"},
                         "broker": {"api_key": "fresh-api-key-42"}}, "a.toml", env={})
    apply_config(new)
    assert saved_root.level == logging.WARNING
    assert _active["redactor"].redact("key fresh-api-key-42") == "key ***"


class StallableSink:
    """A stand-in logging worker on real sockets, in a thread: PULLs records (only while
    `reading` is set), answers LogReceiptRequest with the real Receipts and keeps LogLost."""

    def __init__(self):
        from services.logsink.receipts import Receipts
        self.records_at, self.control_at = (f"tcp://127.0.0.1:{p}" for p in free_ports(2))
        self.receipts = Receipts()
        self.received = 0
        self.lost: list[LogLost] = []
        self.reading = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        ctx = zmq.Context.instance()
        pull, rep = ctx.socket(zmq.PULL), ctx.socket(zmq.REP)
        pull.bind(self.records_at)
        rep.bind(self.control_at)
        try:
            while not self.stop.is_set():
                while self.reading.is_set() and pull.poll(0):
                    env = codec.decode(pull.recv())
                    self.receipts.took(env.publisher, env.epoch, env.seq)
                    self.received += 1
                if rep.poll(10):
                    req = codec.decode(rep.recv()).msg
                    if isinstance(req, LogLost):
                        self.lost.append(req)
                        reply = ok()
                    else:
                        reply = ok(self.receipts.of(req.publisher, req.epoch))
                    rep.send(codec.encode(reply, "logging", 0, 0, time.time_ns()))
        finally:
            pull.close(0)
            rep.close(0)

    def close(self):
        self.stop.set()
        self.thread.join(5)


@pytest.fixture
def sink():
    s = StallableSink()
    yield s
    s.close()


def test_close_returns_only_when_the_logging_worker_has_every_record(logger, sink, capsys):
    # The flood test's lost records: the old close() left the queue to ZeroMQ's linger, which
    # nothing waits for at interpreter exit; close() must itself see every record taken in.
    handler = ZmqLogHandler("risk", sink.records_at, Redactor(), confirm_address=sink.control_at)
    handler.close_timeout_s = handler.answer_timeout_s = 30.0   # "at all" bounds: a busy box
    logger.addHandler(handler)
    for i in range(500):
        logger.info("order %d filled", i)
    assert handler.sent == 500 and sink.received == 0          # all still queued
    threading.Timer(0.3, sink.reading.set).start()              # a slow worker catches up later
    logger.removeHandler(handler)
    handler.close()
    assert sink.received == 500
    assert handler.lost_at_exit == 0 and sink.lost == []
    assert "may be lost" not in capsys.readouterr().err


def test_records_not_written_in_time_are_counted_on_stderr_and_in_the_log(logger, sink, capsys):
    handler = ZmqLogHandler("risk", sink.records_at, Redactor(), confirm_address=sink.control_at)
    handler.close_timeout_s = 0.3
    logger.addHandler(handler)
    for i in range(500):
        logger.info("order %d filled", i)
    logger.removeHandler(handler)
    handler.close()                       # the worker answers but never reads: a stuck worker
    assert handler.lost_at_exit == 500
    assert [(x.process, x.pid, x.lost) for x in sink.lost] == [("risk", handler.pid, 500)]
    err = capsys.readouterr().err
    assert f"risk[{handler.pid}]: up to 500 log records may be lost: the logging worker had " \
           f"written 0 of 500 within 0.3 s at exit" in err


@pytest.mark.parametrize("worker", ["gone", "silent"])
def test_with_the_logging_worker_gone_or_silent_close_gives_up_soon_and_says_so(
        logger, capsys, worker):
    import socket
    records_at, control_at = (f"tcp://127.0.0.1:{p}" for p in free_ports(2))
    silent = None
    if worker == "silent":            # accepts connections, never answers (a hung worker)
        silent = socket.create_server(("127.0.0.1", int(control_at.rsplit(":", 1)[1])))
    handler = ZmqLogHandler("risk", records_at, Redactor(), queue_limit=100,
                            confirm_address=control_at)
    handler.answer_timeout_s = 0.2
    logger.addHandler(handler)
    for i in range(300):
        logger.info("order %d filled", i)
    logger.removeHandler(handler)
    started = time.monotonic()
    try:
        handler.close()
    finally:
        if silent is not None:
            silent.close()
    assert time.monotonic() - started < 3.0
    assert handler.lost_at_exit == handler.sent > 0           # the queued ones, counted
    why = ("the logging worker is not running" if worker == "gone" else
           "the logging worker did not answer within 0.2 s at exit")
    assert f"up to {plural(handler.sent, 'log record')} may be lost: {why}" in capsys.readouterr().err


def test_handing_over_to_stderr_confirms_what_was_shipped_then_writes_to_stderr(
        saved_root, sink, capsys):
    from shared.logsetup import hand_over_to_stderr, shipper
    handler = setup_logging("supervisor", "INFO", address=sink.records_at)
    handler.confirm_address = sink.control_at
    handler.close_timeout_s = handler.answer_timeout_s = 30.0
    logging.getLogger("x").info("before the logging worker stops")
    sink.reading.set()
    hand_over_to_stderr()
    assert sink.received == 1 and handler.lost_at_exit == 0 and shipper() is None
    logging.getLogger("x").info("riskd stopped")
    assert "riskd stopped" in capsys.readouterr().err
    assert sink.received == 1


def test_a_sender_is_confirmed_by_its_own_epoch_only():
    from services.logsink.receipts import Receipts
    r = Receipts(max_senders=2)
    r.took("risk", 1, 1)
    r.took("risk", 1, 2)
    r.took("risk", 2, 1)                  # the same process name after a restart
    assert (r.of("risk", 1).received, r.of("risk", 1).last_seq) == (2, 2)
    assert (r.of("risk", 2).received, r.of("risk", 2).last_seq) == (1, 1)
    r.took("market", 7, 5)                # a third sender: the least recently heard is forgotten
    assert r.of("risk", 1).received == 0 and r.of("market", 7).last_seq == 5


def test_a_stderr_line_says_its_time_is_utc():
    """Trial finding: `2026-12-05 03:51:34,891 WARNING risk[...]` named no zone while every
    screen shows 21:51:34 CST; the line stays UTC and says so, like `riskctl logs`."""
    from shared.logsetup import RedactingFormatter
    record = logging.LogRecord("services.risk.app", logging.WARNING, "", 0, "breach", (), None)
    record.created = 1_796_443_894.891          # 2026-12-05 04:11:34.891 UTC
    record.process = 42
    line = RedactingFormatter("risk", Redactor()).format(record)
    assert line == "2026-12-05 04:11:34.891Z WARNING risk[42] services.risk.app: breach", line
