"""Which fills of a replayed history were riskd's own closes, as riskd's records have them.

The broker does not mark riskd's closes: closeContract / partialCloseContract become market
orders of the account like the trader's. Live, risk decides whose each fill is
(services/risk/exits.py) and stores every fill it processed with that verdict (risk's state
file, table trades: Fill.by_riskd, kept services.risk.store.TRADE_DAYS_KEPT days) and the
order ids it knows as riskd's (riskd_orders, the running trading day). A replay of a day riskd
guarded reads them here, read-only (shared/storedread.py, as `riskctl history` does while
riskd is stopped: cli/storedhistory.py), so the replay makes no decision of its own about
riskd's past fills: a fill live risk took for riskd's, or one of an order riskd's fills
carried, is riskd's in the replay too (cli/replay/runner.py feeds it to the engine as riskd's:
never the trader's trade, never blocked by a lockout). Fed to the engine's own exits as order
ids, the same code as live decides the fills and Order events of those orders.

riskd's own closing decisions (risk's history: the Decision of each close, reduce or flatten it
sent) are read too: a close the replay's engine decides where riskd decided the same (same rule,
action and contract, within a bar) is carried out by riskd's own fill of it, as it really was
(cli/replay/runner.py), not again at a bar price; a lockout a person lifted (`riskctl unlock`)
is lifted in the replay at the same moment. A close whose every try found nothing to do at the
broker (enforcement's journal: "account ... was already flat") closed nothing: it is marked
`nothing`, and the replay never lists it as a close of riskd's (trial 20a: "riskd's closes the
replay did not make: ... daily_realized_loss flatten" for a flatten of an account already
flat). A close or reduce of one contract that ended done with no close order of its own
(enforcement's journal: the broker's orders showed none made by it, and no call of it left
unsettled) found the position flat, or already cut, when it got there: the trader's own fill,
or another close, did it while riskd's close was in flight. It is marked `found_flat`, with
when riskd's result came (`finished_ns`): the replay leaves such a close in flight until then
and lets that fill close the position, as it did (fresh-user trial 21b, finding 2: "ES was
already flat, 1 order cancelled", which the replay carried out itself at a bar price and then
dropped the trader's target fill that had closed ES).

Where the records do not reach (riskd did not guard the account then, or they are gone) the
replay cannot tell riskd's closes from the trader's trades: `unknown` lists those fills and
the runner says so in the account's notes. Order ids enforcement reports for its closes (when
its results carry them) belong in `orders` too: add_orders is the one way in.
"""
from __future__ import annotations

import os
import sqlite3
from decimal import Decimal
from typing import Iterable, Optional

import attrs

from cli import configfile
from cli.replay import unlockasked
from cli.replay.guarded import Book, GuardedBook
from cli.storedhistory import state_files
from cli.storedoutcomes import journal_file
from services.enforcement.journal import read_stored_results
from services.risk.store import TRADE_DAYS_KEPT
from services.risk.lockouts import BY_BROKER, BY_CLOCK, BY_CONFIG, BY_ROLL, CLEARED
from shared import codec
from shared.messages.enforce import DONE, FAILED, closed_nothing
from shared.messages.market import SIDE_BUY, Fill
from shared.messages.risk import (CLOSE_POSITION, ENFORCE, FLATTEN, REDUCE_POSITION,
                                  Decision, LockoutChange, LockSpec, command_key)
from shared.storedread import open_stored

__all__ = ["RiskdRecords", "read_records", "TRADE_DAYS_KEPT"]
CLOSING = (CLOSE_POSITION, REDUCE_POSITION, FLATTEN)
NOT_A_PERSON = (BY_CLOCK, BY_ROLL, BY_BROKER, BY_CONFIG, "rule")
HOUR_NS = 3600 * 1_000_000_000
ENDED = (DONE, FAILED)              # a try of a close that ended (not withdrawn)


@attrs.define
class LiveClose:
    """One close, reduce or flatten riskd decided and sent, as risk's history holds it."""
    ts_ns: int
    rule: str
    action: str
    contract_id: Optional[str]
    decision_id: str
    command_id: str = ""
    nothing: bool = False      # every try of it found nothing to do: it closed nothing
    reason: str = ""           # riskd's own words of it ('MNQ open PnL -222.00')
    # a close or reduce of one contract done with no close order of its own: it found the
    # position flat (or cut) without it, and riskd's result came at finished_ns
    found_flat: bool = False
    finished_ns: int = 0
    # every try of it ended, the last done, each naming all its close orders (orders_known);
    # closed_on: the contracts a try named a close order or left a call unsettled on ('' for
    # a flatten's call on any contract): on any other it made no fill (found_flat_on)
    settled: bool = False
    closed_on: frozenset = frozenset()
    close_orders: tuple = ()   # the close orders its tries named (CloseOrder), as risk heard
    # the contracts a call of it whose answer was lost (LostCall) was on: the broker may have
    # carried that call out after its result, by an order its result could not name
    lost_on: frozenset = frozenset()
    lost: tuple = ()           # those calls (LostCall), as its result listed them (unsettled)
    # its last try ended failed: when, and enforcement's words of it (the close failed live)
    failed_ns: int = 0
    failed_detail: str = ""
    # the moment of the event that set it off (Decision.event_ns: the fill's, the quote's, the
    # clock's; 0: not kept): a close of the replay's is riskd's own only when set off then too
    event_ns: int = 0
    # who asked (Decision.by: a person's action's admin) and, for a person's lockout, the lock
    # asked for (Decision.lock, or .asked when it changed no lockout): cli/replay/persons.py
    by: str = ""
    lock: Optional[LockSpec] = None

    @property
    def set_off_ns(self) -> int:
        """When what set this close off happened (its decision's moment when not kept)."""
        return self.event_ns or self.ts_ns

    def may_be_carried_by(self, fill: Fill) -> bool:
        """riskd's own fill `fill` can be this close's: its tries all ended, naming every close
        order they made (settled), and the fill is of one of them; not settled (its result
        not known or incomplete), any fill of riskd's on the contract may be. A settled close
        that made no order there found it flat (or cut) and no fill is its own: a fill of
        riskd's after it is another close's (trial 23c F2: the reduce of 11:54:34, done with
        nothing to do, was left in flight for riskd's fill of the next reduce, 11:54:53, so
        the replay made no reduce there and said riskd's was one the config did not reach).
        A call of it whose answer was lost on that contract (lost_on) may have been carried
        out by the broker later, by an order its result could not name: riskd's fill there may
        be its (trial24c F3: the reduce of 13:59:33, its cut held at the broker, named the
        trader's sell of 13:59:35 as its own; riskd's late fill of 14:00:15 was its cut)."""
        return not self.settled or fill.order_id in {o.order_id for o in self.close_orders} \
            or fill.contract_id in self.lost_on

    def found_flat_on(self, contract_id: str) -> bool:
        """Done with no close order of its own on this contract, none of its calls left
        unsettled there: the position there was flat (or cut) when it got to the broker, for
        a close or reduce of that contract and for a flatten alike (trial 21b finding 2; a
        flatten's contract the trader's own fill closed while it was in flight)."""
        return self.settled and contract_id not in self.closed_on and "" not in self.closed_on


@attrs.define
class LiveUnlock:
    """A lockout riskd cleared before its end (an admin's or trader's unlock)."""
    ts_ns: int
    rule: str
    by: str
    symbol: Optional[str] = None
    reason: str = ""
    unlock_of: str = ""        # what the person asked to end (LockoutChange.unlock_of)


@attrs.define
class RiskdRecords:
    """One account's fills as live risk judged them, and riskd's order ids."""
    verdicts: dict[int, bool] = attrs.Factory(dict)   # trade id -> riskd's (True) or not
    orders: set[int] = attrs.Factory(set)             # order ids of riskd's closes
    problems: list[str] = attrs.Factory(list)         # files that could not be read
    closes: list[LiveClose] = attrs.Factory(list)     # riskd's closing decisions, in time order
    unlocks: list[LiveUnlock] = attrs.Factory(list)   # lockouts lifted by a person
    # the fills risk kept from before the replayed history's first fill (its store keeps
    # TRADE_DAYS_KEPT days): what they leave open is the position carried into the range
    before: list[Fill] = attrs.Factory(list)

    def carried(self) -> dict[str, tuple[int, Decimal, int]]:
        """Per contract, the position riskd's kept fills before the range leave open (signed
        size, its average price as the broker keeps it, the time of the fill that opened it:
        its creation time, as the broker stamps a Position), nonzero ones only (trial25c F10:
        Demo 2 held short 2 MNQ over the 17:00 roll; a replay of the next day started it flat
        and read "6 contracts open (gross)" where riskd, holding it, read 4)."""
        books: dict[str, Book] = {}
        opened: dict[str, int] = {}
        for f in sorted((f for f in self.before if not f.voided), key=lambda f: f.ts_ns):
            b = books.setdefault(f.contract_id, Book())
            q = f.size if f.side == SIDE_BUY else -f.size
            closing = min(abs(q), abs(b.actual)) if b.actual and (q > 0) != (b.actual > 0) \
                else 0
            if closing == abs(b.actual) and abs(q) > closing:
                opened[f.contract_id] = f.ts_ns          # opened from flat, or reversed
            GuardedBook._average_actual(b, q, closing, abs(q) - closing, f.price)
        return {cid: (b.actual, b.actual_avg, opened.get(cid, 0)) for cid, b in books.items()
                if b.actual}

    def add_fill(self, fill: Fill) -> None:
        self.verdicts[fill.trade_id] = bool(fill.by_riskd)
        if fill.by_riskd and fill.order_id is not None:
            self.orders.add(fill.order_id)

    def add_orders(self, order_ids: Iterable[int]) -> None:
        self.orders.update(order_ids)

    def add_decision(self, d: Decision) -> None:
        """A decision of risk's history: kept when it sent a close, reduce or flatten."""
        if d.action in CLOSING and d.mode == ENFORCE and not d.suppressed:
            self.closes.append(LiveClose(d.ts_ns, d.rule, d.action, d.contract_id, d.id,
                                         command_key(d), reason=d.reason,
                                         event_ns=d.event_ns, by=d.by,
                                         lock=d.lock or getattr(d, "asked", None)))
            self.closes.sort(key=lambda c: c.ts_ns)

    def add_lockout_change(self, change: LockoutChange) -> None:
        """A lockout change of risk's history: kept when a person cleared it (not the clock,
        the roll or a rule)."""
        if change.change == CLEARED and change.by not in NOT_A_PERSON:
            self.unlocks.append(LiveUnlock(change.ts_ns, change.lockout.rule, change.by,
                                           change.lockout.symbol, change.reason,
                                           getattr(change, "unlock_of", "")))

    def outcomes(self, results) -> None:
        """Enforcement's journal results of these closes' commands (and of risk's later tries,
        '<decision>.2'; Entry.result, 'accepted' while unfinished): a close every try of which
        ended done with nothing to do closed nothing (shared/messages/enforce.closed_nothing:
        a close that found its contract flat, whatever it cancelled, too); a close or reduce of one contract every try of which ended with
        no close order of its own on that contract, the list complete (orders_known), no call
        of it unsettled and the last done, found the position flat or cut without it; a flatten
        so ended found flat every contract it named no close order on (found_flat_on)."""
        tries: dict[str, list] = {}
        for r in results:
            tries.setdefault(r.command_id.rsplit(".", 1)[0], []).append(r)
        for c in self.closes:
            mine = sorted(tries.get((c.command_id or c.decision_id).rsplit(".", 1)[0], []),
                          key=lambda r: r.finished_ns)
            c.nothing = bool(mine) and all(closed_nothing(r) for r in mine)
            c.settled = bool(mine) and mine[-1].status == DONE and all(
                r.status in ENDED and r.orders_known for r in mine)
            c.closed_on = frozenset(
                x.contract_id or "" for r in mine for x in (*r.close_orders, *r.unsettled))
            c.close_orders = tuple(o for r in mine for o in r.close_orders)
            c.lost = tuple(x for r in mine for x in r.unsettled)
            c.lost_on = frozenset(x.contract_id for x in c.lost)
            c.found_flat = c.contract_id is not None \
                and c.action in (CLOSE_POSITION, REDUCE_POSITION) \
                and c.found_flat_on(c.contract_id)
            c.finished_ns = mine[-1].finished_ns if c.settled else 0
            if mine and mine[-1].status == FAILED:
                c.failed_ns, c.failed_detail = mine[-1].finished_ns, mine[-1].detail or ""

    def riskd_fill(self, fill: Fill) -> Optional[bool]:
        """True: riskd's close; False: the trader's, as live risk judged it; None: riskd's
        records do not know this fill."""
        if fill.order_id is not None and fill.order_id in self.orders:
            return True
        return self.verdicts.get(fill.trade_id)

    def unknown(self, fills: Iterable[Fill]) -> list[Fill]:
        return [f for f in fills if not f.voided and self.riskd_fill(f) is None]


def read_records(config_path: str, accounts: dict[int, tuple[int, int]]
                 ) -> dict[int, RiskdRecords]:
    """accounts: account id -> (first, last) fill time of its history. Risk's state files of
    the config riskd runs (every shard's), read-only; an unreadable file is said in each
    account's problems, and its fills stay unknown."""
    out = {aid: RiskdRecords() for aid in accounts}
    if not accounts:
        return out
    for path in state_files(config_path):
        try:
            db = open_stored(path)
            try:
                for aid, (start, end) in accounts.items():
                    for (body,) in db.execute(
                            "SELECT body FROM trades WHERE account_id = ? AND ts_ns >= ? "
                            "AND ts_ns <= ?", (aid, start, end)):
                        fill = codec.decode(body).msg
                        if isinstance(fill, Fill):
                            out[aid].add_fill(fill)
                    for (body,) in db.execute(
                            "SELECT body FROM trades WHERE account_id = ? AND ts_ns < ?",
                            (aid, start)):
                        fill = codec.decode(body).msg
                        if isinstance(fill, Fill):
                            out[aid].before.append(fill)
                    out[aid].add_orders(oid for (oid,) in db.execute(
                        "SELECT order_id FROM riskd_orders WHERE account_id = ?", (aid,)))
                    for (body,) in db.execute(
                            "SELECT body FROM history WHERE account_id = ? AND kind IN "
                            "('decision', 'lockout') AND ts_ns >= ? AND ts_ns <= ? ORDER BY seq",
                            (aid, start - HOUR_NS, end + HOUR_NS)):
                        msg = codec.decode(body).msg
                        if isinstance(msg, Decision):
                            out[aid].add_decision(msg)
                        elif isinstance(msg, LockoutChange):
                            out[aid].add_lockout_change(msg)
            finally:
                db.close()
        except sqlite3.Error as exc:
            for rec in out.values():
                rec.problems.append(f"cannot read riskd's records in {path}: {exc}")
    _outcomes(config_path, out)
    _unlocks_asked(config_path, out)
    return out


def _unlocks_asked(config_path: str, out: dict[int, RiskdRecords]) -> None:
    """What each person's unlock asked for, where risk's records written before riskd kept it
    do not say: from riskd's audit trail (cli/replay/unlockasked.py), read-only."""
    if not any(not u.unlock_of for rec in out.values() for u in rec.unlocks):
        return
    data = configfile.tables(config_path) if os.path.isfile(config_path) else {}
    listed = data.get("accounts") if isinstance(data.get("accounts"), list) else []
    names = {a["id"]: (str(a.get("name", "")), str(a.get("display_name", "")))
             for a in listed if isinstance(a, dict) and isinstance(a.get("id"), int)}
    unlockasked.fill_in(configfile.folders(config_path)[1], names, out)


def _outcomes(config_path: str, out: dict[int, RiskdRecords]) -> None:
    """What enforcement's journal says each of riskd's closes did (read-only, as `riskctl
    history` reads it while riskd is stopped: cli/storedoutcomes.py)."""
    ids = [c.command_id for rec in out.values() for c in rec.closes if c.command_id]
    if not ids:
        return
    path = journal_file(config_path)
    try:
        results = read_stored_results(path, ids)
    except sqlite3.Error as exc:
        for rec in out.values():
            rec.problems.append(f"cannot read enforcement's journal {path}: {exc}")
        return
    for rec in out.values():
        rec.outcomes(results)
