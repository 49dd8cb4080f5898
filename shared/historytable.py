"""Risk's history table, read: the one query behind `riskctl history`.

Risk answers HistoryRequest with it from its open store (services/risk/store.py), and riskctl
reads the same table in risk's stored file with it while no riskd answers
(cli/storedhistory.py): one query, so the stored history and the live one never differ.
"""
from __future__ import annotations

import sqlite3
from typing import Optional

from shared import codec
from shared.messages.risk import Decision, HistoryReply, LockoutChange, RuleWarning

MAX_ROWS = 5000


def read_history(db: sqlite3.Connection, account_id: Optional[int] = None,
                 since_ns: Optional[int] = None, limit: int = 200) -> HistoryReply:
    """The newest `limit` decisions, warnings and lockout changes (of one account, since a
    time), oldest first."""
    sql, args = "SELECT kind, body FROM history WHERE 1=1", []
    if account_id is not None:
        sql += " AND account_id = ?"
        args.append(account_id)
    if since_ns is not None:
        sql += " AND ts_ns >= ?"
        args.append(since_ns)
    sql += " ORDER BY seq DESC LIMIT ?"
    args.append(max(1, min(int(limit), MAX_ROWS)))
    rows = list(db.execute(sql, args))[::-1]
    reply = HistoryReply()
    for _kind, body in rows:
        msg = codec.decode(body).msg
        if isinstance(msg, Decision):
            reply.decisions.append(msg)
        elif isinstance(msg, RuleWarning):
            reply.warnings.append(msg)
        elif isinstance(msg, LockoutChange):
            reply.lockouts.append(msg)
    return reply
