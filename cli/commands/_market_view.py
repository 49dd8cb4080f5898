"""What `riskctl positions` and `riskctl orders` share: the --account option and the feed line."""
from __future__ import annotations

from typing import Optional


def add_account_argument(parser) -> None:
    parser.add_argument("--account", metavar="A",
                        help="only this account (its id or its name)")


def account_filter(args) -> tuple[Optional[int], Optional[str]]:
    """(account_id for the request, account name to keep client-side) from --account."""
    value = (args.account or "").strip()
    if not value:
        return None, None
    return (int(value), None) if value.isdigit() else (None, value)


def keep(rows, name: Optional[str]):
    return [r for r in rows if name is None or r.account_name.lower() == name.lower()]


def feed_line(connections) -> str:
    """'' when both hubs are connected, else a warning naming what is not."""
    down = [f"{c.hub} hub {c.state.replace('_', ' ')}" + (f" ({c.reason})" if c.reason else "")
            for c in connections if c.state != "connected"]
    if not connections:
        return "broker feed: unknown (market has not connected yet)"
    return ("broker feed NOT live: " + "; ".join(down)) if down else ""
