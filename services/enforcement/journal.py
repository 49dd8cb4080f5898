"""The enforcement journal: every command id with its state, in SQLite (WAL), so none runs twice.

States: received (journaled, not started) -> running (a broker call may have been made)
-> pending (waiting, e.g. for the market to open) -> final (done, failed or skipped, with the
result). An id is inserted once; a duplicate is answered from its row. The row is written
BEFORE the broker is called, so after a kill -9 the next process knows the command may have
been partly executed: it finishes it by re-reading the broker's state (the actions are
written that way), never by repeating a call blindly. `progress` holds what an action must
remember across a restart (reduce_position's target size).

Thread-safe: one connection behind a lock (the loop receives, pool threads start/finish).
Durability: WAL with synchronous=NORMAL -- every commit survives a kill -9 of the process (the
guarantee the tests prove); after a power cut the last few commits may be lost, which the
re-check design tolerates (risk re-sends, and the actions re-read the broker). FULL would add
an fsync (~0.25 ms here) to every step on the breach-to-close path.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from typing import Callable, Iterable, Optional

import attrs

from shared import codec
from shared.sqlitefile import check_file, move_aside
from shared.storedread import open_stored
from shared.walstore import close_wal, open_wal
from shared.messages.enforce import (DONE, FAILED, MARKET_OPEN, CloseOrder, Command, CommandResult,
                                     CommandState, LostCall, WithdrawCommand)
from shared.trywords import KILL_SWITCH_IDS

log = logging.getLogger(__name__)

JOURNAL_FILE = "enforcement.sqlite"     # in the data folder

RECEIVED, RUNNING, PENDING, FINAL = "received", "running", "pending", "final"
UNFINISHED = (RECEIVED, RUNNING, PENDING)
KEEP_FINAL_S = 14 * 86400          # final rows older than this are pruned on open

SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    mode TEXT NOT NULL,
    command BLOB NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    errors TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0,
    calls INTEGER NOT NULL DEFAULT 0,
    progress TEXT NOT NULL DEFAULT '{}',
    received_ns INTEGER NOT NULL,
    started_ns INTEGER NOT NULL DEFAULT 0,
    finished_ns INTEGER NOT NULL DEFAULT 0,
    first_answer_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS commands_state ON commands(state);
CREATE TABLE IF NOT EXISTS withdraw_asked (
    id TEXT PRIMARY KEY,
    body BLOB NOT NULL
);
"""


@attrs.frozen
class Entry:
    """One journal row."""
    command: Command
    state: str
    status: str = ""
    detail: str = ""
    errors: tuple = ()
    attempts: int = 0
    calls: int = 0
    progress: dict = attrs.Factory(dict)
    received_ns: int = 0
    started_ns: int = 0
    finished_ns: int = 0
    first_answer_ns: int = 0

    @property
    def final(self) -> bool:
        return self.state == FINAL

    def result(self) -> CommandResult:
        """The stored result (final rows), or an 'accepted' one for unfinished rows."""
        c = self.command
        return CommandResult(command_id=c.id, account_id=c.account_id,
                             status=self.status if self.final else "accepted",
                             detail=self.detail, attempts=self.attempts,
                             started_ns=self.started_ns, finished_ns=self.finished_ns,
                             event_ns=c.event_ns, action=c.action, rule=c.rule,
                             first_answer_ns=self.first_answer_ns, broker_calls=self.calls,
                             errors=list(self.errors), reason=c.reason, by=c.by,
                             # pending: only a close the market refused (executor.py)
                             waits_for=MARKET_OPEN if self.state == PENDING else "",
                             unsettled=self.unsettled(),
                             close_orders=self.close_orders(),
                             # a final row without closes created none (executor._final)
                             orders_known=self.final and bool(
                                 self.progress.get("orders_known", True)),
                             first_timed_out_s=self.first_timed_out_s,
                             issued_ns=c.issued_ns, closed_nothing=self.closed_nothing)

    @property
    def first_timed_out_s(self) -> float:
        """The first answer was riskd giving up on a call after this many s (progress
        `first_timed_out_s`, ActionContext.execute); 0: the broker answered."""
        return float(self.progress.get("first_timed_out_s") or 0.0)

    def close_orders(self) -> list[CloseOrder]:
        """A final row's broker orders its closes created (progress `close_orders`,
        services/enforcement/closeorders.py)."""
        if not self.final:
            return []
        # rows from before `answered` (4 fields): not known (False)
        return [CloseOrder(order_id=int(r[0]), contract_id=r[1], side=int(r[2]),
                           size=int(r[3]), answered=bool(r[4]) if len(r) > 4 else False)
                for r in self.progress.get("close_orders") or []]

    def unsettled(self) -> list[LostCall]:
        """A final row's closes whose outcome is unknown (progress, ActionContext._overtaken):
        those called again after their answer was lost; a failed command's last lost ones too
        (no read showed what they did)."""
        if not self.final:
            return []
        rows = list(self.progress.get("unsettled") or [])
        if self.status == FAILED:
            rows += list(self.progress.get("lost") or [])
        return [lost_call(r) for r in rows]

    def state_view(self) -> CommandState:
        c = self.command
        return CommandState(command_id=c.id, account_id=c.account_id, action=c.action,
                            state=self.state, status=self.status, detail=self.detail,
                            attempts=self.attempts, received_ns=self.received_ns,
                            finished_ns=self.finished_ns, event_ns=c.event_ns,
                            first_answer_ns=self.first_answer_ns,
                            first_timed_out_s=self.first_timed_out_s,
                            closed_nothing=self.closed_nothing)

    @property
    def closed_nothing(self) -> bool:
        """A done close_position whose close call found no position (progress
        `closed_nothing`, services/enforcement/actions/close_position.py)."""
        return self.final and self.status == DONE and bool(self.progress.get("closed_nothing"))


def lost_call(row) -> LostCall:
    """A journaled lost close (progress `lost` / `unsettled`): [contract, size] from before
    its time and words, [contract, size, lost_ns, how] since (ActionContext._lost_close), and
    a 5th, the order that is either it or the trader's (reduce_position's _still_out)."""
    c, n, lost_ns, how, either = (list(row) + [0, "", 0][len(row) - 2:])[:5]
    return LostCall(contract_id=c, size=int(n or 0), lost_ns=int(lost_ns or 0), how=how or "",
                    either=int(either or 0))


def _encode(cmd: Command) -> bytes:
    return codec.encode(cmd, "journal", 0, 0, 0)


def _row(row: sqlite3.Row) -> Entry:
    return Entry(command=codec.decode(row["command"]).msg, state=row["state"],
                 status=row["status"], detail=row["detail"],
                 errors=tuple(json.loads(row["errors"] or "[]")), attempts=row["attempts"],
                 calls=row["calls"], progress=json.loads(row["progress"] or "{}"),
                 received_ns=row["received_ns"], started_ns=row["started_ns"],
                 finished_ns=row["finished_ns"], first_answer_ns=row["first_answer_ns"])


def _get(conn: sqlite3.Connection, command_id: str) -> Optional[Entry]:
    row = conn.execute("SELECT * FROM commands WHERE id = ?", (command_id,)).fetchone()
    return None if row is None else _row(row)


def _unfinished(conn: sqlite3.Connection) -> list[Entry]:
    rows = conn.execute("SELECT * FROM commands WHERE state IN (?, ?, ?) ORDER BY received_ns",
                        UNFINISHED).fetchall()
    return [_row(r) for r in rows]


def later_tries(command_id: str, get: Callable[[str], Optional[Entry]]) -> list:
    """The journal entries of risk's later tries of a decision ('<decision>.2', '.3', ...
    while they exist), asked about its first ('<decision>.1'); none for any other id (the
    kill switch's 'admin-<ns>.<account>' ends with an account id, not a try)."""
    base, _, first = command_id.rpartition(".")
    out: list = []
    if not base or first != "1" or command_id.startswith(KILL_SWITCH_IDS):
        return out
    n = 2
    while (later := get(f"{base}.{n}")) is not None:
        out.append(later)
        n += 1
    return out


def entries_for(command_ids: Iterable[str], unfinished: list[Entry],
                get: Callable[[str], Optional[Entry]]) -> tuple[dict, list[str]]:
    """(command id -> Entry, the ids asked that have no row): what enforcement answers an
    EnforcementStatusRequest with (services/enforcement/app.py), and what riskctl reads from
    the stored journal while riskd is stopped (read_stored): every unfinished command, each
    one asked about, and risk's later tries of those ('<decision>.2', ...: the screens show a
    decision's latest outcome, services/risk/retries.py)."""
    entries = {e.command.id: e for e in unfinished}
    for cid in command_ids:
        if cid not in entries:
            entry = get(cid)
            if entry is not None:
                entries[cid] = entry
        for later in later_tries(cid, lambda i: entries.get(i) or get(i)):
            entries[later.command.id] = later
    return entries, [c for c in command_ids if c not in entries]


def read_stored(path: str, command_ids: Iterable[str]) -> list[CommandState]:
    """The states of `command_ids` (as entries_for picks them) in the journal file at `path`,
    read by a process that is not enforcement (riskctl while riskd is stopped:
    cli/storedoutcomes.py): read-only, no lock held against a riskd that starts meanwhile,
    no file created (shared/storedread.py). Raises sqlite3.Error when it cannot be read; a
    missing file is [] (enforcement never ran here)."""
    return [e.state_view() for e in _stored_entries(path, command_ids)]


def read_stored_results(path: str, command_ids: Iterable[str]) -> list[CommandResult]:
    """read_stored's commands as their results (Entry.result: the closes' orders and whether
    that list is complete, their unsettled calls; 'accepted' while unfinished): what riskctl
    replay reads of what riskd's closes did (cli/replay/riskdrecords.py)."""
    return [e.result() for e in _stored_entries(path, command_ids)]


def _stored_entries(path: str, command_ids: Iterable[str]) -> list[Entry]:
    if not os.path.isfile(path):
        return []
    conn = open_stored(path, timeout=0.5)
    try:
        conn.row_factory = sqlite3.Row
        ids = list(command_ids)
        entries, _missing = entries_for(ids, _unfinished(conn), lambda i: _get(conn, i))
        return list(entries.values())
    finally:
        conn.close()


def _open(path: str) -> sqlite3.Connection:
    """A connection with the schema; closed again when any step of opening fails."""
    return open_wal(path, SCHEMA, row_factory=sqlite3.Row)     # checkpoints off the path


class Journal:
    def __init__(self, path: str, now_ns: Optional[int] = None):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.moved_aside: Optional[str] = None
        self._lock = threading.Lock()
        self._conn = self._open_checked(path)
        self._prune(time.time_ns() if now_ns is None else now_ns)

    def _open_checked(self, path: str) -> sqlite3.Connection:
        """Open; a corrupt file is moved aside (and reported) and a fresh journal started.

        The check runs on its own connection, closed before anything is moved: on Windows a
        file still open cannot be renamed (#18), and a connection that failed half-way is
        closed too. The check and the move are the risk store's, so both files fail the same
        way."""
        why = check_file(path)
        if not why:
            try:
                return _open(path)
            except sqlite3.DatabaseError as exc:
                why = f"cannot open: {exc}"
        self.moved_aside = move_aside(path)
        log.critical("enforcement journal %s is corrupt (%s): moved to %s; starting a new one "
                     "(commands re-sent by risk are re-checked against the broker)",
                     path, why, self.moved_aside)
        return _open(path)

    def _prune(self, now_ns: int) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM commands WHERE state = ? AND finished_ns < ?",
                               (FINAL, now_ns - KEEP_FINAL_S * 1_000_000_000))

    def close(self) -> None:
        with self._lock:
            close_wal(self.path, self._conn)

    # -- reads -----------------------------------------------------------------------------
    def get(self, command_id: str) -> Optional[Entry]:
        with self._lock:
            return _get(self._conn, command_id)

    def unfinished(self) -> list[Entry]:
        with self._lock:
            return _unfinished(self._conn)

    def withdraw_asked(self, command_id: str) -> Optional[WithdrawCommand]:
        """Risk's withdraw of an unfinished command that came while it ran (ask_withdraw)."""
        with self._lock:
            row = self._conn.execute("SELECT body FROM withdraw_asked WHERE id = ?",
                                     (command_id,)).fetchone()
        return None if row is None else codec.decode(row["body"]).msg

    def closers(self, account_id: int, since_ns: int) -> dict[int, Command]:
        """The broker orders the account's commands finished since since_ns created (their
        close_orders), by order id: which command of riskd's made each (closedby.py)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM commands WHERE account_id = ? AND state = ? AND finished_ns >= ?",
                (account_id, FINAL, since_ns)).fetchall()
        found: dict[int, Command] = {}
        for row in rows:
            entry = _row(row)
            for order in entry.close_orders():
                found[order.order_id] = entry.command
        return found

    def lost_closes(self, account_id: int, since_ns: int, but: str) -> list[LostCall]:
        """The closes of the account's commands other than `but` whose outcome is unknown and
        that may still be carried out (closedby.py): a final row's unsettled ones, when it
        finished at or after since_ns (risk takes a close as such a call's up to LATE_NS
        after the result), and every lost one of an unfinished row."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM commands WHERE account_id = ? AND id != ? "
                "AND (state != ? OR finished_ns >= ?)",
                (account_id, but, FINAL, since_ns)).fetchall()
        out: list[LostCall] = []
        for row in rows:
            entry = _row(row)
            if entry.final:
                out += entry.unsettled()
            else:
                out += [lost_call(r) for r in (entry.progress.get("lost") or [])
                        + (entry.progress.get("unsettled") or [])]
        return out

    # -- writes (each one committed before it returns) ------------------------------------------
    def receive(self, cmd: Command, now_ns: int) -> tuple[Entry, bool]:
        """Journal a command; (entry, True) when new, (the stored entry, False) for a duplicate.

        A new command's entry is made from the command and the row's defaults, not read back
        and decoded: the row was just written with nothing else in it (the INSERT is the one
        statement before the broker call on this side; round 18, docs/performance.md)."""
        with self._lock:
            cur = self._conn.execute(
                "INSERT OR IGNORE INTO commands (id, account_id, action, mode, command, state, "
                "received_ns) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (cmd.id, cmd.account_id, cmd.action, cmd.mode, _encode(cmd), RECEIVED, now_ns))
            if cur.rowcount == 1:
                return Entry(command=cmd, state=RECEIVED, received_ns=now_ns), True
            row = self._conn.execute("SELECT * FROM commands WHERE id = ?", (cmd.id,)).fetchone()
        return _row(row), False

    def start(self, command_id: str, now_ns: int, first: Optional[dict] = None) -> None:
        """Mark running, committed before the first broker call of an execution. first: the
        progress a row with none yet starts with (a flatten's empty `sending`: a restart then
        knows it sent no close yet, actions/base.py lost_before_restart), in the same
        statement."""
        with self._lock:
            self._conn.execute(
                "UPDATE commands SET state = ?, "
                "started_ns = CASE started_ns WHEN 0 THEN ? ELSE started_ns END, "
                "progress = CASE WHEN ? IS NOT NULL AND progress = '{}' THEN ? "
                "ELSE progress END "
                "WHERE id = ? AND state != ?",
                (RUNNING, now_ns, None if first is None else 1,
                 json.dumps(first or {}, sort_keys=True), command_id, FINAL))

    def save_progress(self, command_id: str, progress: dict) -> None:
        """What an action must know after a restart (committed before the call it protects)."""
        with self._lock:
            self._conn.execute("UPDATE commands SET progress = ? WHERE id = ?",
                               (json.dumps(progress, sort_keys=True), command_id))

    def pending(self, command_id: str, detail: str, attempts: int = 0, calls: int = 0) -> None:
        """Not finished, waiting (e.g. for the market); attempts and calls add up."""
        with self._lock:
            self._conn.execute(
                "UPDATE commands SET state = ?, detail = ?, attempts = attempts + ?, "
                "calls = calls + ? WHERE id = ? AND state != ?",
                (PENDING, detail, attempts, calls, command_id, FINAL))

    def add_counts(self, command_id: str, attempts: int, calls: int) -> None:
        """An execution stopped without a result (it handed its lane over and runs again
        later): its rounds and calls add up; the row stays running."""
        with self._lock:
            self._conn.execute(
                "UPDATE commands SET attempts = attempts + ?, calls = calls + ? "
                "WHERE id = ? AND state != ?", (attempts, calls, command_id, FINAL))

    def ask_withdraw(self, w: WithdrawCommand) -> None:
        """Risk took back a command while it ran (services/enforcement/withdraw.py): kept
        until its final result, so a process that resumes it after a restart stops it before
        its first trading call as this one does (executor.Executor.withdrawn)."""
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO withdraw_asked (id, body) VALUES (?, ?)",
                               (w.command_id, codec.encode(w, "journal", 0, 0, 0)))

    def finish(self, result: CommandResult) -> Entry:
        """Store the final result (the first one wins; a later finish returns the stored one).
        The result's attempts and broker_calls add to what earlier executions recorded."""
        with self._lock:
            self._conn.execute("DELETE FROM withdraw_asked WHERE id = ?", (result.command_id,))
            self._conn.execute(
                "UPDATE commands SET state = ?, status = ?, detail = ?, errors = ?, "
                "attempts = attempts + ?, calls = calls + ?, finished_ns = ?, "
                "first_answer_ns = ?, "
                "started_ns = CASE started_ns WHEN 0 THEN ? ELSE started_ns END "
                "WHERE id = ? AND state != ?",
                (FINAL, result.status, result.detail, json.dumps(list(result.errors)),
                 result.attempts, result.broker_calls, result.finished_ns,
                 result.first_answer_ns, result.started_ns, result.command_id, FINAL))
            row = self._conn.execute("SELECT * FROM commands WHERE id = ?",
                                     (result.command_id,)).fetchone()
        return _row(row)
