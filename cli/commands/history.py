"""Decisions, warnings and lockout changes, oldest first (--since 2h, 09:30 or an ISO time)."""
from __future__ import annotations

from cli.commands._risk_view import fmt_time, parse_when, symbol_text
from shared.symbols import tickers_in
from cli.table import render_table
from shared.messages.risk import HistoryRequest

NAME = "history"
READ = True


def add_arguments(parser) -> None:
    parser.add_argument("--account", metavar="A", default="",
                        help="only this account (its id or name)")
    parser.add_argument("--since", metavar="TIME", help="2h, 09:30 or an ISO time")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (200)")


def rows(body) -> list[tuple]:
    out = []
    for d in body.decisions:
        what = d.action + (f" {d.contract_id}" if d.contract_id else "") \
            + (f" order {d.order_id}" if d.order_id else "")
        note = f"not acted on: {d.suppressed}" if d.suppressed else (
            f"lock {d.lock.kind} {fmt_time(d.lock.until_ns)}" if d.lock else "")
        out.append((d.ts_ns, d.account_id, f"{d.mode}:{d.rule}", what,
                    f"{d.value} vs {d.limit}" if d.value is not None else "", d.reason, note))
    for w in body.warnings:
        out.append((w.ts_ns, w.account_id, f"warning:{w.rule}", "-",
                    f"{w.value} vs {w.limit}", w.reason, ""))
    ended = {c.lockout.id for c in body.lockouts if c.change == "cleared"}
    for c in body.lockouts:
        lk = c.lockout
        # a lockout already ended has no time left: its end time alone, never "(in 9m05s)"
        out.append((c.ts_ns, lk.account_id, f"lockout:{lk.rule}", c.change,
                    symbol_text(lk.symbol), c.reason or lk.reason,
                    f"{lk.kind} {fmt_time(lk.until_ns, relative=lk.id not in ended)} "
                    f"by {c.by}"))
    return sorted(out, key=lambda r: r[0])


def run(args, ctx) -> int:
    since = parse_when(args.since, future=False) if args.since else None
    body = ctx.request(HistoryRequest(account=args.account or "", since_ns=since,
                                      limit=args.limit)).body
    if ctx.json:
        ctx.print_json(body)
        return 0
    table = rows(body)
    if not table:
        print("nothing recorded")
        return 0
    print(render_table(("time", "account", "what", "action", "value", "reason", "note"),
                       [(fmt_time(r[0]), *(tickers_in(c) if isinstance(c, str) else c
                                           for c in r[1:])) for r in table]))
    return 0
