"""The command side's way to risk itself while riskd's supervisor is not running.

A supervisor killed hard (kill -9) leaves its workers running (docs/operations.md, When riskd's
supervisor is killed): risk still decides and answers its own control socket, but nothing
answers on the supervisor's, where the bot's questions go (trial 2026-12-06: /lockouts and
"/lockout 1001 10m" got "riskd did not answer within 2 s. riskd may be restarting a worker",
a false reason, and the trader could not protect themselves). notify hears the supervisor's
heartbeats stop (services/notify/supervisorwatch.py); from then on the bot asks risk directly,
as `riskctl watch` does (cli/watch/direct.py): the reads risk answers (status, lockouts,
history: every risk shard, merged as the supervisor merges them) stay open to anyone on the
machine, and the self-lockout, gated by the control key (shared/controlkey.py), goes keyed to
the shard that holds the account: notify is a worker started by the supervisor and holds the
key. The supervisor is what audits a lockout; without it notify writes the audit record itself
(record_lockout) and its log says so.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from shared import shards
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.risk import (HistoryRequest, LockoutsRequest, RiskStatusRequest,
                                  SelfLockRequest)
from shared.messages.system import Keyed, Reply, error

log = logging.getLogger(__name__)

# what risk answers itself: the bot's reads of risk, and the self-lockout (keyed)
DIRECT = (RiskStatusRequest, LockoutsRequest, HistoryRequest, SelfLockRequest)
ASK_TIMEOUT_S = 1.0      # per shard: risk answers from memory
LOCK_TIMEOUT_S = 3.0     # as the supervisor gives risk


class Direct:
    """ask(request) -> risk's Reply, without the supervisor. Raises RpcTimeout (its peer named)
    when a shard does not answer."""

    def __init__(self, bus, risk_shards: int, key: Callable[[], str]):
        self.bus = bus
        self.n = max(1, int(risk_shards))
        self.key = key

    def _one(self, worker: str, msg: Any, timeout: float) -> Reply:
        with RpcClient(self.bus.control_of(worker), worker, timeout=timeout, retries=0,
                       name="notify-commands") as client:
            reply = client.call(msg)
        if not isinstance(reply, Reply):
            return error("bad_reply", f"{worker} answered with {type(reply).__name__}")
        return reply

    def ask(self, request: Any) -> Reply:
        if isinstance(request, SelfLockRequest):
            ref = request.account.strip()
            index = shards.shard_of(int(ref), self.n) if ref.isdigit() else 0
            return self._one(shards.name_of(index, self.n), Keyed(request=request,
                                                                   key=self.key()),
                             LOCK_TIMEOUT_S)
        got = [(name, self._one(name, request, ASK_TIMEOUT_S)) for name in shards.names(self.n)]
        if len(got) == 1:
            return got[0][1]
        from services.supervisor.riskshards import merged   # the supervisor's own merge
        return merged(request, got)


def record_lockout(request: SelfLockRequest, reply: Reply, gone_words: str) -> None:
    """The self-lockout notify sent to risk itself, in riskd's audit trail as the supervisor
    records one (services/supervisor/audit.py: who asked, the request's fields, risk's answer),
    marked as sent by notify; notify's audit records carry the control key's proof, so the
    logging worker chains them while it runs. Also a warning in notify's own log."""
    from services.supervisor import audit        # one record format for both
    outcome = audit.outcome_of(reply)
    log.warning("telegram: lockout of account %s sent to risk directly, keyed, by notify: %s; "
                "%s; audited by notify (not by the supervisor)", request.account, gone_words,
                outcome, extra={"account": request.account})
    audit.record("SelfLockRequest", "trader", outcome, who=audit.claimed(request),
                 sent_by="notify (riskd's supervisor not running)",
                 **audit.request_fields(request))


__all__ = ["DIRECT", "Direct", "RpcTimeout", "record_lockout"]
