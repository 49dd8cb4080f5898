"""Decisions, warnings and lockout changes, oldest first (--since 2h, 09:30 or an ISO time).

Times are shown, and 09:30 read, in the display zone (docs/operations.md, Times and time zones).

Every decision says who acted (a rule, the admin, the trader's self-lockout, lockout
enforcement) and what was done: enforcement's own account of the outcome once it has one
("done: ... (verified flat)", "FAILED: ..."), else the plan, labelled "planned:" with why the
outcome is not known; in alert mode what would have been done. A lockout is shown only when
one was taken. See docs/rules.md."""
from __future__ import annotations

from typing import Optional

from cli import configfile
from cli.acted_by import command_id
from cli.commands._risk_view import fmt_time, parse_when, symbol_text
from cli.errors import CliError
from shared.symbols import tickers_in
from cli.table import render_table
from shared.messages.enforce import DONE, EnforcementStatus, EnforcementStatusRequest
from shared.messages.risk import HistoryRequest

NAME = "history"
READ = True


def add_arguments(parser) -> None:
    parser.add_argument("--account", metavar="A", default="",
                        help="only this account (its id or name)")
    parser.add_argument("--since", metavar="TIME", help="2h, 09:30 (display zone) or an ISO time with its offset, "
                        "2026-12-05T09:30:00-06:00")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (200)")


def outcome_text(state) -> str:
    """What enforcement says it did: 'done: closed ... (verified flat)', 'FAILED: ...'."""
    if state.state != "final":
        return f"planned, not done yet ({state.state}): {state.detail}" if state.detail \
            else f"planned, not done yet ({state.state})"
    label = "done" if state.status == DONE else state.status.upper()
    return f"{label}: {state.detail}" if state.detail else label


def decision_row(d, outcomes: Optional[dict] = None, tz=None) -> tuple:
    """(time, account, who, what, value, reason, note) of one decision. With `outcomes`
    (command id -> enforcement's CommandState) WHAT is what enforcement did, never the plan
    risk made from what it knew then (a plan may count an order that was already gone)."""
    target = (f" {d.contract_id}" if d.contract_id else "") \
        + (f" order {d.order_id}" if d.order_id else "")
    what = d.what or (d.action + target)
    if d.mode == "alert" and not what.startswith("would"):
        what = f"would have: {what}"
    cid = command_id(d)
    if outcomes is not None and cid is not None:
        state = outcomes.get(cid)
        lock = "; " + what.split("; ", 1)[1] if "; " in what else ""    # risk's own lockout
        what = (outcome_text(state) + lock if state is not None
                else f"planned: {what} (enforcement no longer knows the outcome)")
    note = f"not acted on: {d.suppressed}" if d.suppressed else (
        f"locked {d.lock.kind} until {fmt_time(d.lock.until_ns, tz, end=True)}"
        if d.lock and d.lock.until_ns else f"locked {d.lock.kind}" if d.lock else "")
    who = d.by or f"rule {d.rule}"
    return (d.ts_ns, d.account_id, f"{who}{' (alert mode)' if d.mode == 'alert' else ''}",
            what, f"{d.value} vs {d.limit}" if d.value is not None else "", d.reason, note)


def rows(body, outcomes: Optional[dict] = None, tz=None) -> list[tuple]:
    """The history's rows, oldest first (times in the display zone `tz`)."""
    out = [decision_row(d, outcomes, tz) for d in body.decisions]
    for w in body.warnings:
        out.append((w.ts_ns, w.account_id, f"warning: rule {w.rule}", "-",
                    f"{w.value} vs {w.limit}" if w.value is not None else "", w.reason, ""))
    ended = {c.lockout.id for c in body.lockouts if c.change == "cleared"}
    for c in body.lockouts:
        lk = c.lockout
        # a lockout already ended has no time left: its end time alone, never "(in 9m05s)"
        out.append((c.ts_ns, lk.account_id, f"lockout by {c.by}: {lk.rule}", c.change,
                    symbol_text(lk.symbol), c.reason or lk.reason,
                    f"{lk.kind} "
                    f"{fmt_time(lk.until_ns, tz, relative=lk.id not in ended, end=True)}"))
    return sorted(out, key=lambda r: r[0])


def outcomes_of(ctx, decisions) -> Optional[dict]:
    """Enforcement's journal entries of the decisions' commands (command id -> CommandState);
    None when enforcement cannot be asked (then WHAT says so: the plan is labelled)."""
    ids = [cid for cid in map(command_id, decisions) if cid is not None]
    if not ids:
        return {}
    try:
        reply = ctx.call(EnforcementStatusRequest(command_ids=ids), timeout=3.5, retries=0)
    except CliError:
        return None
    if not reply.ok or not isinstance(reply.body, EnforcementStatus):
        return None
    return {c.command_id: c for c in reply.body.commands}


def run(args, ctx) -> int:
    tz = configfile.display_zone(ctx.config_path)
    since = parse_when(args.since, future=False, tz=tz) if args.since else None
    body = ctx.request(HistoryRequest(account=args.account or "", since_ns=since,
                                      limit=args.limit)).body
    if ctx.json:
        ctx.print_json(body)
        return 0
    table = rows(body, outcomes_of(ctx, body.decisions), tz)
    if not table:
        print("nothing recorded")
        return 0
    print(render_table(("time", "account", "who", "what", "value", "reason", "note"),
                       [(fmt_time(r[0], tz), *(tickers_in(c) if isinstance(c, str) else c
                                           for c in r[1:])) for r in table]))
    return 0
