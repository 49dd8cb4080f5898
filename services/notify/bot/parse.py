"""A chat message -> the command it asks for, or a clear error (pure).

Commands: /status /positions /orders /lockouts [ACCOUNT], /history [N], /unguarded, /help,
and /lockout ACCOUNT 30m|2h|15:30|session [reason] (ACCOUNT may hold spaces: the first word
that reads as a time ends it). "/cmd@OtherBot" is for another bot: not ours, no answer.
"""
from __future__ import annotations

import re
from typing import Optional

import attrs

MAX_CHARS = 500            # a command is short; anything longer is refused unread
MAX_REASON = 200
HISTORY_DEFAULT, HISTORY_MAX = 10, 50
READS = ("status", "positions", "orders", "lockouts")       # optional [ACCOUNT]
USAGE = {
    "status": "/status [ACCOUNT]: balance, PnL, loss limits used, lockouts",
    "positions": "/positions [ACCOUNT]: open positions",
    "orders": "/orders [ACCOUNT]: working orders",
    "lockouts": "/lockouts [ACCOUNT]: active lockouts and when they end",
    "history": f"/history [N]: today's last N decisions, newest first ({HISTORY_DEFAULT}, "
               f"at most {HISTORY_MAX})",
    "unguarded": "/unguarded: today's time without full protection",
    "lockout": "/lockout ACCOUNT 30m|2h|15:30|session [reason]: lock yourself out (flattens "
               "now, asks you to confirm first; only an admin can end it early)",
    "help": "/help: this list",
}
_WHEN = re.compile(r"^(\+?\d+(\.\d+)?[smhd]|\d{1,2}:\d{2}|session)$", re.IGNORECASE)
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@([A-Za-z0-9_]+))?$")


@attrs.frozen
class Command:
    name: str
    account: str = ""          # reads and /lockout: an account id or name ('' = every one)
    count: int = 0             # /history N
    when: str = ""             # /lockout: 30m, 2h, 15:30 or session
    reason: str = ""


@attrs.frozen
class Refusal:
    text: str


def parse(text: str, bot_username: str = "") -> Optional[Command | Refusal]:
    """None when the text is not a command for this bot (plain chat, another bot's)."""
    text = text or ""
    if not text.startswith("/"):
        return None
    if len(text) > MAX_CHARS:
        return Refusal(f"That message is {len(text):,} characters long; a command is short, so "
                       f"it was not read. /help lists the commands.")
    words = text.split()
    m = _COMMAND.match(words[0])
    if m is None:
        return Refusal(f"{words[0][:40]!r} is not a command I know. /help lists them.")
    name, addressed = m[1].lower(), m[2]
    if addressed and bot_username and addressed.lower() != bot_username.lower():
        return None
    args = words[1:]
    if name in READS:
        return Command(name, account=" ".join(args))
    if name in ("unguarded", "help", "start"):
        if args:
            return Refusal(f"/{name} takes nothing after it. Usage: {USAGE.get(name, USAGE['help'])}")
        return Command("help" if name == "start" else name)
    if name == "history":
        return _history(args)
    if name == "lockout":
        return _lockout(args)
    return Refusal(f"/{name[:40]} is not a command I know. Nothing that unlocks, loosens a "
                   f"rule, edits the config or stops riskd is possible from a chat. "
                   f"/help lists what is.")


def _history(args: list[str]) -> Command | Refusal:
    if not args:
        return Command("history", count=HISTORY_DEFAULT)
    if len(args) > 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= HISTORY_MAX:
        return Refusal(f"expected a number from 1 to {HISTORY_MAX}, got {' '.join(args)[:40]!r}. "
                       f"Usage: {USAGE['history']}")
    return Command("history", count=int(args[0]))


def _lockout(args: list[str]) -> Command | Refusal:
    at = next((i for i, w in enumerate(args) if i > 0 and _WHEN.match(w)), None)
    if at is None:
        got = " ".join(args)[:60]
        return Refusal(("expected an account and how long, got nothing" if not args else
                        f"expected an account and then how long (30m, 2h, 15:30 or session), "
                        f"got {got!r}") + f". Usage: {USAGE['lockout']}")
    reason = " ".join(args[at + 1:])
    if len(reason) > MAX_REASON:
        return Refusal(f"the reason is {len(reason)} characters; at most {MAX_REASON}, please.")
    when = args[at].lower()
    return Command("lockout", account=" ".join(args[:at]), when=when, reason=reason)


def help_text() -> str:
    return "\n".join(["riskd answers these commands:", *(USAGE[n] for n in (
        "status", "positions", "orders", "lockouts", "history", "unguarded", "lockout", "help")),
        "Nothing that unlocks, loosens a rule, edits the config or stops riskd is possible "
        "from a chat."])
