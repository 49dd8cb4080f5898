"""What the logging worker has taken in from each sender: the answer to a closing sender's
"is everything I sent there?" (shared/logsetup.py waits on it before its process exits).

A sender is its publisher name and epoch (a new epoch every process start); the newest
MAX_SENDERS senders are remembered, the least recently heard from is forgotten first.
"""
from __future__ import annotations

from collections import OrderedDict

from shared.messages.logs import LogReceipt

MAX_SENDERS = 4096


class Receipts:
    def __init__(self, max_senders: int = MAX_SENDERS):
        self.max_senders = max_senders
        self._seen: OrderedDict[tuple[str, int], list[int]] = OrderedDict()   # [received, last]

    def took(self, publisher: str, epoch: int, seq: int) -> None:
        key = (publisher, epoch)
        entry = self._seen.get(key)
        if entry is None:
            entry = self._seen[key] = [0, 0]
            if len(self._seen) > self.max_senders:
                self._seen.popitem(last=False)
        else:
            self._seen.move_to_end(key)
        entry[0] += 1
        if seq > entry[1]:
            entry[1] = seq

    def of(self, publisher: str, epoch: int) -> LogReceipt:
        received, last = self._seen.get((publisher, epoch), (0, 0))
        return LogReceipt(received=received, last_seq=last)
