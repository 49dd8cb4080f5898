"""The hand-over from hub threads to the loop: one wake per batch, quotes merged, order kept."""
import threading

import zmq

from services.market.inbox import Inbox
from shared.projectx.realtime import EV_QUOTE, EV_TRADE, HubEvent


def test_many_threads_put_and_the_loop_gets_everything_once_with_quotes_merged():
    inbox = Inbox(zmq.Context.instance())
    try:
        def feed(n: int) -> None:
            for i in range(2000):
                inbox.put(HubEvent("user", 1, EV_TRADE, [{"id": n * 10_000 + i}]))
                inbox.put(HubEvent("market", 1, EV_QUOTE, [f"C{n}", {"lastPrice": i}]))
        threads = [threading.Thread(target=feed, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert inbox.reader.poll(1000)                  # woken
        events, quotes = inbox.drain()
        assert not inbox.reader.poll(0)                 # one drain swallows every wake
        ids = [e.args[0]["id"] for e in events]
        assert sorted(ids) == sorted(n * 10_000 + i for n in range(4) for i in range(2000))
        for n in range(4):                              # each thread's own order is kept
            mine = [i for i in ids if i // 10_000 == n]
            assert mine == sorted(mine)
        assert quotes == {f"C{n}": {"lastPrice": 1999} for n in range(4)}
        assert inbox.stats == (8000, 7996)
    finally:
        inbox.close()
