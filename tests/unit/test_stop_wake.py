"""A stop signal wakes a worker's poll at once (shared/signals.py wake_fd_on_signal): the loop
waits in zmq_poll (C), and without the wake it saw the handler's stop only at its next timer
(each worker took ~150 ms to stop, every riskd stop ~1 s for six workers)."""
from __future__ import annotations

import os
import signal

import zmq

from shared.signals import drain_wake_fd, wake_fd_on_signal

def test_a_signal_makes_the_wake_fd_readable_to_a_zmq_poll():
    seen = []
    old = signal.signal(signal.SIGUSR1, lambda *_a: seen.append(1))
    fd = wake_fd_on_signal()
    try:
        assert fd is not None
        poller = zmq.Poller()
        poller.register(fd, zmq.POLLIN)
        assert poller.poll(0) == []                 # nothing yet
        os.kill(os.getpid(), signal.SIGUSR1)
        assert dict(poller.poll(5000)) == {fd: zmq.POLLIN}
        assert seen == [1]                          # the handler has run
        drain_wake_fd(fd)
        assert poller.poll(0) == []                 # drained: quiet again
    finally:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGUSR1, old)
        if fd is not None:
            os.close(fd)


def test_no_wake_fd_off_the_main_thread():
    import threading
    got = []
    t = threading.Thread(target=lambda: got.append(wake_fd_on_signal()))
    t.start()
    t.join()
    assert got == [None]
