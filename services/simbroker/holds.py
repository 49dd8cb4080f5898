"""The calls the sim holds until `/sim/release` (`/sim/fail` with `hold`), and what each did.

Each held call waits on its own event. A release lets go the calls of its endpoint that are
waiting at that moment, waits (briefly) until each has been carried out, and answers what each
did: took effect, refused by the broker's rules (errorCode), or not carried out (its HTTP
status). A held call its cap (the fault's `delay`) let go before any release is kept, so the
next release of its endpoint says it ran earlier, by itself. Fresh-user trial 19b: `riskctl
sim release` answered "its held calls are carried out and answered" while the one held close
was never carried out (it had come with a token from before a sim restart, checked only once
let go: 401); the answer was written before anything had run.

Once released, an endpoint's later calls of the same armed fault are not held (they go at
once) until the next `/sim/fail ... hold` for that endpoint, as before. Not locked itself:
every method but wait() is called with the gateway lock held (the held call decides, under
that lock, whether its release or its cap let it go, so the two cannot both claim it).
"""
from __future__ import annotations

import collections
import json
import threading
import time
from typing import Optional

import attrs

from shared.clock import NS_PER_S, Clock

ENDED_KEPT = 20           # calls their cap let go, not yet said by a release
FINISH_WAIT_S = 3.0       # how long a release waits for the calls it let go to be carried out


@attrs.define(eq=False)
class HeldCall:
    endpoint: str
    account: Optional[int]
    contract: Optional[str]
    since_ns: int
    cap: float
    go: threading.Event = attrs.Factory(threading.Event)
    done: threading.Event = attrs.Factory(threading.Event)
    released: bool = False              # let go by a release (else by its cap)
    held_ns: int = 0                    # how long it was held, once let go
    status: Optional[int] = None        # its HTTP answer, once carried out
    error_code: Optional[int] = None
    error_message: Optional[str] = None

    def doc(self) -> dict:
        """The call as /sim/release answers it."""
        finished = self.done.is_set()
        return {"account": self.account, "contractId": self.contract,
                "letGoBy": "release" if self.released else "cap",
                "heldSeconds": round(self.held_ns / NS_PER_S, 1),
                "finished": finished, "status": self.status,
                "errorCode": self.error_code, "errorMessage": self.error_message,
                "tookEffect": finished and self.status == 200 and self.error_code == 0}


def _body(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Holds:
    def __init__(self, clock: Clock):
        self.clock = clock
        self._waiting: list[HeldCall] = []
        self._released: set[str] = set()          # released endpoints: their calls go at once
        self._ended: collections.deque = collections.deque(maxlen=ENDED_KEPT)

    def arm(self, endpoint: str) -> None:
        """A new `hold` fault for `endpoint`: its next calls wait for a release again."""
        self._released.discard(endpoint)

    def take(self, endpoint: str, raw: bytes, cap: float) -> Optional[HeldCall]:
        """Hold this call (None: its endpoint was released since its fault was armed)."""
        if endpoint in self._released:
            return None
        body = _body(raw)
        account, contract = body.get("accountId"), body.get("contractId")
        call = HeldCall(endpoint, account if isinstance(account, int) else None,
                        contract if isinstance(contract, str) else None,
                        self.clock.now_ns(), cap)
        self._waiting.append(call)
        return call

    @staticmethod
    def wait(call: HeldCall) -> None:
        """Outside the lock: until a release lets the call go, at most its cap."""
        call.go.wait(call.cap)

    def let_go(self, call: HeldCall) -> None:
        """Under the lock, right before the call is carried out: a release, or its cap."""
        if call in self._waiting:
            self._waiting.remove(call)
        call.held_ns = self.clock.now_ns() - call.since_ns
        if not call.released:
            self._ended.append(call)

    def finish(self, call: HeldCall, status: int, body: bytes) -> None:
        """What the carried-out call answered."""
        call.status = status
        doc = _body(body) if status == 200 else {}
        code = doc.get("errorCode")
        call.error_code = code if isinstance(code, int) else None
        message = doc.get("errorMessage")
        call.error_message = message if isinstance(message, str) else None
        call.done.set()

    def release(self, endpoint: str) -> tuple[list[HeldCall], list[HeldCall]]:
        """Let go `endpoint`'s waiting calls: (those, the calls their cap let go earlier)."""
        self._released.add(endpoint)
        now = [c for c in self._waiting if c.endpoint == endpoint]
        for call in now:
            call.released = True
            call.go.set()
        earlier = [c for c in self._ended if c.endpoint == endpoint]
        for call in earlier:
            self._ended.remove(call)
        return now, earlier

    @staticmethod
    def finished(calls: list[HeldCall], within: float = FINISH_WAIT_S) -> None:
        """Outside the lock: wait until the calls a release let go are carried out (bounded)."""
        until = time.monotonic() + within
        for call in calls:
            call.done.wait(max(0.0, until - time.monotonic()))
