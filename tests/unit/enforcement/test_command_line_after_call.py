"""A command's first log line ("command X: ...") is made when the loop accepts it and written by
its job once the first trading call is back, never before anything else the job logs (issue 21,
round 24: at the shipped INFO level the loop made and shipped it between the command's
arrival and its closeContract, ~0.17 ms of every breach; services/enforcement/preface.py).

The first test fails on the code before (checked on main at ab9588bd: the line is written by
accept(), before the job is even submitted)."""
from __future__ import annotations

import logging

import pytest

from services.enforcement.executor import FINAL, Executor, Settings
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker
from tests.unit.enforcement.test_withdraw import A, MNQ, close, flatten, worker


@pytest.fixture
def w(tmp_path, clock):
    w = worker(str(tmp_path / "enforcement.sqlite"), clock)
    yield w
    w.journal.close()


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def _said(caplog, cid: str) -> list[str]:
    return [m for m in _lines(caplog) if m.startswith(f"command {cid}: ")]


def _run(w, clock, broker):
    job = w.submitted[-1]
    executor = Executor(lambda _b: broker, w.journal, clock, Settings(settle=0))
    return executor.run(job, broker)


def test_the_line_is_written_after_the_close_has_left_not_before(w, clock, caplog):
    caplog.set_level(logging.INFO)
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    at_call: list[list[str]] = []
    close_contract = broker.close_contract

    def seen_then_close(account_id, contract_id):
        at_call.append(_said(caplog, "c.1"))
        close_contract(account_id, contract_id)
    broker.close_contract = seen_then_close

    w.accept(close("c.1"))
    assert _said(caplog, "c.1") == []           # accept made it, wrote nothing
    outcome = _run(w, clock, broker)
    assert outcome.kind == FINAL and broker.trading()[0] == (CLOSE, MNQ)
    assert at_call == [[]]                      # not written before the closeContract
    said = _said(caplog, "c.1")
    assert len(said) == 1 and "close" in said[0]
    # the record's time is the accept's, and it comes before every later line of the job
    record = next(r for r in caplog.records if r.getMessage() == said[0])
    assert record.name == "riskd.enforcement" and record.command_id == "c.1"
    assert _lines(caplog).index(said[0]) == 0


def test_a_line_the_job_logs_before_its_first_call_comes_after_the_command_line(
        w, clock, caplog):
    caplog.set_level(logging.INFO)
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    read = broker.open_positions

    def slow_read(account_id):
        logging.getLogger("services.enforcement.executor").warning("the read was slow")
        return read(account_id)
    broker.open_positions = slow_read
    w.accept(flatten("f.1"))                    # names no contract: it reads first
    _run(w, clock, broker)
    lines = _lines(caplog)
    said = _said(caplog, "f.1")
    assert len(said) == 1
    assert lines.index(said[0]) < lines.index("the read was slow")


def test_a_job_that_makes_no_trading_call_writes_it_by_the_end_of_its_turn(w, clock, caplog):
    caplog.set_level(logging.INFO)
    broker = FakeBroker(A)                      # flat: nothing to close
    w.accept(flatten("f.2"))
    outcome = _run(w, clock, broker)
    assert outcome.kind == FINAL and broker.trading() == []
    assert len(_said(caplog, "f.2")) == 1


def test_a_command_waiting_in_its_lane_is_said_at_once(w, clock, caplog):
    caplog.set_level(logging.INFO)
    w.accept(flatten("f.3"))
    w.accept(close("c.4"))                      # behind the flatten in the account's lane
    assert len(w.submitted) == 1
    assert len(_said(caplog, "c.4")) == 1 and _said(caplog, "f.3") == []


def test_nothing_is_made_when_info_is_off(w, clock, caplog):
    caplog.set_level(logging.WARNING)
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    w.accept(close("c.5"))
    assert w.submitted[-1].preface is None
    _run(w, clock, broker)
    assert _said(caplog, "c.5") == []
