"""Stop every worker in order, then riskd itself. Role: admin."""
from __future__ import annotations

from shared.messages.control import ShutdownRequest

NAME = "shutdown"


def add_arguments(parser) -> None:
    parser.add_argument("--reason", default="", help="why (goes to the audit trail)")


def run(args, ctx) -> int:
    reply = ctx.request(ShutdownRequest(reason=args.reason), retries=0)
    print(reply.reason)
    return 0
