"""Start a stopped worker; answers once the new process is confirmed up (or failed)."""
from __future__ import annotations

from cli.commands._worker_action import add_name, run_action
from shared.messages.control import StartWorker

NAME = "start"
ROLE = "ops"


def add_arguments(parser) -> None:
    add_name(parser)


def run(args, ctx) -> int:
    return run_action(ctx, StartWorker(name=args.name, reason=args.reason))
