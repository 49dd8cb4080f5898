"""The load generator behind POST /sim/burst: quotes at a set rate with market orders among them.

Runs in its own thread for `seconds`: quote i moves contracts[i % n] one
random-walk tick (a GatewayQuote to its subscribers), and `trades` market
orders of one contract are spread evenly over the quotes, alternating buy and
sell per contract so positions stay small. The hub loop is woken once per
KICK_EVERY quotes and at the end of each slice, not per quote. Pacing is by
wall clock in small slices; if the machine cannot keep the rate the figures
say so (achieved quotes per second), nothing is skipped.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional

import attrs

from services.simbroker.entities import BUY, SELL

log = logging.getLogger(__name__)

SLICE = 0.005      # seconds of quotes produced per pacing step
KICK_EVERY = 16    # quotes per wake-up of the hub loop: a wake-up per quote cost a syscall
                   # and a loop turn each (~1 us a quote, round 9 in docs/performance.md);
                   # 16 quotes take ~0.15 ms to make. Fills wake it at once.


@attrs.define
class BurstStatus:
    running: bool = False
    contracts: list = attrs.Factory(list)
    quotes_per_second: float = 0.0
    seconds: float = 0.0
    account_id: Optional[int] = None
    trades_wanted: int = 0
    quotes_sent: int = 0
    trades_placed: int = 0
    trades_failed: int = 0
    order_ids: list = attrs.Factory(list)
    errors: list = attrs.Factory(list)
    started: float = 0.0
    elapsed: float = 0.0

    def doc(self) -> dict:
        return {"running": self.running, "contracts": self.contracts,
                "quotesPerSecond": self.quotes_per_second, "seconds": self.seconds,
                "accountId": self.account_id, "tradesWanted": self.trades_wanted,
                "quotesSent": self.quotes_sent, "tradesPlaced": self.trades_placed,
                "tradesFailed": self.trades_failed, "orderIds": list(self.order_ids),
                "errors": self.errors[:10], "elapsed": round(self.elapsed, 3),
                "achievedQuotesPerSecond": round(self.quotes_sent / self.elapsed, 1)
                if self.elapsed else 0.0}


class Burst:
    """One burst at a time; start() refuses while one runs."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.status = BurstStatus()
        self._thread: Optional[threading.Thread] = None
        self._stop = threading.Event()

    def start(self, contracts: list[str], rate: float, seconds: float,
              account_id: Optional[int], trades: int) -> BurstStatus:
        if self.status.running:
            raise ValueError("a burst is running already: wait for it (GET /sim/burst)")
        if rate <= 0 or seconds <= 0:
            raise ValueError(f"expected quotes_per_second and seconds above 0, got {rate}, {seconds}")
        if trades and account_id is None:
            raise ValueError("expected an accountId for the burst's trades")
        if trades < 0:
            raise ValueError(f"expected trades of 0 or more, got {trades}")
        self.status = BurstStatus(running=True, contracts=list(contracts), quotes_per_second=rate,
                                  seconds=seconds, account_id=account_id, trades_wanted=trades,
                                  started=time.monotonic())
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="simbroker-burst", daemon=True)
        self._thread.start()
        return self.status

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        st = self.status
        total = max(1, int(st.quotes_per_second * st.seconds))
        every = total / st.trades_wanted if st.trades_wanted else 0.0
        next_trade = every / 2
        n = len(st.contracts)
        try:
            i = 0
            t0 = time.monotonic()
            while i < total and not self._stop.is_set():
                due = min(total, int((time.monotonic() - t0 + SLICE) * st.quotes_per_second))
                lock = self.gateway.lock
                while i < due:
                    lock.step_aside()      # a REST or hub caller waiting for the gateway first
                    self.gateway.tick([st.contracts[i % n]], kick=False)
                    i += 1
                    st.quotes_sent = i
                    if i % KICK_EVERY == 0:
                        self.gateway.hub.kick()
                    while st.trades_wanted and i >= next_trade and \
                            st.trades_placed + st.trades_failed < st.trades_wanted:
                        self._trade(st.trades_placed + st.trades_failed)
                        next_trade += every
                self.gateway.hub.kick()    # the slice's last quotes, before waiting
                ahead = t0 + i / st.quotes_per_second - time.monotonic()
                if ahead > 0:
                    self._stop.wait(ahead)
            while st.trades_placed + st.trades_failed < st.trades_wanted and not self._stop.is_set():
                self._trade(st.trades_placed + st.trades_failed)
        except Exception as exc:   # a burst never takes the broker down
            log.exception("burst failed")
            st.errors.append(str(exc))
        finally:
            self.gateway.hub.kick()        # whatever was published since the last wake-up
            st.elapsed = time.monotonic() - st.started
            st.running = False
            log.info("burst done: %d quotes, %d trades (%d failed) in %.2f s", st.quotes_sent,
                     st.trades_placed, st.trades_failed, st.elapsed)

    def _trade(self, k: int) -> None:
        st = self.status
        contract = st.contracts[(k // 2) % len(st.contracts)]
        result = self.gateway.market_order(st.account_id, contract, BUY if k % 2 == 0 else SELL, 1)
        if result.success:
            st.trades_placed += 1
            st.order_ids.append(result.body["orderId"])
        else:
            st.trades_failed += 1
            st.errors.append(f"order {k}: error {result.code}: {result.message}")
