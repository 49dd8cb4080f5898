"""The live screen: PnL, loss-limit bars, positions, rules, lockouts with countdowns, actions.

Full screen, redrawn several times a second from riskd's status stream.
Keys: q quit, tab / arrow keys / 1-9 switch account, Ctrl-L repaint. When
riskd stops the screen says "riskd not reachable -- retrying" and recovers
by itself when riskd is back. Needs a terminal (use `riskctl status` in
scripts); one that does not answer blessed's queries, or reports no size, is
drawn all the same (docs/operations.md, The live screen's terminal). Times are
in the display zone (docs/operations.md, Times and time zones).
"""
from __future__ import annotations

import sys

from cli import configfile, runningriskd
from cli.errors import CliError

NAME = "watch"


def add_arguments(parser) -> None:
    parser.add_argument("--ascii", action="store_true",
                        help="draw bars and dots with plain ASCII characters")


def run(args, ctx) -> int:
    from cli.watch import app
    from cli.watch.filecalendar import FileCalendar
    from cli.watch.terminal import open_terminal

    if not sys.stdout.isatty() or not sys.stdin.isatty():
        raise CliError("watch needs a terminal; use `riskctl status` (or --json) in scripts")
    # the file's [trading_day] as it is now, not at the watch's start (trial24a F3)
    calendar = FileCalendar(ctx.config_path)
    source = running_source(ctx, calendar)
    term = open_terminal()
    source.start()
    try:
        return app.run(term, source, calendar, configfile.display_zone(ctx.config_path),
                       unicode=not args.ascii)
    except KeyboardInterrupt:
        return 0
    finally:
        source.stop()


def running_source(ctx, calendar=None):
    """The screen's data source on the streams of the riskd that runs: its [bus] and risk
    shards as its supervisor says them, not the file's after an edit waiting for riskd's
    restart (cli/runningriskd.py); the file's while riskd does not answer. calendar: the
    screen's (today's actions are asked from its day's start); the file's as read now if
    None."""
    from cli.watch.source import Source, read_risk_shards, read_tables
    bus, read = read_tables(ctx.config_path)
    calendar = calendar if calendar is not None else read
    running = runningriskd.ask(ctx)
    return Source(running.bus or bus,
                  day_start=lambda now: calendar.start_of(calendar.trading_day(now)),
                  risk_shards=running.risk_shards or read_risk_shards(ctx.config_path),
                  config_path=ctx.config_path)
