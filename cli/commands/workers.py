"""List every worker: state, pid, uptime, restarts, how it last ended, heartbeat age.

States: starting, running, backoff (crashed, waiting to restart), flapping
(crashed too often, waiting longer), stopping, stopped (by an operator).
"""
from __future__ import annotations

from typing import Optional

from cli import configfile
from cli.fitted import MIN_WIDTH, fitted_head, width
from cli.health import health_notes
from cli.table import fmt_duration, render_table
from shared import shards
from shared.exitwords import exit_words
from shared.messages.control import WorkersRequest

NAME = "workers"
READ = True


def add_arguments(parser) -> None:
    pass


def state_of(w, channels) -> tuple[str, str]:
    """(state, note): notify that runs while a channel fails is 'degraded', not running."""
    if w.name == "notify" and w.state == "running":
        failing = [c for c in channels or () if c.state == "failing"]
        if failing:
            return "degraded", "; ".join(f"{c.name}: {c.queued} queued, {c.last_error}"
                                         for c in failing)
    return w.state, w.reason


def render_workers(workers, channels=(), shard_note: str = "",
                   columns: Optional[int] = None) -> str:
    """shard_note: beside risk (each shard) when it runs another count than risk_shards says
    (trial16g: said on status and in the log only). columns: the width to fit (cli/fitted.py);
    a table wider than it keeps its short columns on one line a worker, its last exit and note
    wrapped under it (trial19a: rows of 149-183 characters at COLUMNS=80); None: the plain
    table."""
    rows = []
    for w in workers:
        state, note = state_of(w, channels)
        if shard_note and shards.base_name(w.name) == shards.RISK:
            note = "; ".join(n for n in (shard_note, note) if n)
        # how it last ended in words, as the crash alert says it (docs/alerts.md): trial
        # 2026-12-06 read "-9" after a kill -9 of risk
        last = (w.last_exit_words or exit_words(w.last_exit)) if w.last_exit is not None \
            else None
        rows.append((w.name, state, w.pid, fmt_duration(w.uptime_s), w.restarts, last,
                     fmt_duration(w.heartbeat_age_s)
                     + (" ago" if w.heartbeat_age_s is not None else ""), note))
    headers = ("name", "state", "pid", "uptime", "restarts", "last exit", "heartbeat", "note")
    table = render_table(headers, rows)
    if columns is None or all(len(line) <= max(MIN_WIDTH, columns)
                              for line in table.split("\n")):
        return table
    order = (0, 1, 2, 3, 4, 6, 5, 7)          # the long ones last: under each worker's line
    return fitted_head([headers[i] for i in order], [[r[i] for i in order] for r in rows],
                       columns, most=6, least=2, head_header=True, spaced=False)


def run(args, ctx) -> int:
    table = ctx.request(WorkersRequest()).body
    if ctx.json:
        ctx.print_json({"workers": table.workers, "config": table.config,
                        "notify": table.notify, "shard_note": table.shard_note})
        return 0
    for text, _level in health_notes(table.config, table.notify,
                                     configfile.display_zone(ctx.config_path)):
        print(text)
    print(render_workers(table.workers, table.notify, table.shard_note, columns=width()))
    return 0
