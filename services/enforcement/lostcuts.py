"""How long a reduce waits for a lost partial close to land before it cuts again.

A partialCloseContract is not idempotent (the broker API has no idempotency key for it): a
cut whose answer never came (a timeout, a dropped connection, enforcement killed while it was
out) may still be carried out by the broker after riskd gave up on it, and a second cut sent
meanwhile then cuts twice (trial23b finding 1: the broker 15 s slow, [broker] timeout 10 s,
max_contracts 2, long 4: round 1 timed out, round 2 cut 4 -> 2, the broker then carried
round 1 out, 2 -> 0: the two contracts the rule allowed were closed at market).

So before a next round (or a resumed command, or another reduce on the same contract) cuts
while such a cut is unsettled, it re-reads the position every GRACE_STEP s until that cut may
no longer come: one more broker timeout after riskd gave up on it (a call that timed out was
out for one timeout; the broker gets as long again), two after the ended process's command
began for a cut a killed enforcement may have sent (it would have given up one timeout after
sending), and SHORT_GRACE_S for a cut the broker answered with a 5xx (it answered: what it
did is on the next read; a 502 or 504 a proxy answered for the broker is no answer:
shared/latewords.py PROXY_CODES). A position found at or below the target meanwhile is not cut
again. The wait does not hold the lane against a close or a flatten queued behind it (a whole
close is harmless to repeat): the reduce hands it over (actions/base.py HandOver) and reads
again after it. The trade-off: contracts over the limit stay open up to that long (docs/rules.md
"A reduce whose answer was lost"); a cut that lands later still is said as riskd's late
reduce, and how many it cut beyond the limit (shared/latewords.py).
"""
from __future__ import annotations

from typing import Iterable, Optional

from shared.latewords import RESTARTED, answered

GRACE_STEP = 1.0            # s between the reads while a lost cut may still land
SHORT_GRACE_S = 1.0         # s: a cut the broker answered with a 5xx
DEFAULT_TIMEOUT_S = 10.0    # [broker] timeout when the client does not say
NS = 1_000_000_000


def horizon_ns(timeout_s: Optional[float]) -> int:
    """How far back another command's lost cut can still be waited for (two timeouts)."""
    return 2 * int((timeout_s or DEFAULT_TIMEOUT_S) * NS)


def rows(calls: Iterable) -> list[list]:
    """The account's other commands' lost closes (LostCall, the journal's lost_closes) as
    journaled rows: [contract, size, lost_ns, how]."""
    return [[c.contract_id, c.size, c.lost_ns, c.how] for c in calls]


def grace_end(rows: Iterable, contract_id: str, timeout_s: Optional[float],
              restarted_sent: bool = True) -> int:
    """The time (ns) until which a lost partial cut on contract_id may still land (0: none).
    rows: journaled lost closes ([contract, size, lost_ns, how], ActionContext._lost_close);
    a whole close (size 0) is harmless to repeat and is not waited for. restarted_sent: a
    cut 'sent before enforcement restarted' counts (False: the ended process had not
    journaled its target, so it never called)."""
    timeout = int((timeout_s or DEFAULT_TIMEOUT_S) * NS)
    end = 0
    for row in rows:
        row = list(row) + [0, ""]
        cid, size, lost_ns, how = row[0], int(row[1] or 0), int(row[2] or 0), row[3] or ""
        if cid != contract_id or size <= 0:
            continue
        if how == RESTARTED:
            if not restarted_sent:
                continue
            end = max(end, lost_ns + 2 * timeout)
        elif answered(how):          # a proxy's 502/504 is no answer of the broker's
            end = max(end, lost_ns + int(SHORT_GRACE_S * NS))
        else:
            end = max(end, lost_ns + timeout)
    return end


__all__ = ["GRACE_STEP", "SHORT_GRACE_S", "grace_end", "horizon_ns", "rows"]
