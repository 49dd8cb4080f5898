"""Stop one worker; it stays stopped until someone starts it. Role: admin."""
from __future__ import annotations

from cli.commands._worker_action import add_name, run_action
from shared.messages.control import StopWorker

NAME = "stop"


def add_arguments(parser) -> None:
    add_name(parser)


def run(args, ctx) -> int:
    return run_action(ctx, StopWorker(name=args.name))
