"""The command side's way into riskd: the supervisor's control socket, trader role, no session.

Only the requests in ALLOWED can be sent: the trader's reads and the self-lockout (it only
adds protection). Nothing that unlocks, loosens, edits config or stops a worker is in the
list, and a session token is never sent, so the supervisor would refuse such a request
anyway. The self-lockout is sent once (no retry): a lost answer is reported, never resent.
"""
from __future__ import annotations

from typing import Any

from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.control import ControlRequest, StatusRequest
from shared.messages.market import OrdersRequest, PositionsRequest
from shared.messages.risk import (HistoryRequest, LockoutsRequest, RiskStatusRequest,
                                  SelfLockRequest)
from shared.messages.system import Reply

READS = (StatusRequest, RiskStatusRequest, PositionsRequest, OrdersRequest, LockoutsRequest,
         HistoryRequest)
ALLOWED = READS + (SelfLockRequest,)
READ_TIMEOUT_S = 2.0
LOCK_TIMEOUT_S = 6.0      # the supervisor gives risk 3 s


class Unavailable(Exception):
    """riskd (or the worker behind it) did not answer, or refused: the text says which. `code`
    is riskd's reply code ('' when riskd itself did not answer): 'unreachable' means the
    supervisor's words already say what the worker is doing and the next step
    (services/supervisor/unreachable.py), as riskctl shows them."""

    def __init__(self, text: str, code: str = "", body: Any = None):
        super().__init__(text)
        self.code = code
        self.body = body          # what riskd's error carried (risk's last known figures)

    @property
    def worded(self) -> bool:
        """The supervisor said why the worker cannot answer: nothing needs adding."""
        return self.code == UNREACHABLE


UNREACHABLE = "unreachable"


class Riskd:
    """One per thread (a REQ socket is not thread-safe)."""

    def __init__(self, control_address: str):
        self.client = RpcClient(control_address, "riskd", timeout=READ_TIMEOUT_S, retries=0,
                                name="notify-commands")

    def ask(self, request: Any) -> Any:
        """A read; returns the reply body."""
        return self._call(request, READ_TIMEOUT_S)

    def lock(self, request: SelfLockRequest) -> Reply:
        """The self-lockout, sent exactly once; returns risk's Reply (ok or its refusal)."""
        return self._call(request, LOCK_TIMEOUT_S, whole=True)

    def _call(self, request: Any, timeout: float, whole: bool = False) -> Any:
        if type(request) not in ALLOWED:
            raise PermissionError(f"{type(request).__name__} is not possible from a chat")
        try:
            reply = self.client.call(ControlRequest(command=request), timeout=timeout, retries=0)
        except RpcTimeout as exc:
            raise Unavailable(f"riskd did not answer within {exc.seconds:g} s") from None
        if not isinstance(reply, Reply):
            raise Unavailable(f"riskd answered with {type(reply).__name__}")
        if whole:
            return reply
        if not reply.ok:
            # a person reads it: no internal code
            raise Unavailable(reply.reason, reply.code, reply.body)
        return reply.body

    def close(self) -> None:
        self.client.close()
