"""Log files rotate at their size and keep the configured number of old files; routing rules."""
from __future__ import annotations

import json
import os

from services.logsink.files import RotatingFile
from services.logsink.route import files_for, tail_topic
from services.logsink.sink import Sink
from shared.messages.logs import LogRecord
from shared.redact import Redactor


def rec(message="hello", level="INFO", levelno=20, logger="services.risk.app", **fields):
    return LogRecord(ts_ns=1_764_000_000_123_456_789, level=level, levelno=levelno,
                     process="risk", pid=7, logger=logger, message=message, fields=fields)


def test_rotation_keeps_the_configured_number_of_files(tmp_path):
    f = RotatingFile(str(tmp_path / "system.log"), max_bytes=1000, keep=3)
    for _ in range(50):
        f.write(["x" * 99] * 5)
    names = sorted(os.listdir(tmp_path))
    assert names == ["system.log", "system.log.1", "system.log.2", "system.log.3"]
    for name in names:
        assert os.path.getsize(tmp_path / name) <= 1000
    assert f.rotations > 3


def test_a_line_longer_than_the_limit_still_gets_written(tmp_path):
    f = RotatingFile(str(tmp_path / "a.log"), max_bytes=10, keep=2)
    f.write(["a" * 50, "b" * 50])
    assert (tmp_path / "a.log").read_text() == "b" * 50 + "\n"
    assert (tmp_path / "a.log.1").read_text() == "a" * 50 + "\n"


def test_routing_rule():
    assert files_for(rec()) == ("system.log",)
    assert files_for(rec(level="ERROR", levelno=40)) == ("system.log", "error.log")
    assert files_for(rec(kind="decision")) == ("system.log", "enforcement.log")
    assert files_for(rec(kind="result")) == ("system.log", "enforcement.log")
    assert files_for(rec(logger="riskd.enforcement.flatten")) == ("system.log", "enforcement.log")
    assert files_for(rec(logger="riskd.audit")) == ("system.log", "audit.log")
    assert files_for(rec(kind="login")) == ("system.log", "audit.log")
    assert files_for(rec(logger="riskd.auditor")) == ("system.log",)
    assert tail_topic(rec(level="WARNING")) == "log.warning.risk"


def test_sink_writes_json_lines_with_structured_fields_and_masks_again(tmp_path):
    sink = Sink(str(tmp_path), 1_000_000, 3, Redactor(["leaked-secret"]))
    out = sink.write([rec("flattened with leaked-secret", account=1001, rule="daily_loss",
                          command_id="c-1", kind="result")])
    line = json.loads((tmp_path / "system.log").read_text())
    assert line == {"time": "2025-11-24T16:00:00.123456Z", "level": "INFO", "process": "risk",
                    "pid": 7, "logger": "services.risk.app", "message": "flattened with ***",
                    "account": 1001, "rule": "daily_loss", "command_id": "c-1", "kind": "result"}
    assert json.loads((tmp_path / "enforcement.log").read_text()) == line
    assert (tmp_path / "error.log").read_text() == ""
    assert out[0].message == "flattened with ***"
