"""Notify's memory of the broker's account names: what an alert says for an account the config
does not name (shared/accountname.named: display_name, else name, else the broker's name, else
the id).

Only risk's records carry the broker's name (Decision/RuleWarning.account_name); enforcement's
results, lockout changes and the rest carry the id alone. A notify that kept the names in
memory only said the bare id after `riskctl restart notify` or a crash ("✅ Done on 1003" where
the breach before it said "SIM-DEMO-3 (id 1003)") until risk's next record of that account.
So each name is kept in notify's own file (notify.sqlite, beside the outbox's tables,
services/notify/outbox.py) as it is heard, and a notify that starts reads them back: no broker
call and no other worker's file. A name the broker changes is replaced by the next record that
carries it.

BrokerNames is the dict the templates' Context reads (account id -> name); learn() keeps a
name, written to the file before it returns when it is new or changed.
"""
from __future__ import annotations

_SCHEMA = """
CREATE TABLE IF NOT EXISTS broker_names (
    account_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    at_ns INTEGER NOT NULL          -- when it was last heard changed
);
"""


class BrokerNames(dict):
    """account id -> the broker's name, as last heard; read back from `outbox`'s file (notify's
    Outbox: its file, its per-thread connection)."""

    def __init__(self, outbox):
        super().__init__()
        self.outbox = outbox
        db = outbox.connection()
        with db:
            db.executescript(_SCHEMA)
        self.update({int(aid): name for aid, name in db.execute(
            "SELECT account_id, name FROM broker_names")})

    def learn(self, account_id: int, name: str, now_ns: int = 0) -> None:
        """Keep the broker's name of an account (on disk when it is new or changed)."""
        if not name or self.get(account_id) == name:
            return
        db = self.outbox.connection()
        with db:
            db.execute("INSERT OR REPLACE INTO broker_names VALUES (?, ?, ?)",
                       (account_id, name, now_ns))
        self[account_id] = name
