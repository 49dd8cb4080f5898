"""An alert whose lines name several accounts, written per Telegram chat scope (pure).

A rule change can name several accounts in one alert ("Demo 1: max_contracts limit 5 -> 4, in
force now", "Demo 2: ..."). docs/alerts.md: an alert about an account goes only to the chats
whose scope has it (trial 2026-12-06: a group that sees only SIM-DEMO-2 got Demo 1's limits).
The alert carries the account of each line (Alert.line_accounts, from NotifyEvent); per_chat()
groups the chats by the lines they may see: the chats that see every line share the whole
alert, the others get an alert of only their accounts' lines (and the lines about no account),
and a chat that sees none of its accounts gets nothing.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

import attrs

from services.notify.templates import Alert
from shared.messages.notify import LINE_HEADER


def per_chat(alert: Alert, chats: Iterable[str],
             sees: Callable[[str, int], bool]) -> Optional[list[tuple[Alert, tuple[str, ...]]]]:
    """None: every chat sees every line (send the alert as it is). Otherwise (alert, chats)
    pairs: each part only for its chats (Telegram); the first part is the whole alert, for
    the chats that see all of it (possibly none)."""
    owners = alert.line_accounts
    if not owners or len(owners) != len(alert.lines):
        return None
    groups: dict[tuple[int, ...], list[str]] = {}
    for chat in chats:
        seen = {i for i, a in enumerate(owners)
                if a is not None and a != LINE_HEADER and sees(chat, a)}
        # a header ("left open, unguarded (...):") only above at least one of its lines
        kept = tuple(i for i, a in enumerate(owners) if a is None or i in seen
                     or (a == LINE_HEADER and seen))
        groups.setdefault(kept, []).append(chat)
    everything = tuple(range(len(owners)))
    if set(groups) <= {everything}:
        return None
    parts = [(alert, tuple(groups.pop(everything, ())))]
    for kept, group in groups.items():
        if not kept:
            continue           # every line is about accounts it does not see: nothing
        parts.append((attrs.evolve(alert, lines=tuple(alert.lines[i] for i in kept),
                                   line_accounts=tuple(owners[i] for i in kept)),
                      tuple(group)))
    return parts
