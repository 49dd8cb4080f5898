"""Restart one worker; answers once the new process is confirmed up (or failed)."""
from __future__ import annotations

from cli.commands._worker_action import add_name, run_action
from shared.messages.control import RestartWorker

NAME = "restart"
ROLE = "ops"


def add_arguments(parser) -> None:
    add_name(parser)


def run(args, ctx) -> int:
    return run_action(ctx, RestartWorker(name=args.name, reason=args.reason))
