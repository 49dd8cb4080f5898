"""Fetch a replay's history from the broker once, through the disk cache, inside the limits.

Read-only: Account/search, Trade/search, Order/search, Contract/searchById and
History/retrieveBars are the only calls made (nothing here can place, change or cancel an
order). Every call goes through the client's own rate budget (200 per 60 s); bar requests
also wait on a second budget of 50 per 30 s, the broker's limit for History. Bars are asked
for only where the account held the contract, one request per contract and trading day (more
when a day holds over 20,000 bars).

A call the client gave up on (after its own bounded retries of 429, 5xx and dropped
connections) is tried again a few rounds with a pause; what was retried is listed for the
report. If it still fails, FetchError says what failed and how much is cached: the next run
resumes from there.
"""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Callable, Optional

import attrs

from cli.replay.cache import Cache
from cli.replay.model import BAR_UNITS, AccountHistory, Bar, held_intervals
from cli.replay.progress import Progress
from services.market import translate
from shared.clock import SYSTEM_CLOCK, Clock
from shared.messages.market import AccountUpdate, ContractInfo, Fill, OrderUpdate
from shared import symbols
from shared.projectx.errors import BrokerUnavailable, ProjectXError, RateBudgetExhausted
from shared.projectx.ratebudget import RateBudget
from shared.projectx.transport import TransportError
from shared.plural import plural

BARS_LIMIT, BARS_WINDOW = 50, 30.0
MAX_BARS = 20_000                 # per retrieveBars request
ROUNDS = 3                        # tries of one call after the client gave up, paused between
PAUSE = 2.0                       # s before the second round, doubled after


class FetchError(Exception):
    """The broker failed beyond the retries; the message says what and how much is cached."""


class Fetcher:
    def __init__(self, client, cache: Cache, calendar, *, unit: str = "1m",
                 clock: Clock = SYSTEM_CLOCK, sleep: Callable[[float], None] = time.sleep,
                 progress: Optional[Progress] = None, bars_budget: Optional[RateBudget] = None,
                 pause: float = PAUSE, refresh: bool = False):
        self.client = client
        self.refresh = refresh             # --refresh: ask the broker again for every day
        self.cache = cache
        self.calendar = calendar
        self.unit = unit
        self.clock = clock
        self.sleep = sleep
        self.progress = progress or Progress(None)
        self.bars_budget = bars_budget or RateBudget(BARS_LIMIT, BARS_WINDOW, clock=clock)
        self.pause = pause
        self.calls = 0                     # logical broker calls made (0 on a warm cache)
        self.retried: list[str] = []       # what had to be tried again, for the report
        self.cached_items = 0
        self.notes: list[str] = []         # gaps in the data the report should mention
        # ... of one account's data: (account id, its broker name, note), each said under that
        # account's name (trial 21c: 'no 1m bars for MNQ', said of one account's held span
        # with no account named, beside another account's breach set off by a bar's price)
        self.account_notes: list[tuple[int, str, str]] = []
        self.accounts_at: Optional[int] = None   # when the broker reported the balances used

    # -- one call, retried ------------------------------------------------------------------
    def _call(self, what: str, fn, *args, **kw):
        last = ""
        for round_ in range(ROUNDS):
            before = getattr(self.client, "calls", None)
            logins = getattr(self.client, "logins", 0)
            try:
                result = fn(*args, **kw)
            except (BrokerUnavailable, RateBudgetExhausted, TransportError) as exc:
                last = str(exc)
                self.retried.append(f"{what}: failed ({last}); "
                                    + ("trying again" if round_ + 1 < ROUNDS else "giving up"))
                if round_ + 1 < ROUNDS:
                    self.sleep(self.pause * 2 ** round_)
                continue
            self.calls += 1
            if before is not None:
                extra = self.client.calls - before - 1 - (getattr(self.client, "logins", 0)
                                                          - logins)
                if extra > 0:
                    self.retried.append(f"{what}: answered after {extra} "
                                        f"retr{'y' if extra == 1 else 'ies'}")
            return result
        raise FetchError(f"the broker kept failing on {what} ({last}); "
                         f"{plural(self.cached_items, 'item is', 'items are')} cached: run the same replay again to resume from them")

    # -- accounts and contracts --------------------------------------------------------------
    def accounts(self, refresh: bool = False) -> list[AccountUpdate]:
        """The broker's accounts and their balances, and (accounts_at) when it reported them:
        the trades after a replayed range up to then are taken out of that balance."""
        path = self.cache._path("accounts.json")
        at_path = self.cache._path("accounts_at.json")
        cached = None if refresh or self.refresh else self.cache.read_list(path, AccountUpdate)
        at = self.cache.read(at_path)
        if cached is not None and isinstance(at, int):
            self.accounts_at = at
            return cached
        found = [translate.account(a) for a in self._call(
            "Account/search", self.client.search_accounts, False)]
        self.accounts_at = self.clock.now_ns()
        self.cache.write_list(path, found)
        self.cache.write(at_path, self.accounts_at)
        return found

    def contract(self, contract_id: str) -> ContractInfo:
        path = self.cache._path("contracts", f"{contract_id}.json")
        cached = None if self.refresh else self.cache.read_list(path, ContractInfo)
        if cached:
            return cached[0]
        try:
            info = translate.contract(self._call(f"Contract/searchById {contract_id}",
                                                 self.client.contract_by_id, contract_id))
        except ProjectXError:
            info = self._same_product(contract_id)
        self.cache.write_list(path, [info])
        return info

    def _same_product(self, contract_id: str) -> ContractInfo:
        """An expired month the broker no longer lists: tick size and value are the
        product's, so they are taken from a month of the same root that it does list."""
        root = symbols.root_of(contract_id) if symbols.is_contract_id(contract_id) else ""
        found = [c for c in self._call(f"Contract/search {contract_id}",
                                       self.client.search_contracts,
                                       symbols.ticker_of(contract_id) if root else contract_id)
                 if root and symbols.is_contract_id(c.id) and symbols.root_of(c.id) == root]
        if not found:
            raise FetchError(f"the broker knows no contract {contract_id} nor another month of "
                             f"it: its tick size and value are needed to price its trades")
        same = translate.contract(found[0])
        return attrs.evolve(same, contract_id=contract_id, name=contract_id.rsplit(".", 2)[-2])

    # -- one account --------------------------------------------------------------------------
    def _ended(self, day: dt.date) -> bool:
        return self.clock.now_ns() >= self.calendar.end_of(day)

    def _day(self, account_id: int, day: dt.date, what: str, cls, fetch, convert,
             traded: bool = False) -> list:
        """One day's trades or orders. Only a day that ended with something on it is kept: an
        empty answer is asked again on every replay, since the broker's history of an ended day
        can still grow (the sim's `history` writes into past days that had none; trial16c: a
        day cached as empty hid the 190 trades `sim history --days 10` wrote there). An empty
        list a previous version cached is not trusted either. `traded`: the day has trades,
        so its orders are kept (and trusted) even when there are none."""
        path = self.cache.day_path(account_id, day, what)
        cached = None if self.refresh else self.cache.read_list(path, cls)
        if cached or (cached is not None and traded):
            self.progress.step(f"{what} {account_id} {day} (cached)")
            return cached
        start, end = self.calendar.start_of(day), self.calendar.end_of(day)
        self.progress.step(f"{what} {account_id} {day}")
        items = [convert(x) for x in self._call(f"{'Trade' if what == 'trades' else 'Order'}"
                                                f"/search account {account_id} {day}",
                                                fetch, account_id, start, end)]
        if (items or traded) and self._ended(day):
            self.cache.write_list(path, items)
            self.cached_items += 1
        return items

    def history(self, account: AccountUpdate, days: list[dt.date]) -> AccountHistory:
        """Trades, orders, contracts and bars of one account over the given trading days."""
        now = self.clock.now_ns()
        if days and self.accounts_at is not None \
                and self.accounts_at < min(now, self.calendar.end_of(days[-1])):
            # the cached balance predates the range's end: it holds none of the range's later
            # trades, so the start balance would be off; ask the broker for today's
            fresh = {a.account_id: a for a in self.accounts(refresh=True)}
            account = fresh.get(account.account_id, account)
        h = AccountHistory(account_id=account.account_id, name=account.name,
                           balance=account.balance, bar_ns=BAR_UNITS[self.unit][2])
        self.progress.add(2 * len(days), "trades and orders")
        fills: dict[int, Fill] = {}
        orders: dict[int, OrderUpdate] = {}
        for day in days:
            traded = self._day(account.account_id, day, "trades", Fill,
                               self.client.search_trades, translate.fill)
            for f in traded:
                fills[f.trade_id] = f
            for o in self._day(account.account_id, day, "orders", OrderUpdate,
                               self.client.search_orders, lambda x: translate.order(x, now),
                               traded=bool(traded)):
                known = orders.get(o.order_id)
                if known is None or (o.updated_ns or 0) >= (known.updated_ns or 0):
                    orders[o.order_id] = o
        h.fills = sorted(fills.values(), key=lambda f: (f.ts_ns, f.trade_id))
        h.orders = sorted(orders.values(), key=lambda o: (o.created_ns, o.order_id))
        for cid in sorted({f.contract_id for f in h.fills} | {o.contract_id for o in h.orders}):
            h.contracts[cid] = self.contract(cid)
        h.later_pnl = self._later_pnl(account.account_id, days[-1]) if days else Decimal(0)
        last_end = min(now, self.calendar.end_of(days[-1])) if days else now
        self._bars(h, held_intervals(h.fills, last_end))
        return h

    def _later_pnl(self, account_id: int, last: dt.date) -> Decimal:
        """The PnL net of fees of the account's trades after trading day `last` up to when the
        broker reported the balance the replay starts from (accounts(): that balance holds
        them, the replayed days come before them). One Trade/search, kept in the cache with
        that moment, so a replay from a warm cache asks nothing."""
        start = self.calendar.end_of(last)
        end = self.accounts_at if self.accounts_at is not None else self.clock.now_ns()
        if end <= start:
            return Decimal(0)
        path = self.cache._path(str(account_id), "after", f"{last.isoformat()}-{end}.json")
        trades = None if self.refresh else self.cache.read_list(path, Fill)
        if trades is None:
            self.progress.step(f"trades {account_id} after {last}")
            trades = [translate.fill(x) for x in self._call(
                f"Trade/search account {account_id} after {last}", self.client.search_trades,
                account_id, start, end)]
            self.cache.write_list(path, trades)
            self.cached_items += 1
        return sum(((f.pnl or Decimal(0)) - f.fees for f in trades if not f.voided),
                   Decimal(0))

    # -- bars --------------------------------------------------------------------------------
    def _spans(self, spans: list[tuple[int, int]], u: int) -> dict[dt.date, tuple[int, int]]:
        """Per trading day, the one span [start, end) of bars that covers every holding."""
        out: dict[dt.date, tuple[int, int]] = {}
        for start, end in spans:
            t = start
            while True:
                day = self.calendar.trading_day(t)
                day_end = self.calendar.end_of(day)
                a, b = t - t % u, min(end, day_end - 1) + u - (min(end, day_end - 1) % u)
                lo, hi = out.get(day, (a, b))
                out[day] = (min(lo, a), max(hi, b))
                t = day_end
                # a holding that reaches the day's end (a position still open when the range's
                # last day ended: held until its end) needs no bar of the next day: a replay of
                # 2026-12-07 said "no 1m bars ... on 2026-12-08" (trial25c, after F8, 6.)
                if t >= end:
                    break
        return out

    def _bars(self, h: AccountHistory, held: dict[str, list[tuple[int, int]]]) -> None:
        u = h.bar_ns
        plan = [(cid, day, span) for cid in sorted(held)
                for day, span in sorted(self._spans(held[cid], u).items())]
        self.progress.add(len(plan), "bars")
        for cid, day, (start, end) in plan:
            cached = None if self.refresh else self.cache.read_bars(self.unit, cid, day, Bar)
            if cached is not None and cached[0] <= start and cached[1] >= end:
                self.progress.step(f"bars {cid} {day} (cached)")
                bars = [b for b in cached[2] if start <= b.ts_ns < end]
            else:       # one request covers what is cached too: the file keeps one span
                lo, hi = (min(start, cached[0]), max(end, cached[1])) if cached else (start, end)
                self.progress.step(f"bars {cid} {day}", waiting=self._bars_eta)
                fetched = self._fetch_bars(cid, day, lo, hi, u)
                if self._ended(day):
                    self.cache.write_bars(self.unit, cid, day, lo, hi, fetched)
                    self.cached_items += 1
                bars = [b for b in fetched if start <= b.ts_ns < end]
            if not bars:
                self.account_notes.append((
                    h.account_id, h.name, f"no {self.unit} bars for {cid} on {day} over the "
                    f"times the account held it (the broker keeps none there): open-PnL rules "
                    f"saw only its fill prices there"))
            h.bars.setdefault(cid, []).extend(bars)
        for cid in h.bars:
            h.bars[cid].sort(key=lambda b: b.ts_ns)

    def _bars_eta(self, remaining: int) -> float:
        budget = self.bars_budget
        return max(0.0, remaining - budget.available()) / budget.rate

    def _fetch_bars(self, cid: str, day: dt.date, start: int, end: int, u: int) -> list[Bar]:
        unit, number, _ = BAR_UNITS[self.unit]
        out: list[Bar] = []
        t = start
        while t < end:
            chunk_end = min(end, t + MAX_BARS * u)
            while not self.bars_budget.try_take():
                self.sleep(max(0.01, self.bars_budget.wait_time()))   # never a 0 s spin
            got = self._call(f"History/retrieveBars {cid} {day}", self.client.retrieve_bars,
                             cid, t, chunk_end, unit=unit, unit_number=number, limit=MAX_BARS)
            out += got
            t = chunk_end
        out = sorted({b.ts_ns: b for b in out if start <= b.ts_ns < end}.values(),
                     key=lambda b: b.ts_ns)
        return out
