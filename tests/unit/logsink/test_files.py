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


def _read_all(folder, name):
    """Every line of name and its rotated files, oldest first."""
    from shared.auditchain import audit_files
    out = []
    for path in audit_files(str(folder), name):
        with open(path, encoding="utf-8") as fh:
            out += fh.read().splitlines()
    return out


def _hold_open(monkeypatch, held: set):
    """os.replace fails for the files in `held`, as on Windows while another process has them
    open (riskctl logs, an editor): PermissionError [WinError 32]."""
    real = os.replace

    def replace(src, dst):
        if os.fspath(src) in held:
            raise PermissionError(13, "The process cannot access the file because it is being "
                                      "used by another process", os.fspath(src))
        return real(src, dst)
    monkeypatch.setattr(os, "replace", replace)


def test_a_rotation_that_cannot_rename_keeps_writing_and_succeeds_on_a_later_try(tmp_path,
                                                                              monkeypatch):
    from services.logsink import files
    path = str(tmp_path / "system.log")
    now = [100.0]
    f = RotatingFile(path, max_bytes=1000, keep=10, monotonic=lambda: now[0])
    held = {path}
    _hold_open(monkeypatch, held)
    lines = [f"line {i:03d} " + "x" * 90 for i in range(60)]
    f.write(lines[:15])                         # past 1000 bytes: the rotation fails
    f.write(lines[15:25])                       # no retry yet, no error, nothing lost
    assert f.failed_rotations == 1 and f.rotations == 0
    assert _read_all(tmp_path, "system.log") == lines[:25]

    held.clear()                                # the reader closed the file
    now[0] += files.ROTATE_RETRY_S
    f.write(lines[25:60])
    f.close()
    assert f.rotations >= 1
    assert _read_all(tmp_path, "system.log") == lines


def test_audit_lines_written_while_the_audit_log_cannot_rotate_all_stay_in_the_chain(
        tmp_path, monkeypatch):
    from shared.auditchain import audit_files, verify_files
    sink = Sink(str(tmp_path), 600, 3, Redactor([]))
    _hold_open(monkeypatch, {str(tmp_path / "audit.log")})
    for i in range(30):
        sink.write([rec(f"admin action {i}", logger="riskd.audit", kind="audit")])
    sink.close()
    verdict = verify_files(audit_files(str(tmp_path)))
    assert verdict.ok and verdict.lines == 30
    assert [json.loads(line)["message"] for line in _read_all(tmp_path, "audit.log")] == \
        [f"admin action {i}" for i in range(30)]
