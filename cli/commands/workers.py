"""List every worker: state, pid, uptime, restarts, last exit code, heartbeat age.

States: starting, running, backoff (crashed, waiting to restart), flapping
(crashed too often, waiting longer), stopping, stopped (by an operator).
"""
from __future__ import annotations

from cli.table import fmt_duration, render_table
from shared.messages.control import WorkersRequest

NAME = "workers"
READ = True


def add_arguments(parser) -> None:
    pass


def render_workers(workers) -> str:
    return render_table(
        ("name", "state", "pid", "uptime", "restarts", "last exit", "heartbeat", "note"),
        [(w.name, w.state, w.pid, fmt_duration(w.uptime_s), w.restarts, w.last_exit,
          fmt_duration(w.heartbeat_age_s) + (" ago" if w.heartbeat_age_s is not None else ""),
          w.reason) for w in workers])


def run(args, ctx) -> int:
    table = ctx.request(WorkersRequest()).body
    if ctx.json:
        ctx.print_json({"workers": table.workers})
    else:
        print(render_workers(table.workers))
    return 0
