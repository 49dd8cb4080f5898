"""The admin boundary riskd last ran with (who can log in, the [admin]/[ops] settings), kept in
<data_dir>/access-last-run.json so that riskd's next start can say what changed while it was
stopped.

Fresh-user trial 16b: `[admin] password_hash = ""` written with an editor while riskd was
stopped: riskd started with no audit row, no alert and no word that no admin can log in,
while the same edit on a running riskd is audited and alerted as a file edit (audit.py,
health.file_edit_event). Neither the supervisor database nor the audit trail keeps the
password hashes, so this file keeps a fingerprint of each (sha256 of the bcrypt hash: it
tells a change, and reveals no more than the hash's own salt-bound check would) and the other
settings' values. riskd writes it at its start and at every good reload; riskctl's audited
offline edits (cli/offline.py) write it too, under riskd's lock, so a change on record
(`passwd admin --offline`, `config restore --offline`) is not reported again as a file edit.
Owner-only (0600). A riskd that never wrote it (first start, or an older version) compares
nothing.

Not the same record as <stem>-last-run.toml (shared/config/lastrun.py), though riskd writes
both when it loads a config: that one is the text riskd ran, which `config restore last-run`
puts back and an offline edit must not change; this one is the boundary on record, which an
audited offline edit moves on (riskd never ran it) so that riskd's next start does not report
that edit again.
"""
from __future__ import annotations

import json
import os
from typing import Optional

import attrs

from shared.digest import sha256_hex
from shared.privatefile import write_private

NAME = "access-last-run.json"
ROLES = ("admin", "ops")


def of(config) -> dict:
    """The boundary of a config: role -> {"password": fingerprint or "", setting: value}."""
    from shared.config.convert import human_value
    out = {}
    for role in ROLES:
        section = getattr(config, role)
        hashed = section.password_hash
        entry = {"password": sha256_hex(hashed) if hashed else ""}
        for f in attrs.fields(type(section)):
            if f.name != "password_hash":
                entry[f.name] = human_value(getattr(section, f.name))
        out[role] = entry
    return out


def read(data_dir: str) -> Optional[dict]:
    try:
        with open(os.path.join(data_dir, NAME), encoding="utf-8") as fh:
            kept = json.load(fh)
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) else None


def write(data_dir: str, printed: dict) -> bool:
    try:
        write_private(os.path.join(data_dir, NAME), json.dumps(printed, sort_keys=True))
        return True
    except OSError:
        return False


def changes(old: dict, new: dict) -> list[str]:
    """What changed between two prints, in audit.access_changes' words ('admin password
    removed', '[admin] session_minutes changed: 15 -> 30'); never a hash."""
    out = []
    for role in ROLES:
        a, b = old.get(role) or {}, new.get(role) or {}
        if a.get("password", "") != b.get("password", ""):
            out.append(f"{role} password " + ("removed" if not b.get("password") else
                                              "set" if not a.get("password") else "changed"))
        for key in sorted(set(a) | set(b)):
            if key != "password" and key in a and key in b and a[key] != b[key]:
                out.append(f"[{role}] {key} changed: {a[key]} -> {b[key]}")
    return out
