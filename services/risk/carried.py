"""What an account held before risk restarted, kept until market's complete snapshot.

Risk saves, with every commit and every second (services/risk/store.py, table `exposure`),
the signed size of each open position (fills its Position update lags included) and the ids of
the working orders of every account as its book has them. After a restart the book is empty
until market's snapshot (or, after a full riskd restart, market's reconcile) fills it again,
so every position and order would look opened or placed now; a lockout in force would then
close and cancel what existed long before it (trial finding 1). Until a complete snapshot has
been applied, lockout enforcement reads position and order events against what the account
held instead:

- a position event adds only the contracts beyond the size the account last held (the saved
  size, then each event's): growth while risk was down, or a trade after the restart;
- an order the account had, or one the broker says was created before the lock started, was
  not placed while locked.

A position the broker opened after the lock started was not held, whatever the record says
on its contract: the record's position was closed meanwhile (a record older than the close,
e.g. saved before a Position event was committed with its step, services/risk/outcome.py
`moved`, would otherwise have a buy while locked read as the closed lot). Unless the record
names that very position: it keeps, for each position, the broker's id and opening time (for
contracts its fills opened before a Position event showed them, the opening fill's time), and a
position the broker shows with the same ones is the one the record held, bought while locked
and seen by the risk before the restart, whose lockout enforcement acted on it then (trial19a
section 3: kill -9 of risk while that close was held at the broker; the restarted risk recorded
the one buy a second time, "left to riskd's cut in flight", a second alert, history line and
LAST ACTIONS row, read as a second buy). Only what it grew beyond the record is new.

The record also keeps since when each position its stops do not cover has not been covered
(Position.uncovered_ns, services/risk/stops.py): the book rebuilt from the snapshot would count
no_stop_loss_grace's grace from the broker's opening time of the position (a long whose stop
was cancelled 4 s before the restart, opened a minute before, closed at once with 6 s of its
grace left). cover_start() takes the saved start back for a position the record held
uncovered (never earlier than the broker's opening: one reopened meanwhile counts from its
opening); a position the record held covered and the snapshot shows uncovered lost its cover
while risk was down, at a moment risk cannot know, and counts from the restart; so does one
whose stops in the snapshot itself cover it (the snapshot's positions go through before its
orders). A position the record does not hold counts from its opening, as before.

Where the record has no position on a contract (no record at all: a state file from an older
riskd; or a record saved while market was down, before risk's book showed the position), the
broker's times decide: a position or order created before the lock started existed when it
started (chaos run: a self-lockout taken while market restarted, its position then read as
opened while locked and closed beside the self-lockout's own flatten).
"""
from __future__ import annotations

import json
from typing import Optional

import attrs

from services.risk.ahead import opening
from services.risk.stops import closing_stops, stop_cover


@attrs.define
class Carried:
    positions: dict[str, int] = attrs.Factory(dict)    # contract id -> signed size held
    orders: set[int] = attrs.Factory(set)                # working order ids held
    # contract id -> since when its stops did not cover the position (None: a record saved
    # before riskd kept it, or no record: the position's opening decides, as it did)
    uncovered: Optional[dict[str, int]] = None
    started: set[str] = attrs.Factory(set)   # contracts whose start cover_start has set
    # contract id -> (the broker's position id, its opening time) of the position the record
    # holds (id 0: opened by fills whose Position event had not come: the opening fill's time);
    # None: a record saved before riskd kept it
    opened: Optional[dict[str, tuple[int, int]]] = None

    @classmethod
    def from_json(cls, text: str) -> "Carried":
        body = json.loads(text)
        uncovered = body.get("uncovered")
        opened = body.get("opened")
        return cls({str(k): int(v) for k, v in body.get("positions", {}).items()},
                   {int(o) for o in body.get("orders", [])},
                   None if uncovered is None
                   else {str(k): int(v) for k, v in uncovered.items()},
                   opened=None if opened is None
                   else {str(k): (int(v[0]), int(v[1])) for k, v in opened.items()})

    def cover_start(self, account, contract_id: str, now: int, snapshot_orders=()) -> None:
        """After a position or order event on the contract before market's complete snapshot:
        the position's uncovered start as the record tells it (see the module's docstring),
        once per contract. snapshot_orders: the working orders of the snapshot being applied
        (its positions go first)."""
        p = account.positions.get(contract_id)
        if p is None or p.uncovered_ns is None or self.uncovered is None \
                or contract_id in self.started:
            return
        self.started.add(contract_id)
        if stop_cover(closing_stops(snapshot_orders, p)) >= account.live_size(p):
            p.uncovered_ns = max(now, p.opened_ns)    # its order, next, covers it
        elif contract_id in self.uncovered:
            p.uncovered_ns = max(self.uncovered[contract_id], p.opened_ns)
        elif self.positions.get(contract_id):
            p.uncovered_ns = max(now, p.opened_ns)

    def added(self, contract_id: str, after: int, created_ns: int,
              locked_since: Optional[int], position_id: Optional[int] = None) -> int:
        """Contracts a position event (now signed `after`) adds beyond what the account held;
        remembers `after` as held. `created_ns` is the broker's opening time of the position,
        `locked_since` when the earliest lockout covering it started (None: not locked);
        `position_id`, the broker's id of it (None: the position is not matched against the
        record's: guarded_again, whose record is not a restart's)."""
        if opened_after(created_ns, locked_since) \
                and not self.same_position(contract_id, position_id, created_ns):
            base = 0                # the broker opened it after the lock started: whatever the
            # record held on this contract was closed meanwhile (a closed position's record
            # taken as the held lot of one reopened while locked)
        elif contract_id in self.positions:
            base = self.positions[contract_id]
        elif existed_before(created_ns, locked_since):
            base = after            # the broker had it open before the lock: the record missed
        else:                       # it (market was down when it was saved, or no record)
            base = 0
        self.positions[contract_id] = after
        return opening(base, after - base)

    def same_position(self, contract_id: str, position_id: Optional[int],
                      created_ns: int) -> bool:
        """The broker's position (its id, its opening time) is the one the record holds on the
        contract: the same opening time, and the same id when both are known."""
        held = (self.opened or {}).get(contract_id)
        if held is None or position_id is None or not created_ns \
                or not self.positions.get(contract_id):
            return False
        held_id, held_ns = held
        return held_ns == created_ns and not (held_id and position_id and held_id != position_id)

    def had_order(self, order_id: int, created_ns: int, locked_since: int) -> bool:
        """Did the order exist before the lock started (held, or created before it)?"""
        return order_id in self.orders or existed_before(created_ns, locked_since)


def opened_after(created_ns: int, locked_since: Optional[int]) -> bool:
    """The broker's opening time of a position is after the lock started: none of it was held
    when the lock started."""
    return locked_since is not None and created_ns > locked_since


def existed_before(created_ns: int, locked_since: Optional[int]) -> bool:
    """The broker's opening time of a position (or an order's creation) is before the lock."""
    return locked_since is not None and 0 < created_ns < locked_since


def exposure_json(account) -> str:
    """The record of what an account holds now, as the store saves it: the positions counting
    the fills their Position update has not caught up with yet (a lock's own fill included)."""
    contracts = sorted(set(account.positions) | set(account.ahead))
    held = {cid: account.exposure(cid) for cid in contracts}
    return json.dumps({"positions": {cid: n for cid, n in held.items() if n},
                       "opened": {cid: who for cid, who in ((c, _identity(account, c))
                                                            for c, n in held.items() if n)
                                  if who is not None},
                       "orders": sorted(account.orders),
                       "uncovered": {cid: p.uncovered_ns for cid, p in
                                     sorted(account.positions.items())
                                     if p.uncovered_ns is not None}})


def _identity(account, contract_id: str) -> Optional[list[int]]:
    """[the broker's position id, its opening time] of the position held on the contract, as
    the record keeps it (Carried.same_position); for one only its fills show yet (no Position
    event), [0, the time of the fill that opened it]; None when neither is known. A flipped
    position's time is risk's own, not the broker's: it never matches, and is read as before."""
    pos = account.positions.get(contract_id)
    pending = account.ahead.get(contract_id)
    if pending is not None and pending.opened_ts \
            and (pos is None or pending.opened_ts > pos.opened_ns):
        return [0, pending.opened_ts]       # opened (again) by fills no Position showed yet
    return None if pos is None else [pos.position_id, pos.opened_ns]


def exposure_key(account) -> Optional[tuple]:
    """What exposure_json is made of, cheap to compare: each position's side and size and the
    working orders' ids; None while a contract's streams disagree (`ahead`: the record counts
    fills the Position update lags, so only exposure_json itself tells). The store writes
    every account's record with each commit, and json.dumps of 500 accounts' records was
    ~30 % of risk's time in the scale bench's storm: an account whose key has not changed
    since its record was written is skipped."""
    if account.ahead:
        return None
    return (tuple((cid, p.side, p.size, p.uncovered_ns, p.position_id, p.opened_ns)
                  for cid, p in account.positions.items()),
            tuple(account.orders))
