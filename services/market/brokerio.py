"""The REST thread: runs broker calls one after another off the worker loop.

A REST call may take seconds (timeouts, retries with backoff); the worker
loop must keep heartbeating and answering snapshots meanwhile, so calls run
here and their results come back through the inbox as RestDone.
read_broker() is the reconcile job: everything REST says about the watched accounts. The client
(ProjectXRest, whose session is not thread-safe) lives only in this thread.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Optional

import attrs

from services.market.reconcile import BrokerSnapshot, vanished_orders
from shared.projectx.models import WORKING_STATUSES
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


def read_broker(client: ProjectXRest, account_ids: list[int],
                known_working: dict[int, set[int]], day_start_ns: int,
                now_ns: int) -> BrokerSnapshot:
    """REST thread: everything reconcile needs, for the watched accounts."""
    accounts = client.search_accounts(only_active=True)
    positions, orders, trades, day_orders = [], [], [], []
    for account_id in account_ids:
        positions += client.open_positions(account_id)
        # v2 query, not searchOpen: searchOpen hides suspended (8) bracket children
        open_now = client.query_orders(account_id, statuses=WORKING_STATUSES).orders
        orders += open_now
        trades += client.search_trades(account_id, day_start_ns)
        if vanished_orders({account_id: known_working.get(account_id, set())}, open_now):
            day_orders += client.search_orders(account_id, day_start_ns)
    return BrokerSnapshot(account_ids=frozenset(account_ids), taken_ns=now_ns,
                          accounts=accounts, positions=positions, orders=orders, trades=trades,
                          day_orders=day_orders)
