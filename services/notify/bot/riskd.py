"""The command side's way into riskd: the supervisor's control socket, trader role, no session.

Only the requests in ALLOWED can be sent: the trader's reads and the self-lockout (it only
adds protection). Nothing that unlocks, loosens, edits config or stops a worker is in the
list, and a session token is never sent, so the supervisor would refuse such a request
anyway. The self-lockout is sent once (no retry): a lost answer is reported, never resent.
While riskd's supervisor is not running (notify heard its heartbeats stop: `gone`), what
risk answers itself goes to risk directly (services/notify/bot/direct.py) and the rest is
refused saying why (SUPERVISOR_GONE), never "riskd may be restarting a worker".
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.control import ControlRequest, StatusRequest
from shared.messages.enforce import EnforcementStatusRequest
from shared.messages.market import OrdersRequest, PositionsRequest
from shared.messages.risk import (HistoryRequest, LockoutsRequest, RiskStatusRequest,
                                  SelfLockRequest)
from shared.messages.system import Reply

# EnforcementStatusRequest: the outcomes of /history's decisions (services/notify/bot/outcomes.py)
READS = (StatusRequest, RiskStatusRequest, PositionsRequest, OrdersRequest, LockoutsRequest,
         HistoryRequest, EnforcementStatusRequest)
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
        return self.code in (UNREACHABLE, SUPERVISOR_GONE)


UNREACHABLE = "unreachable"
SUPERVISOR_GONE = "supervisor_gone"
START = "start riskd again (`make run`, `systemctl start riskd` or `sc start riskd`)"


class Riskd:
    """One per thread (a REQ socket is not thread-safe)."""

    def __init__(self, control_address: str, gone: Optional[Callable[[], Optional[str]]] = None,
                 direct=None):
        """gone: the words "riskd's supervisor is not running since ..." while notify knows it
        is not (None while it runs); direct: the way to risk itself then (direct.Direct)."""
        self.client = RpcClient(control_address, "riskd", timeout=READ_TIMEOUT_S, retries=0,
                                name="notify-commands")
        self.gone = gone or (lambda: None)
        self.direct = direct
        self.lock_note = ""       # what the answer of the last lock must add (sent directly)

    def ask(self, request: Any) -> Any:
        """A read; returns the reply body."""
        return self._call(request, READ_TIMEOUT_S)

    def reply(self, request: Any) -> Reply:
        """A read; returns riskd's whole Reply, its refusal too (enforcement stopped: the
        outcomes the supervisor saw, shared/actedby.journal_of)."""
        return self._call(request, READ_TIMEOUT_S, whole=True)

    def lock(self, request: SelfLockRequest) -> Reply:
        """The self-lockout, sent exactly once; returns risk's Reply (ok or its refusal)."""
        return self._call(request, LOCK_TIMEOUT_S, whole=True)

    def _call(self, request: Any, timeout: float, whole: bool = False) -> Any:
        if type(request) not in ALLOWED:
            raise PermissionError(f"{type(request).__name__} is not possible from a chat")
        self.lock_note = ""
        gone = self.gone()
        if gone is not None:
            return self._without_supervisor(request, gone, whole)
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

    def _without_supervisor(self, request: Any, gone: str, whole: bool) -> Any:
        """riskd's supervisor is not running: risk's own answer where risk can give it."""
        from services.notify.bot import direct
        if self.direct is None or not isinstance(request, direct.DIRECT):
            raise Unavailable(f"{gone}: this needs it; {START}", SUPERVISOR_GONE)
        try:
            reply = self.direct.ask(request)
        except direct.RpcTimeout as exc:
            if isinstance(request, SelfLockRequest):
                raise Unavailable(f"{gone}, and {exc.peer} did not answer within "
                                  f"{exc.seconds:g} s when notify sent it the lockout directly"
                                  ) from None
            raise Unavailable(f"{gone}, and {exc.peer} did not answer within {exc.seconds:g} s "
                              f"either: the accounts may NOT be guarded; {START}",
                              SUPERVISOR_GONE) from None
        if isinstance(request, SelfLockRequest):
            direct.record_lockout(request, reply, gone)
            self.lock_note = (f"{gone}: notify sent this lockout to risk directly (the "
                              f"supervisor is the one that audits it; notify recorded it in "
                              f"riskd's audit trail and its log itself); {START}")
        if whole:
            return reply
        if not reply.ok:
            raise Unavailable(reply.reason, reply.code, reply.body)
        return reply.body

    def close(self) -> None:
        self.client.close()
