"""The overall picture once: supervisor, worker health (accounts and lockouts as they land)."""
from __future__ import annotations

import time

from cli.commands.workers import render_workers
from cli.table import fmt_duration
from shared.messages.control import StatusRequest

NAME = "status"
READ = True


def add_arguments(parser) -> None:
    pass


def run(args, ctx) -> int:
    status = ctx.request(StatusRequest()).body
    if ctx.json:
        ctx.print_json(status)
        return 0
    up = (time.time_ns() - status.started_ns) / 1e9
    unhealthy = [w.name for w in status.workers if w.state != "running"]
    print(f"riskd supervisor pid {status.pid}, up {fmt_duration(up)}, config {status.config_path}")
    print("all workers running" if not unhealthy else "NOT running: " + ", ".join(unhealthy))
    guard = ("guarded now" if not status.unguarded_now
             else "NOT GUARDED now: " + "; ".join(status.unguarded_now))
    print(f"trading day {status.trading_day}: unguarded for "
          f"{fmt_duration(status.unguarded_today_s)} so far; {guard}")
    print()
    print(render_workers(status.workers))
    return 0
