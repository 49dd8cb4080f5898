"""An audit record's proof of the control key (shared/auditproof.py) and the rejected ones'
burst notes (services/logsink/rejects.py)."""
from __future__ import annotations

import logging

import attrs

from services.logsink.rejects import Bursts, kept
from services.logsink.route import AUDIT, files_for
from shared import auditproof, codec
from shared.logsetup import ZmqLogHandler
from shared.messages.logs import LogRecord
from shared.redact import Redactor

KEY = "ab" * 32


def rec(logger="riskd.audit", message="unlock by admin:ana (admin): ok", **fields) -> LogRecord:
    return LogRecord(ts_ns=1_700_000_000_123_456_789, level="INFO", levelno=logging.INFO,
                     process="supervisor", pid=42, logger=logger, message=message,
                     fields={"audit": True, "who": "admin:ana", "n": 1.5, **fields})


def over_the_wire(r: LogRecord) -> LogRecord:
    return codec.decode(codec.encode(r, "supervisor", 1, 1, r.ts_ns)).msg


def test_a_signed_audit_record_proves_itself_after_the_wire_and_loses_its_proof():
    sent = auditproof.signed(rec(), KEY)
    assert len(sent.fields[auditproof.FIELD]) == 64 and KEY not in repr(sent)
    got, proven = auditproof.opened(over_the_wire(sent), KEY)
    assert proven and got == rec()
    assert auditproof.signed(rec(kind="login", logger="riskd.supervisor"), KEY).fields.get(
        auditproof.FIELD)


def test_no_proof_a_wrong_key_or_a_changed_record_proves_nothing():
    assert auditproof.opened(rec(), KEY) == (rec(), False)
    assert not auditproof.opened(auditproof.signed(rec(), "cd" * 32), KEY)[1]
    assert not auditproof.opened(auditproof.signed(rec(), KEY), "")[1]
    sent = auditproof.signed(rec(), KEY)
    for changed in (attrs.evolve(sent, message="unlock by admin:root (admin): ok"),
                    attrs.evolve(sent, fields={**sent.fields, "who": "admin:root"}),
                    attrs.evolve(sent, ts_ns=sent.ts_ns + 1),
                    attrs.evolve(sent, fields={**sent.fields, auditproof.FIELD: 64 * "0"}),
                    attrs.evolve(sent, fields={**sent.fields, auditproof.FIELD: 7})):
        got, proven = auditproof.opened(changed, KEY)
        assert not proven and auditproof.FIELD not in got.fields


def test_only_audit_records_are_signed_and_only_with_a_key():
    plain = rec(logger="riskd.risk", audit=False)
    assert auditproof.signed(plain, KEY) == plain
    assert auditproof.signed(rec(), "") == rec()


def test_the_log_handler_signs_audit_records_once_it_has_the_key():
    handler = ZmqLogHandler("supervisor", "tcp://127.0.0.1:9", Redactor([]))
    try:
        record = logging.LogRecord("riskd.audit", logging.INFO, "x", 1, "login by %s", ("a",),
                                   None)
        assert auditproof.FIELD not in handler.make_record(record).fields
        handler.audit_key = KEY
        assert auditproof.opened(handler.make_record(record), KEY)[1]
    finally:
        handler.close()


def test_a_rejected_record_is_kept_as_a_plain_line_that_routes_nowhere_but_system_log():
    line = kept(attrs.evolve(rec(kind="login"), exc="trace"), "mytool", 5)
    assert files_for(line) == ("system.log",) and AUDIT not in files_for(line)
    assert line.fields["rejected_audit"] is True and line.fields["sender"] == "mytool"
    assert "unlock by admin:ana (admin): ok" in line.message and line.exc == "trace"
    assert '"kind": "login"' in line.fields["claimed_fields"]


def test_a_senders_burst_is_said_at_once_then_counted_at_most_once_per_quiet_time():
    now = [0.0]
    bursts = Bursts(quiet_s=60, monotonic=lambda: now[0])
    assert bursts.note("a") == 1
    assert [bursts.note("a") for _ in range(999)] == [None] * 999
    assert bursts.note("b") == 1                 # another sender has its own burst
    assert bursts.due() == []
    now[0] = 61
    assert bursts.due() == [("a", 999)]          # a quiet sender's count is said
    assert bursts.note("a") is None
    now[0] = 122
    assert bursts.note("a") == 2                 # the next record says the count since
    now[0] = 300
    assert bursts.due() == []                    # nothing unsaid: forgotten
    assert bursts.note("a") == 1 and bursts.total == 1004
