"""Lock your own account: flatten now and block trading until a time or the end of the day.

No password (it only adds protection); only an admin can end it early, so it lasts at most
7 days. The time is '30m', '2h', '15:30' (the next 15:30 in the display zone: [notify]
timezone, else [trading_day] timezone, America/Chicago by default) or an ISO 8601 time with
its UTC offset (one without is refused); --session locks until the trading-day roll. The answer
echoes the instant used, with its offset, and says when the account really stays locked (a
longer lockout already in force is not shortened). See docs/rules.md (Lockouts) and
docs/operations.md (Times and time zones).

An admin locking a trader's account adds --admin and a --reason: riskctl asks for the admin
password (an admin session, as for `riskctl unlock`), and status, watch, lockouts, history,
the alert and the audit trail say "locked by the admin", never "self-lockout" (riskd cannot
tell the admin from the trader otherwise: the same OS user). An admin's lockout lasts at most
a year (the admin can end it any time). See docs/operations.md (Roles and passwords).
"""
from __future__ import annotations

import datetime as dt
import re
import time

from cli import accountarg, configfile
from cli import session as session_cache
from cli.unanswered import ACTION_WAIT_S
from cli.accountnames import namer
from cli.commands._risk_view import lockout_rows, parse_when
from cli.errors import CliError
from cli.session import os_user
from shared import showtime
from shared.messages.risk import AdminLockRequest, SelfLockRequest
from shared.when import lock_length_refusal, table_duration

CLOCK = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$")

NAME = "lockout"


def add_arguments(parser) -> None:
    accountarg.add(parser)
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--until", metavar="TIME",
                      help="30m, 2h, 15:30 (in the display zone) or an ISO time with its "
                           "offset, 2026-12-05T15:30:00-06:00; at most 7 days (with "
                           "--admin: a year)")
    when.add_argument("--session", action="store_true",
                      help="until the trading-day roll (17:00 CT by default: on a weekend or "
                           "after the roll, the next trading day's; docs/rules.md (Lockouts))")
    parser.add_argument("--reason", default="",
                        help="why (shown in history and alerts; extending a lockout keeps the "
                             "reason it started with, docs/rules.md)")
    parser.add_argument("--admin", action="store_true",
                        help="an admin locks the account (needs an admin session: riskctl asks "
                             "for the admin password) and gives a --reason: recorded as locked "
                             "by the admin, not as the trader's self-lockout; only an admin can "
                             "end it early "
                             "(riskctl unlock), docs/operations.md (Roles and passwords)")


def until_of(text: str, config_path: str, now_ns: int, admin: bool = False) -> tuple[int, str]:
    """(UTC ns, how it was read) for --until: a clock time is read in the display zone, and
    the sentence gives the instant used with its offset and how long that is from now (trial16a
    finding 7: `--until 14:00` at 14:42 answered "locked until Mon 14:00 CST" and never said
    23h17m); a length over 7 days (an admin's: over a year) is refused before riskd is asked."""
    zone = configfile.display_zone(config_path)
    until = parse_when(text, now_ns, tz=zone)
    too_long = lock_length_refusal(until, now_ns, admin)
    if too_long:
        raise CliError(too_long)
    how = (f"you asked until {showtime.at(until, zone, now_ns)}, for "
           f"{table_duration((until - now_ns) / 1e9)} ({showtime.iso(until, zone)}")
    how += f", {text.strip()} read in {showtime.zone_label(zone)})" if CLOCK.match(text) else ")"
    return until, how


ASK_PAST_S = 12 * 3600     # a clock time read as tomorrow's locks this long or longer: asked


def passed_today(text: str, until_ns: int, config_path: str, now_ns: int) -> str:
    """'' unless --until is a clock time already past today (read as tomorrow's, as documented)
    that locks ASK_PAST_S or longer (23:50 and 00:30 is meant for tomorrow): then the sentence
    that says so, with how long the lockout would last."""
    if not CLOCK.match(text or "") or (until_ns - now_ns) / 1e9 < ASK_PAST_S:
        return ""
    zone = configfile.display_zone(config_path)
    day = dt.datetime.fromtimestamp(until_ns / 1e9, zone).date()
    if day == dt.datetime.fromtimestamp(now_ns / 1e9, zone).date():
        return ""
    return (f"{text.strip()} has passed today (now {showtime.at(now_ns, zone, now_ns)}): it reads "
            f"as tomorrow's, {showtime.at(until_ns, zone, now_ns)}, a lockout of "
            f"{table_duration((until_ns - now_ns) / 1e9)} that only an admin can end early")


def asked_anyway(warning: str, admin: bool) -> bool:
    """A clock time already past today locks until tomorrow: a person at the terminal is asked
    first (a typo would lock the account for most of a day, and only an admin ends a
    self-lockout early); a script is not asked (the time is read as documented) and the
    answer says it."""
    if not warning:
        return True
    if not session_cache.interactive():
        print(warning)
        return True
    return confirm(f"{warning}. Lock {'it' if admin else 'your account'} until then?")


def confirm(question: str) -> bool:
    from cli.commands.stop import confirm as ask
    return ask(question)


def run(args, ctx) -> int:
    if args.admin and not args.reason.strip():
        raise CliError("an admin lockout needs a reason (--reason TEXT): it is kept in the "
                       "audit trail, as an unlock's is", 2)
    now = time.time_ns()
    until, how = (None, "you asked until the trading-day roll") if args.session else \
        until_of(args.until, ctx.config_path, now, args.admin)
    if not args.session and not asked_anyway(
            passed_today(args.until, until, ctx.config_path, now), args.admin):
        # no lockout asked for: the account keeps whatever lockouts it had (trial16g: "the
        # account is not locked" said to a trader whose account two lockouts held)
        print("nothing was done: no lockout was asked for, and any lockout already in force "
              "stays (give a later time, or an ISO time with its date)")
        return 1
    if args.admin:
        request = AdminLockRequest(account=args.account, until_ns=until, session=args.session,
                                   reason=args.reason, by=f"admin:{os_user()}")
    else:
        request = SelfLockRequest(account=args.account, until_ns=until, session=args.session,
                                  reason=args.reason or f"self-lockout by {os_user()}",
                                  by=f"trader:{os_user()}")
    reply = ctx.request(request, timeout=ACTION_WAIT_S, retries=0)
    if not reply.body.lockouts:
        raise CliError("risk did not report the lockout")
    print(reply.reason)
    print(how)
    print(lockout_rows(reply.body.lockouts, tz=configfile.display_zone(ctx.config_path),
                       name=namer(ctx, with_broker=True)))
    return 0
