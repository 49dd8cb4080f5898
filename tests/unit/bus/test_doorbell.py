"""The doorbell: rings from many threads reach the loop as one wake; a ring after clear() wakes
again; nothing rings after close()."""
import threading

import zmq

from shared.bus.doorbell import Doorbell


def test_many_rings_are_one_wake_and_a_ring_after_clear_wakes_again():
    bell = Doorbell(zmq.Context.instance())
    try:
        assert not bell.reader.poll(0)                  # nothing rang: the loop sleeps
        threads = [threading.Thread(target=lambda: [bell.ring() for _ in range(500)])
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert bell.reader.poll(1000)
        bell.reader.recv(zmq.NOBLOCK)
        assert not bell.reader.poll(0)                  # one byte for 2000 rings
        bell.clear()
        assert not bell.reader.poll(0)
        bell.ring()                                     # handed over after clear(): wakes
        assert bell.reader.poll(1000)
        bell.clear()
        assert not bell.reader.poll(0)
    finally:
        bell.close()
    bell.ring()                                         # after close: ignored, no error


def test_no_wake_is_lost_while_a_thread_hands_over_as_fast_as_it_can():
    """The loop's way (poll, clear, then take) never sleeps on something handed over."""
    import collections
    bell = Doorbell(zmq.Context.instance())
    items: collections.deque = collections.deque()
    n = 50_000

    def produce():
        for i in range(n):
            items.append(i)
            bell.ring()
    producer = threading.Thread(target=produce)
    producer.start()
    taken = 0
    try:
        while taken < n:
            assert bell.reader.poll(2000), f"no wake with {n - taken} items waiting"
            bell.clear()
            while items:
                items.popleft()
                taken += 1
    finally:
        producer.join()
        bell.close()


def test_a_wake_byte_left_over_is_taken_by_the_next_clear():
    """clear() takes the one byte its pending ring sent (no second recv to learn that nothing
    follows: that costs an exception per drain); a byte beyond it keeps the reader readable,
    and the clear() of that wake swallows everything."""
    bell = Doorbell(zmq.Context.instance())
    try:
        bell.ring()
        bell._writer.send(b"")                          # a stray byte next to the ring's
        bell.clear()
        assert bell.reader.poll(1000)                   # the loop is woken again...
        bell.clear()
        assert not bell.reader.poll(0)                  # ...and that clear takes the rest
        bell.ring()
        assert bell.reader.poll(1000)                   # rings still wake
        bell.clear()
        assert not bell.reader.poll(0)
    finally:
        bell.close()
