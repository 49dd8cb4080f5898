"""Notify's memory of the contracts bought while locked that riskd cut: what a "✅ Done" needs
to say "N of the M closed were bought while locked (lockout enforcement)", as history does
(shared/outcomewords.bought_while_locked).

Two kinds of risk's decisions are remembered, by the command id whose Done counts them:
- lockout enforcement's cut of contracts bought while locked that it left to riskd's cut in
  flight (Decision.suppressed "left to riskd's cut in flight ... (d42.1)", outcomewords.left_to):
  that command's Done counts their sizes (fix14d);
- lockout enforcement's own cut (rule lockout enforcement, close or reduce, sent): what it was
  asked was bought while locked too; its Done counts it as history does (fix14c);
- a rule's close or reduce sent beside lockout enforcement's close of all of its contract
  (Decision.beside): its Done is logged only, as its breach is (templates.BESIDE_LOCKOUTS_CLOSE;
  trial15c finding 10).

The decisions come before their Done, often seconds before (enforcement retries, waits for
the market, is stopped): ops15, after `riskctl restart notify` in between the next Done lost
the words. So the memory is kept in notify's own file (notify.sqlite, beside the outbox's
tables, services/notify/outbox.py) as it is heard, and a notify that starts reads it back.
Kept KEEP_NS (past any wait of an action) and at most MAX commands, oldest dropped first.
"""
from __future__ import annotations

from typing import Optional

from shared.messages.risk import CLOSE_POSITION, REDUCE_POSITION, Decision, command_key
from shared.outcomewords import LOCKOUT_RULE, left_to

MAX = 1000                          # commands remembered (as notify's other memories of actions)
KEEP_NS = 3 * 86_400 * 10**9        # as the outbox keeps the decisions it took
OWN = ""                            # decision_id of lockout enforcement's own cut's row
BESIDE = "~beside"                  # decision_id of a rule's cut beside the lockout's close

_SCHEMA = """
CREATE TABLE IF NOT EXISTS locked_buys (
    command_id TEXT NOT NULL,       -- the cut whose Done counts them
    decision_id TEXT NOT NULL,      -- the cut left to it; '' for lockout enforcement's own
    size INTEGER,
    at_ns INTEGER NOT NULL,
    PRIMARY KEY (command_id, decision_id)
);
CREATE INDEX IF NOT EXISTS locked_buys_at ON locked_buys(at_ns);
"""


class LockedBuys:
    """heard(decision) as notify takes risk's decisions; left_to() and own_cuts() for the
    templates' Context. `outbox`: notify's Outbox (its file, its per-thread connection)."""

    def __init__(self, outbox, max_commands: int = MAX):
        self.outbox = outbox
        self.max_commands = max_commands
        self._left_to: dict[str, dict[str, Optional[int]]] = {}
        self._own: dict[str, Optional[int]] = {}
        self._beside: dict[str, None] = {}
        db = outbox.connection()
        with db:
            db.executescript(_SCHEMA)
        for command, decision, size in db.execute(
                "SELECT command_id, decision_id, size FROM locked_buys ORDER BY at_ns, rowid"):
            if decision == OWN:
                self._own[command] = size
            elif decision == BESIDE:
                self._beside[command] = None
            else:
                self._left_to.setdefault(command, {})[decision] = size
        self._trim()

    def heard(self, d: Decision, now_ns: int) -> None:
        """Remember a decision a Done will count (kept on disk before this returns)."""
        rows = []
        into = left_to(d.suppressed)
        if into:
            self._left_to.setdefault(into, {})[d.id] = d.size
            rows.append((into, d.id, d.size))
        if d.rule == LOCKOUT_RULE and not d.suppressed \
                and d.action in (CLOSE_POSITION, REDUCE_POSITION):
            self._own[command_key(d)] = d.size
            rows.append((command_key(d), OWN, d.size))
        if d.beside:
            self._beside[command_key(d)] = None
            rows.append((command_key(d), BESIDE, None))
        if not rows:
            return
        db = self.outbox.connection()
        with db:
            db.executemany("INSERT OR REPLACE INTO locked_buys VALUES (?, ?, ?, ?)",
                           [(*row, now_ns) for row in rows])
            db.execute("DELETE FROM locked_buys WHERE at_ns < ?", (now_ns - KEEP_NS,))
        self._trim()

    def left_to(self) -> dict[str, tuple]:
        """command id -> the sizes of the cuts of contracts bought while locked left to it."""
        return {c: tuple(sizes.values()) for c, sizes in self._left_to.items()}

    def own_cuts(self) -> dict[str, Optional[int]]:
        """command id of lockout enforcement's own cut -> its size."""
        return dict(self._own)

    def beside(self) -> frozenset:
        """command ids of rules' cuts sent beside lockout enforcement's close of all of it."""
        return frozenset(self._beside)

    def _trim(self) -> None:
        """At most max_commands of each kind in memory (oldest first), and on disk."""
        gone = []
        for memory in (self._left_to, self._own, self._beside):
            while len(memory) > self.max_commands:
                command = next(iter(memory))
                del memory[command]
                gone.append(command)
        if gone:
            db = self.outbox.connection()
            with db:
                db.executemany("DELETE FROM locked_buys WHERE command_id = ?",
                               [(c,) for c in gone if c not in self._left_to
                                and c not in self._own and c not in self._beside])
