"""Flatten an account, or every account of the login, now: close all positions, cancel all orders.

The kill switch. Admin only, audited, with a reason. --all is every account the broker lists
for the login and every configured one, disabled accounts too (`riskctl accounts disable`
stops riskd's rules, not the admin's kill switch). It runs through enforcement's normal path
(journaled, rate-budgeted, verified flat) and riskctl waits until every account is done or has
failed (at most --wait seconds; 0 returns at once, exit 1 while any is pending: "not waited
for: see riskctl history"). Exit code 0 only when every account ended flat; a configured
account the broker does not report for this login is a "skipped" row, not a failure
(fresh-user trial 15b: it failed at the broker and paged "act now").

The answer is what a person needs, as the alerts say it: the account's name, the action, its
outcome in the screens' words (pending until it finishes, then done / failed / skipped /
nothing to do: docs/operations.md) and what was done, with contracts' short names ("close
MNQ"), never enforcement's command id or journal state.
"""
from __future__ import annotations

import time
from typing import Optional

import attrs

from cli import accountarg, configfile
from cli.accountnames import namer
from cli.errors import EXIT_ERROR, EXIT_USAGE, CliError, NotRunning
from cli.session import os_user
from cli.table import render_table
from cli.watch.model import outcome_text
from shared import showtime
from shared.outcomewords import at_broker_words, progress_word, unfinished, waiting_words
from shared.messages.enforce import (DONE, RESUME_WINDOW_S, EnforcementStatusRequest,
                                     FlattenRequest, found_nothing_to_do)
from shared.symbols import tickers_in

NAME = "flatten"
ROLE = "admin"
READ = True          # --json prints the final states
POLL_S = 0.25
# a configured account the broker does not report: --all sends it nothing (killswitch.unreported)
SKIPPED = "the broker does not report this account for this login"


def add_arguments(parser) -> None:
    accountarg.add(parser, required=False, default="",
                   help="the account's id or name, or --account A (or --all)")
    parser.add_argument("--all", action="store_true",
                        help="every account of the login, disabled ones too")
    parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    parser.add_argument("--yes", action="store_true",
                        help="accepted as every admin command takes it; flatten never asks "
                             "(the kill switch acts at once: docs/operations.md, The kill "
                             "switch)")
    parser.add_argument("--wait", type=float, default=60.0,
                        help="seconds to wait for the results (default 60; 0: do not wait, "
                             "and exit 1 while any is pending: docs/operations.md, The kill "
                             "switch)")


# the supervisor's codes for a request enforcement gave no answer to (services/supervisor/
# lastresults.py NOT_ANSWERED): its reason says why (stopped, restarting after a crash)
NOT_ANSWERED = ("unreachable", "timeout")


@attrs.frozen
class Lost:
    """riskd itself stopped answering while riskctl followed a flatten it had accepted (its
    supervisor killed or gone): short, riskd's state in a few words; full, the whole picture
    (which workers still run, cli/notrunning.py)."""
    short: str
    full: str


def _follow(ctx, accepted: list, wait: float) -> tuple[list, str, Optional[Lost]]:
    """Poll enforcement until every accepted command is final or the wait is over: (the last
    states known, why enforcement did not answer the last poll, '' when it did, and Lost when
    riskd itself could no longer be asked). Enforcement stopping after it took the flatten
    does not end the wait (trial22b finding 2: riskctl answered "enforcement is not running
    (backoff)" and riskd flattened 15 s later): the flatten is in its journal and a restarted
    enforcement resumes it, so riskctl keeps asking; while it cannot answer, the outcomes the
    supervisor saw final stand. The supervisor going away ends the wait (nothing answers a
    poll until riskd runs again), with the states known (trial23b finding 2: riskctl said
    only "riskctl's commands cannot reach them", and the admin read that the accepted
    flatten never went out)."""
    ids = [s.command_id for s in accepted]
    known = {s.command_id: s for s in accepted}
    deadline = time.monotonic() + wait
    while True:
        try:
            reply = ctx.request(EnforcementStatusRequest(command_ids=ids),
                                tolerate=NOT_ANSWERED)
        except NotRunning as exc:
            return [known[i] for i in ids], "", Lost(exc.short, str(exc))
        # why, without the unreachable words' "try again": a flatten is not to be sent twice
        down = "" if reply.ok else (reply.reason or "").split(":")[0] or \
            "enforcement did not answer"
        for s in getattr(reply.body, "commands", None) or ():
            if s.command_id in known:
                known[s.command_id] = s
        mine = [known[i] for i in ids]
        if all(s.state == "final" for s in mine) or time.monotonic() >= deadline:
            return mine, down, None
        time.sleep(POLL_S)


def taken_while_down(down: str) -> str:
    """What is true of a flatten enforcement took and then could not finish because it stopped
    (`down`: the supervisor's words for why it does not answer): taken, kept in its journal,
    resumed when it is back (within RESUME_WINDOW_S of the flatten), its outcome in history;
    never "not running" alone, which reads as "nothing was done"."""
    return (f"riskd took this flatten, then enforcement stopped before it finished ({down}). "
            f"Enforcement keeps it in its journal and resumes it when it is back, if that is "
            f"within {RESUME_WINDOW_S // 60} minutes of the flatten (later it does not: "
            f"flatten again); `riskctl history` shows its outcome")


def accepted_unread(lost: Lost, accepted_at: str) -> str:
    """What is true of a flatten riskd accepted when riskd then stopped answering (its
    supervisor gone): it was accepted and went to enforcement, which carries it out without
    the supervisor (or resumes it from its journal); only its outcome could not be read. Never
    "cannot reach" alone, which reads as "the kill switch did not go out"."""
    return (f"riskd accepted this flatten{accepted_at} and handed it to enforcement; only its "
            f"outcome could not be read, as riskd stopped answering ({lost.short}). "
            f"Enforcement carries it out without the supervisor (or resumes it from its "
            f"journal when it is back, within {RESUME_WINDOW_S // 60} minutes of the flatten): "
            f"do not flatten again by hand at the broker; `riskctl history` and `riskctl "
            f"status` show its outcome once riskd runs again")


def outcome_of(state) -> str:
    """A command's outcome in the screens' words: until it is final, LAST ACTIONS' word for
    its state ('accepted' once enforcement has it: shared/outcomewords.py unfinished), then
    its status ('nothing to do' for a done flatten that found the account flat)."""
    if state.state != "final" or not state.status:
        return progress_word(*unfinished(state.state, state.detail),
                             getattr(state, "waits_behind", ""))
    return outcome_text(state.status, not found_nothing_to_do(state.status,
                                                                state.first_answer_ns))


def detail_of(state, ctx) -> str:
    """A row's detail: behind what it waits, else the call of it out at the broker with no
    answer yet ('held at the broker since Mon 08:22:31 CST, no answer yet': sent, as LAST
    ACTIONS says it), else enforcement's words with contracts' short names."""
    sent = getattr(state, "at_broker_ns", 0) if state.state != "final" else 0
    return (waiting_words(getattr(state, "waits_behind", ""))
            or (at_broker_words(showtime.start(sent, configfile.display_zone(ctx.config_path),
                                               time.time_ns())) if sent else "")
            or tickers_in(state.detail))


def _accepted_at(states, ctx) -> str:
    """' at Mon 11:08:36 CST': when enforcement received the flatten (the earliest of its
    accounts'), '' when not known."""
    received = [s.received_ns for s in states if s.received_ns]
    if not received:
        return ""
    return " at " + showtime.start(min(received), configfile.display_zone(ctx.config_path),
                                   time.time_ns())


def run(args, ctx) -> int:
    if args.all == bool(args.account):
        raise CliError("give one ACCOUNT or --all", EXIT_USAGE)
    reply = ctx.request(FlattenRequest(account=args.account, all=args.all, reason=args.reason,
                                       by=f"admin:{os_user()}"),
                        timeout=6.0, retries=0)
    states = reply.body.commands
    skipped = list(getattr(reply.body, "skipped", []) or [])
    down, lost = "", None
    if args.wait > 0:
        states, down, lost = _follow(ctx, states, args.wait)
    if ctx.json:
        ctx.print_json({"commands": states, "skipped": skipped,
                        **({"enforcement": down} if down else {}),
                        **({"riskd": lost.short} if lost else {})})
    else:
        name = namer(ctx, with_broker=True)
        print(render_table(("account", "action", "outcome", "detail"),
                           [(name(s.account_id), "admin flatten", outcome_of(s),
                             detail_of(s, ctx)) for s in states]
                           + [(name(aid), "admin flatten", "skipped", SKIPPED)
                              for aid in skipped]))
        unfinished = [name(s.account_id) for s in states if s.state != "final"]
        if unfinished and lost:
            print(f"not finished: {', '.join(unfinished)}: "
                  f"{accepted_unread(lost, _accepted_at(states, ctx))}")
            print(lost.full)
        elif unfinished and down:
            print(f"not finished: {', '.join(unfinished)}: {taken_while_down(down)}")
        elif unfinished and args.wait > 0:
            print(f"not finished after {args.wait:g} s: {', '.join(unfinished)}"
                  " (see riskctl logs / the enforcement log)")
        elif unfinished:
            print(f"not waited for: {', '.join(unfinished)}; see riskctl history")
    # --wait 0 too: 0 only when every account ended flat (fresh-user trial 15b: a pending
    # outcome exited 0, which a script takes for flat)
    ok = all(s.state == "final" and s.status == DONE for s in states)
    return 0 if ok else EXIT_ERROR
