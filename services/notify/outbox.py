"""The notify worker's outgoing queue on disk (SQLite, WAL): an alert stays until every channel
it is meant for has accepted a message carrying it (guarantee 7).

Tables: alerts (the rendered alert; button_account: the account a "Lock me out" button on
it is for; account_id: the account it is about, which picks the Telegram chats whose scope
sees it, None for everyone; chats: a JSON list of the only Telegram chats it is for, as a
daily summary written per scope) and deliveries (alert id, channel) still owed; replies (answers
to commands, one chat each, with an optional inline keyboard) share the file and the
channel's sender; taken (publisher, epoch, seq) lists the kept-topic messages notify took
from the bus in the last minutes, so a restarted notify takes a publisher's copies of its last
seconds (shared/bus/publisher.py) only for what the run before it missed; decided lists the
ids of risk's decisions notify took (from the bus or from risk's history), so each is alerted
once; resulted the command ids of enforcement's final outcomes notify took (from the bus or,
for a decision alerted late, from enforcement's journal), so each outcome is alerted once; alive
holds the last time this notify was known running (services/notify/catchup.py
asks risk for what was decided since); locked_buys, the memory a Done's "bought while locked"
words need, is services/notify/lockedbuys.py's. Each thread opens its own connection (sqlite3
connections are per thread); connection() is the calling thread's, for other tables that
must commit together with a reply.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import Optional

import attrs

from services.notify.templates import Alert

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ns INTEGER NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    chat TEXT NOT NULL,
    text TEXT NOT NULL,
    markup TEXT,
    created_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS held (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    frame BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS taken (
    publisher TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at_ns INTEGER NOT NULL,
    PRIMARY KEY (publisher, epoch, seq)
);
CREATE INDEX IF NOT EXISTS taken_at ON taken(at_ns);
CREATE TABLE IF NOT EXISTS decided (
    id TEXT PRIMARY KEY,
    at_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS resulted (
    id TEXT PRIMARY KEY,
    at_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alive (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    at_ns INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    channel TEXT NOT NULL,
    PRIMARY KEY (alert_id, channel)
);
"""


TAKEN_KEEP_NS = 600 * 10**9     # far past the publishers' 10 s and a notify restart
DECIDED_KEEP_NS = 3 * 86_400 * 10**9    # past any catch-up window (services/notify/catchup.py)


@attrs.frozen
class Row:
    id: int
    created_ns: int
    kind: str
    severity: str
    title: str
    text: str
    button_account: Optional[int] = None
    account_id: Optional[int] = None
    chats: Optional[tuple[str, ...]] = None


@attrs.frozen
class ReplyRow:
    id: int
    chat: str
    text: str
    markup: Optional[dict]
    created_ns: int


class Outbox:
    def __init__(self, path: str):
        self.path = path
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self._local = threading.local()
        with self._db() as db:
            db.executescript(_SCHEMA)
            columns = [r[1] for r in db.execute("PRAGMA table_info(alerts)")]
            if "button_account" not in columns:       # a queue written before the button
                db.execute("ALTER TABLE alerts ADD COLUMN button_account INTEGER")
            for column, kind in (("account_id", "INTEGER"), ("chats", "TEXT")):
                if column not in columns:     # before per-chat scopes: goes to every chat
                    db.execute(f"ALTER TABLE alerts ADD COLUMN {column} {kind}")

    def connection(self) -> sqlite3.Connection:
        return self._db()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10.0)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    # -- what notify took from the bus: a restarted notify drops the copies it already had --
    def mark_taken(self, keys: list[tuple[str, int, int]], now_ns: int,
                   keep_ns: int = TAKEN_KEEP_NS) -> None:
        """(publisher, epoch, seq) of messages taken (their alerts queued or held already);
        what is older than keep_ns goes (a publisher sends copies of its last seconds only)."""
        db = self._db()
        with db:
            db.executemany("INSERT OR IGNORE INTO taken VALUES (?, ?, ?, ?)",
                           [(p, e, q, now_ns) for p, e, q in keys])
            db.execute("DELETE FROM taken WHERE at_ns < ?", (now_ns - keep_ns,))

    def taken(self) -> list[tuple[str, int, int]]:
        """What the runs before took, oldest first."""
        return [tuple(r) for r in self._db().execute(
            "SELECT publisher, epoch, seq FROM taken ORDER BY at_ns, rowid")]

    def decided(self, decision_id: str) -> bool:
        """Did notify take this decision already (from the bus or risk's history)?"""
        return self._db().execute("SELECT 1 FROM decided WHERE id = ?",
                                  (decision_id,)).fetchone() is not None

    def mark_decided(self, decision_id: str, now_ns: int, keep_ns: int = DECIDED_KEEP_NS) -> None:
        """Notify took this decision (after it is held: a crash in between alerts it twice
        rather than never)."""
        db = self._db()
        with db:
            db.execute("INSERT OR IGNORE INTO decided VALUES (?, ?)", (decision_id, now_ns))
            db.execute("DELETE FROM decided WHERE at_ns < ?", (now_ns - keep_ns,))

    def resulted(self, command_id: str) -> bool:
        """Did notify take this command's final outcome already (bus or catch-up)?"""
        return self._db().execute("SELECT 1 FROM resulted WHERE id = ?",
                                  (command_id,)).fetchone() is not None

    def mark_resulted(self, command_id: str, now_ns: int,
                      keep_ns: int = DECIDED_KEEP_NS) -> None:
        """Notify took this command's final outcome (after its alert is queued or held)."""
        db = self._db()
        with db:
            db.execute("INSERT OR IGNORE INTO resulted VALUES (?, ?)", (command_id, now_ns))
            db.execute("DELETE FROM resulted WHERE at_ns < ?", (now_ns - keep_ns,))

    def alive(self, now_ns: int) -> None:
        """This notify is running at now_ns."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO alive VALUES (1, ?)", (now_ns,))

    def last_alive(self) -> Optional[int]:
        """When a notify on this file was last known running (None: never, or before the
        table existed)."""
        row = self._db().execute("SELECT at_ns FROM alive WHERE one = 1").fetchone()
        return row[0] if row else None

    # -- risk's step messages, held until the step's one alert is made (services/notify/steps.py)
    def hold(self, frame: bytes) -> int:
        """Keep one received message (its encoded frame) until release(); committed."""
        db = self._db()
        with db:
            return db.execute("INSERT INTO held (frame) VALUES (?)", (frame,)).lastrowid

    def held(self) -> list[tuple[int, bytes]]:
        """What a previous run held and never made into an alert, in the order it came."""
        return [(r[0], bytes(r[1])) for r in
                self._db().execute("SELECT id, frame FROM held ORDER BY id")]

    def release(self, ids: tuple[int, ...] | list[int]) -> None:
        with self._db() as db:
            db.executemany("DELETE FROM held WHERE id = ?", [(i,) for i in ids])

    def add(self, alert: Alert, text: str, channels: list[str], created_ns: int,
            button_account: Optional[int] = None, release: tuple[int, ...] = ()) -> int:
        """Queue an alert for these channels; committed before this returns, in the same
        transaction as the release of the held messages it was made of."""
        db = self._db()
        with db:
            db.executemany("DELETE FROM held WHERE id = ?", [(i,) for i in release])
            cur = db.execute("INSERT INTO alerts (created_ns, kind, severity, title, text, "
                             "button_account, account_id, chats) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (created_ns, alert.kind, alert.severity, alert.title, text,
                              button_account, alert.account_id,
                              None if alert.chats is None else json.dumps(list(alert.chats))))
            alert_id = cur.lastrowid
            db.executemany("INSERT INTO deliveries (alert_id, channel) VALUES (?, ?)",
                           [(alert_id, c) for c in channels])
        return alert_id

    def pending(self, channel: str, limit: int = 5000) -> list[Row]:
        rows = self._db().execute(
            "SELECT a.id, a.created_ns, a.kind, a.severity, a.title, a.text, a.button_account, "
            "a.account_id, a.chats FROM deliveries d "
            "JOIN alerts a ON a.id = d.alert_id WHERE d.channel = ? ORDER BY a.id LIMIT ?",
            (channel, limit)).fetchall()
        return [Row(*r[:-1], chats=None if r[-1] is None else tuple(json.loads(r[-1])))
                for r in rows]

    def count(self, channel: str) -> int:
        return self._db().execute("SELECT COUNT(*) FROM deliveries WHERE channel = ?",
                                  (channel,)).fetchone()[0]

    def delivered(self, channel: str, ids: tuple[int, ...] | list[int]) -> None:
        """The channel accepted a message carrying these alerts: forget what nobody owes."""
        db = self._db()
        with db:
            db.executemany("DELETE FROM deliveries WHERE alert_id = ? AND channel = ?",
                           [(i, channel) for i in ids])
            db.executemany("DELETE FROM alerts WHERE id = ? AND NOT EXISTS "
                           "(SELECT 1 FROM deliveries WHERE alert_id = ?)",
                           [(i, i) for i in ids])

    def forget_channels_except(self, channels: list[str]) -> int:
        """Drop deliveries owed to channels that are no longer configured; returns how many."""
        db = self._db()
        marks = ",".join("?" * len(channels)) or "''"
        with db:
            cur = db.execute(f"DELETE FROM deliveries WHERE channel NOT IN ({marks})", channels)
            db.execute("DELETE FROM alerts WHERE id NOT IN (SELECT alert_id FROM deliveries)")
            db.execute(f"DELETE FROM replies WHERE channel NOT IN ({marks})", channels)
        return cur.rowcount

    # -- replies to commands ----------------------------------------------------------------
    def add_reply(self, channel: str, chat: str, text: str, markup: Optional[dict],
                  created_ns: int, db: Optional[sqlite3.Connection] = None) -> None:
        """Queue an answer; inside the caller's transaction when `db` is given."""
        (db or self._db()).execute(
            "INSERT INTO replies (channel, chat, text, markup, created_ns) VALUES (?, ?, ?, ?, ?)",
            (channel, chat, text, json.dumps(markup) if markup else None, created_ns))
        if db is None:
            self._db().commit()

    def next_reply(self, channel: str) -> Optional[ReplyRow]:
        row = self._db().execute("SELECT id, chat, text, markup, created_ns FROM replies "
                                 "WHERE channel = ? ORDER BY id LIMIT 1", (channel,)).fetchone()
        if row is None:
            return None
        return ReplyRow(row[0], row[1], row[2], json.loads(row[3]) if row[3] else None, row[4])

    def reply_sent(self, reply_id: int) -> None:
        db = self._db()
        with db:
            db.execute("DELETE FROM replies WHERE id = ?", (reply_id,))

    def replies_queued(self, channel: str) -> int:
        return self._db().execute("SELECT COUNT(*) FROM replies WHERE channel = ?",
                                  (channel,)).fetchone()[0]

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
