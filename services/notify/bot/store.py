"""What the command side keeps on disk (notify.sqlite, beside the alert queue).

- the update offset and the update ids already handled: a restart neither loses a command
  (Telegram re-delivers what was not acknowledged) nor handles one twice; an update's
  answers are queued in the same transaction that marks it handled;
- lockout confirmations, one per /lockout or button press, keyed by the update that asked:
  asked -> executing (committed BEFORE the request goes to riskd) -> done | failed, or
  cancelled / expired. A confirmation in executing or done never runs again, so a lockout
  runs at most once even when notify is killed between acting and acknowledging.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable, Optional

import attrs

from services.notify.outbox import Outbox

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bot_offset (id INTEGER PRIMARY KEY CHECK (id = 1),
                                       next_update INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bot_updates (update_id INTEGER PRIMARY KEY, handled_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bot_lockouts (
    token TEXT PRIMARY KEY,
    chat TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    label TEXT NOT NULL,
    when_text TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_ns INTEGER NOT NULL,
    state TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT ''
);
"""
KEEP_UPDATES_NS = 3 * 86400 * 10**9      # Telegram keeps an update 24 h; we remember longer

ASKED, EXECUTING, DONE, FAILED, CANCELLED, EXPIRED = (
    "asked", "executing", "done", "failed", "cancelled", "expired")


@attrs.frozen
class Confirmation:
    token: str
    chat: str
    user_id: int
    account_id: int
    label: str
    when_text: str           # 30m | 2h | 15:30 | session
    reason: str
    created_ns: int
    state: str
    result: str = ""


@attrs.frozen
class Answer:
    """One message to queue for a chat."""
    chat: str
    text: str
    markup: Optional[dict] = None


class BotStore:
    def __init__(self, outbox: Outbox, channel: str = "telegram"):
        self.outbox = outbox
        self.channel = channel
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return self.outbox.connection()

    # -- updates ----------------------------------------------------------------------------
    def offset(self) -> int:
        row = self._db().execute("SELECT next_update FROM bot_offset WHERE id = 1").fetchone()
        return row[0] if row else 0

    def handled(self, update_id: int) -> bool:
        return self._db().execute("SELECT 1 FROM bot_updates WHERE update_id = ?",
                                  (update_id,)).fetchone() is not None

    def finish(self, update_id: int, answers: Iterable[Answer], now_ns: int) -> None:
        """Queue the update's answers, mark it handled and move the offset past it: one commit."""
        db = self._db()
        with db:
            for a in answers:
                self.outbox.add_reply(self.channel, a.chat, a.text, a.markup, now_ns, db=db)
            db.execute("INSERT OR IGNORE INTO bot_updates (update_id, handled_ns) VALUES (?, ?)",
                       (update_id, now_ns))
            db.execute("INSERT INTO bot_offset (id, next_update) VALUES (1, ?) ON CONFLICT(id) "
                       "DO UPDATE SET next_update = max(next_update, excluded.next_update)",
                       (update_id + 1,))

    def prune(self, now_ns: int) -> None:
        db = self._db()
        with db:
            db.execute("DELETE FROM bot_updates WHERE handled_ns < ?", (now_ns - KEEP_UPDATES_NS,))
            db.execute("DELETE FROM bot_lockouts WHERE created_ns < ?", (now_ns - KEEP_UPDATES_NS,))

    # -- lockout confirmations ------------------------------------------------------------------
    def ask(self, c: Confirmation) -> Confirmation:
        """Record a confirmation (the same token twice keeps the first); returns the stored one."""
        db = self._db()
        with db:
            db.execute("INSERT OR IGNORE INTO bot_lockouts (token, chat, user_id, account_id, "
                       "label, when_text, reason, created_ns, state, result) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", attrs.astuple(c))
        return self.get(c.token)

    def get(self, token: str) -> Optional[Confirmation]:
        row = self._db().execute("SELECT token, chat, user_id, account_id, label, when_text, "
                                 "reason, created_ns, state, result FROM bot_lockouts "
                                 "WHERE token = ?", (token,)).fetchone()
        return Confirmation(*row) if row else None

    def move(self, token: str, from_state: str, to_state: str, result: str = "") -> bool:
        """Compare-and-set the state (committed); False when it was not `from_state`."""
        db = self._db()
        with db:
            cur = db.execute("UPDATE bot_lockouts SET state = ?, result = ? "
                             "WHERE token = ? AND state = ?", (to_state, result, token, from_state))
        return cur.rowcount == 1
