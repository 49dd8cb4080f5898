"""The REST thread: runs broker calls one after another off the worker loop.

A REST call may take seconds (timeouts, retries with backoff); the worker
loop must keep heartbeating and answering snapshots meanwhile, so calls run
here and their results come back through the inbox as RestDone.
read_broker() is the reconcile job: everything REST says about the watched accounts, each
account's positions and trades as of one moment (read_account), with when REST began reading
each (services/market/reconcile.py: a hub event older than that read is not kept over it). The
client (ProjectXRest, whose session is not thread-safe) lives only in this thread.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Optional

import attrs

from services.market.reconcile import BrokerSnapshot, vanished_orders
from shared.projectx.models import WORKING_STATUSES, Order, Position, Trade
from shared.projectx.rest import ProjectXRest

log = logging.getLogger(__name__)


@attrs.frozen
class RestDone:
    """The outcome of one job: `result` or `error` (a short human text), plus the caller's tag."""
    job: str
    tag: Any = None
    result: Any = None
    error: Optional[str] = None
    exception: Optional[BaseException] = None


class RestThread:
    def __init__(self, make_client: Callable[[], ProjectXRest], sink: Callable[[Any], None]):
        self._make_client = make_client
        self._sink = sink
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="market-rest", daemon=True)
        self.pending = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: str, fn: Callable[[ProjectXRest], Any], tag: Any = None) -> None:
        """Run fn(client) in the REST thread; a RestDone(job, tag, ...) arrives in the sink."""
        self.pending += 1
        self._jobs.put((job, fn, tag))

    def _run(self) -> None:
        client = self._make_client()
        try:
            while True:
                item = self._jobs.get()
                if item is None:
                    return
                job, fn, tag = item
                try:
                    done = RestDone(job, tag, result=fn(client))
                except Exception as exc:
                    done = RestDone(job, tag, error=f"{type(exc).__name__}: {exc}", exception=exc)
                self._sink(done)
        finally:
            client.close()

    def stop(self, timeout: float = 2.0) -> None:
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)


# a trade of an account made this recently (by the broker's clock, against market's when REST
# began reading the account; generous for clock skew) may have filled between the account's
# positions read and its trades read: its positions are read again (read_account)
RECENT_TRADE_NS = 60 * 1_000_000_000
REREADS = 2                 # at most this many more reads of an account whose positions moved


def read_broker(client: ProjectXRest, account_ids: list[int],
                known_working: dict[int, set[int]], day_start_ns: int,
                now_ns: int, clock: Optional[Callable[[], int]] = None) -> BrokerSnapshot:
    """REST thread: everything reconcile needs, for the watched accounts. clock (market's):
    when REST began reading the account list and each account (BrokerSnapshot.read_ns)."""
    clock = clock or (lambda: now_ns)
    accounts_read_ns = clock()
    accounts = client.search_accounts(only_active=True)
    positions, orders, trades, day_orders = [], [], [], []
    read_ns: dict[int, int] = {}
    for account_id in account_ids:
        read_ns[account_id] = clock()
        held, open_now, done = read_account(client, account_id, day_start_ns,
                                            read_ns[account_id])
        positions += held
        # v2 query, not searchOpen: searchOpen hides suspended (8) bracket children
        orders += open_now
        trades += done
        if vanished_orders({account_id: known_working.get(account_id, set())}, open_now):
            day_orders += client.search_orders(account_id, day_start_ns)
    return BrokerSnapshot(account_ids=frozenset(account_ids), taken_ns=now_ns,
                          accounts=accounts, positions=positions, orders=orders, trades=trades,
                          day_orders=day_orders, read_ns=read_ns,
                          accounts_read_ns=accounts_read_ns)


def read_account(client: ProjectXRest, account_id: int, day_start_ns: int, began_ns: int
                 ) -> tuple[list[Position], list[Order], list[Trade]]:
    """One account's open positions, working orders and today's trades, as of one moment: a
    trade that fills between the positions read and the trades read would be a fill whose
    Position never comes (market would hold the position it closed; risk, its fill counted on
    top of that position, a Position that held it already). When a trade is recent, the
    positions are read again after the trades; when they moved, the orders and trades are
    read again (at most REREADS times; the last positions then lead the trades, the order a
    hub may send them in, and the fills come with the next read)."""
    held = client.open_positions(account_id)
    for attempt in range(REREADS + 1):
        open_now = client.query_orders(account_id, statuses=WORKING_STATUSES).orders
        trades = client.search_trades(account_id, day_start_ns)
        if not any(t.created_ns >= began_ns - RECENT_TRADE_NS for t in trades):
            break
        again = client.open_positions(account_id)
        if _same(again, held) or attempt == REREADS:
            held = again
            break
        held = again
    return held, open_now, trades


def _same(a: list[Position], b: list[Position]) -> bool:
    def key(p: Position):
        return p.contract_id, p.id
    return sorted(a, key=key) == sorted(b, key=key)
