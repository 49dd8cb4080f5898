"""Decisions, warnings and lockout changes, oldest first (--since 2h, 09:30 or an ISO time).

Times are shown, and 09:30 read, in the display zone (docs/operations.md, Times and time zones).

Every decision says who acted (a rule, the admin, the trader's self-lockout, lockout
enforcement) and what was done: enforcement's own account of the outcome once it has one
("done: ... (verified flat)", "FAILED: ..."), else "result not known: <why>" (enforcement is
stopped: the supervisor shows the outcomes it saw while it ran; riskd is stopped: those in
enforcement's journal as stored in the data folder) with
the plan, labelled "planned:"; in alert mode what would have been done. A lockout is shown only when
one was taken; only the lockout in force counts down, on its latest line (an earlier line
of one since extended says "extended to ..."; one ended before its time, by an unlock or the
broker, says so on its lines: "ended early at 03:13:23 CST by an unlock (admin:root)").
See docs/rules.md (Lockouts). A row wider than the terminal (COLUMNS, else 100 for a pipe) is
printed as a block: time, account and who on its first line, then "what:", "value:",
"reason:" and "note:" each wrapped at the width, nothing cut.

While no riskd answers (stopped), or riskd runs but its risk worker does not (stopped,
crashed, restarting, or running but not answering in time: busy or hung), the history risk
stored in its data folder is read directly and the first lines on stderr say why and so; when
risk runs but did not answer, that the stored file may lag what risk decided in the moment it
did not answer (docs/operations.md (When risk is not running))."""
from __future__ import annotations

import sys
import time

from cli import configfile
from cli.storedhistory import kept_note, stored_broker_names, stored_history
from cli.storedoutcomes import stored_outcomes
from shared.actedby import command_id, outcomes_by_id
from cli.commands._risk_view import fmt_time, parse_when
from shared import showtime
from shared.clock import from_ns
from shared.when import clock_zone, is_clock
from cli.accountnames import file_namer, namer
from cli.context import NOT_ANSWERING, refusal_text
from cli.errors import CliError, NotRunning
from shared.symbols import tickers_in
from cli.fitted import fitted, width
from shared.messages.enforce import EnforcementStatusRequest
from shared.messages.risk import HistoryRequest
# the rows' words are shared with the phone's /history (one piece of code for both)
from shared.historywords import (WAITED_S, became_of, decision_ends, decision_row,  # noqa: F401
                                 ended_early, lockout_notes, named_action, outcome_text, rows,
                                 under_way, without_account, without_ids)

NAME = "history"
READ = True


def add_arguments(parser) -> None:
    parser.add_argument("--account", metavar="A", default="",
                        help="only this account (its id or name)")
    parser.add_argument("--since", metavar="TIME",
                        help="2h; 09:30 or 09:30:15, read in the display zone ([notify] "
                        "timezone, else [trading_day] timezone); 22:01:10Z in UTC (a time "
                        "later than now is yesterday's, and said so); or an ISO time with its "
                        "offset, 2026-12-05T09:30:00-06:00 (docs/operations.md, Times and time "
                        "zones)")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (200)")


def outcomes_of(ctx, decisions) -> tuple[dict, str]:
    """(command id -> CommandState of the decisions' commands, why the others are not known:
    '' when enforcement answered). While enforcement cannot answer, the outcomes are those the
    supervisor saw (shared/actedby.journal_of); the rest say "result not known", never the plan
    as if it were done or pending."""
    ids = [cid for cid in map(command_id, decisions) if cid is not None]
    if not ids:
        return {}, ""
    try:
        reply = ctx.call(EnforcementStatusRequest(command_ids=ids), timeout=3.5, retries=0)
    except CliError as exc:
        return {}, str(exc)
    return outcomes_by_id(reply, decisions)


# the supervisor's reply when risk is not there to answer (stopped, crashed, restarting; with
# shards: one of them) or did not answer in time (running, but busy or hung: ops15, refused
# with exit 1): risk's stored history is read instead, as while riskd is stopped
RISK_SILENT = "timeout"
RISK_NOT_THERE = ("unreachable", RISK_SILENT)
# how long riskctl waits: past the supervisor's own wait for risk (commands/base.to_risk, 3 s),
# so that riskd says whether risk answered, not riskctl's own shorter timeout ("riskd does
# not answer" when only risk was slow)
ASK_FOR = 3.5
LAGS = ("it may lag what risk decided in the moment it did not answer (what risk writes, it "
        "writes as it decides)")


def read_stored(ctx, args, since, why: str, riskd: bool, lags: bool = False):
    """Risk's stored history (cli/storedhistory.py) when risk cannot answer: riskd is stopped
    (riskd: no riskd answers), or riskd runs and its risk worker does not (stopped, crashed,
    restarting: trial 13b's follow-up, a trader or admin refused "risk is stopped ..." with
    exit 1). First, on stderr, why (risk's own refusal, the supervisor's words: who stopped
    it, who may start it), then that the list is as risk stored it. With riskd running,
    enforcement still gives the outcomes; with riskd stopped one riskd had not recorded is
    not known. lags: risk (or riskd) may be running but did not answer in time: the list is
    read from the stored file and may lag what risk decided meanwhile; the lines say both."""
    body, files = stored_history(ctx, args.account or "", since, args.limit)
    kept = kept_note(ctx.config_path)     # state of another shard count (trial 16c)
    print(why, file=sys.stderr)
    print(("read from risk's stored file instead: " if lags else "")
          + "the history as risk stored it"
          + stored_from(ctx.config_path, files, kept)
          + (f"; {LAGS}" if lags else "")
          + ("; an outcome riskd had not recorded is not known" if riskd else ""),
          file=sys.stderr)
    return body


def stored_from(config_path: str, files: list[str], kept: str) -> str:
    """Which files the stored history came from, and why those (trial 16c: "risk stored none"
    while risk.sqlite held the day, risk_shards set to 2)."""
    if files:
        return f" ({', '.join(files)}" + (f"; {kept}" if kept else "") + ")"
    if kept:
        return f": none for risk_shards = {configfile.configured_shards(config_path)}; {kept}"
    return f": risk stored none in {configfile.folders(config_path)[0]}"


def since_note(text: str, since_ns: int, now_ns: int, tz) -> str:
    """What a clock time later than now was read as: the last one, yesterday's, said first (the
    output's first line; on stderr with --json, so that stays one document), as `lockout
    --until` says how it read its time.
    Fresh-user trial 15a: `history --since 11:52:30` run at 11:51:56 listed the whole day with
    no word of it. '' for a clock time of today or any other form (a length, an ISO time)."""
    read_in = clock_zone(text, tz)      # 22:01:10Z: yesterday's is the UTC day's
    if not is_clock(text) or from_ns(since_ns, read_in).date() == from_ns(now_ns, read_in).date():
        return ""
    return (f"{text.strip()} is later than now ({showtime.at(now_ns, tz, now_ns, seconds=True)}): "
            f"read as yesterday's {text.strip()} ({showtime.at(since_ns, tz, now_ns, seconds=True)}); "
            f"for today's, wait until then or give a length (--since 30m)")


def run(args, ctx) -> int:
    tz = configfile.display_zone(ctx.config_path)
    now_ns = time.time_ns()
    since = parse_when(args.since, now_ns, future=False, tz=tz) if args.since else None
    note = since_note(args.since, since, now_ns, tz) if args.since else ""
    if note:
        # the first line of what is read (trial 18a: on stderr only, the note came after the
        # whole day's output where stdout and stderr were read apart); --json: stderr, so
        # that stdout stays one document
        print(f"riskctl history: {note}", file=sys.stderr if ctx.json else sys.stdout,
              flush=True)
    stopped = ""
    try:
        reply = ctx.request(HistoryRequest(account=args.account or "", since_ns=since,
                                           limit=args.limit), timeout=ASK_FOR, retries=0,
                            tolerate=RISK_NOT_THERE)
        body = reply.body if reply.ok else \
            read_stored(ctx, args, since, refusal_text(reply, codes=ctx.json), riskd=False,
                        lags=reply.code == RISK_SILENT)
    except NotRunning as exc:
        # no riskd answers: risk's stored history, read directly (as audit and logs read
        # their files; trial 13b: history was the one record riskctl could not show)
        stopped = exc.short
        body = read_stored(ctx, args, since, stopped, riskd=True,
                           lags=stopped.startswith(NOT_ANSWERING))
    if ctx.json:
        ctx.print_json(body)
        return 0
    outcomes, unknown = outcomes_of(ctx, body.decisions) if not stopped else \
        stored_outcomes(ctx.config_path, body.decisions, stopped)
    table = rows(body, outcomes, tz, unknown)
    if not table:
        print("nothing recorded")
        return 0
    name = namer(ctx, with_broker=True) if not stopped else file_namer(ctx.config_path)
    # the broker's names: those risk's records carry, and (riskd stopped) those risk saved
    broker = stored_broker_names(ctx.config_path) if stopped else {}
    broker.update({r.account_id: r.account_name for r in (*body.decisions, *body.warnings)
                   if getattr(r, "account_name", "")})
    print(fitted(("time", "account", "who", "what", "value", "reason", "note"),
                 [(fmt_time(r[0], tz), name(r[1], broker.get(r[1], "")),
                   *(tickers_in(c) if isinstance(c, str) else c
                     for c in (r[2], without_account(r[3], r[1], name(r[1], broker.get(r[1], ""))),
                               *r[4:])))
                  for r in table], width()))
    return 0
