"""The overall picture once: workers, broker feed, and per account PnL, limits, lockouts, rules.

The same information as `riskctl watch`, printed once (text, or --json with
the raw status documents and the screen's values). While risk cannot answer (stopped,
crashed) each account shows its last known figures marked "NOT LIVE: figures as of ...",
never as current (docs/operations.md, When risk is not running); while market is not
running, positions, orders, trades and PnL are marked with the time of market's last
message and prices with that of its last quote (docs/operations.md, When market is not
running). With riskd's supervisor gone, --json too gives the workers still running and
those not, exit 1.
"""
from __future__ import annotations

import shutil
import sys
import time

from cli.commands.workers import render_workers, state_of
from cli.context import listening, to_jsonable
from cli.errors import CliError
from cli import configfile, fitted
from shared import accountguard, pricewords
from shared.accountname import called, named
from cli.health import health_notes
from cli.table import fmt_duration
from cli.watch.model import (Reachability, RiskUnavailable, WatchState, build_screen,
                             risk_unavailable, screen_fields, ticker)
from cli.watch.source import WORKER_TIMEOUT, read_tables, todays_actions
from cli.watch.view import plain, render
from shared.messages.control import StatusRequest
from shared.messages.market import PositionsRequest
from shared.messages.risk import RiskStatusRequest

NAME = "status"
READ = True


def add_arguments(parser) -> None:
    pass


def ask_worker(ctx, request, state: WatchState, note_risk: bool):
    """A forwarded request whose failure is part of the picture, not the end of the command."""
    try:
        reply = ctx.call(request, timeout=WORKER_TIMEOUT, retries=0)
    except CliError as exc:
        if note_risk:
            state.apply(RiskUnavailable(reason=str(exc)))
        return None
    if reply.ok:
        state.apply(reply.body)
        return reply.body
    if note_risk:
        for note in risk_unavailable(reply):      # the last known figures, then why
            state.apply(note)
    return None


def run(args, ctx) -> int:
    if ctx.json and not listening(ctx.control_address):
        # riskd or only its supervisor is gone: the same picture as the text, as JSON
        from cli.notrunning import orphans    # noqa: PLC0415 -- sqlite3, when riskd is gone
        ctx.print_json(orphans(ctx.config_path, ctx.control_address).as_json())
        return 1
    status = ctx.request(StatusRequest()).body
    state = WatchState()
    state.apply(Reachability(ok=True))
    state.apply(status)
    risk = ask_worker(ctx, RiskStatusRequest(), state, note_risk=True)
    market = ask_worker(ctx, PositionsRequest(), state, note_risk=False)
    _bus, calendar = read_tables(ctx.config_path)
    now = time.time_ns()
    for msg in todays_actions(lambda m: ctx.call(m, timeout=WORKER_TIMEOUT, retries=0),
                              calendar.start_of(calendar.trading_day(now))):
        state.apply(msg)           # LAST ACTIONS: today's, not only those seen right now
    tz = configfile.display_zone(ctx.config_path)      # docs/operations.md, Times and time zones
    screen = build_screen(state, time.time_ns(), tz, calendar)
    if ctx.json:
        known = sorted(state.accounts.values(), key=lambda a: a.account_id)
        ctx.print_json({**to_jsonable(status),        # the supervisor's fields, then the rest
                        "accounts": risk.accounts if risk is not None else [],
                        # risk's last known figures while it cannot answer: NOT live
                        "last_known_accounts": known if risk is None else [],
                        "connections": market.connections if market is not None else [],
                        "screen": screen_fields(screen)})
        return 0
    up = (time.time_ns() - status.started_ns) / 1e9
    states = {w.name: state_of(w, status.notify)[0] for w in status.workers}
    down = [f"{n} ({s})" for n, s in states.items() if s not in ("running", "degraded")]
    degraded = [n for n, s in states.items() if s == "degraded"]
    print(f"riskd supervisor pid {status.pid}, up {fmt_duration(up)}, config {status.config_path}")
    print("all workers running" if not down and not degraded else "; ".join(
        [*(["NOT running: " + ", ".join(down)] if down else []),
         *([f"degraded (running, but failing): {', '.join(degraded)}"] if degraded else [])]))
    for text, _level in health_notes(status.config, status.notify, tz):
        print(text)
    if status.shard_hold:       # a risk_shards edit that waits for risk's state (trial 16c)
        print(status.shard_hold)
    # an account an admin disabled is not guarded: never "guarded now" for all (trial
    # 2026-12-06), but "guarded now except Demo 2 (strict): disabled by admin:root ..."
    labels = dict(status.account_labels or {})
    # a held price with no quote during trading hours: not "guarded now" either
    stale = pricewords.stale_lines(risk.accounts, time.time_ns(), ticker) if risk else []
    # as every screen names an account (shared/accountname.named): the broker's name where
    # the config gives none (trial17b: "1004" for SIM-DEMO-4 after `accounts add 1004`)
    brokers = {a.account_id: a.name for a in (risk.accounts if risk is not None else ())}
    name_of = lambda aid: called(named(labels, aid, brokers.get(aid, "")), aid)    # noqa: E731
    # an action enforcement failed: not "guarded now" above its ENFORCEMENT FAILED (trial 14a)
    guard = accountguard.head(status.unguarded_now, risk.accounts if risk is not None else (),
                              name_of, unreported=risk.unreported if risk is not None else (),
                              stale=stale, failed=accountguard.failed_on(
                                  risk.accounts if risk is not None else (), name_of))
    print(f"trading day {status.trading_day}: unguarded for "
          f"{fmt_duration(status.unguarded_today_s)} so far; {guard}")
    print()
    tty = sys.stdout.isatty()
    # a pipe or a file: nothing cut, long lines wrapped (as history: cli/fitted.py)
    width = min(shutil.get_terminal_size((100, 24)).columns, 120) if tty else fitted.width()
    print(render_workers(status.workers, status.notify, columns=width))
    print()
    if tty:
        print(plain(render(screen, width, None, unicode=False)))
    else:
        print(plain(render(screen, width, None, unicode=False, wrap=True)))
    return 0
