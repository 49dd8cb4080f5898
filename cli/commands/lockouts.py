"""Show active lockouts: scope, kind, when each ends, which rule set it and why.

While risk cannot answer (stopped, crashed), the lockouts are those riskd last knew (the
supervisor keeps risk's last figures), shown under a line
saying so, with their time and why risk does not answer, as `riskctl status` shows its NOT
LIVE figures; one whose end has passed since is left out. Times are in the display zone
(docs/operations.md, Times and time zones)."""
from __future__ import annotations

import time

from cli import configfile
from cli.accountnames import namer
from cli.commands._risk_view import fmt_time, lockout_rows
from cli.context import refusal_text
from cli.errors import CliError
from shared.accountguard import NOT_ENFORCED
from shared.messages.risk import LastRiskStatus, LockoutsRequest, in_force_then

NAME = "lockouts"
READ = True
NOT_ANSWERED = ("unreachable", "timeout")      # risk gave no answer: riskd's last knowledge


def add_arguments(parser) -> None:
    parser.add_argument("--account", metavar="A", default="",
                        help="only this account (its id or name)")


def last_known(body: LastRiskStatus, now_ns: int) -> list:
    """The lockouts of riskd's last known figures still in force at now_ns by their own end."""
    return [lk for status in body.accounts for lk in in_force_then(status, now_ns)]


def not_live_lines(reason: str, body: LastRiskStatus, tz, now_ns: int) -> str:
    """'NOT LIVE: lockouts as riskd last knew them, as of Sat 15:45:55 CST; ...' and, on the
    next line, why risk does not answer in riskd's words (who stopped it, who can start it)."""
    return (f"NOT LIVE: lockouts as riskd last knew them, as of "
            f"{fmt_time(body.as_of_ns, tz, relative=False, now_ns=now_ns)}; an unlock or a new "
            f"lockout since is not seen\n{reason}")


def run(args, ctx) -> int:
    reply = ctx.request(LockoutsRequest(account=args.account or ""), tolerate=NOT_ANSWERED)
    tz = configfile.display_zone(ctx.config_path)
    now = time.time_ns()
    stale = not reply.ok
    if stale and not isinstance(reply.body, LastRiskStatus):    # nothing known: why, exit 1
        raise CliError(refusal_text(reply, codes=ctx.json))
    lockouts = last_known(reply.body, now) if stale else reply.body.lockouts
    # risk does not guard a disabled account: its lockouts are listed, and said not enforced
    off = {} if stale else dict(getattr(reply.body, "not_guarded", {}) or {})
    if ctx.json:
        doc = {"lockouts": lockouts, "not_guarded": off}
        if stale:
            doc.update(live=False, as_of_ns=reply.body.as_of_ns, reason=reply.reason)
        ctx.print_json(doc)
        return 0
    if stale:
        print(not_live_lines(reply.reason, reply.body, tz, now))
    if not lockouts:
        print("no active lockouts" + (" then" if stale else ""))
    else:
        name = namer(ctx, with_broker=True)
        print(lockout_rows(lockouts, tz=tz, name=name, now_ns=now))
        locked = {lk.account_id for lk in lockouts}
        for key, why in sorted(off.items()):
            if key.isdigit() and int(key) in locked:
                print(f"{name(int(key))}: {NOT_ENFORCED} ({why}): riskd does not guard it, "
                      f"its lockouts hold again when an admin enables it")
    return 0
