"""The sim broker's memory across restarts: accounts, orders, positions, trades and bars in SQLite.

One file, <data_dir>/simbroker.sqlite3 (WAL). The next id of each kind is kept too: a closed
position's row is emptied, so its id was lost, and after a restart with nothing open position
ids began again at 3000001 while order ids went on (fresh-user trial 15a). The gateway tells the store
what changed and `save()` writes it in one transaction: the entities behind
the events it sends, before the call that changed them answers (a killed sim
never forgets a fill or a close it reported), and the bars the price path
touched every second and at shutdown (a crash loses at most a second of bars).
`load()` hands back everything for the gateway to restore. Records are kept
as JSON with Decimals written as {"$d": "text"} so money stays exact.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any, Iterable, Optional

import attrs

from services.simbroker.entities import Account, Order, Position, Trade
from shared.walstore import close_wal, open_wal

FILE_NAME = "simbroker.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
                                   doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (account_id INTEGER NOT NULL, contract_id TEXT NOT NULL,
                                      doc TEXT, PRIMARY KEY (account_id, contract_id));
CREATE TABLE IF NOT EXISTS trades (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
                                   created_ns INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bars (contract_id TEXT NOT NULL, level INTEGER NOT NULL,
                                 t INTEGER NOT NULL, o INTEGER, h INTEGER, l INTEGER,
                                 c INTEGER, v INTEGER, PRIMARY KEY (contract_id, level, t))
                                 WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS next_ids (kind TEXT PRIMARY KEY, next INTEGER NOT NULL);
"""


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(obj: dict) -> Any:
    return Decimal(obj["$d"]) if set(obj) == {"$d"} else obj


def dump(record: Any) -> str:
    return json.dumps(attrs.asdict(record, recurse=False), default=_encode,
                      separators=(",", ":"))


def load_record(cls: type, text: str) -> Any:
    fields = json.loads(text, object_hook=_decode)
    if cls is Order:
        fields["brackets"] = tuple(fields.get("brackets") or ())
    return cls(**fields)


@attrs.frozen
class Saved:
    """Everything a previous run left: records and bar rows."""
    accounts: list
    orders: list
    positions: list
    trades: list
    bars: list
    next_ids: dict = attrs.field(factory=dict)     # kind -> the next id to hand out


class SimStore:
    """The sim's SQLite file; one connection, used under the gateway's lock."""

    def __init__(self, data_dir: str):
        os.makedirs(data_dir, exist_ok=True)
        self.path = os.path.join(data_dir, FILE_NAME)
        self.db = open_wal(self.path, SCHEMA)       # checkpoints off the save path

    def load(self, second_bars_since: int) -> Saved:
        q = self.db.execute
        return Saved(
            accounts=[load_record(Account, d) for (d,) in q("SELECT doc FROM accounts")],
            orders=[load_record(Order, d) for (d,) in q("SELECT doc FROM orders ORDER BY id")],
            positions=[load_record(Position, d) for (d,) in q(
                "SELECT doc FROM positions WHERE doc IS NOT NULL")],
            trades=[load_record(Trade, d) for (d,) in q(
                "SELECT doc FROM trades ORDER BY created_ns, id")],
            bars=q("SELECT contract_id, level, t, o, h, l, c, v FROM bars "
                   "WHERE level > 1 OR t >= ? ORDER BY contract_id, level, t",
                   (second_bars_since,)).fetchall(),
            next_ids=dict(q("SELECT kind, next FROM next_ids").fetchall()))

    def save(self, accounts: Iterable[Account] = (), orders: Iterable[Order] = (),
             positions: Iterable[tuple[int, str, Optional[Position]]] = (),
             trades: Iterable[Trade] = (), bars: Iterable[tuple] = (),
             next_ids: Optional[dict] = None) -> None:
        """Upsert the changed records (a position None is closed: removed) and the next ids
        in one transaction."""
        with self.db:      # BEGIN ... COMMIT (ROLLBACK on error)
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO accounts VALUES (?, ?)",
                                [(a.id, dump(a)) for a in accounts])
            self.db.executemany("INSERT OR REPLACE INTO orders VALUES (?, ?, ?)",
                                [(o.id, o.account_id, dump(o)) for o in orders])
            self.db.executemany("INSERT OR REPLACE INTO positions VALUES (?, ?, ?)",
                                [(a, c, None if p is None or not p.size else dump(p))
                                 for a, c, p in positions])
            self.db.executemany("INSERT OR REPLACE INTO trades VALUES (?, ?, ?, ?)",
                                [(t.id, t.account_id, t.created_ns, dump(t)) for t in trades])
            self.db.executemany("INSERT OR REPLACE INTO bars VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                list(bars))
            self.db.executemany("INSERT OR REPLACE INTO next_ids VALUES (?, ?)",
                                sorted((next_ids or {}).items()))

    def prune_second_bars(self, before: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM bars WHERE level = 1 AND t < ?", (before,))

    def close(self) -> None:
        close_wal(self.path, self.db)
