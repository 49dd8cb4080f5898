"""Check that riskd answers: prints the supervisor's pid and the round trip time."""
from __future__ import annotations

import time

from shared.messages.system import Ping

NAME = "ping"
READ = True


def add_arguments(parser) -> None:
    pass


def run(args, ctx) -> int:
    started = time.perf_counter()
    pong = ctx.request(Ping()).body
    ms = (time.perf_counter() - started) * 1000
    if ctx.json:
        ctx.print_json({"pid": pong.pid, "started_ns": pong.started_ns, "round_trip_ms": ms})
    else:
        print(f"riskd is up (supervisor pid {pong.pid}), round trip {ms:.1f} ms")
    return 0
