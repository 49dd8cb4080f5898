"""What a person's unlock asked for, from riskd's audit trail, where risk's records do not say.

Risk's records keep what an unlock asked to end (LockoutChange.unlock_of: every lockout of the
account, or a rule's or a symbol's) since riskd keeps it; rows written before hold only the
lockouts riskd cleared (trial22c section 3: `riskctl unlock 1002`, every lockout, read as an
unlock of the one rule riskd had cleared). The audit trail (audit.log and its rotations, in
the config's log folder, read-only) holds each unlock as the person typed it: its account, its
`--rule` and `--symbol` (null when not given), who and when, and riskd's answer. An unlock of
riskd's records with no scope takes the one of the audit line of the same account and person
answered ok within a few seconds after riskd cleared the lockout (the supervisor writes the
line once risk answered). A line that cannot be read, or none that fits, leaves it unsaid: the
replay then says it cannot tell (cli/replay/unlocks.py).
"""
from __future__ import annotations

import json
from typing import Iterable

from shared import auditchain
from shared.clock import parse_iso_ns
from shared.messages.risk import unlock_scope

# the audit line comes after risk's answer: this long after riskd's clearing at most
AFTER_NS = 10 * 1_000_000_000
BEFORE_NS = 1_000_000_000           # ... and this much before (clocks read apart)


def _lines(log_dir: str) -> list[dict]:
    out = []
    for path in auditchain.audit_files(log_dir):
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(rec, dict) and rec.get("action") == "unlock" and \
                            str(rec.get("outcome", rec.get("result", ""))).startswith("ok"):
                        out.append(rec)
        except OSError:
            continue
    return out


def _when(rec: dict):
    try:
        return parse_iso_ns(rec.get("time", ""))
    except (TypeError, ValueError):
        return None


def fill_in(log_dir: str, names: dict[int, Iterable[str]], records: dict) -> None:
    """records: account id -> RiskdRecords; names: account id -> the words a person may have
    typed for it (its id, name, display name). Each unlock row with no scope takes the one
    its audit line gives."""
    unsaid = [(aid, u) for aid, rec in records.items() for u in rec.unlocks if not u.unlock_of]
    if not unsaid:
        return
    lines = [(r, _when(r)) for r in _lines(log_dir)]
    for aid, u in unsaid:
        typed = {str(aid), *(n for n in names.get(aid, ()) if n)}
        fits = [r for r, at in lines if at is not None
                and u.ts_ns - BEFORE_NS <= at <= u.ts_ns + AFTER_NS
                and str(r.get("account", "")) in typed
                and r.get("who", r.get("by")) == u.by]
        if fits:
            r = min(fits, key=lambda r: abs(_when(r) - u.ts_ns))
            symbol = r.get("symbol") or None
            u.unlock_of = unlock_scope(r.get("rule") or None,
                                       str(symbol).upper() if symbol else None)
