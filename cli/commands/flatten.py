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

from cli import accountarg
from cli.accountnames import namer
from cli.errors import EXIT_ERROR, EXIT_USAGE, CliError
from cli.session import os_user
from cli.table import render_table
from cli.watch.model import outcome_text
from shared.outcomewords import progress_word, unfinished, waiting_words
from shared.messages.enforce import (DONE, EnforcementStatusRequest, FlattenRequest,
                                     found_nothing_to_do)
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
    parser.add_argument("--wait", type=float, default=60.0,
                        help="seconds to wait for the results (default 60; 0: do not wait, "
                             "and exit 1 while any is pending: docs/operations.md, The kill "
                             "switch)")


def _follow(ctx, ids: list[str], wait: float) -> list:
    """Poll enforcement until every command is final or the wait is over; the last states."""
    deadline = time.monotonic() + wait
    while True:
        states = ctx.request(EnforcementStatusRequest(command_ids=ids)).body.commands
        mine = [s for s in states if s.command_id in ids]
        if all(s.state == "final" for s in mine) or time.monotonic() >= deadline:
            return mine
        time.sleep(POLL_S)


def outcome_of(state) -> str:
    """A command's outcome in the screens' words: until it is final, LAST ACTIONS' word for
    its state ('accepted' once enforcement has it: shared/outcomewords.py unfinished), then
    its status ('nothing to do' for a done flatten that found the account flat)."""
    if state.state != "final" or not state.status:
        return progress_word(*unfinished(state.state, state.detail),
                             getattr(state, "waits_behind", ""))
    return outcome_text(state.status, not found_nothing_to_do(state.status,
                                                                state.first_answer_ns))


def run(args, ctx) -> int:
    if args.all == bool(args.account):
        raise CliError("give one ACCOUNT or --all", EXIT_USAGE)
    reply = ctx.request(FlattenRequest(account=args.account, all=args.all, reason=args.reason,
                                       by=f"admin:{os_user()}"),
                        timeout=6.0, retries=0)
    states = reply.body.commands
    skipped = list(getattr(reply.body, "skipped", []) or [])
    if args.wait > 0:
        states = _follow(ctx, [s.command_id for s in states], args.wait)
    if ctx.json:
        ctx.print_json({"commands": states, "skipped": skipped})
    else:
        name = namer(ctx, with_broker=True)
        print(render_table(("account", "action", "outcome", "detail"),
                           [(name(s.account_id), "admin flatten", outcome_of(s),
                             waiting_words(getattr(s, "waits_behind", ""))
                             or tickers_in(s.detail)) for s in states]
                           + [(name(aid), "admin flatten", "skipped", SKIPPED)
                              for aid in skipped]))
        unfinished = [name(s.account_id) for s in states if s.state != "final"]
        if unfinished and args.wait > 0:
            print(f"not finished after {args.wait:g} s: {', '.join(unfinished)}"
                  " (see riskctl logs / the enforcement log)")
        elif unfinished:
            print(f"not waited for: {', '.join(unfinished)}; see riskctl history")
    # --wait 0 too: 0 only when every account ended flat (fresh-user trial 15b: a pending
    # outcome exited 0, which a script takes for flat)
    ok = all(s.state == "final" and s.status == DONE for s in states)
    return 0 if ok else EXIT_ERROR
