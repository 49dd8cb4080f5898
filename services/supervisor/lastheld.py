"""What the accounts hold as riskd stops: risk's own state, asked once, never guessed.

The "riskd is stopping" alert (riskdalerts.stopped_event) names the open positions the stop
leaves unguarded. Before any worker stops, the supervisor asks each risk shard for its status
(RiskStatusRequest) on the shard's control socket, once and briefly (ASK_TIMEOUT_S, no retry:
a stop must not hang on a silent risk). A shard that is not running or does not answer leaves
its accounts' positions unknown, and the alert says so (riskdalerts.held_lines) instead of
leaving them out.
"""
from __future__ import annotations

import attrs
import zmq

from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.risk import AccountStatus, RiskStatusReply, RiskStatusRequest
from shared.messages.system import Reply

ASK_TIMEOUT_S = 0.5


@attrs.frozen
class Held:
    """Risk's answers: every account it reported, whether it had the broker's whole state
    (synced), and why the rest is unknown (one sentence per shard that did not answer)."""
    accounts: tuple[AccountStatus, ...] = ()
    synced: bool = True
    unknown: tuple[str, ...] = ()
    # risk's last known figures (the supervisor's LastRisk) of the accounts no answer covered:
    # the stop alert names the lockouts they were under, which nothing enforces meanwhile
    last: tuple[AccountStatus, ...] = ()


def ask_risk(ctx: zmq.Context, shards: dict[str, str], running: set[str]) -> Held:
    """shards: risk worker name -> its control address; running: the names running now."""
    accounts: list[AccountStatus] = []
    synced, unknown = True, [] if shards else ["this riskd runs no risk worker"]
    for name, address in shards.items():
        if name not in running:
            unknown.append(f"{name} is not running")
            continue
        try:
            with RpcClient(address, name, timeout=ASK_TIMEOUT_S, retries=0, ctx=ctx,
                           name="supervisor") as client:
                reply = client.call(RiskStatusRequest())
        except RpcTimeout:
            unknown.append(f"{name} did not answer within {ASK_TIMEOUT_S:g} s")
            continue
        if not isinstance(reply, Reply) or not reply.ok \
                or not isinstance(reply.body, RiskStatusReply):
            unknown.append(f"{name} could not say ({getattr(reply, 'reason', '') or 'no status'})")
            continue
        accounts += reply.body.accounts
        synced = synced and reply.body.market_synced
    return Held(tuple(accounts), synced, tuple(unknown))
