"""What `riskctl positions` and `riskctl orders` share: --account, the feed line, the run.

Accounts are named as every screen names them (cli/accountnames.py): "Demo 1 (id 1001)"."""
from __future__ import annotations

from typing import Callable, Optional, Sequence

from cli.accountnames import labels_of
from cli.errors import CliError
from shared.accountname import called, named
from cli.table import render_table
from shared.messages.risk import RiskStatusRequest


def add_account_argument(parser) -> None:
    parser.add_argument("--account", metavar="A",
                        help="only this account (its id or its name)")


def account_filter(args) -> tuple[Optional[int], Optional[str]]:
    """(account_id for the request, account name to keep client-side) from --account."""
    value = (args.account or "").strip()
    if not value:
        return None, None
    return (int(value), None) if value.isdigit() else (None, value)


def resolved(ctx, value: str) -> Optional[set]:
    """The account ids risk resolves `value` to: the one resolver every command that takes an
    account uses (trial15c: `positions --account "demo 1"` matched names here ignoring case
    and showed Demo 1's positions, while lockout and flatten acted on "demo 1", id 1002).
    An account riskd does not know, or a name two accounts share, is the same clear error as
    in history and lockout (exit 1), never an empty table that reads like "no positions".
    None when risk cannot be asked: market's rows are kept by name then (keep)."""
    if not (value or "").strip():
        return None
    try:
        reply = ctx.call(RiskStatusRequest(account=value.strip()), timeout=3.5, retries=0)
    except CliError:
        return None
    if not reply.ok and reply.code in ("unknown_account", "ambiguous_account"):
        raise CliError(reply.reason)
    if not reply.ok:
        return None
    return {a.account_id for a in reply.body.accounts}


def keep(rows, name: Optional[str], labels: dict):
    """The rows of the account called `name` (the broker's name, or its name in the config):
    an exact name first, else one that differs only by case."""
    if name is None:
        return list(rows)
    names = lambda r: (r.account_name, named(labels, r.account_id, r.account_name))  # noqa: E731
    exact = [r for r in rows if name in names(r)]
    return exact or [r for r in rows if name.lower() in (n.lower() for n in names(r))]


def feed_line(connections) -> str:
    """'' when both hubs are connected, else a warning naming what is not."""
    down = [f"{c.hub} hub {c.state.replace('_', ' ')}" + (f" ({c.reason})" if c.reason else "")
            for c in connections if c.state != "connected"]
    if not connections:
        return "broker feed: unknown (market has not connected yet)"
    return ("broker feed NOT live: " + "; ".join(down)) if down else ""


def show(args, ctx, request_cls, field: str, empty: str, headers: Sequence[str],
         cells: Callable) -> int:
    """Ask market for `request_cls`, keep the asked account's rows of `field`, print them."""
    account_id, name = account_filter(args)
    table = ctx.request(request_cls(account_id=account_id)).body
    labels = labels_of(ctx)
    ids = resolved(ctx, args.account) if args.account else None
    rows = ([r for r in getattr(table, field) if r.account_id in ids] if ids is not None
            else keep(getattr(table, field), name, labels))
    if ctx.json:
        ctx.print_json({field: rows, "connections": table.connections})
        return 0
    note = feed_line(table.connections)
    if note:
        print(note)
    print(render_table(headers, [cells(r, called(named(labels, r.account_id, r.account_name),
                                                    r.account_id)) for r in rows])
          if rows else empty)
    return 0
