"""The audit chain: edits, deletions and reorders are found; rotation and restarts keep it whole."""
from __future__ import annotations

import json

from services.logsink.sink import Sink
from shared import auditchain
from shared.messages.logs import LogRecord
from shared.redact import Redactor


def audit(i: int, **fields) -> LogRecord:
    return LogRecord(ts_ns=1_764_000_000_000_000_000 + i, level="INFO", levelno=20,
                     process="supervisor", pid=42, logger="riskd.audit",
                     message=f"unlock account {i} by admin", fields={"action": "unlock", **fields})


def lines_of(path) -> list[str]:
    return path.read_text().splitlines()


def test_a_written_chain_verifies(tmp_path):
    sink = Sink(str(tmp_path), 10_000_000, 3, Redactor())
    sink.write([audit(i) for i in range(20)])
    verdict = auditchain.verify_files(auditchain.audit_files(str(tmp_path)))
    assert verdict.ok and verdict.lines == 20
    first = json.loads(lines_of(tmp_path / "audit.log")[0])
    assert first["prev"] == auditchain.GENESIS and first["action"] == "unlock"


def test_an_edited_line_is_found_at_its_line_number(tmp_path):
    sink = Sink(str(tmp_path), 10_000_000, 3, Redactor())
    sink.write([audit(i) for i in range(10)])
    path = tmp_path / "audit.log"
    lines = lines_of(path)
    lines[4] = lines[4].replace("unlock account 4", "unlock account 9")
    path.write_text("\n".join(lines) + "\n")
    verdict = auditchain.verify_files(auditchain.audit_files(str(tmp_path)))
    assert not verdict.ok and verdict.broken_line == 5
    assert "changed" in verdict.reason


def test_an_edited_line_with_a_recomputed_hash_breaks_the_next_line(tmp_path):
    sink = Sink(str(tmp_path), 10_000_000, 3, Redactor())
    sink.write([audit(i) for i in range(10)])
    path = tmp_path / "audit.log"
    lines = lines_of(path)
    obj = json.loads(lines[2])
    obj["message"] = "nothing happened"
    lines[2], _ = auditchain.chain_line(obj, obj["prev"])
    path.write_text("\n".join(lines) + "\n")
    verdict = auditchain.verify_files([str(path)])
    assert not verdict.ok and verdict.broken_line == 4 and "chain broken" in verdict.reason


def test_a_removed_line_breaks_the_chain(tmp_path):
    sink = Sink(str(tmp_path), 10_000_000, 3, Redactor())
    sink.write([audit(i) for i in range(6)])
    path = tmp_path / "audit.log"
    lines = lines_of(path)
    del lines[3]
    path.write_text("\n".join(lines) + "\n")
    assert auditchain.verify_files([str(path)]).broken_line == 4


def test_chain_survives_rotation_and_restart(tmp_path):
    sink = Sink(str(tmp_path), 2_000, 50, Redactor())
    sink.write([audit(i) for i in range(30)])
    sink.close()
    sink = Sink(str(tmp_path), 2_000, 50, Redactor())     # a restart reads the last line
    sink.write([audit(i) for i in range(30, 45)])
    files = auditchain.audit_files(str(tmp_path))
    assert len(files) > 3
    verdict = auditchain.verify_files(files)
    assert verdict.ok and verdict.lines == 45


def test_oldest_rotated_file_gone_still_verifies_the_rest(tmp_path):
    sink = Sink(str(tmp_path), 1_500, 2, Redactor())
    sink.write([audit(i) for i in range(40)])
    files = auditchain.audit_files(str(tmp_path))
    assert [f.rsplit("/", 1)[1] for f in files] == ["audit.log.2", "audit.log.1", "audit.log"]
    assert auditchain.verify_files(files).ok


def test_a_partial_last_line_from_a_crash_is_dropped_on_start(tmp_path):
    sink = Sink(str(tmp_path), 10_000_000, 3, Redactor())
    sink.write([audit(i) for i in range(3)])
    sink.close()
    with open(tmp_path / "audit.log", "a") as fh:
        fh.write('{"half a line')
    sink = Sink(str(tmp_path), 10_000_000, 3, Redactor())
    sink.write([audit(3)])
    verdict = auditchain.verify_files(auditchain.audit_files(str(tmp_path)))
    assert verdict.ok and verdict.lines == 4
