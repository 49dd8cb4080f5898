"""The watch's questions to the workers themselves, while riskd's supervisor is gone.

A supervisor killed hard (kill -9) leaves its workers running (cli/notrunning.py): risk still
decides and enforcement still acts, but nothing answers on the control socket. A watch opened
then read only the PUB streams, so LAST ACTIONS said "none today" on a day of 8 actions (trial
2026-12-05). Risk and enforcement answer their own control sockets (the supervisor only
forwards there), so the watch asks them directly, read-only: risk's status and today's history
(every risk shard, merged as the supervisor merges them) and enforcement's journal. A worker
that is not among the ones still running is not asked: its silence is said as "not running",
never turned into an empty list. The workers asked are this riskd's (their pid files, each
pid proven); once the watch knows its riskd's id (`instance`) an answer of another riskd's is
an error (shared/bus/rpc.py), and `answered_by` is the id the first answer carried.
"""
from __future__ import annotations

from typing import Any

from services.supervisor.riskshards import merged
from shared import shards
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.config.sections import BusConfig
from shared.messages.enforce import EnforcementStatusRequest
from shared.messages.risk import RiskStatusReply, RiskStatusRequest
from shared.messages.system import Reply, error

ASK_TIMEOUT = 1.0         # s per worker: they answer from memory


class Asker:
    """ask(msg) -> Reply for the requests the watch needs (HistoryRequest to every risk shard,
    EnforcementStatusRequest to enforcement), as todays_actions() calls the supervisor."""

    def __init__(self, bus: BusConfig, risk_shards: int, left: tuple, timeout: float = ASK_TIMEOUT,
                 instance: bytes | None = None):
        self.bus, self.timeout = bus, timeout
        self.instance = instance            # None: not known yet (any answer is read)
        self.answered_by: bytes | None = None
        self.risks = shards.names(risk_shards)
        self.left = set(left)

    def risk_left(self) -> bool:
        """Every risk shard still runs (a missing one's accounts would read as 'no actions')."""
        return set(self.risks) <= self.left

    def _one(self, worker: str, msg: Any) -> Reply:
        if worker not in self.left:
            return error("unreachable", f"{worker} is not running")
        try:
            with RpcClient(self.bus.control_of(worker), worker, timeout=self.timeout,
                           retries=0, name="riskctl-watch", instance=self.instance or b"",
                           say=False) as client:
                reply = client.call(msg)
                if self.answered_by is None and isinstance(reply, Reply) \
                        and reply.code != "foreign_reply":
                    self.answered_by = client.answered_by
        except RpcTimeout:
            return error("timeout", f"{worker} did not answer within {self.timeout:g} s")
        if not isinstance(reply, Reply):
            return error("bad_reply", f"{worker} answered with {type(reply).__name__}")
        return reply

    def __call__(self, msg: Any) -> Reply:
        if isinstance(msg, EnforcementStatusRequest):
            return self._one("enforcement", msg)
        got = [(name, self._one(name, msg)) for name in self.risks]
        return got[0][1] if len(got) == 1 else merged(msg, got)

    def status(self) -> list:
        """risk's figures (a RiskStatusReply), or nothing: the figures then come on risk's
        stream as they change, and the screen says what it has."""
        reply = self(RiskStatusRequest())
        return [reply.body] if reply.ok and isinstance(reply.body, RiskStatusReply) else []
