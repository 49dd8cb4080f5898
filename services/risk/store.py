"""Risk's durable state: SQLite (stdlib sqlite3, WAL) in the data directory.

Tables: lockouts (active ones), trades (processed trade ids with their PnL and timestamps:
today's realized PnL and the frequency windows are rebuilt from them), daily (PnL per account
and trading day, for history), marks (drawdown high-water mark and the day's trailing highs),
warned (warnings already given today), history (every decision, warning and lockout change),
outbox (enforcement commands without a final result), withdraws (the WithdrawCommand of each
outbox command risk took back: services/risk/withdraw.py; a restart re-sends the withdraw,
never the command), meta (the trading day in force; who
disabled which account: services/risk/disabled.py; which failing actions are folded into
which: services/risk/retries.py),
riskd_exit (riskd's expected exits, one JSON row per exit, written as they are added, used up,
settled or forgotten: services/risk/exits.py; riskd_exits, the one row per account of earlier
versions, is moved into it on open), riskd_orders (order ids known to be riskd's; one taken
back is deleted) and riskd_pending (fills held or claimed as riskd's until a close's result
names its orders: exits.py dump_pending; riskd_named_on, a row per contract a result named
an order of its command on, written as they change) and riskd_order_cmd (which of riskd's
commands each order is known to be of: exits.py order_cmd, written as it changes): which
fills are riskd's, and whose command's, is known across kill -9 and restarts; exposure (each
account's open positions and working orders as risk's book had them, written with every commit
(a step whose Position event moved a position commits: Outcome.moved) and every second, not
while a restart's record still waits for market's complete snapshot):
after a restart, what existed is not read as new (services/risk/carried.py); rules_in_force
(the rules each account is held to on the trading day, written when they change): a restarted
risk keeps a loosening waiting for the roll (services/risk/settings.py); meta 'off_rules' (the
rules in force as an admin's disable --now stopped guarding an account, that trading day): an
enable after a restart still starts from them; meta 'taken_under' (the setting each rule's own
lockout in force was taken under: services/risk/oldsetting.py, written with the steps that
change lockouts): a restarted risk's row still says "under its old setting"; meta 'alert_book' (alert mode's would-be lockouts and
breaches recorded: services/risk/alertmode.py); meta 'unjudged' (the positions in doubt since
when, and which accounts were told: services/risk/unjudgedalert.py); meta 'rules_configured'
(the config's rules per account as risk last read them, that trading day): a restart says
what an edit made while riskd was stopped changed (RuleSettings.restart_changes).
Trades are kept 8 days (the week's count), history 90 days.

commit(outcome) writes one engine step in ONE transaction; the worker publishes only after it
returns, so a kill -9 at any instant either loses the step before anything was sent (the
broker events are replayed by market's snapshot) or keeps it (and nothing is sent twice: the
outbox is re-sent under the same command ids, which enforcement executes at most once).

On open: PRAGMA integrity_check. A corrupt file (or one that is not a database) is moved aside
as <name>.corrupt-<UTC time> with its -wal/-shm files, a fresh one is created, and open()
reports it so the worker raises an alert and rebuilds from market's snapshot.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from decimal import Decimal
from typing import Optional

from services.risk.carried import Carried, exposure_json, exposure_key
from services.risk.disabled import off_from_json, off_json
from services.risk.exits import dump_exit
from services.risk.lockouts import key_text
from services.risk.unjudgedalert import doubt_json, load_doubt
from shared import codec, shards
from shared.config.convert import config_converter, to_toml_data
from shared.config.rules import RULE_CLASS, RulesConfig
from shared.messages.enforce import Command
from shared.messages.market import Fill
from shared.messages.risk import HistoryReply
from shared.historytable import read_history
from shared.sqlitefile import check_file, move_aside
from shared.walstore import close_wal, open_wal

log = logging.getLogger(__name__)

FILE_NAME = shards.SINGLE_FILE     # one risk; a shard's is shards.state_file(index, N)
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lockouts (
    key TEXT PRIMARY KEY, id TEXT NOT NULL, account_id INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS trades (
    account_id INTEGER NOT NULL, trade_id INTEGER NOT NULL, ts_ns INTEGER NOT NULL,
    body BLOB NOT NULL, PRIMARY KEY (account_id, trade_id));
CREATE INDEX IF NOT EXISTS trades_ts ON trades (ts_ns);
CREATE TABLE IF NOT EXISTS daily (
    account_id INTEGER NOT NULL, day TEXT NOT NULL, realized TEXT NOT NULL, fees TEXT NOT NULL,
    trades INTEGER NOT NULL, PRIMARY KEY (account_id, day));
CREATE TABLE IF NOT EXISTS marks (
    account_id INTEGER PRIMARY KEY, hwm TEXT, day TEXT, day_highs TEXT NOT NULL,
    day_start_balance TEXT);
CREATE TABLE IF NOT EXISTS warned (
    account_id INTEGER NOT NULL, rule TEXT NOT NULL, day TEXT NOT NULL,
    PRIMARY KEY (account_id, rule, day));
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ts_ns INTEGER NOT NULL, account_id INTEGER NOT NULL,
    kind TEXT NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS history_ts ON history (ts_ns);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, ts_ns INTEGER NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS withdraws (id TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS riskd_exits (account_id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS riskd_exit (
    account_id INTEGER NOT NULL, n INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (account_id, n));
CREATE TABLE IF NOT EXISTS exposure (account_id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rules_in_force (
    account_id INTEGER PRIMARY KEY, name TEXT NOT NULL, day TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS riskd_orders (
    account_id INTEGER NOT NULL, order_id INTEGER NOT NULL, PRIMARY KEY (account_id, order_id));
CREATE TABLE IF NOT EXISTS riskd_pending (account_id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS riskd_named_on (
    account_id INTEGER NOT NULL, command_id TEXT NOT NULL, contract_id TEXT NOT NULL,
    PRIMARY KEY (account_id, command_id, contract_id));
CREATE TABLE IF NOT EXISTS riskd_order_cmd (
    account_id INTEGER NOT NULL, order_id INTEGER NOT NULL, command_id TEXT NOT NULL,
    PRIMARY KEY (account_id, order_id));
"""
# the withdraws whose command has left the outbox (services/risk/withdraw.py)
_WITHDRAWS_LEFT = "DELETE FROM withdraws WHERE id NOT IN (SELECT id FROM outbox)"
TRADE_DAYS_KEPT = 8
HISTORY_DAYS_KEPT = 90


def _enc(msg) -> bytes:
    return codec.encode(msg)


def _dec(blob: bytes):
    return codec.decode(blob).msg


def _dec_text(value: Optional[str]) -> Optional[Decimal]:
    return None if value is None else Decimal(value)


class Store:
    def __init__(self, path: str):
        self.path = path
        # WAL, synchronous=NORMAL: a killed process loses nothing; checkpoints run off the
        # commit path (shared/walstore.py)
        self.db = open_wal(path, SCHEMA)
        self._move_exits()
        self._marks_seen: dict[int, tuple] = {}
        self._warned_saved: set = set()      # warned keys this store has committed
        self._exposure_seen: dict[int, str] = {}
        self._exposure_keys: dict[int, tuple] = {}     # carried.exposure_key of what was written
        self._marks_keys: dict[int, tuple] = {}        # the marks' values behind the row written
        self._rules_seen: dict[int, tuple] = {}
        self._off_seen = ""
        self._off_rules_seen = ""
        self._off_rules_last = None     # (day, the off rules) the body was last made of
        self._configured_seen: Optional[dict] = None     # the RulesConfigs last written
        self._own_seen = ""          # meta 'rules_own' as written
        self._own_last = None        # (day, the settings' owns()) it was last made of
        # (settings, their version(), the day) when _rules last wrote all it had to: the
        # same again, its walks of every account would write nothing
        self._rules_at: tuple = ()
        self._folds_seen = "[]"
        self._book_seen = ""         # alert mode's book as written (meta 'alert_book')
        self._book_at: tuple = ()    # (its change count, the day) when last serialised
        self._quiet_seen = "{}"
        self._doubt_seen = ""        # meta 'unjudged' as written (services/risk/unjudgedalert.py)
        self._taken_seen = ""        # meta 'taken_under' as written
        self._taken_data: dict = {}  # lockout id -> (its setting, that setting as data)
        self._exits_again = False    # a rollback lost written changes: write every exit again
        # the withdraws table may hold a row (False: known empty, as the last commit left it)
        self._withdraws_held = True
        self._pending_seen: dict[int, str] = {}   # riskd_pending's body as written, per account
        # riskd_named_on's pairs as written, and the named_version() they were, per account
        self._named_seen: dict[int, frozenset] = {}
        self._named_at: dict[int, int] = {}
        self._day_written = False

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: str, now_ns: Optional[int] = None,
             file_name: str = FILE_NAME) -> tuple["Store", str]:
        """Open (or create) the store; returns (store, problem report or '')."""
        os.makedirs(data_dir, exist_ok=True)
        path = os.path.join(data_dir, file_name)
        problem = check_file(path)
        if not problem:
            try:
                return cls(path), ""
            except sqlite3.DatabaseError as exc:
                problem = f"cannot open: {exc}"
        moved = move_aside(path, now_ns)
        report = (f"risk state file {path} failed its integrity check ({problem}); moved aside "
                  f"to {moved}; state is rebuilt from the broker snapshot and today's trades")
        log.error(report)
        return cls(path), report

    def close(self) -> None:
        close_wal(self.path, self.db)

    def _move_exits(self) -> None:
        """A store written before riskd_exit: each account's JSON array becomes its rows, in
        one transaction (the array's order is the order the exits were added)."""
        old = self.db.execute("SELECT account_id, body FROM riskd_exits").fetchall()
        if not old:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for aid, body in old:
                self.db.executemany("INSERT OR REPLACE INTO riskd_exit VALUES (?, ?, ?)",
                                    [(aid, n, json.dumps(row)) for n, row
                                     in enumerate(json.loads(body), start=1)])
            self.db.execute("DELETE FROM riskd_exits")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- writing ----------------------------------------------------------------------------
    def commit(self, out, engine) -> None:
        """Persist one engine step atomically (call BEFORE publishing any of it)."""
        if not out.durable:
            return
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for f in out.fills:
                db.execute("INSERT OR REPLACE INTO trades VALUES (?, ?, ?, ?)",
                           (f.account_id, f.trade_id, f.ts_ns, _enc(f)))
            for aid in {f.account_id for f in out.fills}:
                self._daily(engine, aid)
            for c in out.lockouts:
                lk = c.lockout
                if c.change == "cleared":
                    db.execute("DELETE FROM lockouts WHERE id = ?", (lk.id,))
                else:
                    # its row under any earlier key too (a person's own lockout whose kind an
                    # extension changed, or one saved before one row per owner)
                    db.execute("DELETE FROM lockouts WHERE id = ?", (lk.id,))
                    db.execute("INSERT OR REPLACE INTO lockouts VALUES (?, ?, ?, ?)",
                               (key_text(lk), lk.id, lk.account_id, _enc(lk)))
                self._history(c.ts_ns, lk.account_id, "lockout", c)
            if out.lockouts:
                self._taken_under(engine)
            for d in out.decisions:
                self._history(d.ts_ns, d.account_id, "decision", d)
            for w in out.warnings:
                self._history(w.ts_ns, w.account_id, "warning", w)
            new_warned = engine.warned - self._warned_saved   # the step's own, not all again
            for key in new_warned:
                db.execute("INSERT OR IGNORE INTO warned VALUES (?, ?, ?)",
                           (key[0], key[1], key[2].isoformat()))
            for cmd in out.commands:
                db.execute("INSERT OR IGNORE INTO outbox VALUES (?, ?, ?)",
                           (cmd.id, cmd.issued_ns, _enc(cmd)))
            for w in out.withdraws:         # with the outbox: the same durability
                db.execute("INSERT OR REPLACE INTO withdraws VALUES (?, ?)",
                           (w.command_id, _enc(w)))
            for cid in out.finished:
                db.execute("DELETE FROM outbox WHERE id = ?", (cid,))
            if out.withdraws:
                self._withdraws_held = True
            if (out.withdraws or out.finished) and self._withdraws_held:
                # a withdraw lives as long as its command: one whose command has left the
                # outbox (finished before the withdraw's step was saved) is deleted, not kept.
                # Not while the table is known empty (every breach's result finishes a
                # command; a withdraw is rare): the DELETE's scan of the outbox would find none
                db.execute(_WITHDRAWS_LEFT)
                self._withdraws_held = db.execute(
                    "SELECT EXISTS (SELECT 1 FROM withdraws)").fetchone()[0] == 1
            if self._exits_again:
                self._all_exits(engine)
            for aid in out.exits:
                self._exits(engine, aid)
            if out.rolled:
                self._prune(engine)
            # the marks of the accounts this step touched (the rest: save_marks every second,
            # as for the steps that commit nothing); every account's at a roll
            touched = None if out.rolled else (
                set(out.dirty) | {f.account_id for f in out.fills}
                | {d.account_id for d in out.decisions}
                | {c.lockout.account_id for c in out.lockouts})
            self._marks(engine, force=bool(out.rolled), only=touched)
            # every account's exposure, not only the touched ones: the record a restart reads
            # must not lag the broker by the 1 s of the timer (chaos run, 2026-12-05)
            self._exposure(engine)
            self._rules(engine)
            self._folds(engine)
            self._alert_book(engine)
            self._doubt(engine)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            self._forget()
            raise
        self._warned_saved |= new_warned
        if out.rolled:
            self._warned_saved &= engine.warned

    def save_marks(self, engine) -> None:
        """Persist changed marks (high-water marks, the day's trailing highs) and exposure;
        cheap when none changed."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._marks(engine)
            self._exposure(engine)
            self._rules(engine)
            self._off(engine)
            self._alert_book(engine)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            self._forget()
            raise

    def _forget(self) -> None:
        """After a rollback: what was 'already written' may not be; the next commit writes
        every row again."""
        for seen in (self._marks_seen, self._marks_keys, self._exposure_seen, self._exposure_keys,
                     self._rules_seen, self._pending_seen, self._named_seen, self._named_at):
            seen.clear()
        self._exits_again = True     # the changes taken for the rolled back step are gone
        self._withdraws_held = True
        self._day_written = False
        self._off_seen = ""
        self._off_rules_seen = ""
        self._off_rules_last = None
        self._configured_seen = None
        self._own_seen = ""
        self._own_last = None
        self._rules_at = ()
        self._folds_seen = ""
        self._book_seen = ""
        self._book_at = ()
        self._taken_seen = ""
        self._doubt_seen = ""

    def _taken_under(self, engine) -> None:
        """The setting each lockout in force was taken under (engine.taken_under, services/
        risk/oldsetting.py), written when it changed: those of ended lockouts are left out."""
        taken = getattr(engine, "taken_under", None)
        if taken is None:
            return
        rows = {}
        for lk in engine.lockouts.all():
            if lk.id not in taken:
                continue
            params = taken[lk.id]
            seen = self._taken_data.get(lk.id)
            if seen is None or seen[0] is not params:
                seen = (params, None if params is None else to_toml_data(params))
            rows[lk.id] = seen
        self._taken_data = rows
        body = json.dumps({lid: d for lid, (_p, d) in rows.items()}, sort_keys=True)
        if body != self._taken_seen:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('taken_under', ?)", (body,))
            self._taken_seen = body

    def _history(self, ts_ns: int, account_id: int, kind: str, msg) -> None:
        self.db.execute("INSERT INTO history (ts_ns, account_id, kind, body) VALUES (?, ?, ?, ?)",
                        (ts_ns, account_id, kind, _enc(msg)))

    def _exits(self, engine, account_id: int) -> None:
        acct = engine.accounts.get(account_id)
        if acct is None:
            return
        changed = acct.riskd.take_changes()       # the step's own exits, not all of them
        gone = [(account_id, n) for n, e in changed.items() if e is None]
        if gone:
            self.db.executemany("DELETE FROM riskd_exit WHERE account_id = ? AND n = ?", gone)
        rows = [(account_id, n, json.dumps(dump_exit(e))) for n, e in changed.items()
                if e is not None]
        if rows:
            self.db.executemany("INSERT OR REPLACE INTO riskd_exit VALUES (?, ?, ?)", rows)
        dropped = acct.riskd.take_dropped()      # taken back: not riskd's after a restart
        if dropped:
            self.db.executemany("DELETE FROM riskd_orders WHERE account_id = ? AND order_id = ?",
                                [(account_id, oid) for oid in sorted(dropped)])
        new = acct.riskd.take_added()            # the step's own, not every order of the day
        if new:
            self.db.executemany("INSERT OR IGNORE INTO riskd_orders VALUES (?, ?)",
                                [(account_id, oid) for oid in sorted(new)])
        self._order_cmds(account_id, acct.riskd.take_cmd_changes())
        self._pending(account_id, acct.riskd)

    def _pending(self, account_id: int, riskd) -> None:
        """The fills held or claimed until a result names its orders (exits.py dump_pending)
        and named_on's rows, when changed; the account's saved state all written then."""
        pending = riskd.dump_pending()
        if pending != self._pending_seen.get(account_id):
            if pending:
                self.db.execute("INSERT OR REPLACE INTO riskd_pending VALUES (?, ?)",
                                (account_id, pending))
            else:
                self.db.execute("DELETE FROM riskd_pending WHERE account_id = ?",
                                (account_id,))
            self._pending_seen[account_id] = pending
        self._named(account_id, riskd)
        riskd.mark_saved()

    def _named(self, account_id: int, riskd) -> None:
        """The contracts each result named an order of its command on (exits.py named_on), a
        row per pair, the pairs that changed (after a rollback: all of the account's again)."""
        at = riskd.named_version()
        if self._named_at.get(account_id) == at:
            return
        seen = self._named_seen.get(account_id)
        if seen is None:
            self.db.execute("DELETE FROM riskd_named_on WHERE account_id = ?", (account_id,))
            seen = frozenset()
        now = frozenset(riskd.named_on)
        if seen - now:
            self.db.executemany("DELETE FROM riskd_named_on WHERE account_id = ? AND "
                                "command_id = ? AND contract_id = ?",
                                [(account_id, c, k) for c, k in sorted(seen - now)])
        if now - seen:
            self.db.executemany("INSERT OR IGNORE INTO riskd_named_on VALUES (?, ?, ?)",
                                [(account_id, c, k) for c, k in sorted(now - seen)])
        self._named_seen[account_id], self._named_at[account_id] = now, at

    def _order_cmds(self, account_id: int, changed: dict) -> None:
        """Which command each order is of (exits.py order_cmd), the rows that changed."""
        gone = [(account_id, o) for o, c in changed.items() if c is None]
        if gone:
            self.db.executemany("DELETE FROM riskd_order_cmd WHERE account_id = ? AND "
                                "order_id = ?", gone)
        rows = [(account_id, o, c) for o, c in changed.items() if c is not None]
        if rows:
            self.db.executemany("INSERT OR REPLACE INTO riskd_order_cmd VALUES (?, ?, ?)",
                                rows)

    def _all_exits(self, engine) -> None:
        """Every account's exits (and orders' commands, and riskd's order ids) written again
        (after a rollback: the rolled back step's changes were taken), then only changes."""
        self.db.execute("DELETE FROM riskd_exit")
        self.db.execute("DELETE FROM riskd_order_cmd")
        self.db.execute("DELETE FROM riskd_orders")
        for aid, acct in engine.accounts.items():
            acct.riskd.take_changes()
            acct.riskd.take_cmd_changes()
            acct.riskd.take_added()
            acct.riskd.take_dropped()
            self.db.executemany("INSERT INTO riskd_exit VALUES (?, ?, ?)",
                                [(aid, e.n, json.dumps(dump_exit(e)))
                                 for e in acct.riskd.expected])
            self._order_cmds(aid, dict(acct.riskd.order_cmd))
            self.db.executemany("INSERT INTO riskd_orders VALUES (?, ?)",
                                [(aid, oid) for oid in sorted(acct.riskd.orders)])
            # the pending body and named_on too: the rolled back step's may be gone, and
            # that account need not be in the next step's exits
            self._pending(aid, acct.riskd)
        self._exits_again = False

    def _daily(self, engine, account_id: int) -> None:
        acct = engine.accounts.get(account_id)
        if acct is None or acct.trading_day is None:
            return
        self.db.execute("INSERT OR REPLACE INTO daily VALUES (?, ?, ?, ?, ?)",
                        (account_id, acct.trading_day.isoformat(), str(acct.realized_gross),
                         str(acct.fees), acct.trades_today))

    def _marks(self, engine, force: bool = False, only=None) -> None:
        """only: these account ids (None: every account)."""
        if engine.day is not None and (force or not self._day_written):
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('day', ?)",
                            (engine.day.isoformat(),))
            self._day_written = True
        accounts = engine.accounts.items() if only is None else \
            [(aid, engine.accounts[aid]) for aid in only if aid in engine.accounts]
        for aid, acct in accounts:
            key = (acct.hwm, acct.trading_day, tuple(acct.day_highs.items()),
                   acct.day_start_balance)
            if not force and self._marks_keys.get(aid) == key:
                continue        # what was written is this (the row's json.dumps not redone)
            self._marks_keys[aid] = key
            row = (None if acct.hwm is None else str(acct.hwm),
                   acct.trading_day.isoformat() if acct.trading_day else None,
                   json.dumps({k: str(v) for k, v in sorted(acct.day_highs.items())}),
                   None if acct.day_start_balance is None else str(acct.day_start_balance))
            if not force and self._marks_seen.get(aid) == row:
                continue
            self.db.execute("INSERT OR REPLACE INTO marks VALUES (?, ?, ?, ?, ?)", (aid, *row))
            self._marks_seen[aid] = row

    def _exposure(self, engine) -> None:
        """What each account holds now; not an account whose record from before a restart
        still waits for market's complete snapshot (its book is not the broker's state yet)."""
        for aid, acct in engine.accounts.items():
            if aid in engine.carried:
                continue
            key = exposure_key(acct)
            if key is not None and self._exposure_keys.get(aid) == key:
                continue                       # the record written is this one
            body = exposure_json(acct)
            if self._exposure_seen.get(aid) != body:
                self.db.execute("INSERT OR REPLACE INTO exposure VALUES (?, ?)", (aid, body))
                self._exposure_seen[aid] = body
            if key is None:
                self._exposure_keys.pop(aid, None)
            else:
                self._exposure_keys[aid] = key

    def _off(self, engine) -> None:
        """Who disabled which account, when, why, and what it held (services/risk/disabled.py):
        written when it changed."""
        body = off_json(getattr(engine, "off", {}) or {})
        if body != self._off_seen:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('off', ?)", (body,))
            self._off_seen = body

    def _folds(self, engine) -> None:
        """Which failing actions are folded into which (services/risk/retries.py: one FAILED
        alert per position, across a restart too): written when it changed."""
        folds = getattr(engine, "folds", None)
        body = folds() if folds is not None else "[]"
        if body != self._folds_seen:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('folds', ?)", (body,))
            self._folds_seen = body

    def _alert_book(self, engine) -> None:
        """Alert mode's would-be lockouts and breaches recorded (services/risk/alertmode.py):
        written when they changed, with the step that recorded them."""
        book = getattr(engine, "alert_book", None)
        if book is None or (book.changes, engine.day) == self._book_at:
            return
        self._book_at = (book.changes, engine.day)
        body = book.to_json(engine.day)
        if body != self._book_seen:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('alert_book', ?)", (body,))
            self._book_seen = body

    def save_quiet(self, engine) -> None:
        """The held prices' silences alerted (services/risk/quietfeed.py), written when they
        changed, BEFORE the alert that promises one more is published: a restart (kill -9
        too) keeps the promise (trial13a: the 🟢 "prices flowing again" never came after
        risk restarted during the silence)."""
        quiet = getattr(engine, "quiet", None)
        body = quiet.to_json() if quiet is not None else "{}"
        if body == self._quiet_seen:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('quiet', ?)", (body,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self._quiet_seen = body

    def _doubt(self, engine) -> None:
        """Which positions are in doubt since when, and which accounts were told (services/
        risk/unjudgedalert.py): written when it changed, in the transaction under way."""
        body = doubt_json(engine)
        if body != self._doubt_seen:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('unjudged', ?)", (body,))
            self._doubt_seen = body

    def save_doubt(self, engine) -> None:
        """The doubt and the told marks, written when they changed, BEFORE an alert about it
        is published (as save_quiet): a doubt that began or ended with a step that committed
        nothing, and a told mark, are kept across a restart (kill -9 too)."""
        if doubt_json(engine) == self._doubt_seen:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self._doubt(engine)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            self._doubt_seen = ""
            raise

    def _rules(self, engine) -> None:
        """The rules each account is held to today, when they changed (an identity check: the
        settings replace a RulesConfig, never change one)."""
        settings = engine.settings
        in_force = getattr(settings, "in_force", None)
        if in_force is None or engine.day is None:
            return
        version = getattr(settings, "version", None)
        at = (settings, version(), engine.day) if version is not None else ()
        if at and self._rules_at and self._rules_at[0] is settings \
                and self._rules_at[1:] == at[1:]:
            return          # nothing changed since every row below was written (round 22)
        day = engine.day.isoformat()
        for aid, (name, rules) in in_force().items():
            seen = self._rules_seen.get(aid)
            if seen is not None and seen[0] is rules and seen[1] == day:
                continue
            body = "null" if rules is None else json.dumps(to_toml_data(rules))
            self.db.execute("INSERT OR REPLACE INTO rules_in_force VALUES (?, ?, ?, ?)",
                            (aid, name, day, body))
            self._rules_seen[aid] = (rules, day)
        self._rules_own(engine, day)
        off_rules = getattr(engine.settings, "off_rules", None)
        if off_rules is not None:
            off = off_rules()
            last = self._off_rules_last
            # an identity check, as above: the body is encoded only when what it is made of
            # changed, not at every commit (round 22)
            if last is None or last[0] != day or last[1].keys() != off.keys() \
                    or any(last[1][aid] is not r for aid, r in off.items()):
                body = json.dumps({"day": day, "accounts": {
                    str(aid): to_toml_data(r) for aid, r in sorted(off.items())}},
                    sort_keys=True)
                if body != self._off_rules_seen:
                    self.db.execute("INSERT OR REPLACE INTO meta VALUES ('off_rules', ?)",
                                    (body,))
                    self._off_rules_seen = body
                self._off_rules_last = (day, off)
        configured = getattr(engine.settings, "configured", None)
        now = configured() if configured is not None else None
        seen = self._configured_seen
        # an identity check, as the rules in force's (the settings replace a RulesConfig)
        if now is not None and not (seen is not None and seen.get("") == day
                                    and seen.keys() - {""} == now.keys()
                                    and all(seen[aid] is r for aid, r in now.items())):
            body = json.dumps({"day": day, "accounts": {
                str(aid): None if r is None else to_toml_data(r)
                for aid, r in sorted(now.items())}}, sort_keys=True)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('rules_configured', ?)", (body,))
            self._configured_seen = {**now, "": day}
        self._rules_at = at

    def _rules_own(self, engine, day: str) -> None:
        """Beside the rules in force, in the same commit: which of their values are the
        account's own (`rules list`'s '*'), so a kept value that differs from the file keeps
        its mark after a restart (round 22). Encoded only when an account's entry changed (an
        identity check: the settings replace an entry, never change one)."""
        owns = getattr(engine.settings, "owns", None)
        if owns is None:
            return
        now = owns()
        last = self._own_last
        if last is not None and last[0] == day and last[1].keys() == now.keys() \
                and all(last[1][aid] is own for aid, own in now.items()):
            return
        body = json.dumps({"day": day, "accounts": {
            str(aid): {rule: sorted(params) for rule, params in own.items()}
            for aid, own in now.items()}}, sort_keys=True)
        if body != self._own_seen:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('rules_own', ?)", (body,))
            self._own_seen = body
        self._own_last = (day, now)

    def rules_own(self, day: dt.date) -> dict[int, dict[str, frozenset]]:
        """account id -> rule -> the parameters whose value in force was the account's own,
        saved for trading day `day` ({} for another day or an old record: no '*' kept)."""
        try:
            saved = json.loads(self._meta("rules_own") or "{}")
            if saved.get("day") != day.isoformat():
                return {}
            return {int(aid): {rule: frozenset(params) for rule, params in own.items()}
                    for aid, own in saved.get("accounts", {}).items()}
        except Exception as exc:     # noqa: BLE001 - an old or damaged record
            log.warning("which rule values were the accounts' own cannot be read (%s); "
                        "`rules list` marks only what the file sets", exc)
            return {}

    def off_rules(self, day: dt.date) -> dict[int, object]:
        """account id -> the rules in force as a disable --now stopped guarding it, saved for
        trading day `day` (none from another day: the roll lands what waited)."""
        try:
            saved = json.loads(self._meta("off_rules") or "{}")
            if saved.get("day") != day.isoformat():
                return {}
            return {int(aid): config_converter.structure(data, RulesConfig)
                    for aid, data in saved.get("accounts", {}).items()}
        except Exception as exc:     # noqa: BLE001 - an old or damaged record: the config
            log.warning("the rules of disabled accounts saved cannot be read (%s); an enable "
                        "starts from the config's rules", exc)
            return {}

    def rules_configured(self, day: dt.date) -> dict[int, object]:
        """account id -> the config's rules for it as risk last read them on trading day `day`
        (None: not guarded); {} for another day or an old record (services/risk/settings.py
        restart_changes: what `rules set --offline` changed while riskd was stopped)."""
        try:
            saved = json.loads(self._meta("rules_configured") or "{}")
            if saved.get("day") != day.isoformat():
                return {}
            return {int(aid): None if data is None
                    else config_converter.structure(data, RulesConfig)
                    for aid, data in saved.get("accounts", {}).items()}
        except Exception as exc:     # noqa: BLE001 - an old or damaged record
            log.warning("the config's rules saved before the restart cannot be read (%s); "
                        "a loosening made meanwhile is not announced at this start", exc)
            return {}

    def rules_in_force(self, day: dt.date) -> dict[int, object]:
        """account id -> the RulesConfig (None: not guarded) saved for trading day `day`; a
        record that no longer reads as this riskd's rules is left out (the config applies)."""
        kept = {}
        for aid, body in self.db.execute(
                "SELECT account_id, body FROM rules_in_force WHERE day = ?", (day.isoformat(),)):
            try:
                data = json.loads(body)
                kept[aid] = None if data is None else config_converter.structure(data,
                                                                                 RulesConfig)
            except Exception as exc:     # noqa: BLE001 - an old or damaged record: the config
                log.warning("the rules in force saved for account %s cannot be read (%s); "
                            "the config's rules apply", aid, exc)
        return kept

    def _prune(self, engine) -> None:
        keep_ns = (engine.calendar.start_of(engine.day)
                   - TRADE_DAYS_KEPT * 86_400 * 1_000_000_000)
        self.db.execute("DELETE FROM trades WHERE ts_ns < ?", (keep_ns,))
        self.db.execute("DELETE FROM warned WHERE day < ?", (engine.day.isoformat(),))
        self.db.execute("DELETE FROM riskd_orders")         # an order lives one trading day
        self.db.execute("DELETE FROM history WHERE ts_ns < ?",
                        (keep_ns - HISTORY_DAYS_KEPT * 86_400 * 1_000_000_000,))

    def _merged_lockouts(self, engine, merged: list) -> None:
        """Rows LockoutBook.load merged into another (two rows of one person's own lockout,
        saved before one row per owner): deleted, and the row they merged into saved as the
        book holds it, so an unlock of it leaves nothing to come back at the next start."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for lk in merged:
                db.execute("DELETE FROM lockouts WHERE id = ?", (lk.id,))
            for lk in engine.lockouts.all():
                db.execute("DELETE FROM lockouts WHERE id = ?", (lk.id,))
                db.execute("INSERT OR REPLACE INTO lockouts VALUES (?, ?, ?, ?)",
                           (key_text(lk), lk.id, lk.account_id, _enc(lk)))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- reading ----------------------------------------------------------------------------
    def _pairs(self, sql: str) -> dict[int, list[tuple]]:
        """Rows (account id, a, b) of a query, as each account's [(a, b), ...]."""
        out: dict[int, list[tuple]] = {}
        for aid, a, b in self.db.execute(sql):
            out.setdefault(aid, []).append((a, b))
        return out

    def load(self, engine, now: int) -> None:
        """Put what was saved back into a fresh engine (before market's snapshot is applied)."""
        engine.start(now)
        cal = engine.calendar
        saved_day = self._meta("day")
        merged = engine.lockouts.load(
            [_dec(body) for (body,) in self.db.execute("SELECT body FROM lockouts")])
        if merged:
            self._merged_lockouts(engine, merged)
        restore = getattr(engine.settings, "restore", None)
        if restore is not None:
            restore(self.rules_in_force(engine.day))
            restore_own = getattr(engine.settings, "restore_own", None)
            if restore_own is not None:
                restore_own(self.rules_own(engine.day))
            restore_off = getattr(engine.settings, "restore_off", None)
            if restore_off is not None:
                restore_off(self.off_rules(engine.day))
            restore_configured = getattr(engine.settings, "restore_configured", None)
            if restore_configured is not None:
                restore_configured(self.rules_configured(engine.day))
        self._load_taken_under(engine)
        held = engine.lockouts.all()
        if held:            # what each lockout in force has acted on: not acted on twice
            for (body,) in self.db.execute(
                    "SELECT body FROM history WHERE kind = 'decision' AND ts_ns >= ? "
                    "ORDER BY seq", (min(lk.since_ns for lk in held),)):
                engine.remember_acted(_dec(body))
        for aid, hwm, day, highs, start_bal in self.db.execute("SELECT * FROM marks"):
            acct = engine.account(aid)
            acct.hwm = _dec_text(hwm)
            if day == engine.day.isoformat():
                acct.day_highs = {k: Decimal(v) for k, v in json.loads(highs).items()}
                acct.day_start_balance = _dec_text(start_bal)
        since = cal.start_of(engine.day) - TRADE_DAYS_KEPT * 86_400 * 1_000_000_000
        for (body,) in self.db.execute("SELECT body FROM trades WHERE ts_ns >= ? ORDER BY ts_ns",
                                       (since,)):
            fill: Fill = _dec(body)
            engine.account(fill.account_id).apply_fill(fill, cal.trading_day)
        exits: dict[int, list] = {}
        for aid, n, body in self.db.execute("SELECT * FROM riskd_exit ORDER BY account_id, n"):
            exits.setdefault(aid, []).append((n, json.loads(body)))
        orders: dict[int, list] = {}
        for aid, order_id in self.db.execute("SELECT account_id, order_id FROM riskd_orders"):
            orders.setdefault(aid, []).append(order_id)
        for aid in sorted(set(exits) | set(orders)):
            rows = exits.get(aid, [])
            engine.account(aid).riskd.load([r for _n, r in rows], orders.get(aid, []),
                                            [n for n, _r in rows])
        for aid, rows in self._pairs("SELECT account_id, order_id, command_id "
                                     "FROM riskd_order_cmd").items():
            engine.account(aid).riskd.load_order_cmds(rows)
        for aid, body in self.db.execute("SELECT account_id, body FROM riskd_pending"):
            engine.account(aid).riskd.load_pending(body)
            self._pending_seen[aid] = body
        for aid, pairs in self._pairs("SELECT account_id, command_id, contract_id "
                                      "FROM riskd_named_on").items():
            engine.account(aid).riskd.load_named(pairs)
            self._named_seen[aid] = frozenset(pairs)      # what the table holds
        for loaded in engine.accounts.values():
            loaded.riskd.mark_saved()                # as stored (changes still to write stay)
        engine.off = off_from_json(self._meta("off") or "{}")
        self._off_seen = off_json(engine.off)
        for aid, body in self.db.execute("SELECT * FROM exposure"):
            engine.carried[aid] = Carried.from_json(body)
        for lk in engine.lockouts.all():          # locked, with no record: the times decide
            engine.carried.setdefault(lk.account_id, Carried())
            engine.account(lk.account_id)
        for aid, rule, day in self.db.execute("SELECT * FROM warned WHERE day = ?",
                                              (engine.day.isoformat(),)):
            engine.warned.add((aid, rule, dt.date.fromisoformat(day)))
        commands = [_dec(body) for (body,) in
                    self.db.execute("SELECT body FROM outbox ORDER BY ts_ns")]
        engine.outbox.load(commands, now)
        for cmd in commands:
            engine.track(cmd)
            engine.reload_try(cmd, now)      # a later try of a failed action: still failing
        self._folds_seen = self._meta("folds") or "[]"
        engine.reload_folds(self._folds_seen)
        if hasattr(engine, "reload_late"):     # today's failed closes carried out late
            engine.reload_late(
                [w for (body,) in self.db.execute(
                    "SELECT body FROM history WHERE kind = 'warning' AND ts_ns >= ? ORDER BY seq",
                    (cal.start_of(engine.day),))
                 for w in [_dec(body)] if getattr(w, "late_of", "")])
        self._book_seen = self._meta("alert_book") or ""
        if self._book_seen and getattr(engine, "alert_book", None) is not None:
            try:            # alert mode's would-be lockouts: not recorded again as new
                engine.alert_book.load_json(self._book_seen, engine.day, now)
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("alert mode's records saved cannot be read (%s); a breach still "
                            "past may be recorded once more", exc)
                self._book_seen = ""
        self._quiet_seen = self._meta("quiet") or "{}"
        if getattr(engine, "quiet", None) is not None:   # the silences alerted, still open
            engine.quiet.load_json(self._quiet_seen)   # ... and whose alerts speak for it
        self._doubt_seen = self._meta("unjudged") or ""
        try:            # positions in doubt when risk stopped, since when, who was told
            load_doubt(engine, self._doubt_seen)
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("the positions in doubt saved cannot be read (%s): a doubt still on "
                        "counts from market's next incomplete snapshot", exc)
            self._doubt_seen = ""
        # a command taken back before the restart: the outbox re-sends its withdraw, not it;
        # a withdraw whose command is gone (a row an older risk left) is deleted
        self.db.execute(_WITHDRAWS_LEFT)
        for cid, body in self.db.execute("SELECT id, body FROM withdraws"):
            if cid in engine.outbox.entries:
                engine.withdrawing[cid] = _dec(body)
        engine.reload_unneeded()    # ... those sent as no longer needed: judged again at
                                    # their answer (services/risk/waitjudge.py)
        if saved_day and saved_day < engine.day.isoformat():
            log.info("risk state was saved on trading day %s; today is %s: the missed roll's "
                     "end-of-day balance is unknown, so the marks stay as last taken",
                     saved_day, engine.day)
            engine.missed_rolls(list(engine.accounts))

    def _load_taken_under(self, engine) -> None:
        """The settings the lockouts in force were taken under (_taken_under), back into
        engine.taken_under; one that no longer reads as its rule's setting is left out (the
        row then says "locked by this rule", as before they were saved)."""
        taken = getattr(engine, "taken_under", None)
        body = self._meta("taken_under")
        if taken is None or not body:
            return
        try:
            saved = json.loads(body)
        except ValueError as exc:
            log.warning("the settings lockouts were taken under cannot be read (%s)", exc)
            return
        for lk in engine.lockouts.all():
            if lk.id not in saved:
                continue
            data = saved[lk.id]
            try:
                params = None if data is None else config_converter.structure(
                    data, RULE_CLASS[lk.rule])
            except Exception as exc:     # noqa: BLE001 - an old or damaged record
                log.warning("the setting lockout %s was taken under cannot be read (%s)",
                            lk.id, exc)
                continue
            taken[lk.id] = params
            self._taken_data[lk.id] = (params, data)
        self._taken_seen = body

    def pending_commands(self) -> list[Command]:
        return [_dec(b) for (b,) in self.db.execute("SELECT body FROM outbox ORDER BY ts_ns")]

    def history(self, account_id: Optional[int] = None, since_ns: Optional[int] = None,
                limit: int = 200) -> HistoryReply:
        return read_history(self.db, account_id, since_ns, limit)

    def day_rows(self, start_ns: int, end_ns: int) -> list[tuple[int, object]]:
        """(account id, decision or lockout change) recorded in [start_ns, end_ns), oldest
        first: what the daily summary counts (services/risk/daytally.py)."""
        return [(aid, _dec(body)) for aid, body in self.db.execute(
            "SELECT account_id, body FROM history WHERE ts_ns >= ? AND ts_ns < ? "
            "AND kind IN ('decision', 'lockout') ORDER BY seq", (start_ns, end_ns))]

    def daily(self, account_id: int) -> list[tuple[str, Decimal, Decimal, int]]:
        return [(d, Decimal(r), Decimal(f), n) for d, r, f, n in self.db.execute(
            "SELECT day, realized, fees, trades FROM daily WHERE account_id = ? ORDER BY day",
            (account_id,))]

    def _meta(self, key: str) -> Optional[str]:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
