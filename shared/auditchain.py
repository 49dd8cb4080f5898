"""The audit log's hash chain: building lines and verifying them (pure, plus a file reader).

Each audit line is canonical JSON (sorted keys, compact) holding the record's
fields plus `prev` (the hash of the line before, GENESIS for the very first)
and `hash` = sha256 of the canonical JSON of every other field. So an edited
line fails its own hash, and a removed, inserted or reordered line breaks the
next line's `prev`. The chain runs across rotated files (audit.log.N is older
than audit.log.1, which is older than audit.log) and across restarts (the
logging worker reads the last line on start). append_line() continues the chain
from a process that is its only writer while riskd is stopped (riskctl's --offline
edits, holding riskd's instance lock).
"""
from __future__ import annotations

import json
import os
import re
from typing import Iterable, Optional

import attrs

from shared.digest import sha256_hex

GENESIS = "0" * 64
AUDIT_FILE = "audit.log"


def canonical(obj: dict) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def digest(body: dict) -> str:
    return sha256_hex(canonical(body))


def chain_line(fields: dict, prev: str) -> tuple[str, str]:
    """(the line to write, without newline; its hash) for a record following `prev`."""
    body = {k: v for k, v in fields.items() if k not in ("prev", "hash")}
    body["prev"] = prev
    h = digest(body)
    body["hash"] = h
    return canonical(body), h


@attrs.frozen
class Verdict:
    ok: bool
    lines: int                       # lines checked
    broken_line: Optional[int] = None   # 1-based, over the whole chain (oldest file first)
    file: str = ""
    file_line: Optional[int] = None
    reason: str = ""
    head: str = GENESIS              # hash of the last good line


def verify_lines(lines: Iterable[str], prev: Optional[str] = None) -> Verdict:
    """Check a sequence of audit lines. prev=None: accept whatever the first line follows
    (older files may have been rotated away); otherwise the first line must follow prev."""
    count = 0
    head = prev if prev is not None else GENESIS
    for count, line in enumerate(lines, start=1):
        try:
            obj = json.loads(line)
        except ValueError:
            return Verdict(False, count, count, reason="not a JSON line", head=head)
        if not isinstance(obj, dict) or not isinstance(obj.get("hash"), str) \
                or not isinstance(obj.get("prev"), str):
            return Verdict(False, count, count, reason="no prev/hash fields", head=head)
        claimed = obj.pop("hash")
        if digest(obj) != claimed:
            return Verdict(False, count, count, reason="line was changed (its hash does not "
                                                       "match its content)", head=head)
        if (count > 1 or prev is not None) and obj["prev"] != head:
            return Verdict(False, count, count,
                           reason="chain broken: prev does not match the line before "
                                  "(a line was removed, inserted or reordered)", head=head)
        head = claimed
    return Verdict(True, count, head=head)


def audit_files(log_dir: str, name: str = AUDIT_FILE) -> list[str]:
    """The audit files in chain order, oldest first: name.N ... name.1, name."""
    try:
        entries = os.listdir(log_dir)
    except OSError:
        return []
    pattern = re.compile(re.escape(name) + r"\.(\d+)$")
    rotated = sorted(((int(m.group(1)), e) for e in entries if (m := pattern.match(e))),
                     reverse=True)
    files = [os.path.join(log_dir, e) for _, e in rotated]
    if name in entries:
        files.append(os.path.join(log_dir, name))
    return files


def _read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return [line.rstrip("\n") for line in fh if line.strip()]


def verify_files(paths: list[str]) -> Verdict:
    """Verify the chain across files in order; line numbers count over the whole chain."""
    total = 0
    prev: Optional[str] = None
    for path in paths:
        lines = _read_lines(path)
        verdict = verify_lines(lines, prev)
        if not verdict.ok:
            return attrs.evolve(verdict, lines=total + verdict.lines,
                                broken_line=total + verdict.broken_line,
                                file=path, file_line=verdict.broken_line)
        total += verdict.lines
        if verdict.lines:
            prev = verdict.head
    return Verdict(True, total, head=prev or GENESIS)


def last_hash(paths: list[str]) -> str:
    """The hash the next audit line must follow: the last complete line's hash, else GENESIS."""
    for path in reversed(paths):
        line = last_line(path)
        if line:
            try:
                value = json.loads(line).get("hash")
            except (ValueError, AttributeError):
                value = None
            if isinstance(value, str):
                return value
            return digest({"unreadable": line})   # keeps a visible break at the next line
    return GENESIS


def last_line(path: str, block: int = 65536) -> str:
    """The last complete (newline-terminated) non-empty line of a file, read from the end."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            data = b""
            pos = size
            while pos > 0:
                step = min(block, pos)
                pos -= step
                fh.seek(pos)
                data = fh.read(step) + data
                if data.count(b"\n") >= 2 or pos == 0:
                    break
    except OSError:
        return ""
    complete = data[:data.rfind(b"\n") + 1] if b"\n" in data else b""
    lines = [ln for ln in complete.split(b"\n") if ln.strip()]
    return lines[-1].decode("utf-8", "replace") if lines else ""


def append_line(log_dir: str, fields: dict) -> str:
    """Write one audit line after the chain's last, synced to disk; returns its hash. Only
    for a writer that knows no logging worker runs (it holds riskd's instance lock)."""
    os.makedirs(log_dir, exist_ok=True)
    line, h = chain_line(fields, last_hash(audit_files(log_dir)))
    with open(os.path.join(log_dir, AUDIT_FILE), "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return h
