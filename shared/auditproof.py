"""Proof that an audit record comes from a riskd process: a digest keyed with the control key.

The logging worker's intake (bus.logging_in, a PULL on loopback) takes log records from any
local process: every process's log lines are welcome there. Audit records are different: the
logging worker chains them into audit.log, so a forged one ("admin unlocked 1001") would read
as genuine. So a riskd process signs each audit-kind record it ships (is_audit: the riskd.audit
logger or a `kind` of AUDIT_KINDS) with a keyed BLAKE2b digest of the record, keyed with this
riskd's control key (shared/controlkey.py: the supervisor makes it at each start and hands it
to every worker; a local tool reads <data_dir>/run/control.key, owner-only). The digest travels
in the record's fields as FIELD; the logging worker checks it (opened) and strips it before
anything is written or republished, so it is in no file and no tail. The key itself never
leaves its process: a process that took the intake's port while the logging worker was down
would learn digests of records it was sent, never the key.

A record that claims to be audit without a valid digest is not chained: the logging worker
keeps its text in system.log marked rejected_audit (services/logsink/rejects.py).

BLAKE2b comes from CPython's own _blake2 (keyed, no length extension), not hmac/hashlib, which
load OpenSSL (tests/unit/test_process_imports.py); the check uses _operator._compare_digest, as
shared/controlkey.py does.
"""
from __future__ import annotations

import json
from typing import Any

import attrs
from _blake2 import blake2b
from _operator import _compare_digest     # hmac.compare_digest, without hmac's OpenSSL

from shared.messages.logs import LogRecord

AUDIT_LOGGER = "riskd.audit"
AUDIT_KINDS = frozenset({"audit", "login"})
FIELD = "audit_proof"
_PERSON = b"riskd-audit-v1"      # this use of the key only (the key also opens gated requests)


def is_audit(rec: LogRecord) -> bool:
    """Does this record belong in audit.log (services/logsink/route.py routes by this)?"""
    logger = rec.logger
    return logger == AUDIT_LOGGER or logger.startswith(AUDIT_LOGGER + ".") or \
        rec.fields.get("kind") in AUDIT_KINDS


def _digest(key: str, rec: LogRecord, fields: dict[str, Any]) -> str:
    body = {"ts_ns": rec.ts_ns, "level": rec.level, "levelno": rec.levelno,
            "process": rec.process, "pid": rec.pid, "logger": rec.logger,
            "message": rec.message, "fields": fields, "exc": rec.exc}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    mac_key = blake2b(key.encode("utf-8"), digest_size=32, person=_PERSON).digest()
    return blake2b(text.encode("utf-8", "surrogatepass"), key=mac_key, digest_size=32,
                   person=_PERSON).hexdigest()


def signed(rec: LogRecord, key: str) -> LogRecord:
    """The record as a riskd process ships it: an audit record carries its proof (FIELD);
    any other record, or a process without a key, as is."""
    if not key or not is_audit(rec):
        return rec
    fields = {k: v for k, v in rec.fields.items() if k != FIELD}
    return attrs.evolve(rec, fields={**fields, FIELD: _digest(key, rec, fields)})


def opened(rec: LogRecord, key: str) -> tuple[LogRecord, bool]:
    """A record as it reached the logging worker holding `key` -> (the record without FIELD,
    whether it proves it came from a process holding the key). No key proves nothing."""
    if FIELD not in rec.fields:
        return rec, False
    fields = {k: v for k, v in rec.fields.items() if k != FIELD}
    claimed = rec.fields[FIELD]
    rec = attrs.evolve(rec, fields=fields)
    if not key or not isinstance(claimed, str):
        return rec, False
    return rec, _compare_digest(claimed.encode("ascii", "replace"),
                                _digest(key, rec, fields).encode("ascii"))
