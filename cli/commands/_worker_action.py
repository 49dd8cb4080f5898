"""Shared shape of start/stop/restart: one worker name, a reason, one request, the outcome."""
from __future__ import annotations

ACTION_TIMEOUT = 30.0     # a start waits for the new process's first sign of life


def add_name(parser) -> None:
    parser.add_argument("name", help="worker name (see riskctl workers); with risk as shards, "
                        "risk is every shard and risk-1 one of them (docs/scaling.md)")
    parser.add_argument("--reason", default="",
                        help="why (kept in the audit trail, shown by riskctl audit show: "
                             "docs/operations.md, Roles and passwords)")


def run_action(ctx, request) -> int:
    return print_outcome(ctx, ctx.request(request, timeout=ACTION_TIMEOUT, retries=0))


def print_outcome(ctx, reply) -> int:
    info = reply.body
    if ctx.json:
        ctx.print_json({"status": reply.status, "reason": reply.reason, "worker": info})
    else:
        print(reply.reason)
    return 0
